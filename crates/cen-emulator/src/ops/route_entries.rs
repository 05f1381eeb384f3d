//! Routes of transit-router route tables: CreateTransitRouterRouteEntry,
//! ListTransitRouterRouteEntries, UpdateTransitRouterRouteEntry, DeleteTransitRouterRouteEntry.
//!
//! Static and blackhole routes are stored; the System table also holds a blackhole route for
//! each CIDR block of its router published with `PublishCidrRoute`; propagated routes are
//! computed when a table is listed, from the table's `Active` propagations and what each
//! attachment's network brings:
//! a VPC its CIDR blocks, a VBR the networks behind it (its inventory blocks), a peer
//! attachment the networks attached to the peer router.

use acs_rpc::error::ApiError;
use cen_server::cbn::errors as cbn;
use ipnet::IpNet;

use crate::api::cbn as t;
use crate::emulator::{Caller, Ctx, Emulator, minutes, new_id};
use crate::state::{
    AttachmentKind, Lifecycle, Phase, State, TrAttachment, TrRouteEntry, TrRouteTable,
};
use crate::validate::{self, TokenPage};

/// One route of a table as the list answers it.
#[derive(Debug, Clone)]
struct Route {
    id: String,
    destination: IpNet,
    /// `Static` or `Propagated`.
    kind: &'static str,
    status: &'static str,
    /// The next-hop attachment, `None` for a blackhole route.
    next_hop: Option<String>,
    /// The network behind the next hop (`vpc-...`) and its type (`VPC`).
    next_hop_resource: Option<(String, &'static str)>,
    name: Option<String>,
    description: Option<String>,
    created_at: i64,
    /// Whether the user made it (a system route cannot be changed or deleted).
    operational: bool,
    /// The prefix list whose association made it.
    prefix_list: Option<String>,
}

/// A stable id for a computed route, so that lists agree from call to call.
fn propagated_id(table: &str, attachment: &str, destination: &str) -> String {
    // FNV-1a, spread over 18 base-36 characters as the service's ids look.
    let mut hash: u128 = 0x6c62_272e_07bb_0142_62b8_2175_6295_c58d;
    for byte in table
        .bytes()
        .chain(attachment.bytes())
        .chain(destination.bytes())
    {
        hash ^= u128::from(byte);
        hash = hash.wrapping_mul(0x0000_0000_0100_0000_0000_0000_0000_013b);
    }
    const ALPHABET: &[u8] = b"abcdefghijklmnopqrstuvwxyz0123456789";
    let body: String = (0..18)
        .map(|_| {
            let c = ALPHABET[usize::try_from(hash % 36).unwrap_or(0)];
            hash /= 36;
            char::from(c)
        })
        .collect();
    format!("rte-{body}")
}

/// Reads a destination: an IPv4 or IPv6 block given as its network address.
fn destination(value: &str, bad: fn() -> ApiError) -> Result<IpNet, ApiError> {
    let net: IpNet = value.trim().parse().map_err(|_| bad())?;
    if net.trunc() != net {
        return Err(bad());
    }
    Ok(net)
}

impl<'a> Ctx<'a> {
    /// Every route of a table: the live static and blackhole routes in creation order, then
    /// the propagated ones. A propagated route whose destination a static route (or an earlier
    /// propagated route) already has is `Rejected` (emulator rule: the documents do not say how
    /// the service ranks them).
    fn routes_of(&self, state: &State, table: &TrRouteTable) -> Vec<Route> {
        let mut routes: Vec<Route> = state
            .tr_route_entries
            .children_of(0, &table.id)
            .filter(|r| self.live(*r))
            .filter_map(|r| {
                Some(Route {
                    id: r.id.clone(),
                    destination: r.destination.parse().ok()?,
                    kind: "Static",
                    status: self.status(r),
                    next_hop: r.next_hop.clone(),
                    next_hop_resource: r
                        .next_hop
                        .as_ref()
                        .and_then(|a| state.tr_attachments.get(a))
                        .map(|a| (a.resource_id.clone(), a.kind.resource_type())),
                    name: r.name.clone(),
                    description: r.description.clone(),
                    created_at: r.life.created_at,
                    operational: true,
                    prefix_list: None,
                })
            })
            .collect();
        if table.system {
            // The blackhole routes the router's CIDR blocks publish.
            for cidr in state.tr_cidrs.children_of(0, &table.transit_router_id) {
                let Ok(destination) = cidr.cidr.parse::<IpNet>() else {
                    continue;
                };
                if !cidr.publish_cidr_route {
                    continue;
                }
                routes.push(Route {
                    id: propagated_id(&table.id, &cidr.id, &cidr.cidr),
                    destination,
                    kind: "Static",
                    status: "Active",
                    next_hop: None,
                    next_hop_resource: None,
                    name: None,
                    description: None,
                    created_at: table.life.created_at,
                    operational: false,
                    prefix_list: None,
                });
            }
        }
        // The routes of the prefix lists associated with the table, one per entry, with the
        // status of their association.
        for association in self.prefix_list_associations_of(state, &table.id) {
            let status = match self.phase(association) {
                Phase::Creating => "Creating",
                Phase::Deleting => "Deleting",
                _ => "Active",
            };
            let next_hop_resource = association
                .next_hop
                .as_ref()
                .and_then(|a| state.tr_attachments.get(a))
                .map(|a| (a.resource_id.clone(), a.kind.resource_type()));
            for destination in self.prefix_list_blocks(association) {
                routes.push(Route {
                    id: propagated_id(
                        &table.id,
                        &association.prefix_list_id,
                        &destination.to_string(),
                    ),
                    destination,
                    kind: "Static",
                    status,
                    next_hop: association.next_hop.clone(),
                    next_hop_resource: next_hop_resource.clone(),
                    name: None,
                    description: None,
                    created_at: association.life.created_at,
                    operational: false,
                    prefix_list: Some(association.prefix_list_id.clone()),
                });
            }
        }
        for propagation in state.tr_propagations.children_of(1, &table.id) {
            if self.phase(propagation) != Phase::Ready {
                continue;
            }
            let Some(attachment) = state
                .tr_attachments
                .get(&propagation.attachment_id)
                .filter(|a| self.phase(*a) == Phase::Ready || self.phase(*a) == Phase::Modifying)
            else {
                continue;
            };
            for block in self.networks_behind(state, attachment) {
                let taken = routes
                    .iter()
                    .any(|r| r.destination == block && r.status != "Rejected");
                routes.push(Route {
                    id: propagated_id(&table.id, &attachment.id, &block.to_string()),
                    destination: block,
                    kind: "Propagated",
                    status: if taken { "Rejected" } else { "Active" },
                    next_hop: Some(attachment.id.clone()),
                    next_hop_resource: Some((
                        attachment.resource_id.clone(),
                        attachment.kind.resource_type(),
                    )),
                    name: None,
                    description: None,
                    created_at: propagation.life.created_at,
                    operational: false,
                    prefix_list: None,
                });
            }
        }
        routes
    }

    /// The destinations a table has routes to that are not learned: static and blackhole
    /// routes, the routes of its router's CIDR blocks and of its prefix lists.
    pub(crate) fn static_destinations(&self, state: &State, table: &TrRouteTable) -> Vec<IpNet> {
        self.routes_of(state, table)
            .into_iter()
            .filter(|r| r.kind == "Static")
            .map(|r| r.destination)
            .collect()
    }

    /// The blocks an attachment's network brings to the tables it propagates to: a VPC's or
    /// VBR's blocks; for a peer attachment, those of the networks attached to the peer router
    /// (emulator rule: the region's routes, without the peer's own route tables' choices).
    fn networks_behind(&self, state: &State, attachment: &TrAttachment) -> Vec<IpNet> {
        if attachment.kind == AttachmentKind::Peer {
            return state
                .tr_attachments
                .children_of(0, &attachment.resource_id)
                .filter(|a| a.kind != AttachmentKind::Peer && self.live(*a))
                .flat_map(|a| self.networks_behind(state, a))
                .collect();
        }
        self.instance(state, &attachment.resource_id)
            .map(|network| {
                network
                    .cidr_blocks
                    .iter()
                    .filter_map(|c| c.parse::<IpNet>().ok())
                    .collect()
            })
            .unwrap_or_default()
    }
}

/// Reads one RouteFilter: its match mode (`PrefixExactMatchCidrs`, `LongestPrefixMatchCidrs`,
/// `SubnetOfMatchCidrs`, `SupernetOfMatchCidrs`) and its blocks or addresses; `None` when
/// either is not one.
pub(crate) fn route_filter(key: &str, values: &[String]) -> Option<(String, Vec<IpNet>)> {
    if !t::RouteFilterKey::VALUES.contains(&key) {
        return None;
    }
    let values = values
        .iter()
        .map(|v| {
            v.parse::<IpNet>()
                .or_else(|_| v.parse::<std::net::IpAddr>().map(IpNet::from))
        })
        .collect::<Result<Vec<_>, _>>()
        .ok()?;
    Some((key.to_owned(), values))
}

/// Whether a destination among `all` passes a RouteFilter: exact, longest-prefix, subnet-of or
/// supernet-of matching against the filter's blocks.
pub(crate) fn route_filter_keeps(
    (key, values): &(String, Vec<IpNet>),
    destination: IpNet,
    all: &[IpNet],
) -> bool {
    match key.as_str() {
        "PrefixExactMatchCidrs" => values.contains(&destination),
        "SubnetOfMatchCidrs" => values.iter().any(|v| v.contains(&destination)),
        "SupernetOfMatchCidrs" => values.iter().any(|v| destination.contains(v)),
        // The routes that contain the value with the longest prefix among those that do.
        _ => values.iter().any(|v| {
            let longest = all
                .iter()
                .filter(|d| d.contains(v))
                .map(IpNet::prefix_len)
                .max();
            destination.contains(v) && Some(destination.prefix_len()) == longest
        }),
    }
}

impl Emulator {
    /// CreateTransitRouterRouteEntry: adds a static route to a custom or System route table:
    /// to an attachment of the same router, or a blackhole route. It is `Creating` for the
    /// delay, then `Active`.
    ///
    /// Checks, in order: a name `InvalidName` or description `InvalidDescription` that breaks
    /// CreateCen's rules; a destination that is not an IPv4 or IPv6 block given as its network
    /// address `IllegalParam.TransitRouterDestinationCidrBlock`; NextHopType other than
    /// `BlackHole` or `Attachment` `IllegalParam.NextHopType`; a blackhole route with a
    /// NextHopId `ParamExclusive.NextHopTypeBlackHoleAndNextHopId`; an attachment route without
    /// one `MissingParam.TransitRouterRouteEntryNextHopId`; the table unknown
    /// `InvalidTransitRouterRouteTableId.NotFound` or not Active
    /// `IncorrectStatus.TransitRouterRouteTable`; the next hop not an attachment of the table's
    /// router `InvalidTransitRouterRouteEntryNextHopId.NotFound`, or not Attached
    /// `IncorrectStatus.Status`; the destination taken by a live route of the table
    /// `InstanceExist.TransitRouterRouteEntry` (a route of an associated prefix list counts), or
    /// by one being deleted
    /// `OperationFailed.CreateRouteEntryWithSameDestinationCidrBlock` (which the Terraform
    /// provider retries). `DryRun` answers `DryRunOperation`; a ClientToken makes the call
    /// idempotent.
    pub fn create_transit_router_route_entry(
        &self,
        caller: &Caller,
        request: t::CreateTransitRouterRouteEntryRequest,
    ) -> Result<t::CreateTransitRouterRouteEntryResponse, ApiError> {
        use cbn::create_transit_router_route_entry as e;
        validate::name(request.transit_router_route_entry_name.as_deref())
            .map_err(|_| e::invalid_name())?;
        validate::description(request.transit_router_route_entry_description.as_deref())
            .map_err(|_| e::invalid_description())?;
        let destination = destination(
            &request.transit_router_route_entry_destination_cidr_block,
            e::illegal_param_transit_router_destination_cidr_block,
        )?;
        let next_hop_id = request
            .transit_router_route_entry_next_hop_id
            .clone()
            .filter(|s| !s.is_empty());
        let blackhole = match request.transit_router_route_entry_next_hop_type {
            t::TransitRouterRouteEntryNextHopType::BlackHole => true,
            t::TransitRouterRouteEntryNextHopType::Attachment => false,
            _ => return Err(e::illegal_param_next_hop_type()),
        };
        match (blackhole, &next_hop_id) {
            (true, Some(_)) => {
                return Err(e::param_exclusive_next_hop_type_black_hole_and_next_hop_id());
            }
            (false, None) => return Err(e::missing_param_transit_router_route_entry_next_hop_id()),
            _ => {}
        }
        let id = self.write_idempotent(
            caller,
            "CreateTransitRouterRouteEntry",
            request.client_token.as_deref(),
            &request,
            |state, ctx| {
                let table = ctx
                    .route_table(state, caller, &request.transit_router_route_table_id)
                    .ok_or_else(e::invalid_transit_router_route_table_id_not_found)?;
                ctx.require_ready(table, e::incorrect_status_transit_router_route_table)?;
                if let Some(hop) = &next_hop_id {
                    let attachment = state
                        .tr_attachments
                        .get(hop)
                        .filter(|a| {
                            a.owner == caller.uid
                                && a.transit_router_id == table.transit_router_id
                                && ctx.live(*a)
                        })
                        .ok_or_else(e::invalid_transit_router_route_entry_next_hop_id_not_found)?;
                    ctx.require_ready(attachment, e::incorrect_status_status)?;
                }
                let wanted = destination.to_string();
                let same = state
                    .tr_route_entries
                    .by_lookup(&TrRouteEntry::slot(&table.id, &wanted))
                    .find(|r| ctx.live(*r));
                if let Some(existing) = same {
                    return Err(if ctx.phase(existing) == Phase::Deleting {
                        e::operation_failed_create_route_entry_with_same_destination_cidr_block()
                    } else {
                        e::instance_exist_transit_router_route_entry()
                    });
                }
                // A route of an associated prefix list holds the destination too.
                if ctx
                    .prefix_list_associations_of(state, &table.id)
                    .any(|a| ctx.prefix_list_blocks(a).contains(&destination))
                {
                    return Err(e::instance_exist_transit_router_route_entry());
                }
                validate::dry_run(request.dry_run, e::dry_run_operation)?;
                let entry = TrRouteEntry {
                    id: new_id("rte-"),
                    route_table_id: table.id.clone(),
                    transit_router_id: table.transit_router_id.clone(),
                    cen_id: table.cen_id.clone(),
                    owner: caller.uid,
                    destination: wanted,
                    next_hop: next_hop_id.clone(),
                    name: request.transit_router_route_entry_name.clone(),
                    description: request.transit_router_route_entry_description.clone(),
                    life: Lifecycle::started(ctx.now),
                };
                let id = entry.id.clone();
                state.tr_route_entries.insert(entry);
                Ok(id)
            },
        )?;
        Ok(t::CreateTransitRouterRouteEntryResponse {
            request_id: Some(caller.request_id.clone()),
            transit_router_route_entry_id: Some(id),
        })
    }

    /// ListTransitRouterRouteEntries: the routes of a route table of the caller, static and
    /// propagated, paged by MaxResults (1 to 100, default 20) and NextToken (`InvalidParameter`
    /// for bad ones); an unknown table answers an empty list. Emulator rule: a propagated route
    /// whose destination a static route (or an earlier propagated route) already has is listed
    /// `Rejected`, and a peer attachment brings the blocks of the networks attached to the peer
    /// router.
    ///
    /// Every given filter must match: TransitRouterRouteEntryIds.N, TransitRouterRouteEntryNames.N,
    /// TransitRouterRouteEntryDestinationCidrBlock (exact), TransitRouterRouteEntryType
    /// (`Static`, `Propagated`), TransitRouterRouteEntryStatus (`All`, or one status; emulator
    /// rule: without it every status is listed, so that a route that is still `Creating` can be
    /// polled), the next hop's id, type (`Attachment`, `BlackHole`), resource id and type, the
    /// origin's resource id and type, and RouteFilter.N: `PrefixExactMatchCidrs`,
    /// `LongestPrefixMatchCidrs`, `SubnetOfMatchCidrs` or `SupernetOfMatchCidrs` with the blocks
    /// to match (a block that does not parse, or another key, is `InvalidParameter`).
    pub fn list_transit_router_route_entries(
        &self,
        caller: &Caller,
        request: t::ListTransitRouterRouteEntriesRequest,
    ) -> Result<t::ListTransitRouterRouteEntriesResponse, ApiError> {
        use cbn::list_transit_router_route_entries as e;
        let page = TokenPage::standard(
            request.max_results,
            request.next_token.as_deref(),
            e::invalid_parameter,
        )?;
        let filters = request
            .route_filter
            .iter()
            .map(|f| route_filter(f.key.as_ref()?.as_str(), &f.value))
            .collect::<Option<Vec<_>>>()
            .ok_or_else(e::invalid_parameter)?;
        let status = request
            .transit_router_route_entry_status
            .as_ref()
            .map(|s| s.as_str().to_owned())
            .filter(|s| s != "All");
        let kind = request
            .transit_router_route_entry_type
            .as_ref()
            .map(|k| k.as_str().to_owned());
        let next_hop_type = request
            .transit_router_route_entry_next_hop_type
            .as_ref()
            .map(|k| k.as_str().to_owned());
        let next_hop_resource_type = request
            .transit_router_route_entry_next_hop_resource_type
            .as_ref()
            .map(|k| k.as_str().to_owned());
        let origin_resource_type = request
            .transit_router_route_entry_origin_resource_type
            .as_ref()
            .map(|k| k.as_str().to_owned());
        let exact = request
            .transit_router_route_entry_destination_cidr_block
            .as_deref()
            .filter(|s| !s.is_empty())
            .map(|d| d.parse::<IpNet>().map_err(|_| e::invalid_parameter()))
            .transpose()?;
        let (items, next_token, total) = self.read(|state, ctx| {
            let Some(table) =
                ctx.route_table(state, caller, &request.transit_router_route_table_id)
            else {
                return (Vec::new(), None, 0);
            };
            let routes = ctx.routes_of(state, table);
            let destinations: Vec<IpNet> = routes.iter().map(|r| r.destination).collect();
            let matched = routes.iter().filter(|r| {
                let hop_type = if r.next_hop.is_some() {
                    "Attachment"
                } else {
                    "BlackHole"
                };
                let resource = r.next_hop_resource.as_ref();
                (request.transit_router_route_entry_ids.is_empty()
                    || request.transit_router_route_entry_ids.contains(&r.id))
                    && (request.transit_router_route_entry_names.is_empty()
                        || r.name
                            .as_ref()
                            .is_some_and(|n| request.transit_router_route_entry_names.contains(n)))
                    && exact.is_none_or(|d| r.destination == d)
                    && kind.as_deref().is_none_or(|k| r.kind == k)
                    && status.as_deref().is_none_or(|s| r.status == s)
                    && request
                        .transit_router_route_entry_next_hop_id
                        .as_ref()
                        .is_none_or(|h| r.next_hop.as_ref() == Some(h))
                    && next_hop_type.as_deref().is_none_or(|h| hop_type == h)
                    && request
                        .transit_router_route_entry_next_hop_resource_id
                        .as_ref()
                        .is_none_or(|id| resource.is_some_and(|(rid, _)| rid == id))
                    && next_hop_resource_type
                        .as_deref()
                        .is_none_or(|ty| resource.is_some_and(|(_, rty)| *rty == ty))
                    && request
                        .transit_router_route_entry_origin_resource_id
                        .as_ref()
                        .is_none_or(|id| resource.is_some_and(|(rid, _)| rid == id))
                    && origin_resource_type
                        .as_deref()
                        .is_none_or(|ty| resource.is_some_and(|(_, rty)| *rty == ty))
                    && filters
                        .iter()
                        .all(|f| route_filter_keeps(f, r.destination, &destinations))
            });
            let (page, next, total) = page.slice(
                matched
                    .enumerate()
                    .map(|(i, r)| (u64::try_from(i).unwrap_or(u64::MAX), r)),
            );
            let items = page
                .into_iter()
                .map(|r| {
                    let resource = r.next_hop_resource.clone();
                    t::TransitRouterRouteEntry {
                        create_time: Some(minutes(r.created_at)),
                        operational_mode: Some(r.operational),
                        path_attributes: None,
                        prefix_list_id: r.prefix_list.clone(),
                        tag: None,
                        transit_router_route_entry_description: r.description.clone(),
                        transit_router_route_entry_destination_cidr_block: Some(
                            r.destination.to_string(),
                        ),
                        transit_router_route_entry_id: Some(r.id.clone()),
                        transit_router_route_entry_name: r.name.clone(),
                        transit_router_route_entry_next_hop_id: r.next_hop.clone(),
                        transit_router_route_entry_next_hop_resource_id: resource
                            .as_ref()
                            .map(|(id, _)| id.clone()),
                        transit_router_route_entry_next_hop_resource_type: resource
                            .as_ref()
                            .map(|(_, ty)| (*ty).to_owned()),
                        transit_router_route_entry_next_hop_type: Some(
                            if r.next_hop.is_some() {
                                "Attachment"
                            } else {
                                "BlackHole"
                            }
                            .into(),
                        ),
                        transit_router_route_entry_origin_resource_id: resource
                            .as_ref()
                            .map(|(id, _)| id.clone()),
                        transit_router_route_entry_origin_resource_type: resource
                            .map(|(_, ty)| ty.to_owned()),
                        transit_router_route_entry_status: Some(r.status.into()),
                        transit_router_route_entry_type: Some(r.kind.into()),
                    }
                })
                .collect();
            (items, next, total)
        });
        Ok(t::ListTransitRouterRouteEntriesResponse {
            max_results: Some(page.max_results()),
            next_token,
            request_id: Some(caller.request_id.clone()),
            total_count: Some(total),
            transit_router_route_entries: items,
        })
    }

    /// UpdateTransitRouterRouteEntry: renames or re-describes an `Active` static route, at once.
    ///
    /// An unknown route `IllegalParam.TransitRouterRouteEntryId`; a propagated route
    /// `OperationFailed.UpdateTransitRouterRouteEntry`; a route in a transition
    /// `IncorrectStatus.Status`; a bad name `InvalidName`, description `InvalidDescription`.
    /// `DryRun` answers `DryRunOperation`.
    pub fn update_transit_router_route_entry(
        &self,
        caller: &Caller,
        request: t::UpdateTransitRouterRouteEntryRequest,
    ) -> Result<t::UpdateTransitRouterRouteEntryResponse, ApiError> {
        use cbn::update_transit_router_route_entry as e;
        validate::name(request.transit_router_route_entry_name.as_deref())
            .map_err(|_| e::invalid_name())?;
        validate::description(request.transit_router_route_entry_description.as_deref())
            .map_err(|_| e::invalid_description())?;
        self.write_idempotent(
            caller,
            "UpdateTransitRouterRouteEntry",
            request.client_token.as_deref(),
            &request,
            |state, ctx| {
                let id = &request.transit_router_route_entry_id;
                let Some(entry) = state
                    .tr_route_entries
                    .get(id)
                    .filter(|r| r.owner == caller.uid && ctx.live(*r))
                else {
                    return Err(if ctx.is_propagated_route(state, caller, id) {
                        e::operation_failed_update_transit_router_route_entry()
                    } else {
                        e::illegal_param_transit_router_route_entry_id()
                    });
                };
                ctx.require_ready(entry, e::incorrect_status_status)?;
                validate::dry_run(request.dry_run, e::dry_run_operation)?;
                if let Some(mut entry) = state.tr_route_entries.get_mut(id) {
                    validate::overwrite(&mut entry.name, &request.transit_router_route_entry_name);
                    validate::overwrite(
                        &mut entry.description,
                        &request.transit_router_route_entry_description,
                    );
                }
                Ok(())
            },
        )?;
        Ok(t::UpdateTransitRouterRouteEntryResponse {
            request_id: Some(caller.request_id.clone()),
        })
    }

    /// DeleteTransitRouterRouteEntry: starts deleting an `Active` static route, named by
    /// TransitRouterRouteEntryId or by its table, destination, next-hop type and (for an
    /// attachment route) next hop; it is `Deleting` for the delay, then gone.
    ///
    /// Both forms at once `ParamExclusive.RouteEntryIdAndRouteTableIdOrDestCidrBlock`; neither
    /// `MissingParam.TransitRouterRouteEntryNextHopId` when the next hop is missing, else
    /// `IllegalParam.TransitRouterRouteTableId`; an unknown id
    /// `IllegalParam.TransitRouterRouteEntryId`; an unknown table
    /// `InvalidTransitRouterRouteTableId.NotFound`; no such route in it
    /// `InvalidDestinationCidrBlock.NotFound`; a propagated route
    /// `OperationFailed.DeleteTransitRouterRouteEntry`; a route in a transition
    /// `IncorrectStatus.Status`. `DryRun` answers `DryRunOperation`.
    pub fn delete_transit_router_route_entry(
        &self,
        caller: &Caller,
        request: t::DeleteTransitRouterRouteEntryRequest,
    ) -> Result<t::DeleteTransitRouterRouteEntryResponse, ApiError> {
        use cbn::delete_transit_router_route_entry as e;
        let given = |v: &Option<String>| validate::given(v).map(str::to_owned);
        let by_id = given(&request.transit_router_route_entry_id);
        let table_id = given(&request.transit_router_route_table_id);
        let wanted = given(&request.transit_router_route_entry_destination_cidr_block);
        let hop_type = request
            .transit_router_route_entry_next_hop_type
            .as_ref()
            .map(|h| h.as_str().to_owned());
        let hop_id = given(&request.transit_router_route_entry_next_hop_id);
        if by_id.is_some() && (table_id.is_some() || wanted.is_some()) {
            return Err(e::param_exclusive_route_entry_id_and_route_table_id_or_dest_cidr_block());
        }
        if by_id.is_none() {
            match hop_type.as_deref() {
                Some("Attachment") if hop_id.is_none() => {
                    return Err(e::missing_param_transit_router_route_entry_next_hop_id());
                }
                Some("Attachment" | "BlackHole") | None => {}
                Some(_) => return Err(e::illegal_param_next_hop_type()),
            }
            if table_id.is_none() || wanted.is_none() {
                return Err(e::illegal_param_transit_router_route_table_id());
            }
        }
        self.write_idempotent(
            caller,
            "DeleteTransitRouterRouteEntry",
            request.client_token.as_deref(),
            &request,
            |state, ctx| {
                let mine = |r: &&TrRouteEntry| r.owner == caller.uid && ctx.live(*r);
                let entry = match (&by_id, &table_id, &wanted) {
                    (Some(id), _, _) => match state.tr_route_entries.get(id).filter(mine) {
                        Some(entry) => entry,
                        None if ctx.is_propagated_route(state, caller, id) => {
                            return Err(e::operation_failed_delete_transit_router_route_entry());
                        }
                        None => return Err(e::illegal_param_transit_router_route_entry_id()),
                    },
                    (None, Some(table), Some(cidr)) => {
                        let table = ctx
                            .route_table(state, caller, table)
                            .ok_or_else(e::invalid_transit_router_route_table_id_not_found)?;
                        let cidr: IpNet = cidr
                            .parse()
                            .map_err(|_| e::invalid_destination_cidr_block_not_found())?;
                        state
                            .tr_route_entries
                            .children_of(0, &table.id)
                            .filter(mine)
                            .find(|r| {
                                r.destination == cidr.to_string()
                                    && match hop_type.as_deref() {
                                        Some("BlackHole") => r.next_hop.is_none(),
                                        Some(_) => r.next_hop == hop_id,
                                        None => true,
                                    }
                            })
                            .ok_or_else(e::invalid_destination_cidr_block_not_found)?
                    }
                    _ => return Err(e::illegal_param_transit_router_route_table_id()),
                };
                ctx.require_ready(entry, e::incorrect_status_status)?;
                validate::dry_run(request.dry_run, e::dry_run_operation)?;
                let id = entry.id.clone();
                if let Some(mut entry) = state.tr_route_entries.get_mut(&id) {
                    entry.life.deleting_at = Some(ctx.now);
                }
                Ok(())
            },
        )?;
        Ok(t::DeleteTransitRouterRouteEntryResponse {
            request_id: Some(caller.request_id.clone()),
        })
    }
}

impl<'a> Ctx<'a> {
    /// Whether `id` names a propagated route of one of the caller's route tables.
    fn is_propagated_route(&self, state: &State, caller: &Caller, id: &str) -> bool {
        state
            .tr_route_tables
            .owned_by(caller.uid)
            .filter(|t| self.live(*t))
            .any(|table| self.routes_of(state, table).iter().any(|r| r.id == id))
    }
}
