//! Transit-router ECR attachments: CreateTransitRouterEcrAttachment,
//! ListTransitRouterEcrAttachments, UpdateTransitRouterEcrAttachmentAttribute,
//! DeleteTransitRouterEcrAttachment.

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
    /// The answer for one ECR attachment.
    fn ecr_attachment_view(&self, a: &TrAttachment) -> t::TransitRouterEcrAttachment {
        t::TransitRouterEcrAttachment {
            auto_publish_route_enabled: Some(a.auto_publish_route),
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
            ecr_id: Some(a.resource_id.clone()),
            ecr_owner_id: Some(a.resource_owner),
            transit_router_region_id: Some(a.region_id.clone()),
        }
    }
}

impl Emulator {
    /// CreateTransitRouterEcrAttachment: connects an Express Connect Router to a transit router in
    /// any region (emulator rule: an ECR is global, so its home region does not matter); the
    /// attachment is `Attaching` for the delay, then `Attached`, associated and propagating
    /// nowhere until told. The router is resolved as for CreateTransitRouterVpcAttachment (and
    /// created when only CenId and RegionId are given), with the same codes (but a router in a
    /// transition: `IncorrectStatus.TransitRouter`); then: no ECR EcrId of EcrOwnerId (default
    /// the caller) `ParameterInstanceId`;
    /// another account's without its owner's grant `Forbbiden.AttachChildInstanceAcrossUid`;
    /// one with a CEN connection already (emulator rule, as for VPCs)
    /// `QuotaFull.ChildInstanceRelatedCen`. Name, description and tags follow
    /// CreateTransitRouter's rules (`InvalidParameter`). `DryRun` answers `DryRunOperation`; a
    /// ClientToken makes the call idempotent.
    pub fn create_transit_router_ecr_attachment(
        &self,
        caller: &Caller,
        request: t::CreateTransitRouterEcrAttachmentRequest,
    ) -> Result<t::CreateTransitRouterEcrAttachmentResponse, ApiError> {
        use cbn::create_transit_router_ecr_attachment as e;
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
            "CreateTransitRouterEcrAttachment",
            request.client_token.as_deref(),
            &request,
            |state, ctx| {
                ctx.create_network_attachment(
                    state,
                    caller,
                    NetworkAttach {
                        kind: AttachmentKind::Ecr,
                        instance_type: InstanceType::Ecr,
                        resource_id: &request.ecr_id,
                        resource_owner: request.ecr_owner_id,
                        target: (router_id, cen_id, region_id),
                        same_region: false,
                        name: request.transit_router_attachment_name.clone(),
                        description: request.transit_router_attachment_description.clone(),
                        auto_publish_route: false,
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
                            router_not_ready: e::incorrect_status_transit_router,
                        },
                        attached: e::quota_full_child_instance_related_cen,
                        dry_run: e::dry_run_operation,
                    },
                    |_| Ok(()),
                    |_, _, ()| Ok(()),
                )
            },
        )?;
        Ok(t::CreateTransitRouterEcrAttachmentResponse {
            request_id: Some(caller.request_id.clone()),
            transit_router_attachment_id: Some(id),
        })
    }

    /// ListTransitRouterEcrAttachments: the caller's ECR attachments in creation order,
    /// paged by MaxResults (1 to 100, default 20) and NextToken (`InvalidParameter` for bad
    /// ones). Every given filter must match: CenId, RegionId, TransitRouterId,
    /// TransitRouterAttachmentId and Tag.N. Unknown ids answer an empty list.
    pub fn list_transit_router_ecr_attachments(
        &self,
        caller: &Caller,
        request: t::ListTransitRouterEcrAttachmentsRequest,
    ) -> Result<t::ListTransitRouterEcrAttachmentsResponse, ApiError> {
        use cbn::list_transit_router_ecr_attachments as e;
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
            let matched = ctx.attachments_matching(state, caller.uid, AttachmentKind::Ecr, &filter);
            let (page, next, total) = page.slice(matched);
            let items: Vec<_> = page
                .into_iter()
                .map(|a| ctx.ecr_attachment_view(a))
                .collect();
            (items, next, total)
        });
        Ok(t::ListTransitRouterEcrAttachmentsResponse {
            max_results: Some(page.max_results()),
            next_token,
            request_id: Some(caller.request_id.clone()),
            total_count: Some(total),
            transit_router_attachments: items,
        })
    }

    /// UpdateTransitRouterEcrAttachmentAttribute: changes the name, description or
    /// OrderType of an `Attached` ECR attachment, which is then `Modifying` for the delay.
    /// Unknown: `InvalidTransitRouterAttachmentId.NotFound`; not Attached:
    /// `IncorrectStatus.TransitRouterAttachment`; bad values `InvalidParameter`. `DryRun` answers
    /// `DryRunOperation`.
    pub fn update_transit_router_ecr_attachment_attribute(
        &self,
        caller: &Caller,
        request: t::UpdateTransitRouterEcrAttachmentAttributeRequest,
    ) -> Result<t::UpdateTransitRouterEcrAttachmentAttributeResponse, ApiError> {
        use cbn::update_transit_router_ecr_attachment_attribute as e;
        self.write_idempotent(
            caller,
            "UpdateTransitRouterEcrAttachmentAttribute",
            request.client_token.as_deref(),
            &request,
            |state, ctx| {
                ctx.update_attachment_attribute(
                    state,
                    caller,
                    (AttachmentKind::Ecr, &request.transit_router_attachment_id),
                    &AttributeChange {
                        name: request.transit_router_attachment_name.as_deref(),
                        description: request.transit_router_attachment_description.as_deref(),
                        auto_publish_route: None,
                        order_type: request.order_type.as_deref(),
                        dry_run: request.dry_run,
                    },
                    AttributeCodes {
                        not_found: e::invalid_transit_router_attachment_id_not_found,
                        not_ready: e::incorrect_status_transit_router_attachment,
                        invalid: e::invalid_parameter,
                        dry_run: e::dry_run_operation,
                    },
                )
            },
        )?;
        Ok(t::UpdateTransitRouterEcrAttachmentAttributeResponse {
            request_id: Some(caller.request_id.clone()),
        })
    }

    /// DeleteTransitRouterEcrAttachment: starts disconnecting an `Attached` ECR attachment;
    /// it is `Detaching` for the delay and then gone. Unknown:
    /// `InvalidTransitRouterAttachmentId.NotFound`; not Attached: `IncorrectStatus.TransitRouterAttachment`.
    /// Without `Force`, associations, propagations and routes that depend on it refuse with
    /// their documented codes; with `Force` they go with it. `DryRun` answers `DryRunOperation`.
    pub fn delete_transit_router_ecr_attachment(
        &self,
        caller: &Caller,
        request: t::DeleteTransitRouterEcrAttachmentRequest,
    ) -> Result<t::DeleteTransitRouterEcrAttachmentResponse, ApiError> {
        use cbn::delete_transit_router_ecr_attachment as e;
        let force = request.force.unwrap_or(false);
        self.write_idempotent(
            caller,
            "DeleteTransitRouterEcrAttachment",
            request.client_token.as_deref(),
            &request,
            |state, ctx| {
                ctx.delete_attachment(
                    state,
                    caller,
                    (AttachmentKind::Ecr, &request.transit_router_attachment_id),
                    (force, request.dry_run),
                    DeleteCodes {
                        not_found: e::invalid_transit_router_attachment_id_not_found,
                        not_ready: e::incorrect_status_transit_router_attachment,
                        dry_run: e::dry_run_operation,
                    },
                )
            },
        )?;
        Ok(t::DeleteTransitRouterEcrAttachmentResponse {
            request_id: Some(caller.request_id.clone()),
        })
    }
}
