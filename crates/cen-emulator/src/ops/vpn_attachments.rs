//! Transit-router VPN attachments: CreateTransitRouterVpnAttachment,
//! ListTransitRouterVpnAttachments, UpdateTransitRouterVpnAttachmentAttribute,
//! DeleteTransitRouterVpnAttachment.
//!
//! A VPN attachment holds a /28 of its router's CIDR blocks (see ListTransitRouterCidrAllocation),
//! so the router needs a CIDR block with room first.

use acs_rpc::error::ApiError;
use cen_server::cbn::errors as cbn;

use crate::api::cbn as t;
use crate::emulator::{Caller, Ctx, Emulator, minutes};
use crate::inventory::InstanceType;
use crate::ops::attachments::{
    AttachmentFilter, AttributeChange, AttributeCodes, DeleteCodes, NetworkAttach, NetworkCodes,
    TargetCodes,
};
use crate::ops::transit_router_cidrs::allocate;
use crate::ops::transit_routers::bare_tags;
use crate::state::{AttachmentKind, TrAttachment};
use crate::validate::{self, PARAMETER_TAG, TokenPage, given};

impl<'a> Ctx<'a> {
    /// The answer for one VPN attachment.
    fn vpn_attachment_view(&self, a: &TrAttachment) -> t::TransitRouterVpnAttachment {
        t::TransitRouterVpnAttachment {
            auto_publish_route_enabled: Some(a.auto_publish_route),
            charge_type: Some(a.charge_type.clone()),
            cen_id: Some(a.cen_id.clone()),
            creation_time: Some(minutes(a.life.created_at)),
            order_type: Some(a.order_type.clone()),
            resource_type: Some(a.kind.resource_type().into()),
            status: Some(self.status(a).into()),
            tags: bare_tags(&a.tags),
            transit_router_attachment_description: a.description.clone(),
            transit_router_attachment_id: Some(a.id.clone()),
            transit_router_attachment_name: a.name.clone(),
            transit_router_id: Some(a.transit_router_id.clone()),
            vpn_id: Some(a.resource_id.clone()),
            vpn_owner_id: Some(a.resource_owner),
            vpn_region_id: Some(a.region_id.clone()),
            zones: Vec::new(),
        }
    }
}

impl Emulator {
    /// CreateTransitRouterVpnAttachment: connects an IPsec-VPN connection to a transit router of its region; the
    /// attachment is `Attaching` for the delay, then `Attached`, associated and propagating
    /// nowhere until told. The router is resolved as for CreateTransitRouterVpcAttachment (and
    /// created when only CenId and RegionId are given), with the same codes; then: no
    /// VPN VpnId of VpnOwnerId (default the caller) in the router's region `ParameterInstanceId`;
    /// another account's without its owner's grant `Forbbiden.AttachChildInstanceAcrossUid`;
    /// one with a CEN connection already (emulator rule, as for VPCs)
    /// `QuotaFull.ChildInstanceRelatedCen`; no room left in the router's CIDR blocks (or none)
    /// `OperationFailed.AllocateCidrFailed`. Name, description and tags follow
    /// CreateTransitRouter's rules (`InvalidParameter`). `DryRun` answers `DryRunOperation`; a
    /// ClientToken makes the call idempotent. Emulator rule: the attachment holds the first free
    /// /28 of the router's CIDR blocks, in block order.
    pub fn create_transit_router_vpn_attachment(
        &self,
        caller: &Caller,
        request: t::CreateTransitRouterVpnAttachmentRequest,
    ) -> Result<t::CreateTransitRouterVpnAttachmentResponse, ApiError> {
        use cbn::create_transit_router_vpn_attachment as e;
        let (router_id, cen_id, region_id) = (
            given(&request.transit_router_id),
            given(&request.cen_id),
            given(&request.region_id),
        );
        if router_id.is_none() && (cen_id.is_none() || region_id.is_none()) {
            return Err(e::missing_param_cen_id_or_region_id());
        }
        validate::name(request.transit_router_attachment_name.as_deref())?;
        validate::description(request.transit_router_attachment_description.as_deref())?;
        let tags = validate::tags_to_set(
            request.tag.iter().map(|t| (t.key.clone(), t.value.clone())),
            PARAMETER_TAG,
        )?;
        let id = self.write_idempotent(
            caller,
            "CreateTransitRouterVpnAttachment",
            request.client_token.as_deref(),
            &request,
            |state, ctx| {
                ctx.create_network_attachment(
                    state,
                    caller,
                    NetworkAttach {
                        kind: AttachmentKind::Vpn,
                        instance_type: InstanceType::Vpn,
                        resource_id: &request.vpn_id,
                        resource_owner: request.vpn_owner_id,
                        target: (router_id, cen_id, region_id),
                        same_region: true,
                        name: request.transit_router_attachment_name.clone(),
                        description: request.transit_router_attachment_description.clone(),
                        auto_publish_route: request.auto_publish_route_enabled.unwrap_or(false),
                        tags: tags.clone(),
                        dry_run: request.dry_run,
                    },
                    NetworkCodes {
                        target: TargetCodes {
                            service_closed: e::forbbiden_transit_router_service_not_open,
                            router_not_found: e::invalid_transit_router_id_not_found,
                            cen_not_found: e::invalid_cen_id_not_found,
                            bad_region: e::illegal_param_region_id,
                            cen_not_ready: e::invalid_operation_cen_instance_status,
                            router_not_ready: e::incorrect_status_transit_router_instance,
                        },
                        attached: e::quota_full_child_instance_related_cen,
                        dry_run: e::dry_run_operation,
                    },
                    |_| Ok(()),
                    |state, attachment, ()| {
                        allocate(
                            state,
                            ctx,
                            attachment,
                            e::operation_failed_allocate_cidr_failed,
                        )
                    },
                )
            },
        )?;
        Ok(t::CreateTransitRouterVpnAttachmentResponse {
            request_id: Some(caller.request_id.clone()),
            transit_router_attachment_id: Some(id),
        })
    }

    /// ListTransitRouterVpnAttachments: the caller's VPN attachments in creation order,
    /// paged by MaxResults (1 to 100, default 20) and NextToken (`InvalidParameter` for bad
    /// ones). Every given filter must match: CenId, RegionId, TransitRouterId,
    /// TransitRouterAttachmentId and Tag.N. Unknown ids answer an empty list.
    pub fn list_transit_router_vpn_attachments(
        &self,
        caller: &Caller,
        request: t::ListTransitRouterVpnAttachmentsRequest,
    ) -> Result<t::ListTransitRouterVpnAttachmentsResponse, ApiError> {
        use cbn::list_transit_router_vpn_attachments as e;
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
            let matched = ctx.attachments_matching(state, caller.uid, AttachmentKind::Vpn, &filter);
            let (page, next, total) = page.slice(matched);
            let items: Vec<_> = page
                .into_iter()
                .map(|a| ctx.vpn_attachment_view(a))
                .collect();
            (items, next, total)
        });
        Ok(t::ListTransitRouterVpnAttachmentsResponse {
            max_results: Some(page.max_results()),
            next_token,
            request_id: Some(caller.request_id.clone()),
            total_count: Some(total),
            transit_router_attachments: items,
        })
    }

    /// UpdateTransitRouterVpnAttachmentAttribute: changes the name, description, AutoPublishRouteEnabled or
    /// OrderType of an `Attached` VPN attachment, which is then `Modifying` for the delay.
    /// Unknown: `InvalidTransitRouterAttachmentId.NotFound`; not Attached:
    /// `IncorrectStatus.Status`; bad values `InvalidParameter`. `DryRun` answers
    /// `DryRunOperation`.
    pub fn update_transit_router_vpn_attachment_attribute(
        &self,
        caller: &Caller,
        request: t::UpdateTransitRouterVpnAttachmentAttributeRequest,
    ) -> Result<t::UpdateTransitRouterVpnAttachmentAttributeResponse, ApiError> {
        use cbn::update_transit_router_vpn_attachment_attribute as e;
        self.write_idempotent(
            caller,
            "UpdateTransitRouterVpnAttachmentAttribute",
            request.client_token.as_deref(),
            &request,
            |state, ctx| {
                ctx.update_attachment_attribute(
                    state,
                    caller,
                    (AttachmentKind::Vpn, &request.transit_router_attachment_id),
                    &AttributeChange {
                        name: request.transit_router_attachment_name.as_deref(),
                        description: request.transit_router_attachment_description.as_deref(),
                        auto_publish_route: request.auto_publish_route_enabled,
                        order_type: request.order_type.as_deref(),
                        dry_run: request.dry_run,
                    },
                    AttributeCodes {
                        not_found: e::invalid_transit_router_attachment_id_not_found,
                        not_ready: e::incorrect_status_status,
                        invalid: e::invalid_parameter,
                        dry_run: e::dry_run_operation,
                    },
                )
            },
        )?;
        Ok(t::UpdateTransitRouterVpnAttachmentAttributeResponse {
            request_id: Some(caller.request_id.clone()),
        })
    }

    /// DeleteTransitRouterVpnAttachment: starts disconnecting an `Attached` VPN attachment;
    /// it is `Detaching` for the delay and then gone, giving back the addresses it held. Unknown:
    /// `InvalidTransitRouterAttachmentId.NotFound`; not Attached: `IncorrectStatus.Status`.
    /// Without `Force`, associations, propagations and routes that depend on it refuse with
    /// their documented codes; with `Force` they go with it. `DryRun` answers `DryRunOperation`.
    pub fn delete_transit_router_vpn_attachment(
        &self,
        caller: &Caller,
        request: t::DeleteTransitRouterVpnAttachmentRequest,
    ) -> Result<t::DeleteTransitRouterVpnAttachmentResponse, ApiError> {
        use cbn::delete_transit_router_vpn_attachment as e;
        let force = request.force.unwrap_or(false);
        self.write_idempotent(
            caller,
            "DeleteTransitRouterVpnAttachment",
            request.client_token.as_deref(),
            &request,
            |state, ctx| {
                ctx.delete_attachment(
                    state,
                    caller,
                    (AttachmentKind::Vpn, &request.transit_router_attachment_id),
                    (force, request.dry_run),
                    DeleteCodes {
                        not_found: e::invalid_transit_router_attachment_id_not_found,
                        not_ready: e::incorrect_status_status,
                        dry_run: e::dry_run_operation,
                    },
                )
            },
        )?;
        Ok(t::DeleteTransitRouterVpnAttachmentResponse {
            request_id: Some(caller.request_id.clone()),
        })
    }
}
