//! Transit-router VBR attachments: CreateTransitRouterVbrAttachment,
//! ListTransitRouterVbrAttachments, UpdateTransitRouterVbrAttachmentAttribute,
//! DeleteTransitRouterVbrAttachment.

use acs_rpc::error::ApiError;
use cen_server::cbn::errors as cbn;

use crate::api::cbn as t;
use crate::emulator::{Caller, Ctx, Emulator, minutes};
use crate::inventory::InstanceType;
use crate::ops::attachments::{
    AttachmentFilter, AttributeChange, AttributeCodes, DeleteCodes, NetworkAttach, NetworkCodes,
    TargetCodes,
};
use crate::ops::transit_routers::bare_tags;
use crate::state::{AttachmentKind, TrAttachment};
use crate::validate::{self, PARAMETER_TAG, TokenPage, given};

impl<'a> Ctx<'a> {
    /// The answer for one VBR attachment.
    fn vbr_attachment_view(&self, a: &TrAttachment) -> t::TransitRouterVbrAttachment {
        t::TransitRouterVbrAttachment {
            auto_publish_route_enabled: Some(a.auto_publish_route),
            cen_id: Some(a.cen_id.clone()),
            creation_time: Some(minutes(a.life.created_at)),
            managed_service: None,
            order_type: Some(a.order_type.clone()),
            resource_type: Some(a.kind.resource_type().into()),
            status: Some(self.status(a).into()),
            tags: bare_tags(&a.tags),
            transit_router_attachment_description: a.description.clone(),
            transit_router_attachment_id: Some(a.id.clone()),
            transit_router_attachment_name: a.name.clone(),
            transit_router_id: Some(a.transit_router_id.clone()),
            vbr_id: Some(a.resource_id.clone()),
            vbr_owner_id: Some(a.resource_owner),
            vbr_region_id: Some(a.region_id.clone()),
        }
    }
}

impl Emulator {
    /// CreateTransitRouterVbrAttachment: connects a virtual border router to a transit router of
    /// its region; the attachment is `Attaching` for the delay, then `Attached`, associated and
    /// propagating nowhere until told. The router is resolved as for
    /// CreateTransitRouterVpcAttachment (and created when only CenId and RegionId are given),
    /// with the same codes: `MissingParam.CenIdOrRegionId`,
    /// `Forbbiden.TransitRouterServiceNotOpen`, `InvalidTransitRouterId.NotFound`,
    /// `InvalidCenId.NotFound`, `IllegalParam.RegionId`, `InvalidOperation.CenInstanceStatus`,
    /// `IncorrectStatus.TransitRouterInstance`. Then: no VBR VbrId of VbrOwnerId (default the
    /// caller) in the router's region `ParameterInstanceId`; a VBR of another account that did
    /// not grant it to the CEN instance `Forbbiden.AttachChildInstanceAcrossUid`; a VBR that has
    /// a CEN connection already (emulator rule, as for VPCs) `QuotaFull.ChildInstanceRelatedCen`.
    /// Name, description and tags follow CreateTransitRouter's rules (`InvalidParameter`).
    /// `DryRun` answers `DryRunOperation`; a ClientToken makes the call idempotent.
    pub fn create_transit_router_vbr_attachment(
        &self,
        caller: &Caller,
        request: t::CreateTransitRouterVbrAttachmentRequest,
    ) -> Result<t::CreateTransitRouterVbrAttachmentResponse, ApiError> {
        use cbn::create_transit_router_vbr_attachment as e;
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
            "CreateTransitRouterVbrAttachment",
            request.client_token.as_deref(),
            &request,
            |state, ctx| {
                ctx.create_network_attachment(
                    state,
                    caller,
                    NetworkAttach {
                        kind: AttachmentKind::Vbr,
                        instance_type: InstanceType::Vbr,
                        resource_id: &request.vbr_id,
                        resource_owner: request.vbr_owner_id,
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
                    |_, _, ()| Ok(()),
                )
            },
        )?;
        Ok(t::CreateTransitRouterVbrAttachmentResponse {
            request_id: Some(caller.request_id.clone()),
            transit_router_attachment_id: Some(id),
        })
    }

    /// ListTransitRouterVbrAttachments: the caller's VBR attachments in creation order, paged by
    /// MaxResults (1 to 100, default 20) and NextToken (`InvalidParameter` for bad ones). Every
    /// given filter must match: CenId, RegionId, TransitRouterId, TransitRouterAttachmentId and
    /// Tag.N. Unknown ids answer an empty list.
    pub fn list_transit_router_vbr_attachments(
        &self,
        caller: &Caller,
        request: t::ListTransitRouterVbrAttachmentsRequest,
    ) -> Result<t::ListTransitRouterVbrAttachmentsResponse, ApiError> {
        use cbn::list_transit_router_vbr_attachments as e;
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
            let matched = ctx.attachments_matching(state, caller.uid, AttachmentKind::Vbr, &filter);
            let (page, next, total) = page.slice(matched);
            let items: Vec<_> = page
                .into_iter()
                .map(|a| ctx.vbr_attachment_view(a))
                .collect();
            (items, next, total)
        });
        Ok(t::ListTransitRouterVbrAttachmentsResponse {
            max_results: Some(page.max_results()),
            next_token,
            request_id: Some(caller.request_id.clone()),
            total_count: Some(total),
            transit_router_attachments: items,
        })
    }

    /// UpdateTransitRouterVbrAttachmentAttribute: changes the name, description,
    /// AutoPublishRouteEnabled or OrderType (`PayByCenOwner`, `PayByResourceOwner`) of an
    /// `Attached` VBR attachment, which is then `Modifying` for the delay. Unknown:
    /// `InvalidTransitRouterAttachmentId.NotFound`; not Attached: `IncorrectStatus.Status`; bad
    /// values `InvalidParameter`. `DryRun` answers `DryRunOperation`.
    pub fn update_transit_router_vbr_attachment_attribute(
        &self,
        caller: &Caller,
        request: t::UpdateTransitRouterVbrAttachmentAttributeRequest,
    ) -> Result<t::UpdateTransitRouterVbrAttachmentAttributeResponse, ApiError> {
        use cbn::update_transit_router_vbr_attachment_attribute as e;
        self.write_idempotent(
            caller,
            "UpdateTransitRouterVbrAttachmentAttribute",
            request.client_token.as_deref(),
            &request,
            |state, ctx| {
                ctx.update_attachment_attribute(
                    state,
                    caller,
                    (AttachmentKind::Vbr, &request.transit_router_attachment_id),
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
        Ok(t::UpdateTransitRouterVbrAttachmentAttributeResponse {
            request_id: Some(caller.request_id.clone()),
        })
    }

    /// DeleteTransitRouterVbrAttachment: starts disconnecting an `Attached` VBR attachment; it
    /// is `Detaching` for the delay and then gone. Unknown:
    /// `InvalidTransitRouterAttachmentId.NotFound`; not Attached: `IncorrectStatus.Status`.
    /// Without `Force`, associations, propagations and routes that depend on it refuse with
    /// their documented codes; with `Force` they go with it. `DryRun` answers `DryRunOperation`.
    pub fn delete_transit_router_vbr_attachment(
        &self,
        caller: &Caller,
        request: t::DeleteTransitRouterVbrAttachmentRequest,
    ) -> Result<t::DeleteTransitRouterVbrAttachmentResponse, ApiError> {
        use cbn::delete_transit_router_vbr_attachment as e;
        let force = request.force.unwrap_or(false);
        self.write_idempotent(
            caller,
            "DeleteTransitRouterVbrAttachment",
            request.client_token.as_deref(),
            &request,
            |state, ctx| {
                ctx.delete_attachment(
                    state,
                    caller,
                    (AttachmentKind::Vbr, &request.transit_router_attachment_id),
                    (force, request.dry_run),
                    DeleteCodes {
                        not_found: e::invalid_transit_router_attachment_id_not_found,
                        not_ready: e::incorrect_status_status,
                        dry_run: e::dry_run_operation,
                    },
                )
            },
        )?;
        Ok(t::DeleteTransitRouterVbrAttachmentResponse {
            request_id: Some(caller.request_id.clone()),
        })
    }
}
