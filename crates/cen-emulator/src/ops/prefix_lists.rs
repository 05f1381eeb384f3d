//! Prefix-list associations of transit-router route tables:
//! CreateTransitRouterPrefixListAssociation, ListTransitRouterPrefixListAssociation,
//! DeleteTransitRouterPrefixListAssociation.
//!
//! The prefix lists belong to the Vpc product: the emulator finds them in its inventory
//! (`PrefixLists` of the `--inventory` file, or the built-in ones). An association gives the
//! route table one route per entry of the list, to the next hop; ListTransitRouterRouteEntries
//! shows them with their `PrefixListId` while the association lives.

use acs_rpc::error::ApiError;
use cen_server::cbn::errors as cbn;
use ipnet::IpNet;

use crate::api::cbn as t;
use crate::emulator::{Caller, Ctx, Emulator};
use crate::errors;
use crate::inventory::PrefixList;
use crate::state::{AttachmentKind, Lifecycle, Phase, PrefixListAssociation, State};
use crate::validate::{self, Page, given};

impl<'a> Ctx<'a> {
    /// The prefix list `id` of `owner` in `region`, from the inventory.
    pub(crate) fn prefix_list(&self, id: &str, owner: i64, region: &str) -> Option<&'a PrefixList> {
        self.config
            .prefix_lists
            .iter()
            .find(|l| l.prefix_list_id == id && l.owner_id == owner && l.region_id == region)
    }

    /// The blocks of a prefix list as routes take them.
    pub(crate) fn prefix_list_blocks(&self, association: &PrefixListAssociation) -> Vec<IpNet> {
        self.prefix_list(
            &association.prefix_list_id,
            association.prefix_list_owner,
            &association.region_id,
        )
        .map(|l| l.entries.iter().filter_map(|e| e.parse().ok()).collect())
        .unwrap_or_default()
    }

    /// The live prefix-list associations of a route table, in creation order.
    pub(crate) fn prefix_list_associations_of<'s>(
        &self,
        state: &'s State,
        table_id: &'s str,
    ) -> impl Iterator<Item = &'s PrefixListAssociation> + use<'s, 'a>
    where
        'a: 's,
    {
        let ctx = *self;
        state
            .prefix_list_associations
            .children_of(0, table_id)
            .filter(move |a| ctx.live(*a))
    }
}

/// The `NextHopType` an attachment kind answers to.
fn next_hop_type_of(kind: AttachmentKind) -> Option<&'static str> {
    match kind {
        AttachmentKind::Vpc => Some("VPC"),
        AttachmentKind::Vbr => Some("VBR"),
        AttachmentKind::Peer => Some("TR"),
        AttachmentKind::Ecr => Some("ECR"),
        AttachmentKind::Vpn => None,
    }
}

impl Emulator {
    /// CreateTransitRouterPrefixListAssociation: associates a prefix list with a route table
    /// of a transit router: the table takes one route per entry of the list, to the next hop
    /// (NextHop, an attachment of the router, or `BlackHole`). The association is `Updating`
    /// for the delay, then `Active`; its routes are listed `Creating`, then `Active`.
    ///
    /// NextHopType is `BlackHole`, `VPC`, `VBR`, `TR` or `ECR` (`InvalidParameter` otherwise;
    /// when absent it follows NextHop). Checks, in order: the router not the caller's in
    /// RegionId `OperationFailed.TransitRouterNotExist`, not Active
    /// `IncorrectStatus.TransitRouter`; the table unknown `InvalidRouteTableId.NotFound`, of
    /// another router `IllegalParam.TransitRouterTableId`, not Active
    /// `IncorrectStatus.RouteTable`; the prefix list not in RegionId for its owner (OwnerUid,
    /// default the caller) `ResourceNotFound.PrefixList`; a `BlackHole` type with another
    /// NextHop `ResourceMismatch.Nexthop`; a next hop that is not a live attachment of the
    /// router `ResourceNotFound.Nexthop`, a VPN attachment `ResourceNotSupport.Nexthop`, of
    /// another kind than NextHopType says `ResourceMismatch.Nexthop`; the list already
    /// associated with the table `ResourceExisted.PrefixlistAssociation` (or, while that
    /// association is being deleted, `InvalidStatus.PrefixlistAssociation`); an entry whose
    /// destination a static, CIDR or prefix-list route of the table already has
    /// `ResourceConflict.Route`. Emulator rule: a prefix list of another account is taken as
    /// shared with the caller when OwnerUid names its owner (the emulator has no Resource
    /// Sharing to ask). `DryRun` answers `DryRunOperation`; a ClientToken makes the call
    /// idempotent.
    pub fn create_transit_router_prefix_list_association(
        &self,
        caller: &Caller,
        request: t::CreateTransitRouterPrefixListAssociationRequest,
    ) -> Result<t::CreateTransitRouterPrefixListAssociationResponse, ApiError> {
        use cbn::create_transit_router_prefix_list_association as e;
        use t::CreateTransitRouterPrefixListAssociationRequestNextHopType as Hop;
        let wanted_type = match &request.next_hop_type {
            None => None,
            Some(Hop::Unknown(other)) => {
                return Err(errors::saying(
                    e::invalid_parameter,
                    format!("NextHopType {other} is not BlackHole, VPC, VBR, TR or ECR."),
                ));
            }
            Some(hop) => Some(hop.as_str().to_owned()),
        };
        let next_hop = request.next_hop.clone();
        let blackhole = next_hop == "BlackHole";
        if wanted_type.as_deref() == Some("BlackHole") && !blackhole {
            return Err(errors::saying(
                e::resource_mismatch_nexthop,
                "A BlackHole prefix list takes NextHop BlackHole.",
            ));
        }
        let list_owner = request.owner_uid.unwrap_or(caller.uid);
        self.write_idempotent(
            caller,
            "CreateTransitRouterPrefixListAssociation",
            request.client_token.as_deref(),
            &request,
            |state, ctx| {
                let router = ctx
                    .router_in_region(
                        state,
                        caller,
                        &request.transit_router_id,
                        &request.region_id,
                    )
                    .ok_or_else(e::operation_failed_transit_router_not_exist)?;
                ctx.require_ready(router, e::incorrect_status_transit_router)?;
                let table = ctx
                    .route_table(state, caller, &request.transit_router_table_id)
                    .ok_or_else(e::invalid_route_table_id_not_found)?;
                if table.transit_router_id != router.id {
                    return Err(e::illegal_param_transit_router_table_id());
                }
                ctx.require_ready(table, e::incorrect_status_route_table)?;
                let list = ctx
                    .prefix_list(&request.prefix_list_id, list_owner, &router.region_id)
                    .ok_or_else(e::resource_not_found_prefix_list)?;
                let (next_hop_type, attachment) = if blackhole {
                    ("BlackHole".to_owned(), None)
                } else {
                    let attachment = state
                        .tr_attachments
                        .get(&next_hop)
                        .filter(|a| a.transit_router_id == router.id && ctx.live(*a))
                        .ok_or_else(e::resource_not_found_nexthop)?;
                    let kind = next_hop_type_of(attachment.kind)
                        .ok_or_else(e::resource_not_support_nexthop)?;
                    if wanted_type.as_deref().is_some_and(|w| w != kind) {
                        return Err(errors::saying(
                            e::resource_mismatch_nexthop,
                            format!("NextHop {next_hop} is a {kind} connection."),
                        ));
                    }
                    (kind.to_owned(), Some(attachment))
                };
                let key = (table.id.clone(), list.prefix_list_id.clone());
                if let Some(existing) = state
                    .prefix_list_associations
                    .get(&key)
                    .filter(|a| ctx.live(*a))
                {
                    return Err(if ctx.phase(existing) == Phase::Deleting {
                        e::invalid_status_prefixlist_association()
                    } else {
                        e::resource_existed_prefixlist_association()
                    });
                }
                let taken = ctx.static_destinations(state, table);
                let conflict = list
                    .entries
                    .iter()
                    .find(|entry| entry.parse::<IpNet>().is_ok_and(|d| taken.contains(&d)));
                if let Some(entry) = conflict {
                    return Err(errors::saying(
                        e::resource_conflict_route,
                        format!("The route table already has a route to {entry}."),
                    ));
                }
                validate::dry_run(request.dry_run, e::dry_run_operation)?;
                let association = PrefixListAssociation {
                    prefix_list_id: list.prefix_list_id.clone(),
                    prefix_list_owner: list.owner_id,
                    route_table_id: table.id.clone(),
                    transit_router_id: router.id.clone(),
                    cen_id: router.cen_id.clone(),
                    owner: caller.uid,
                    region_id: router.region_id.clone(),
                    next_hop_type,
                    next_hop: attachment.map(|a| a.id.clone()),
                    next_hop_instance: attachment.map(|a| a.resource_id.clone()),
                    life: Lifecycle::started(ctx.now),
                };
                state.prefix_list_associations.insert(association);
                Ok(())
            },
        )?;
        Ok(t::CreateTransitRouterPrefixListAssociationResponse {
            request_id: Some(caller.request_id.clone()),
        })
    }

    /// ListTransitRouterPrefixListAssociation: the prefix-list associations of a transit
    /// router of the caller in RegionId, in creation order, paged by PageNumber and PageSize
    /// (1 to 100, default 10; `InvalidParameter` otherwise); an unknown router answers an empty
    /// list. Every given filter must match: TransitRouterTableId, PrefixListId, OwnerUid (the
    /// list's owner), NextHop, NextHopType, NextHopInstanceId and Status (`Active`,
    /// `Updating`).
    pub fn list_transit_router_prefix_list_association(
        &self,
        caller: &Caller,
        request: t::ListTransitRouterPrefixListAssociationRequest,
    ) -> Result<t::ListTransitRouterPrefixListAssociationResponse, ApiError> {
        let page = Page::new(request.page_number, request.page_size, 100)?;
        let next_hop_type = request
            .next_hop_type
            .as_ref()
            .map(|h| h.as_str().to_owned());
        let status = request.status.as_ref().map(|s| s.as_str().to_owned());
        let (items, total) = self.read(|state, ctx| {
            if ctx
                .router_in_region(
                    state,
                    caller,
                    &request.transit_router_id,
                    &request.region_id,
                )
                .is_none()
            {
                return (Vec::new(), 0);
            }
            let keep = |a: &PrefixListAssociation| {
                a.transit_router_id == request.transit_router_id
                    && validate::matches(
                        &request.transit_router_table_id,
                        Some(a.route_table_id.as_str()),
                    )
                    && validate::matches(&request.prefix_list_id, Some(a.prefix_list_id.as_str()))
                    && request.owner_uid.is_none_or(|o| a.prefix_list_owner == o)
                    && given(&request.next_hop).is_none_or(|h| a.next_hop_word() == h)
                    && next_hop_type
                        .as_deref()
                        .is_none_or(|h| a.next_hop_type == h)
                    && validate::matches(
                        &request.next_hop_instance_id,
                        a.next_hop_instance.as_deref(),
                    )
                    && status.as_deref().is_none_or(|s| ctx.status(a) == s)
            };
            let (matched, total) = ctx.scoped_page(
                state,
                &state.prefix_list_associations,
                (caller.uid, Some(&request.region_id)),
                page,
                Some(&keep as &dyn Fn(&PrefixListAssociation) -> bool),
            );
            let items = matched
                .into_iter()
                .map(|a| t::TransitRouterPrefixListAssociation {
                    next_hop: Some(a.next_hop_word().to_owned()),
                    next_hop_instance_id: a.next_hop_instance.clone(),
                    next_hop_type: Some(a.next_hop_type.clone()),
                    owner_uid: Some(a.prefix_list_owner),
                    prefix_list_id: Some(a.prefix_list_id.clone()),
                    status: Some(ctx.status(a).into()),
                    transit_router_id: Some(a.transit_router_id.clone()),
                    transit_router_table_id: Some(a.route_table_id.clone()),
                })
                .collect();
            (items, total)
        });
        Ok(t::ListTransitRouterPrefixListAssociationResponse {
            page_number: Some(page.number),
            page_size: Some(page.size),
            prefix_lists: items,
            request_id: Some(caller.request_id.clone()),
            total_count: Some(total),
        })
    }

    /// DeleteTransitRouterPrefixListAssociation: starts removing the association of a prefix
    /// list with a route table; the association and its routes are `Updating` (the routes
    /// `Deleting`) for the delay, then gone.
    ///
    /// Checks, in order: the router not the caller's in RegionId
    /// `OperationFailed.TransitRouterNotExist`; the table unknown
    /// `InvalidRouteTableId.NotFound`, of another router `IllegalParam.TransitRouterTableId`;
    /// a prefix list that is neither the caller's in the region nor associated with the table
    /// `ResourceNotFound.PrefixList`; no association of the list with the table, or one with
    /// another NextHop or
    /// NextHopType, `ResourceNotFound.PrefixlistAssociation`; the association not Active
    /// `InvalidStatus.PrefixlistAssociation`. `DryRun` answers `DryRunOperation`; a ClientToken
    /// makes the call idempotent.
    pub fn delete_transit_router_prefix_list_association(
        &self,
        caller: &Caller,
        request: t::DeleteTransitRouterPrefixListAssociationRequest,
    ) -> Result<t::DeleteTransitRouterPrefixListAssociationResponse, ApiError> {
        use cbn::delete_transit_router_prefix_list_association as e;
        let next_hop = request.next_hop.clone();
        let next_hop_type = request
            .next_hop_type
            .as_ref()
            .map(|h| h.as_str().to_owned());
        self.write_idempotent(
            caller,
            "DeleteTransitRouterPrefixListAssociation",
            request.client_token.as_deref(),
            &request,
            |state, ctx| {
                let router = ctx
                    .router_in_region(
                        state,
                        caller,
                        &request.transit_router_id,
                        &request.region_id,
                    )
                    .ok_or_else(e::operation_failed_transit_router_not_exist)?;
                let table = ctx
                    .route_table(state, caller, &request.transit_router_table_id)
                    .ok_or_else(e::invalid_route_table_id_not_found)?;
                if table.transit_router_id != router.id {
                    return Err(e::illegal_param_transit_router_table_id());
                }
                let key = (table.id.clone(), request.prefix_list_id.clone());
                // Another account's list is known through its association with the table.
                let known = state.prefix_list_associations.get(&key).is_some()
                    || ctx
                        .prefix_list(&request.prefix_list_id, caller.uid, &router.region_id)
                        .is_some();
                if !known {
                    return Err(e::resource_not_found_prefix_list());
                }
                let association = state
                    .prefix_list_associations
                    .get(&key)
                    .filter(|a| {
                        ctx.live(*a)
                            && a.next_hop_word() == next_hop
                            && next_hop_type
                                .as_deref()
                                .is_none_or(|h| a.next_hop_type == h)
                    })
                    .ok_or_else(e::resource_not_found_prefixlist_association)?;
                ctx.require_ready(association, e::invalid_status_prefixlist_association)?;
                validate::dry_run(request.dry_run, e::dry_run_operation)?;
                if let Some(mut association) = state.prefix_list_associations.get_mut(&key) {
                    association.life.deleting_at = Some(ctx.now);
                }
                Ok(())
            },
        )?;
        Ok(t::DeleteTransitRouterPrefixListAssociationResponse {
            request_id: Some(caller.request_id.clone()),
        })
    }
}
