//! Inter-region connections between two transit routers of one CEN instance:
//! CreateTransitRouterPeerAttachment, ListTransitRouterPeerAttachments,
//! UpdateTransitRouterPeerAttachmentAttribute, DeleteTransitRouterPeerAttachment.

use acs_rpc::error::ApiError;
use cen_server::cbn::errors as cbn;

use crate::api::cbn as t;
use crate::emulator::{Caller, Ctx, Emulator, minutes, new_id};
use crate::geo::Span;
use crate::ops::attachments::{AttachmentFilter, DeleteCodes};
use crate::ops::bandwidth::allocated;
use crate::ops::transit_routers::bare_tags;
use crate::state::{
    AttachmentKind, Lifecycle, PeerLink, Phase, State, TrAttachment, TransitRouter,
};
use crate::validate::{self, PARAMETER_TAG, TokenPage, given};

/// The bandwidth terms a create or an update asks for, checked.
struct Terms {
    bandwidth: i32,
    bandwidth_type: String,
    package_id: Option<String>,
    default_link_type: String,
}

/// The codes one operation answers for bandwidth terms.
#[derive(Clone, Copy)]
struct TermCodes {
    invalid: fn() -> ApiError,
    plan: fn() -> ApiError,
    not_associated: fn() -> ApiError,
    exceeded: fn() -> ApiError,
    gold_only: fn() -> ApiError,
}

/// Checks bandwidth terms against the CEN instance's plans. A plan must be the caller's,
/// associated with the CEN instance and serve the span of the two regions; the bandwidth of
/// the attachment plus what the plan already gives (limits and other peer attachments, but
/// `replacing`) must fit in it. DataTransfer takes no plan. Platinum needs DataTransfer.
fn check_terms(
    state: &State,
    caller: &Caller,
    cen_id: &str,
    span: Span,
    terms: &Terms,
    replacing: i64,
    codes: TermCodes,
) -> Result<(), ApiError> {
    if terms.bandwidth < 0 {
        return Err((codes.invalid)());
    }
    match terms.bandwidth_type.as_str() {
        "DataTransfer" => {
            if terms.package_id.is_some() {
                return Err((codes.plan)());
            }
            if !matches!(terms.default_link_type.as_str(), "Gold" | "Platinum") {
                return Err((codes.invalid)());
            }
        }
        "BandwidthPackage" => {
            if terms.default_link_type != "Gold" {
                return Err((codes.gold_only)());
            }
            let plan = terms
                .package_id
                .as_ref()
                .and_then(|id| state.packages.get(id))
                .filter(|p| p.owner == caller.uid)
                .ok_or_else(codes.plan)?;
            if plan.cen_id.as_deref() != Some(cen_id) || plan.span != span.id() {
                return Err((codes.not_associated)());
            }
            if allocated(state, &plan.id) - replacing + i64::from(terms.bandwidth) > plan.bandwidth
            {
                return Err((codes.exceeded)());
            }
        }
        _ => return Err((codes.invalid)()),
    }
    Ok(())
}

impl<'a> Ctx<'a> {
    /// The answer for one peer attachment.
    fn peer_view(&self, a: &TrAttachment) -> t::TransitRouterPeerAttachment {
        let peer = a.peer.clone();
        t::TransitRouterPeerAttachment {
            auto_publish_route_enabled: Some(a.auto_publish_route),
            bandwidth: peer.as_ref().map(|p| p.bandwidth),
            bandwidth_type: peer.as_ref().map(|p| p.bandwidth_type.clone()),
            cen_bandwidth_package_id: peer.as_ref().and_then(|p| p.package_id.clone()),
            cen_id: Some(a.cen_id.clone()),
            creation_time: Some(minutes(a.life.created_at)),
            default_link_type: peer.as_ref().map(|p| p.default_link_type.clone()),
            geographic_span_id: peer.as_ref().map(|p| p.span.clone()),
            peer_transit_router_id: Some(a.resource_id.clone()),
            peer_transit_router_owner_id: peer.as_ref().map(|p| p.peer_owner),
            peer_transit_router_region_id: peer.as_ref().map(|p| p.peer_region_id.clone()),
            region_id: Some(a.region_id.clone()),
            resource_type: Some(a.kind.resource_type().into()),
            status: Some(self.status(a).into()),
            tags: bare_tags(&a.tags),
            transit_router_attachment_description: a.description.clone(),
            transit_router_attachment_id: Some(a.id.clone()),
            transit_router_attachment_name: a.name.clone(),
            transit_router_id: Some(a.transit_router_id.clone()),
        }
    }
}

impl Emulator {
    /// CreateTransitRouterPeerAttachment: connects a transit router to the router of another
    /// region of the same CEN instance; the attachment is `Attaching` for the delay, then
    /// `Attached`. The bandwidth comes from a plan (`BandwidthPackage`, the default) or is paid
    /// by traffic (`DataTransfer`).
    ///
    /// Checks, in order: name, description and tags as CreateTransitRouter's
    /// (`InvalidParameter`); a negative Bandwidth or another BandwidthType `InvalidParameter`;
    /// the local router (TransitRouterId, or the router of CenId in RegionId) unknown
    /// `InvalidParameter`; the peer router unknown or of another CEN instance
    /// `InvalidPeerTransitRouterId.NotFound`; both in one region
    /// `IllegalParam.PeerRegionId`; the CEN instance not Active
    /// `InvalidOperation.CenInstanceStatus`; either router not Active
    /// `IncorrectStatus.TransitRouter`; with a plan: Platinum
    /// `ParameterIllegal.BandwidthPackageDefaultLinkTypeOnlySupportGold`, no such plan of the
    /// caller `IllegalParam.CenBandwidthPackageId`, a plan not associated with the CEN
    /// instance or not serving the two regions' areas `InvalidOperation.BwpNotAssociated`, more
    /// bandwidth than the plan has left `InvalidOperation.BwpBandwidthExceeded`; with
    /// DataTransfer a plan `IllegalParam.CenBandwidthPackageId`. `DryRun` answers
    /// `DryRunOperation`; a ClientToken makes the call idempotent.
    pub fn create_transit_router_peer_attachment(
        &self,
        caller: &Caller,
        request: t::CreateTransitRouterPeerAttachmentRequest,
    ) -> Result<t::CreateTransitRouterPeerAttachmentResponse, ApiError> {
        use cbn::create_transit_router_peer_attachment as e;
        validate::name(request.transit_router_attachment_name.as_deref())?;
        validate::description(request.transit_router_attachment_description.as_deref())?;
        let tags = validate::tags_to_set(
            request.tag.iter().map(|t| (t.key.clone(), t.value.clone())),
            PARAMETER_TAG,
        )?;
        let terms = Terms {
            bandwidth: request.bandwidth.unwrap_or(0),
            bandwidth_type: request
                .bandwidth_type
                .as_ref()
                .map_or("BandwidthPackage", |b| b.as_str())
                .to_owned(),
            package_id: request
                .cen_bandwidth_package_id
                .clone()
                .filter(|s| !s.is_empty()),
            default_link_type: request
                .default_link_type
                .clone()
                .unwrap_or_else(|| "Gold".into()),
        };
        let codes = TermCodes {
            invalid: e::invalid_parameter,
            plan: e::illegal_param_cen_bandwidth_package_id,
            not_associated: e::invalid_operation_bwp_not_associated,
            exceeded: e::invalid_operation_bwp_bandwidth_exceeded,
            gold_only: e::parameter_illegal_bandwidth_package_default_link_type_only_support_gold,
        };
        let id = self.write_idempotent(
            caller,
            "CreateTransitRouterPeerAttachment",
            request.client_token.as_deref(),
            &request,
            |state, ctx| {
                let local = request
                    .transit_router_id
                    .as_deref()
                    .and_then(|id| ctx.router(state, caller, id))
                    .or_else(|| {
                        let cen = request.cen_id.as_deref()?;
                        ctx.router_in(state, cen, request.region_id.as_deref()?)
                            .filter(|r| r.owner == caller.uid)
                    })
                    .ok_or_else(e::invalid_parameter)?;
                let peer: &TransitRouter = ctx
                    .router(state, caller, &request.peer_transit_router_id)
                    .filter(|p| p.cen_id == local.cen_id)
                    .ok_or_else(e::invalid_peer_transit_router_id_not_found)?;
                if peer.region_id == local.region_id {
                    return Err(e::illegal_param_peer_region_id());
                }
                let span = Span::of_regions(&local.region_id, &peer.region_id)
                    .ok_or_else(e::illegal_param_peer_region_id)?;
                if state
                    .cens
                    .get(&local.cen_id)
                    .is_none_or(|c| ctx.phase(c) != Phase::Ready)
                {
                    return Err(e::invalid_operation_cen_instance_status());
                }
                if ctx.phase(local) != Phase::Ready || ctx.phase(peer) != Phase::Ready {
                    return Err(e::incorrect_status_transit_router());
                }
                check_terms(state, caller, &local.cen_id, span, &terms, 0, codes)?;
                validate::dry_run(request.dry_run, e::dry_run_operation)?;
                let id = new_id("tr-attach-");
                let attachment = TrAttachment {
                    id: id.clone(),
                    kind: AttachmentKind::Peer,
                    transit_router_id: local.id.clone(),
                    cen_id: local.cen_id.clone(),
                    owner: caller.uid,
                    region_id: local.region_id.clone(),
                    resource_id: peer.id.clone(),
                    resource_owner: peer.owner,
                    name: request.transit_router_attachment_name.clone(),
                    description: request.transit_router_attachment_description.clone(),
                    auto_publish_route: request.auto_publish_route_enabled.unwrap_or(false),
                    zones: Vec::new(),
                    charge_type: "POSTPAY".into(),
                    order_type: "PayByCenOwner".into(),
                    appliance_mode: "disable".into(),
                    ipv6: "disable".into(),
                    peer: Some(PeerLink {
                        peer_region_id: peer.region_id.clone(),
                        peer_owner: peer.owner,
                        bandwidth: terms.bandwidth,
                        bandwidth_type: terms.bandwidth_type.clone(),
                        package_id: terms.package_id.clone(),
                        default_link_type: terms.default_link_type.clone(),
                        span: span.id(),
                    }),
                    allocation: None,
                    life: Lifecycle::started(ctx.now),
                    tags: tags.clone(),
                };
                state.tr_attachments.insert(attachment);
                Ok(id)
            },
        )?;
        Ok(t::CreateTransitRouterPeerAttachmentResponse {
            request_id: Some(caller.request_id.clone()),
            transit_router_attachment_id: Some(id),
        })
    }

    /// ListTransitRouterPeerAttachments: the caller's peer attachments in creation order, as
    /// seen from the router they were created on, paged by MaxResults (1 to 100, default 20) and
    /// NextToken (`InvalidParameter` for bad ones). Every given filter must match: CenId,
    /// RegionId, TransitRouterId, TransitRouterAttachmentId and Tag.N. Unknown ids answer an
    /// empty list.
    pub fn list_transit_router_peer_attachments(
        &self,
        caller: &Caller,
        request: t::ListTransitRouterPeerAttachmentsRequest,
    ) -> Result<t::ListTransitRouterPeerAttachmentsResponse, ApiError> {
        use cbn::list_transit_router_peer_attachments as e;
        let page = TokenPage::standard(
            request.max_results,
            request.next_token.as_deref(),
            e::invalid_parameter,
        )?;
        let tag_filters = validate::tag_filters(
            request.tag.iter().map(|t| (t.key.clone(), t.value.clone())),
            PARAMETER_TAG,
        )?;
        let filter = AttachmentFilter {
            cen_id: given(&request.cen_id),
            region_id: given(&request.region_id),
            transit_router_id: given(&request.transit_router_id),
            attachment_id: given(&request.transit_router_attachment_id),
            tags: &tag_filters,
            ..AttachmentFilter::default()
        };
        let (items, next_token, total) = self.read(|state, ctx| {
            let matched =
                ctx.attachments_matching(state, caller.uid, AttachmentKind::Peer, &filter);
            let (page, next, total) = page.slice(matched);
            let items: Vec<_> = page.into_iter().map(|a| ctx.peer_view(a)).collect();
            (items, next, total)
        });
        Ok(t::ListTransitRouterPeerAttachmentsResponse {
            max_results: Some(page.max_results()),
            next_token,
            request_id: Some(caller.request_id.clone()),
            total_count: Some(total),
            transit_router_attachments: items,
        })
    }

    /// UpdateTransitRouterPeerAttachmentAttribute: changes the name, description,
    /// AutoPublishRouteEnabled or bandwidth terms of an `Attached` peer attachment, which is
    /// then `Modifying` for the delay. The terms are checked as at creation (the attachment's
    /// own bandwidth is given back to its plan first), with `InvalidParameter` for every
    /// mistake. Unknown: `InvalidTransitRouterAttachmentId.NotFound`; not Attached:
    /// `IncorrectStatus.Status`. `DryRun` answers `DryRunOperation`.
    pub fn update_transit_router_peer_attachment_attribute(
        &self,
        caller: &Caller,
        request: t::UpdateTransitRouterPeerAttachmentAttributeRequest,
    ) -> Result<t::UpdateTransitRouterPeerAttachmentAttributeResponse, ApiError> {
        use cbn::update_transit_router_peer_attachment_attribute as e;
        validate::name(request.transit_router_attachment_name.as_deref())?;
        validate::description(request.transit_router_attachment_description.as_deref())?;
        self.write_idempotent(
            caller,
            "UpdateTransitRouterPeerAttachmentAttribute",
            request.client_token.as_deref(),
            &request,
            |state, ctx| {
                let id = &request.transit_router_attachment_id;
                let attachment = ctx
                    .tr_attachment(state, caller, AttachmentKind::Peer, id)
                    .ok_or_else(e::invalid_transit_router_attachment_id_not_found)?;
                ctx.require_ready(attachment, e::incorrect_status_status)?;
                let Some(link) = attachment.peer.clone() else {
                    return Err(e::invalid_transit_router_attachment_id_not_found());
                };
                let terms = Terms {
                    bandwidth: request.bandwidth.unwrap_or(link.bandwidth),
                    bandwidth_type: request
                        .bandwidth_type
                        .as_ref()
                        .map_or(link.bandwidth_type.clone(), |b| b.as_str().to_owned()),
                    package_id: request
                        .cen_bandwidth_package_id
                        .clone()
                        .or_else(|| link.package_id.clone())
                        .filter(|s| !s.is_empty()),
                    default_link_type: request
                        .default_link_type
                        .clone()
                        .unwrap_or_else(|| link.default_link_type.clone()),
                };
                let span = Span::parse(&link.span).ok_or_else(e::invalid_parameter)?;
                let mine = if link.package_id.is_some() && link.package_id == terms.package_id {
                    i64::from(link.bandwidth)
                } else {
                    0
                };
                let codes = TermCodes {
                    invalid: e::invalid_parameter,
                    plan: e::invalid_parameter,
                    not_associated: e::invalid_parameter,
                    exceeded: e::invalid_parameter,
                    gold_only: e::invalid_parameter,
                };
                check_terms(state, caller, &attachment.cen_id, span, &terms, mine, codes)?;
                validate::dry_run(request.dry_run, e::dry_run_operation)?;
                if let Some(mut a) = state.tr_attachments.get_mut(id) {
                    validate::overwrite(&mut a.name, &request.transit_router_attachment_name);
                    validate::overwrite(
                        &mut a.description,
                        &request.transit_router_attachment_description,
                    );
                    if let Some(auto) = request.auto_publish_route_enabled {
                        a.auto_publish_route = auto;
                    }
                    if let Some(peer) = a.peer.as_mut() {
                        peer.bandwidth = terms.bandwidth;
                        peer.bandwidth_type = terms.bandwidth_type;
                        peer.package_id = terms.package_id;
                        peer.default_link_type = terms.default_link_type;
                    }
                    a.life.modified_at = Some(ctx.now);
                }
                Ok(())
            },
        )?;
        Ok(t::UpdateTransitRouterPeerAttachmentAttributeResponse {
            request_id: Some(caller.request_id.clone()),
        })
    }

    /// DeleteTransitRouterPeerAttachment: starts disconnecting an `Attached` peer attachment; it
    /// is `Detaching` for the delay and then gone, giving its bandwidth back to its plan.
    ///
    /// Unknown: `InvalidTransitRouterAttachmentId.NotFound`; not Attached:
    /// `IncorrectStatus.Status`. Without `Force`, associations, propagations and routes that
    /// depend on it refuse with their documented codes; with `Force` they go with it. `DryRun`
    /// answers `DryRunOperation`.
    pub fn delete_transit_router_peer_attachment(
        &self,
        caller: &Caller,
        request: t::DeleteTransitRouterPeerAttachmentRequest,
    ) -> Result<t::DeleteTransitRouterPeerAttachmentResponse, ApiError> {
        use cbn::delete_transit_router_peer_attachment as e;
        let force = request.force.unwrap_or(false);
        self.write_idempotent(
            caller,
            "DeleteTransitRouterPeerAttachment",
            request.client_token.as_deref(),
            &request,
            |state, ctx| {
                ctx.delete_attachment(
                    state,
                    caller,
                    (AttachmentKind::Peer, &request.transit_router_attachment_id),
                    (force, request.dry_run),
                    DeleteCodes {
                        not_found: e::invalid_transit_router_attachment_id_not_found,
                        not_ready: e::incorrect_status_status,
                        dry_run: e::dry_run_operation,
                    },
                )
            },
        )?;
        Ok(t::DeleteTransitRouterPeerAttachmentResponse {
            request_id: Some(caller.request_id.clone()),
        })
    }
}
