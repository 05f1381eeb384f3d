//! CIDR blocks of transit routers: CreateTransitRouterCidr, ListTransitRouterCidr,
//! ModifyTransitRouterCidr, DeleteTransitRouterCidr, ListTransitRouterCidrAllocation.
//!
//! A block with `PublishCidrRoute` puts a blackhole route for itself into the router's System
//! route table (see ListTransitRouterRouteEntries). Each VPN attachment holds a /28 of the
//! router's blocks (emulator rule: the first free /28 in block order; the documents say only
//! that VPN attachments draw on the blocks); a block with allocations cannot be changed or
//! deleted (`OperationFailed.CidrBlockAllocated`).

use acs_rpc::error::ApiError;
use cen_server::cbn::errors as cbn;
use ipnet::Ipv4Net;

use crate::api::cbn as t;
use crate::emulator::{Caller, Ctx, Emulator, new_id};
use crate::errors;
use crate::ops::transit_routers::{MAX_CIDRS, overlaps, tr_cidr};
use crate::state::{CidrAllocation, State, TrAttachment, TrCidr};
use crate::validate::{self, TokenPage};

impl<'a> Ctx<'a> {
    /// Whether a block overlaps one of the CEN instance's routers' blocks (`except` the block
    /// being changed) or a network connected to them.
    fn cidr_taken(&self, state: &State, cen_id: &str, net: Ipv4Net, except: Option<&str>) -> bool {
        state
            .tr_cidrs
            .iter()
            .filter(|c| c.cen_id == cen_id && Some(c.id.as_str()) != except)
            .filter(|c| {
                state
                    .transit_routers
                    .get(&c.transit_router_id)
                    .is_some_and(|r| self.live(r))
            })
            .filter_map(|c| c.cidr.parse::<Ipv4Net>().ok())
            .chain(self.attached_blocks(state, cen_id))
            .any(|other| overlaps(other, net))
    }
}

/// The size of the block a VPN attachment holds.
const ALLOCATION_PREFIX: u8 = 28;

/// Gives a new VPN attachment the first free /28 of its router's CIDR blocks, or answers
/// `full()` when none is left.
pub(crate) fn allocate(
    state: &State,
    ctx: &Ctx<'_>,
    attachment: &mut TrAttachment,
    full: fn() -> ApiError,
) -> Result<(), ApiError> {
    let taken: Vec<Ipv4Net> = state
        .tr_attachments
        .children_of(0, &attachment.transit_router_id)
        .filter(|a| ctx.live(*a))
        .filter_map(|a| a.allocation.as_ref()?.block.parse().ok())
        .collect();
    for cidr in state.tr_cidrs.children_of(0, &attachment.transit_router_id) {
        let Ok(net) = cidr.cidr.parse::<Ipv4Net>() else {
            continue;
        };
        let Ok(mut blocks) = net.subnets(ALLOCATION_PREFIX) else {
            continue;
        };
        if let Some(free) = blocks.find(|b| !taken.iter().any(|t| overlaps(*t, *b))) {
            attachment.allocation = Some(CidrAllocation {
                cidr_id: cidr.id.clone(),
                block: free.to_string(),
            });
            return Ok(());
        }
    }
    Err(full())
}

impl<'a> Ctx<'a> {
    /// Whether a live attachment holds addresses of a CIDR block.
    fn allocated_from(&self, state: &State, router_id: &str, cidr_id: &str) -> bool {
        state
            .tr_attachments
            .children_of(0, router_id)
            .any(|a| self.live(a) && a.allocation.as_ref().is_some_and(|x| x.cidr_id == cidr_id))
    }
}

fn cidr_view(c: &TrCidr) -> t::TransitRouterCidr {
    t::TransitRouterCidr {
        cidr: Some(c.cidr.clone()),
        description: c.description.clone(),
        family: Some("IPv4".into()),
        name: c.name.clone(),
        publish_cidr_route: Some(c.publish_cidr_route),
        transit_router_cidr_id: Some(c.id.clone()),
        transit_router_id: Some(c.transit_router_id.clone()),
    }
}

impl Emulator {
    /// CreateTransitRouterCidr: adds a CIDR block to a transit router, at once.
    ///
    /// The block must be IPv4 with a mask of 16 to 24, given as its network address, outside
    /// 100.64.0.0/10, 224.0.0.0/4, 127.0.0.0/8 and 169.254.0.0/16 (`InvalidParameter`, the only
    /// code the reference documents for a bad value); name
    /// and description follow CreateCen's rules (`InvalidParameter`). A router the caller does
    /// not have in RegionId: `InvalidTransitRouterId.NotFound`; one that is not Active:
    /// `IncorrectStatus.Status`; a sixth block `InvalidParameter`, saying so; a block that
    /// overlaps a block of one of the CEN instance's routers, or of a network connected to them,
    /// `OperationFailed.CidrConflict`.
    /// PublishCidrRoute defaults to true. `DryRun` answers `DryRunOperation`.
    pub fn create_transit_router_cidr(
        &self,
        caller: &Caller,
        request: t::CreateTransitRouterCidrRequest,
    ) -> Result<t::CreateTransitRouterCidrResponse, ApiError> {
        use cbn::create_transit_router_cidr as e;
        let net = tr_cidr(&request.cidr, e::invalid_parameter)?;
        validate::name(request.name.as_deref())?;
        validate::description(request.description.as_deref())?;
        let id = self.write_idempotent(
            caller,
            "CreateTransitRouterCidr",
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
                    .ok_or_else(e::invalid_transit_router_id_not_found)?;
                if ctx.phase(router) != crate::state::Phase::Ready {
                    return Err(e::incorrect_status_status());
                }
                if state.tr_cidrs.children_of(0, &router.id).count() >= MAX_CIDRS {
                    return Err(errors::saying(
                        e::invalid_parameter,
                        format!("A transit router has at most {MAX_CIDRS} CIDR blocks."),
                    ));
                }
                if ctx.cidr_taken(state, &router.cen_id, net, None) {
                    return Err(e::operation_failed_cidr_conflict());
                }
                validate::dry_run(request.dry_run, e::dry_run_operation)?;
                let cidr = TrCidr {
                    id: new_id("cidr-"),
                    transit_router_id: router.id.clone(),
                    cen_id: router.cen_id.clone(),
                    owner: caller.uid,
                    cidr: net.to_string(),
                    name: request.name.clone(),
                    description: request.description.clone(),
                    publish_cidr_route: request.publish_cidr_route.unwrap_or(true),
                };
                let id = cidr.id.clone();
                state.tr_cidrs.insert(cidr);
                Ok(id)
            },
        )?;
        Ok(t::CreateTransitRouterCidrResponse {
            request_id: Some(caller.request_id.clone()),
            transit_router_cidr_id: Some(id),
        })
    }

    /// ListTransitRouterCidr: the CIDR blocks of a transit router of the caller in RegionId
    /// (or the one TransitRouterCidrId names), in creation order; an unknown router answers an
    /// empty list. `DryRun` answers `DryRunOperation`.
    pub fn list_transit_router_cidr(
        &self,
        caller: &Caller,
        request: t::ListTransitRouterCidrRequest,
    ) -> Result<t::ListTransitRouterCidrResponse, ApiError> {
        validate::dry_run(
            request.dry_run,
            cbn::list_transit_router_cidr::dry_run_operation,
        )?;
        let cidr_lists = self.read(|state, ctx| {
            let Some(router) = ctx.router_in_region(
                state,
                caller,
                &request.transit_router_id,
                &request.region_id,
            ) else {
                return Vec::new();
            };
            state
                .tr_cidrs
                .children_of(0, &router.id)
                .filter(|c| {
                    request
                        .transit_router_cidr_id
                        .as_ref()
                        .is_none_or(|id| c.id == *id)
                })
                .map(cidr_view)
                .collect()
        });
        Ok(t::ListTransitRouterCidrResponse {
            cidr_lists,
            request_id: Some(caller.request_id.clone()),
        })
    }

    /// ModifyTransitRouterCidr: changes the block, name, description or PublishCidrRoute of a
    /// CIDR block, at once, with the rules of CreateTransitRouterCidr. An unknown block
    /// `InvalidParameter`, saying so; a new block for one that VPN attachments draw on
    /// `OperationFailed.CidrBlockAllocated`. `DryRun` answers `DryRunOperation`.
    pub fn modify_transit_router_cidr(
        &self,
        caller: &Caller,
        request: t::ModifyTransitRouterCidrRequest,
    ) -> Result<t::ModifyTransitRouterCidrResponse, ApiError> {
        use cbn::modify_transit_router_cidr as e;
        let net = request
            .cidr
            .as_deref()
            .map(|c| tr_cidr(c, e::invalid_parameter))
            .transpose()?;
        validate::name(request.name.as_deref())?;
        validate::description(request.description.as_deref())?;
        self.write_idempotent(
            caller,
            "ModifyTransitRouterCidr",
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
                    .ok_or_else(e::invalid_transit_router_id_not_found)?;
                let id = &request.transit_router_cidr_id;
                if state
                    .tr_cidrs
                    .get(id)
                    .is_none_or(|c| c.transit_router_id != router.id)
                {
                    return Err(errors::saying(
                        e::invalid_parameter,
                        format!("The transit router has no CIDR block {id}."),
                    ));
                }
                if let Some(net) = net
                    && ctx.cidr_taken(state, &router.cen_id, net, Some(id))
                {
                    return Err(e::operation_failed_cidr_conflict());
                }
                if net.is_some() && ctx.allocated_from(state, &router.id, id) {
                    return Err(e::operation_failed_cidr_block_allocated());
                }
                validate::dry_run(request.dry_run, e::dry_run_operation)?;
                if let Some(mut cidr) = state.tr_cidrs.get_mut(id) {
                    if let Some(net) = net {
                        cidr.cidr = net.to_string();
                    }
                    validate::overwrite(&mut cidr.name, &request.name);
                    validate::overwrite(&mut cidr.description, &request.description);
                    if let Some(publish) = request.publish_cidr_route {
                        cidr.publish_cidr_route = publish;
                    }
                }
                Ok(())
            },
        )?;
        Ok(t::ModifyTransitRouterCidrResponse {
            request_id: Some(caller.request_id.clone()),
        })
    }

    /// DeleteTransitRouterCidr: removes a CIDR block of a transit router, at once (with the
    /// blackhole route it published). An unknown router `InvalidTransitRouterId.NotFound`; an
    /// unknown block `OperationFailed.CidrNotExist`; a block that VPN attachments draw on
    /// `OperationFailed.CidrBlockAllocated`. `DryRun` answers `DryRunOperation`.
    pub fn delete_transit_router_cidr(
        &self,
        caller: &Caller,
        request: t::DeleteTransitRouterCidrRequest,
    ) -> Result<t::DeleteTransitRouterCidrResponse, ApiError> {
        use cbn::delete_transit_router_cidr as e;
        self.write_idempotent(
            caller,
            "DeleteTransitRouterCidr",
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
                    .ok_or_else(e::invalid_transit_router_id_not_found)?;
                let id = &request.transit_router_cidr_id;
                if state
                    .tr_cidrs
                    .get(id)
                    .is_none_or(|c| c.transit_router_id != router.id)
                {
                    return Err(e::operation_failed_cidr_not_exist());
                }
                if ctx.allocated_from(state, &router.id, id) {
                    return Err(e::operation_failed_cidr_block_allocated());
                }
                validate::dry_run(request.dry_run, e::dry_run_operation)?;
                state.tr_cidrs.remove(id);
                Ok(())
            },
        )?;
        Ok(t::DeleteTransitRouterCidrResponse {
            request_id: Some(caller.request_id.clone()),
        })
    }

    /// ListTransitRouterCidrAllocation: the addresses the VPN attachments of a router hold in its
    /// CIDR blocks, optionally of one block (TransitRouterCidrId, Cidr), one attachment
    /// (AttachmentId, AttachmentName) or one allocated block (CidrBlock), paged by MaxResults (1
    /// to 100, default 20) and NextToken (`InvalidParameter` for bad ones). An unknown router
    /// `InvalidTransitRouterId.NotFound`. `DryRun` answers `DryRunOperation`.
    pub fn list_transit_router_cidr_allocation(
        &self,
        caller: &Caller,
        request: t::ListTransitRouterCidrAllocationRequest,
    ) -> Result<t::ListTransitRouterCidrAllocationResponse, ApiError> {
        use cbn::list_transit_router_cidr_allocation as e;
        let page = TokenPage::standard(
            request.max_results,
            request.next_token.as_deref(),
            e::invalid_parameter,
        )?;
        validate::dry_run(request.dry_run, e::dry_run_operation)?;
        let (items, next_token, total) = self.read(|state, ctx| {
            let router = ctx
                .router_in_region(
                    state,
                    caller,
                    &request.transit_router_id,
                    &request.region_id,
                )
                .ok_or_else(e::invalid_transit_router_id_not_found)?;
            let matched = state
                .tr_attachments
                .children_of(0, &router.id)
                .filter(|a| ctx.live(*a))
                .filter_map(|a| {
                    let allocation = a.allocation.as_ref()?;
                    let cidr = state.tr_cidrs.get(&allocation.cidr_id)?;
                    let keep = request
                        .transit_router_cidr_id
                        .as_ref()
                        .is_none_or(|i| cidr.id == *i)
                        && request.cidr.as_ref().is_none_or(|c| cidr.cidr == *c)
                        && request.attachment_id.as_ref().is_none_or(|i| a.id == *i)
                        && request
                            .attachment_name
                            .as_ref()
                            .is_none_or(|n| a.name.as_ref() == Some(n))
                        && request
                            .cidr_block
                            .as_ref()
                            .is_none_or(|b| allocation.block == *b);
                    if !keep {
                        return None;
                    }
                    let seq = state.tr_attachments.seq_of(a)?;
                    Some((
                        seq,
                        t::TransitRouterCidrAllocation {
                            allocated_cidr_block: Some(allocation.block.clone()),
                            attachment_id: Some(a.id.clone()),
                            attachment_name: a.name.clone(),
                            cidr: Some(cidr.cidr.clone()),
                            transit_router_cidr_id: Some(cidr.id.clone()),
                        },
                    ))
                });
            Ok::<_, ApiError>(page.slice(matched))
        })?;
        Ok(t::ListTransitRouterCidrAllocationResponse {
            max_results: Some(page.max_results()),
            next_token,
            request_id: Some(caller.request_id.clone()),
            total_count: Some(total),
            transit_router_cidr_allocations: items,
        })
    }
}
