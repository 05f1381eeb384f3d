//! Which route table an attachment forwards by, and which tables learn its routes:
//! AssociateTransitRouterAttachmentWithRouteTable, ReplaceTransitRouterRouteTableAssociation,
//! DissociateTransitRouterAttachmentFromRouteTable, ListTransitRouterRouteTableAssociations,
//! EnableTransitRouterRouteTablePropagation, DisableTransitRouterRouteTablePropagation,
//! ListTransitRouterRouteTablePropagations.

use acs_rpc::error::ApiError;
use cen_server::cbn::errors as cbn;

use crate::api::cbn as t;
use crate::emulator::{Caller, Ctx, Emulator};
use crate::errors;
use crate::resource::Sequenced;
use crate::state::{
    Lifecycle, Phase, State, TrAssociation, TrAttachment, TrPropagation, TrRouteTable,
};
use crate::validate::{self, TokenPage};

/// The not-found and state errors one operation answers for an attachment and a route table.
#[derive(Clone, Copy)]
struct Codes {
    attachment_not_found: fn() -> ApiError,
    table_not_found: fn() -> ApiError,
    other_router: fn() -> ApiError,
    not_ready: fn() -> ApiError,
}

impl<'a> Ctx<'a> {
    /// The caller's live attachment and route table of one transit router, both ready.
    fn attachment_and_table<'s>(
        &self,
        state: &'s State,
        caller: &Caller,
        attachment_id: &str,
        table_id: &str,
        codes: Codes,
    ) -> Result<(&'s TrAttachment, &'s TrRouteTable), ApiError> {
        let attachment = state
            .tr_attachments
            .get(attachment_id)
            .filter(|a| a.owner == caller.uid && self.live(*a))
            .ok_or_else(codes.attachment_not_found)?;
        let table = self
            .route_table(state, caller, table_id)
            .ok_or_else(codes.table_not_found)?;
        if table.transit_router_id != attachment.transit_router_id {
            return Err((codes.other_router)());
        }
        if self.phase(attachment) != Phase::Ready || self.phase(table) != Phase::Ready {
            return Err((codes.not_ready)());
        }
        Ok((attachment, table))
    }

    /// The live association of an attachment.
    pub fn association<'s>(
        &self,
        state: &'s State,
        attachment_id: &str,
    ) -> Option<&'s TrAssociation> {
        state
            .tr_associations
            .get(attachment_id)
            .filter(|a| self.live(*a))
    }
}

/// The `ResourceId` and `ResourceType` of the network an attachment connects.
fn resource_of(state: &State, attachment_id: &str) -> (Option<String>, Option<String>) {
    state
        .tr_attachments
        .get(attachment_id)
        .map_or((None, None), |a| {
            (
                Some(a.resource_id.clone()),
                Some(a.kind.resource_type().to_owned()),
            )
        })
}

impl Emulator {
    /// AssociateTransitRouterAttachmentWithRouteTable: makes an `Attached` attachment forward by
    /// an `Active` route table of the same transit router; the association is `Associating` for
    /// the delay, then `Active`.
    ///
    /// Unknown attachment `InvalidAttachmentId.NotFound`; unknown table
    /// `InvalidRouteTableId.NotFound`; a table of another router `InvalidParameter`; either in a
    /// transition `IncorrectStatus.Status`. Emulator rule: an attachment associated already (an
    /// attachment forwards by one table at most; ReplaceTransitRouterRouteTableAssociation moves
    /// it) is `InvalidParameter`, saying so, since no page documents that code. `DryRun` answers
    /// `DryRunOperation`.
    pub fn associate_transit_router_attachment_with_route_table(
        &self,
        caller: &Caller,
        request: t::AssociateTransitRouterAttachmentWithRouteTableRequest,
    ) -> Result<t::AssociateTransitRouterAttachmentWithRouteTableResponse, ApiError> {
        use cbn::associate_transit_router_attachment_with_route_table as e;
        self.write_idempotent(
            caller,
            "AssociateTransitRouterAttachmentWithRouteTable",
            request.client_token.as_deref(),
            &request,
            |state, ctx| {
                let (attachment, table) = ctx.attachment_and_table(
                    state,
                    caller,
                    &request.transit_router_attachment_id,
                    &request.transit_router_route_table_id,
                    Codes {
                        attachment_not_found: e::invalid_attachment_id_not_found,
                        table_not_found: e::invalid_route_table_id_not_found,
                        other_router: e::invalid_parameter,
                        not_ready: e::incorrect_status_status,
                    },
                )?;
                if let Some(existing) = ctx.association(state, &attachment.id) {
                    return Err(errors::saying(
                        e::invalid_parameter,
                        format!(
                            "The attachment {} is already associated with route table {}.",
                            attachment.id, existing.route_table_id
                        ),
                    ));
                }
                validate::dry_run(request.dry_run, e::dry_run_operation)?;
                let association = TrAssociation {
                    attachment_id: attachment.id.clone(),
                    route_table_id: table.id.clone(),
                    replaced_table_id: None,
                    owner: caller.uid,
                    life: Lifecycle::started(ctx.now),
                };
                state.tr_associations.insert(association);
                Ok(())
            },
        )?;
        Ok(t::AssociateTransitRouterAttachmentWithRouteTableResponse {
            request_id: Some(caller.request_id.clone()),
        })
    }

    /// ReplaceTransitRouterRouteTableAssociation: moves an `Active` association to another
    /// `Active` route table of the same router; it is `Replacing` for the delay, then `Active`.
    ///
    /// The errors of AssociateTransitRouterAttachmentWithRouteTable, and: an attachment that is
    /// not associated, or already with that table, `InvalidParameter`; an association in a
    /// transition `IncorrectStatus.Status`.
    pub fn replace_transit_router_route_table_association(
        &self,
        caller: &Caller,
        request: t::ReplaceTransitRouterRouteTableAssociationRequest,
    ) -> Result<t::ReplaceTransitRouterRouteTableAssociationResponse, ApiError> {
        use cbn::replace_transit_router_route_table_association as e;
        self.write_idempotent(
            caller,
            "ReplaceTransitRouterRouteTableAssociation",
            request.client_token.as_deref(),
            &request,
            |state, ctx| {
                let (attachment, table) = ctx.attachment_and_table(
                    state,
                    caller,
                    &request.transit_router_attachment_id,
                    &request.transit_router_route_table_id,
                    Codes {
                        attachment_not_found: e::invalid_attachment_id_not_found,
                        table_not_found: e::invalid_route_table_id_not_found,
                        other_router: e::invalid_parameter,
                        not_ready: e::incorrect_status_status,
                    },
                )?;
                let association = ctx.association(state, &attachment.id).ok_or_else(|| {
                    errors::saying(
                        e::invalid_parameter,
                        format!("The attachment {} is not associated.", attachment.id),
                    )
                })?;
                if association.route_table_id == table.id {
                    return Err(errors::saying(
                        e::invalid_parameter,
                        format!("The attachment is already associated with {}.", table.id),
                    ));
                }
                ctx.require_ready(association, e::incorrect_status_status)?;
                validate::dry_run(request.dry_run, e::dry_run_operation)?;
                let (attachment_id, table_id) = (attachment.id.clone(), table.id.clone());
                if let Some(mut association) = state.tr_associations.get_mut(&attachment_id) {
                    association.replaced_table_id =
                        Some(std::mem::replace(&mut association.route_table_id, table_id));
                    association.life.modified_at = Some(ctx.now);
                }
                Ok(())
            },
        )?;
        Ok(t::ReplaceTransitRouterRouteTableAssociationResponse {
            request_id: Some(caller.request_id.clone()),
        })
    }

    /// DissociateTransitRouterAttachmentFromRouteTable: starts removing an `Active`
    /// association; it is `Dissociating` for the delay, then gone.
    ///
    /// Unknown attachment `InvalidAttachmentId.NotFound`; unknown table
    /// `InvalidRouteTableId.NotFound`; not associated with that table `InvalidParameter`; the
    /// association in a transition `IncorrectStatus.Status`. `DryRun` answers `DryRunOperation`.
    pub fn dissociate_transit_router_attachment_from_route_table(
        &self,
        caller: &Caller,
        request: t::DissociateTransitRouterAttachmentFromRouteTableRequest,
    ) -> Result<t::DissociateTransitRouterAttachmentFromRouteTableResponse, ApiError> {
        use cbn::dissociate_transit_router_attachment_from_route_table as e;
        self.write_idempotent(
            caller,
            "DissociateTransitRouterAttachmentFromRouteTable",
            request.client_token.as_deref(),
            &request,
            |state, ctx| {
                let attachment_id = &request.transit_router_attachment_id;
                state
                    .tr_attachments
                    .get(attachment_id)
                    .filter(|a| a.owner == caller.uid && ctx.live(*a))
                    .ok_or_else(e::invalid_attachment_id_not_found)?;
                ctx.route_table(state, caller, &request.transit_router_route_table_id)
                    .ok_or_else(e::invalid_route_table_id_not_found)?;
                let association = ctx
                    .association(state, attachment_id)
                    .filter(|a| a.route_table_id == request.transit_router_route_table_id)
                    .ok_or_else(|| {
                        errors::saying(
                            e::invalid_parameter,
                            format!(
                                "The attachment {attachment_id} is not associated with {}.",
                                request.transit_router_route_table_id
                            ),
                        )
                    })?;
                ctx.require_ready(association, e::incorrect_status_status)?;
                validate::dry_run(request.dry_run, e::dry_run_operation)?;
                if let Some(mut association) = state.tr_associations.get_mut(attachment_id) {
                    association.life.deleting_at = Some(ctx.now);
                }
                Ok(())
            },
        )?;
        Ok(t::DissociateTransitRouterAttachmentFromRouteTableResponse {
            request_id: Some(caller.request_id.clone()),
        })
    }

    /// ListTransitRouterRouteTableAssociations: the associations of a route table or of an
    /// attachment (one of the two is needed: `InvalidParameter`), optionally of a network
    /// (TransitRouterAttachmentResourceId and ResourceType) and a Status, paged by MaxResults
    /// (1 to 100, default 20) and NextToken (`InvalidParameter` for bad ones). Unknown ids answer
    /// an empty list.
    pub fn list_transit_router_route_table_associations(
        &self,
        caller: &Caller,
        request: t::ListTransitRouterRouteTableAssociationsRequest,
    ) -> Result<t::ListTransitRouterRouteTableAssociationsResponse, ApiError> {
        use cbn::list_transit_router_route_table_associations as e;
        let page = TokenPage::standard(
            request.max_results,
            request.next_token.as_deref(),
            e::invalid_parameter,
        )?;
        let table = request
            .transit_router_route_table_id
            .as_deref()
            .filter(|s| !s.is_empty());
        let attachment = request
            .transit_router_attachment_id
            .as_deref()
            .filter(|s| !s.is_empty());
        if table.is_none() && attachment.is_none() {
            return Err(e::invalid_parameter());
        }
        let status = request.status.as_ref().map(|s| s.as_str().to_owned());
        let resource_id = request.transit_router_attachment_resource_id.clone();
        let resource_type = request
            .transit_router_attachment_resource_type
            .as_ref()
            .map(|r| r.as_str().to_owned());
        let (items, next_token, total) = self.read(|state, ctx| {
            let candidates: Vec<&TrAssociation> = match (table, attachment) {
                (Some(table), _) => state.tr_associations.children_of(1, table).collect(),
                (None, Some(attachment)) => {
                    state.tr_associations.get(attachment).into_iter().collect()
                }
                (None, None) => Vec::new(),
            };
            let matched = candidates.into_iter().filter(|a| {
                let (rid, rtype) = resource_of(state, &a.attachment_id);
                a.owner == caller.uid
                    && ctx.live(*a)
                    && attachment.is_none_or(|id| a.attachment_id == id)
                    && status.as_ref().is_none_or(|s| ctx.status(*a) == s)
                    && resource_id.as_ref().is_none_or(|r| rid.as_ref() == Some(r))
                    && resource_type
                        .as_ref()
                        .is_none_or(|r| rtype.as_ref() == Some(r))
            });
            let (page, next, total) = page.slice(matched.sequenced(&state.tr_associations));
            let items: Vec<_> = page
                .into_iter()
                .map(|a| {
                    let (resource_id, resource_type) = resource_of(state, &a.attachment_id);
                    t::TransitRouterRouteTableAssociation {
                        resource_id,
                        resource_type,
                        status: Some(ctx.status(a).into()),
                        transit_router_attachment_id: Some(a.attachment_id.clone()),
                        transit_router_route_table_id: Some(a.route_table_id.clone()),
                    }
                })
                .collect();
            (items, next, total)
        });
        Ok(t::ListTransitRouterRouteTableAssociationsResponse {
            max_results: Some(page.max_results()),
            next_token,
            request_id: Some(caller.request_id.clone()),
            total_count: Some(total),
            transit_router_associations: items,
        })
    }

    /// EnableTransitRouterRouteTablePropagation: makes an `Active` route table learn the routes
    /// of an `Attached` attachment of the same router (many to many); the propagation is
    /// `Enabling` for the delay, then `Active`, and only then do its routes appear in the
    /// table.
    ///
    /// Unknown attachment `InvalidAttachmentId.NotFound` (404); unknown table
    /// `InvalidRouteTableId.NotFound` (404); a table of another router
    /// `IllegalParam.TransitRouterTableId`; either in a transition
    /// `IncorrectStatus.AttachmentOrRouteTable`; propagating to that table already
    /// `InvalidParameter`, saying so. `DryRun` answers `DryRunOperation`.
    pub fn enable_transit_router_route_table_propagation(
        &self,
        caller: &Caller,
        request: t::EnableTransitRouterRouteTablePropagationRequest,
    ) -> Result<t::EnableTransitRouterRouteTablePropagationResponse, ApiError> {
        use cbn::enable_transit_router_route_table_propagation as e;
        self.write_idempotent(
            caller,
            "EnableTransitRouterRouteTablePropagation",
            request.client_token.as_deref(),
            &request,
            |state, ctx| {
                let (attachment, table) = ctx.attachment_and_table(
                    state,
                    caller,
                    &request.transit_router_attachment_id,
                    &request.transit_router_route_table_id,
                    Codes {
                        attachment_not_found: e::invalid_attachment_id_not_found,
                        table_not_found: e::invalid_route_table_id_not_found,
                        other_router: e::illegal_param_transit_router_table_id,
                        not_ready: e::incorrect_status_attachment_or_route_table,
                    },
                )?;
                let key = (attachment.id.clone(), table.id.clone());
                if state.tr_propagations.get(&key).is_some_and(|p| ctx.live(p)) {
                    return Err(errors::saying(
                        e::invalid_parameter,
                        format!(
                            "The attachment {} propagates to route table {} already.",
                            key.0, key.1
                        ),
                    ));
                }
                validate::dry_run(request.dry_run, e::dry_run_operation)?;
                state.tr_propagations.insert(TrPropagation {
                    attachment_id: key.0,
                    route_table_id: key.1,
                    owner: caller.uid,
                    life: Lifecycle::started(ctx.now),
                });
                Ok(())
            },
        )?;
        Ok(t::EnableTransitRouterRouteTablePropagationResponse {
            request_id: Some(caller.request_id.clone()),
        })
    }

    /// DisableTransitRouterRouteTablePropagation: starts removing an `Active` propagation; it
    /// is `Disabling` for the delay, then gone with the routes it brought.
    ///
    /// Unknown attachment `InvalidAttachmentId.NotFound` (400); unknown table
    /// `InvalidRouteTableId.NotFound` (404); no such propagation `InvalidParameter`; the
    /// propagation in a transition `IncorrectStatus.AttachmentOrRouteTable`. `DryRun` answers
    /// `DryRunOperation`.
    pub fn disable_transit_router_route_table_propagation(
        &self,
        caller: &Caller,
        request: t::DisableTransitRouterRouteTablePropagationRequest,
    ) -> Result<t::DisableTransitRouterRouteTablePropagationResponse, ApiError> {
        use cbn::disable_transit_router_route_table_propagation as e;
        self.write_idempotent(
            caller,
            "DisableTransitRouterRouteTablePropagation",
            request.client_token.as_deref(),
            &request,
            |state, ctx| {
                state
                    .tr_attachments
                    .get(&request.transit_router_attachment_id)
                    .filter(|a| a.owner == caller.uid && ctx.live(*a))
                    .ok_or_else(e::invalid_attachment_id_not_found)?;
                ctx.route_table(state, caller, &request.transit_router_route_table_id)
                    .ok_or_else(e::invalid_route_table_id_not_found)?;
                let key = (
                    request.transit_router_attachment_id.clone(),
                    request.transit_router_route_table_id.clone(),
                );
                let propagation = state
                    .tr_propagations
                    .get(&key)
                    .filter(|p| ctx.live(*p))
                    .ok_or_else(|| {
                        errors::saying(
                            e::invalid_parameter,
                            format!("The attachment {} does not propagate to {}.", key.0, key.1),
                        )
                    })?;
                ctx.require_ready(propagation, e::incorrect_status_attachment_or_route_table)?;
                validate::dry_run(request.dry_run, e::dry_run_operation)?;
                if let Some(mut propagation) = state.tr_propagations.get_mut(&key) {
                    propagation.life.deleting_at = Some(ctx.now);
                }
                Ok(())
            },
        )?;
        Ok(t::DisableTransitRouterRouteTablePropagationResponse {
            request_id: Some(caller.request_id.clone()),
        })
    }

    /// ListTransitRouterRouteTablePropagations: the propagations to a route table, optionally of
    /// one attachment, network (TransitRouterAttachmentResourceId and ResourceType) and Status,
    /// paged by MaxResults (1 to 100, default 20) and NextToken (`InvalidParameter` for bad
    /// ones). An unknown table answers an empty list.
    pub fn list_transit_router_route_table_propagations(
        &self,
        caller: &Caller,
        request: t::ListTransitRouterRouteTablePropagationsRequest,
    ) -> Result<t::ListTransitRouterRouteTablePropagationsResponse, ApiError> {
        use cbn::list_transit_router_route_table_propagations as e;
        let page = TokenPage::standard(
            request.max_results,
            request.next_token.as_deref(),
            e::invalid_parameter,
        )?;
        let status = request.status.as_ref().map(|s| s.as_str().to_owned());
        let resource_type = request
            .transit_router_attachment_resource_type
            .as_ref()
            .map(|r| r.as_str().to_owned());
        let (items, next_token, total) = self.read(|state, ctx| {
            let matched = state
                .tr_propagations
                .children_of(1, &request.transit_router_route_table_id)
                .filter(|p| {
                    let (rid, rtype) = resource_of(state, &p.attachment_id);
                    p.owner == caller.uid
                        && ctx.live(*p)
                        && request
                            .transit_router_attachment_id
                            .as_ref()
                            .is_none_or(|a| p.attachment_id == *a)
                        && status.as_ref().is_none_or(|s| ctx.status(*p) == s)
                        && request
                            .transit_router_attachment_resource_id
                            .as_ref()
                            .is_none_or(|r| rid.as_ref() == Some(r))
                        && resource_type
                            .as_ref()
                            .is_none_or(|r| rtype.as_ref() == Some(r))
                })
                .sequenced(&state.tr_propagations);
            let (page, next, total) = page.slice(matched);
            let items: Vec<_> = page
                .into_iter()
                .map(|p| {
                    let (resource_id, resource_type) = resource_of(state, &p.attachment_id);
                    t::TransitRouterRouteTablePropagation {
                        resource_id,
                        resource_type,
                        status: Some(ctx.status(p).into()),
                        transit_router_attachment_id: Some(p.attachment_id.clone()),
                        transit_router_route_table_id: Some(p.route_table_id.clone()),
                    }
                })
                .collect();
            (items, next, total)
        });
        Ok(t::ListTransitRouterRouteTablePropagationsResponse {
            max_results: Some(page.max_results()),
            next_token,
            request_id: Some(caller.request_id.clone()),
            total_count: Some(total),
            transit_router_propagations: items,
        })
    }
}
