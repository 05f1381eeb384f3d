//! Routes in the route tables of child instances:
//! CreateCenChildInstanceRouteEntryToAttachment, DeleteCenChildInstanceRouteEntryToAttachment,
//! ListCenChildInstanceRouteEntriesToAttachment (a route of a VPC or VBR to its
//! transit-router connection), CreateCenChildInstanceRouteEntryToCen,
//! DeleteCenChildInstanceRouteEntryToCen (a route of a Basic Edition child instance to the CEN
//! instance), DescribeCenChildInstanceRouteEntries (the routes of an attached instance's route
//! table), DescribeChildInstanceRegions (where the caller has instances to attach).
//!
//! The route tables are those of the inventory; the routes CEN writes into them are stored,
//! and a destination is unique in a table (the inventory's routes count).

use acs_rpc::error::ApiError;
use cen_server::cbn::errors as cbn;
use ipnet::{IpNet, Ipv4Net};

use super::route_entries::{route_filter, route_filter_keeps};
use super::routes::{advertised, attached_instance, conflicts_with, is_published};
use crate::api::cbn as t;
use crate::emulator::{Caller, Ctx, Emulator};
use crate::errors;
use crate::inventory::{InstanceType, NetworkInstance};
use crate::resource::Sequenced;
use crate::state::{AttachmentKind, ChildRoute, Lifecycle, Phase, State, TrAttachment};
use crate::validate::{self, Page, TokenPage, given};

/// Reads the destination of a route of a child instance: an IPv4 block given as its network
/// address (`bad` otherwise, saying so).
fn destination(value: &str, bad: fn() -> ApiError) -> Result<String, ApiError> {
    value
        .parse::<Ipv4Net>()
        .ok()
        .filter(|n| n.trunc() == *n)
        .map(|n| n.to_string())
        .ok_or_else(|| {
            errors::saying(
                bad,
                format!(
                    "DestinationCidrBlock {value} is not an IPv4 block given as its network address."
                ),
            )
        })
}

impl<'a> Ctx<'a> {
    /// The caller's live VPC or VBR connection `id` of the CEN instance `cen_id`.
    fn child_connection<'s>(
        &self,
        state: &'s State,
        caller: &Caller,
        cen_id: &str,
        id: &str,
    ) -> Option<&'s TrAttachment> {
        state.tr_attachments.get(id).filter(|a| {
            a.owner == caller.uid
                && a.cen_id == cen_id
                && matches!(a.kind, AttachmentKind::Vpc | AttachmentKind::Vbr)
                && self.live(*a)
        })
    }

    /// Checks that `table` is a route table of `instance` (`bad` otherwise, saying so) and
    /// that it has no route to `destination` yet (`taken` otherwise): neither of the inventory
    /// nor one CEN wrote.
    fn free_destination(
        &self,
        state: &State,
        instance: &NetworkInstance,
        (table, destination): (&str, &str),
        bad: fn() -> ApiError,
        taken: fn() -> ApiError,
    ) -> Result<(), ApiError> {
        let routes = instance.route_table(table).ok_or_else(|| {
            errors::saying(
                bad,
                format!(
                    "RouteTableId {table} is not a route table of {}.",
                    instance.instance_id
                ),
            )
        })?;
        let written = state
            .child_routes
            .get(&(table.to_owned(), destination.to_owned()))
            .is_some_and(|r| self.live(r));
        if written
            || routes
                .route_entries
                .iter()
                .any(|r| r.destination_cidr_block == destination)
        {
            return Err(taken());
        }
        Ok(())
    }
}

impl Emulator {
    /// CreateCenChildInstanceRouteEntryToAttachment: adds a route to the route table of a VPC
    /// or VBR connected to a transit router, whose next hop is that connection. The route is
    /// `Pending` for the delay, then `Available`; while it exists, the connection cannot be
    /// deleted without `Force` (`OperationFailed.AttachmentReferencedVpcRouteEntryExisted`).
    ///
    /// Checks, in order: a destination that is not an IPv4 block given as its network address
    /// `InvalidParameter`; the CEN instance not the caller's `ParameterCenInstanceId`; the
    /// connection not a VPC or VBR connection of the CEN instance
    /// `ResourceNotFound.TransitRouterAttachment`, or not Attached `Operation.Blocking`; the
    /// route table not one of the connected network's `InvalidParameter`; a route to the
    /// destination in the table already `InvalidCIDRBlock.Duplicate`. `DryRun` answers
    /// `DryRunOperation`; a ClientToken makes the call idempotent.
    pub fn create_cen_child_instance_route_entry_to_attachment(
        &self,
        caller: &Caller,
        request: t::CreateCenChildInstanceRouteEntryToAttachmentRequest,
    ) -> Result<t::CreateCenChildInstanceRouteEntryToAttachmentResponse, ApiError> {
        use cbn::create_cen_child_instance_route_entry_to_attachment as e;
        let wanted = destination(&request.destination_cidr_block, e::invalid_parameter)?;
        self.write_idempotent(
            caller,
            "CreateCenChildInstanceRouteEntryToAttachment",
            request.client_token.as_deref(),
            &request,
            |state, ctx| {
                ctx.cen(state, caller, &request.cen_id)?;
                let attachment = ctx
                    .child_connection(
                        state,
                        caller,
                        &request.cen_id,
                        &request.transit_router_attachment_id,
                    )
                    .ok_or_else(e::resource_not_found_transit_router_attachment)?;
                ctx.require_ready(attachment, e::operation_blocking)?;
                let instance = ctx
                    .instance(state, &attachment.resource_id)
                    .ok_or_else(e::resource_not_found_transit_router_attachment)?;
                ctx.free_destination(
                    state,
                    instance,
                    (&request.route_table_id, &wanted),
                    e::invalid_parameter,
                    e::invalid_cidr_block_duplicate,
                )?;
                validate::dry_run(request.dry_run, e::dry_run_operation)?;
                state.child_routes.insert(ChildRoute {
                    cen_id: request.cen_id.clone(),
                    owner: caller.uid,
                    instance_id: instance.instance_id.clone(),
                    route_table_id: request.route_table_id.clone(),
                    destination: wanted.clone(),
                    attachment_id: Some(attachment.id.clone()),
                    life: Some(Lifecycle::started(ctx.now)),
                });
                Ok(())
            },
        )?;
        Ok(t::CreateCenChildInstanceRouteEntryToAttachmentResponse {
            request_id: Some(caller.request_id.clone()),
        })
    }

    /// DeleteCenChildInstanceRouteEntryToAttachment: starts deleting a route whose next hop is
    /// a transit-router connection; it is `Deleting` for the delay, then gone.
    ///
    /// Checks, in order: a destination that is not an IPv4 block `InvalidParameter`; the CEN
    /// instance not the caller's `ParameterCenInstanceId`; the connection not a VPC or VBR
    /// connection of the CEN instance `ResourceNotFound.TransitRouterAttachment`; no route to
    /// the destination through that connection in the table `InvalidOperation.NotFoundRoute`;
    /// the route not `Available` `Operation.Blocking`. `DryRun` answers `DryRunOperation`; a
    /// ClientToken makes the call idempotent.
    pub fn delete_cen_child_instance_route_entry_to_attachment(
        &self,
        caller: &Caller,
        request: t::DeleteCenChildInstanceRouteEntryToAttachmentRequest,
    ) -> Result<t::DeleteCenChildInstanceRouteEntryToAttachmentResponse, ApiError> {
        use cbn::delete_cen_child_instance_route_entry_to_attachment as e;
        let wanted = destination(&request.destination_cidr_block, e::invalid_parameter)?;
        self.write_idempotent(
            caller,
            "DeleteCenChildInstanceRouteEntryToAttachment",
            request.client_token.as_deref(),
            &request,
            |state, ctx| {
                ctx.cen(state, caller, &request.cen_id)?;
                let attachment = ctx
                    .child_connection(
                        state,
                        caller,
                        &request.cen_id,
                        &request.transit_router_attachment_id,
                    )
                    .ok_or_else(e::resource_not_found_transit_router_attachment)?;
                let key = (request.route_table_id.clone(), wanted.clone());
                let route = state
                    .child_routes
                    .get(&key)
                    .filter(|r| ctx.live(*r) && r.attachment_id.as_ref() == Some(&attachment.id))
                    .ok_or_else(e::invalid_operation_not_found_route)?;
                ctx.require_ready(route, e::operation_blocking)?;
                validate::dry_run(request.dry_run, e::dry_run_operation)?;
                if let Some(mut route) = state.child_routes.get_mut(&key)
                    && let Some(life) = route.life.as_mut()
                {
                    life.deleting_at = Some(ctx.now);
                }
                Ok(())
            },
        )?;
        Ok(t::DeleteCenChildInstanceRouteEntryToAttachmentResponse {
            request_id: Some(caller.request_id.clone()),
        })
    }

    /// ListCenChildInstanceRouteEntriesToAttachment: the routes of a route table of a child
    /// instance whose next hop is the connection TransitRouterAttachmentId, in creation order,
    /// paged by MaxResults (1 to 100, default 20) and NextToken (`InvalidParameter` for bad
    /// ones); an unknown connection or table answers an empty list. Filters: CenId, RouteFilter
    /// (`PrefixExactMatchCidrs`, `LongestPrefixMatchCidrs`, `SubnetOfMatchCidrs`,
    /// `SupernetOfMatchCidrs`; `InvalidParameter` for another mode or a value that is no block
    /// or address) and ServiceType. Emulator rule: the routes this API creates are not hosted
    /// (no ServiceType), so a ServiceType filter matches none of them.
    pub fn list_cen_child_instance_route_entries_to_attachment(
        &self,
        caller: &Caller,
        request: t::ListCenChildInstanceRouteEntriesToAttachmentRequest,
    ) -> Result<t::ListCenChildInstanceRouteEntriesToAttachmentResponse, ApiError> {
        use cbn::list_cen_child_instance_route_entries_to_attachment as e;
        let page = TokenPage::standard(
            request.max_results,
            request.next_token.as_deref(),
            e::invalid_parameter,
        )?;
        let filters = request
            .route_filter
            .iter()
            .map(|f| route_filter(f.key.as_deref()?, &f.value))
            .collect::<Option<Vec<_>>>()
            .ok_or_else(|| {
                errors::saying(
                    e::invalid_parameter,
                    "RouteFilter takes a match mode and CIDR blocks or addresses.",
                )
            })?;
        let (items, next_token) = self.read(|state, ctx| {
            let routes: Vec<&ChildRoute> = state
                .child_routes
                .children_of(0, &request.transit_router_attachment_id)
                .filter(|r| {
                    r.owner == caller.uid
                        && ctx.live(*r)
                        && r.route_table_id == request.child_instance_route_table_id
                        && validate::matches(&request.cen_id, Some(r.cen_id.as_str()))
                        && given(&request.service_type).is_none()
                })
                .collect();
            let destinations: Vec<IpNet> = routes
                .iter()
                .filter_map(|r| r.destination.parse().ok())
                .collect();
            let matched = routes.into_iter().filter(|r| {
                r.destination.parse::<IpNet>().is_ok_and(|d| {
                    filters
                        .iter()
                        .all(|f| route_filter_keeps(f, d, &destinations))
                })
            });
            let (page, next, _) = page.slice(matched.sequenced(&state.child_routes));
            let items = page
                .into_iter()
                .map(|r| t::CenChildInstanceRouteEntryToAttachment {
                    cen_id: Some(r.cen_id.clone()),
                    child_instance_route_table_id: Some(r.route_table_id.clone()),
                    destination_cidr_block: Some(r.destination.clone()),
                    service_type: None,
                    status: Some(ctx.status(r).into()),
                    transit_router_attachment_id: r.attachment_id.clone(),
                })
                .collect();
            (items, next)
        });
        Ok(t::ListCenChildInstanceRouteEntriesToAttachmentResponse {
            next_token,
            request_id: Some(caller.request_id.clone()),
            route_entry: items,
        })
    }

    /// CreateCenChildInstanceRouteEntryToCen: adds a route whose next hop is the CEN instance
    /// to a route table of a VPC or VBR attached to it (Basic Edition), at once; while it
    /// exists, the instance cannot be detached
    /// (`OperationFailed.AttachmentReferencedVpcRouteEntryExisted`). Emulator rule: the
    /// operation is open to every account (the service opens it by ticket).
    ///
    /// Checks, in order: a destination that is not an IPv4 block given as its network address
    /// `InvalidParameter`; a type other than `VPC` or `VBR`
    /// `ParameterIllegal.ChildInstanceType`; then as PublishRouteEntries: the CEN instance not
    /// the caller's `ParameterIllegal.CenInstanceId`, the instance not attached to it
    /// `Instance.NotExist`, of another type or region `ParameterIllegal.ChildInstanceType` /
    /// `ParameterIllegal.ChildInstanceRegionId`; a ChildInstanceAliUid other than the
    /// instance's owner `ParameterInstanceId`; the CEN instance or the attachment in a
    /// transition `InvalidOperation.CenInstanceStatus` / `InvalidOperation.ChildInstanceStatus`;
    /// the route table not the instance's `InvalidParameter`; a route to the destination in
    /// the table already `InvalidCIDRBlock.Duplicate`.
    pub fn create_cen_child_instance_route_entry_to_cen(
        &self,
        caller: &Caller,
        request: t::CreateCenChildInstanceRouteEntryToCenRequest,
    ) -> Result<t::CreateCenChildInstanceRouteEntryToCenResponse, ApiError> {
        use cbn::create_cen_child_instance_route_entry_to_cen as e;
        let wanted = destination(&request.destination_cidr_block, e::invalid_parameter)?;
        let child = BasicChild::of(
            &request.cen_id,
            &request.child_instance_id,
            request.child_instance_type.as_str(),
            &request.child_instance_region_id,
            request.child_instance_ali_uid,
        )?;
        self.write(|state, ctx| {
            let instance = child.resolve(ctx, state, caller)?;
            ctx.free_destination(
                state,
                instance,
                (&request.route_table_id, &wanted),
                e::invalid_parameter,
                e::invalid_cidr_block_duplicate,
            )?;
            state.child_routes.insert(ChildRoute {
                cen_id: request.cen_id.clone(),
                owner: caller.uid,
                instance_id: instance.instance_id.clone(),
                route_table_id: request.route_table_id.clone(),
                destination: wanted.clone(),
                attachment_id: None,
                life: None,
            });
            Ok(())
        })?;
        Ok(t::CreateCenChildInstanceRouteEntryToCenResponse {
            request_id: Some(caller.request_id.clone()),
        })
    }

    /// DeleteCenChildInstanceRouteEntryToCen: removes a route whose next hop is the CEN
    /// instance from a route table of an attached VPC or VBR, at once.
    ///
    /// The checks of CreateCenChildInstanceRouteEntryToCen up to the attachment's status,
    /// then: no route to the destination through the CEN instance in that table of the
    /// instance `InvalidOperation.NotFoundRoute`.
    pub fn delete_cen_child_instance_route_entry_to_cen(
        &self,
        caller: &Caller,
        request: t::DeleteCenChildInstanceRouteEntryToCenRequest,
    ) -> Result<t::DeleteCenChildInstanceRouteEntryToCenResponse, ApiError> {
        use cbn::delete_cen_child_instance_route_entry_to_cen as e;
        let wanted = destination(&request.destination_cidr_block, e::invalid_parameter)?;
        let child = BasicChild::of(
            &request.cen_id,
            &request.child_instance_id,
            request.child_instance_type.as_str(),
            &request.child_instance_region_id,
            request.child_instance_ali_uid,
        )?;
        self.write(|state, ctx| {
            let instance = child.resolve(ctx, state, caller)?;
            let key = (request.route_table_id.clone(), wanted.clone());
            state
                .child_routes
                .get(&key)
                .filter(|r| {
                    r.attachment_id.is_none()
                        && r.cen_id == request.cen_id
                        && r.instance_id == instance.instance_id
                })
                .ok_or_else(e::invalid_operation_not_found_route)?;
            state.child_routes.remove(&key);
            Ok(())
        })?;
        Ok(t::DeleteCenChildInstanceRouteEntryToCenResponse {
            request_id: Some(caller.request_id.clone()),
        })
    }

    /// DescribeCenChildInstanceRouteEntries: the routes of a route table of an instance
    /// attached to a CEN instance of the caller (ChildInstanceRouteTableId, by default the
    /// instance's first table, its system table): the inventory's routes with their publish
    /// status and the other attached instances that advertise the same destination
    /// (`Conflicts`), then the `Available` routes CEN wrote (next hop `CEN` or a
    /// transit-router connection, `Custom`). Paged by PageNumber and PageSize (1 to 500,
    /// default 10; `InvalidParameter` otherwise). Status `Active` or `All` (the default)
    /// lists them all; emulator rule: a route of its own table is always `Active`, so the
    /// other statuses list none.
    ///
    /// The instance is checked as PublishRouteEntries checks it (`ParameterIllegal.CenInstanceId`,
    /// `Instance.NotExist`, `ParameterIllegal.ChildInstanceType`,
    /// `ParameterIllegal.ChildInstanceRegionId`; without ChildInstanceRegionId, its own
    /// region); a route table that is not the instance's `Instance.NotExist`.
    pub fn describe_cen_child_instance_route_entries(
        &self,
        caller: &Caller,
        request: t::DescribeCenChildInstanceRouteEntriesRequest,
    ) -> Result<t::DescribeCenChildInstanceRouteEntriesResponse, ApiError> {
        let page = Page::new(request.page_number, request.page_size, 500)?;
        let kind = request.child_instance_type.as_str().to_owned();
        let listed = request
            .status
            .as_ref()
            .is_none_or(|s| matches!(s.as_str(), "Active" | "All"));
        let items = self.read(|state, ctx| {
            let region = match given(&request.child_instance_region_id) {
                Some(region) => region.to_owned(),
                None => ctx
                    .attachment_of(state, &request.child_instance_id)
                    .map(|a| a.region_id.clone())
                    .unwrap_or_default(),
            };
            let (attachment, instance) = attached_instance(
                ctx,
                state,
                caller,
                &request.cen_id,
                &request.child_instance_id,
                &kind,
                &region,
            )?;
            let table = match given(&request.child_instance_route_table_id) {
                Some(id) => instance.route_table(id),
                None => instance.route_tables.first(),
            }
            .ok_or_else(errors::instance_not_exist)?;
            if !listed {
                return Ok(Vec::new());
            }
            let routes = advertised(ctx, state, &request.cen_id);
            let mut items: Vec<t::CenChildInstanceRouteEntry> = table
                .route_entries
                .iter()
                .map(|entry| {
                    let published = is_published(state, attachment, &table.route_table_id, entry);
                    let conflicts = conflicts_with(
                        &routes,
                        &attachment.instance_id,
                        &entry.destination_cidr_block,
                    )
                    .filter(|_| published)
                    .map(|other| t::Conflict {
                        destination_cidr_block: Some(entry.destination_cidr_block.clone()),
                        instance_id: Some(other.instance_id.clone()),
                        instance_type: Some(other.instance_type.as_str().into()),
                        region_id: Some(other.region_id.clone()),
                        status: Some("conflict".into()),
                    })
                    .collect();
                    t::CenChildInstanceRouteEntry {
                        conflicts: Some(t::CenChildInstanceRouteEntryConflicts {
                            conflict: conflicts,
                        }),
                        destination_cidr_block: Some(entry.destination_cidr_block.clone()),
                        next_hop_instance_id: Some(entry.next_hop_id.clone())
                            .filter(|h| !h.is_empty()),
                        next_hop_type: Some(entry.next_hop_type.clone()),
                        operational_mode: Some(entry.is_operational()),
                        publish_status: Some(
                            if published {
                                "Published"
                            } else {
                                "NonPublished"
                            }
                            .into(),
                        ),
                        route_table_id: Some(table.route_table_id.clone()),
                        status: Some("Active".into()),
                        type_: Some(entry.route_type.clone()),
                        ..Default::default()
                    }
                })
                .collect();
            for route in state.child_routes.iter().filter(|r| {
                r.route_table_id == table.route_table_id
                    && r.instance_id == instance.instance_id
                    && ctx.phase(*r) == Phase::Ready
            }) {
                let (hop_type, hop) = match &route.attachment_id {
                    Some(attachment) => ("Attachment", attachment.clone()),
                    None => ("CEN", route.cen_id.clone()),
                };
                items.push(t::CenChildInstanceRouteEntry {
                    conflicts: Some(t::CenChildInstanceRouteEntryConflicts::default()),
                    destination_cidr_block: Some(route.destination.clone()),
                    next_hop_instance_id: Some(hop),
                    next_hop_region_id: Some(instance.region_id.clone()),
                    next_hop_type: Some(hop_type.into()),
                    operational_mode: Some(false),
                    publish_status: Some("NonPublished".into()),
                    route_table_id: Some(table.route_table_id.clone()),
                    status: Some("Active".into()),
                    type_: Some("Custom".into()),
                    ..Default::default()
                });
            }
            Ok::<_, ApiError>(items)
        })?;
        let (cen_route_entry, total) = page.slice(items);
        Ok(t::DescribeCenChildInstanceRouteEntriesResponse {
            cen_route_entries: Some(
                t::DescribeCenChildInstanceRouteEntriesResponseCenRouteEntries { cen_route_entry },
            ),
            page_number: Some(page.number),
            page_size: Some(page.size),
            request_id: Some(caller.request_id.clone()),
            total_count: Some(total),
        })
    }

    /// DescribeChildInstanceRegions: the regions where the caller has network instances of
    /// ProductType (`VPC`, `VBR`, `CCN`; all three when absent; `InvalidParameter` for
    /// another) that CEN can attach, in the order of DescribeGeographicRegionMembership, with
    /// their English names. Emulator rule: the regions come from the inventory of the caller's
    /// instances (the service lists every region it supports for the type), and LocalName is
    /// English whatever AcceptLanguage says.
    pub fn describe_child_instance_regions(
        &self,
        caller: &Caller,
        request: t::DescribeChildInstanceRegionsRequest,
    ) -> Result<t::DescribeChildInstanceRegionsResponse, ApiError> {
        use cbn::describe_child_instance_regions as e;
        let wanted = match &request.product_type {
            None => None,
            Some(t::ChildInstanceType::Unknown(other)) => {
                return Err(errors::saying(
                    e::invalid_parameter,
                    format!("ProductType {other} is not VPC, VBR or CCN."),
                ));
            }
            Some(kind) => InstanceType::parse(kind.as_str()),
        };
        let kinds = [InstanceType::Vpc, InstanceType::Vbr, InstanceType::Ccn];
        let regions: Vec<String> = self.read(|state, ctx| {
            let mut held: Vec<&str> = ctx
                .instances(state)
                .filter(|i| {
                    i.owner_id == caller.uid
                        && kinds.contains(&i.instance_type)
                        && wanted.is_none_or(|w| i.instance_type == w)
                })
                .map(|i| i.region_id.as_str())
                .collect();
            held.sort_by_key(|r| crate::geo::membership_order(r));
            held.dedup();
            held.into_iter().map(str::to_owned).collect()
        });
        Ok(t::DescribeChildInstanceRegionsResponse {
            regions: Some(t::DescribeChildInstanceRegionsResponseRegions {
                region: regions
                    .into_iter()
                    .map(|region| t::ChildInstanceRegion {
                        local_name: Some(crate::geo::local_name(&region).to_owned()),
                        region_id: Some(region),
                    })
                    .collect(),
            }),
            request_id: Some(caller.request_id.clone()),
        })
    }
}

/// A child instance of a Basic Edition CEN instance as a route operation names it.
struct BasicChild<'r> {
    cen_id: &'r str,
    instance_id: &'r str,
    kind: &'r str,
    region: &'r str,
    owner: Option<i64>,
}

impl<'r> BasicChild<'r> {
    /// Checks the type: `VPC` or `VBR` (`ParameterIllegal.ChildInstanceType`).
    fn of(
        cen_id: &'r str,
        instance_id: &'r str,
        kind: &'r str,
        region: &'r str,
        owner: Option<i64>,
    ) -> Result<Self, ApiError> {
        if !matches!(kind, "VPC" | "VBR") {
            return Err(errors::illegal_child_type());
        }
        Ok(Self {
            cen_id,
            instance_id,
            kind,
            region,
            owner,
        })
    }

    /// The attached instance, checked as PublishRouteEntries checks it, owned by the named
    /// account (`ParameterInstanceId`), with the CEN instance and the attachment Active and
    /// Attached (`InvalidOperation.CenInstanceStatus`, `InvalidOperation.ChildInstanceStatus`).
    fn resolve<'s>(
        &self,
        ctx: &'s Ctx<'_>,
        state: &'s State,
        caller: &Caller,
    ) -> Result<&'s NetworkInstance, ApiError>
    where
        'r: 's,
    {
        let (attachment, instance) = attached_instance(
            ctx,
            state,
            caller,
            self.cen_id,
            self.instance_id,
            self.kind,
            self.region,
        )?;
        if self.owner.is_some_and(|o| o != attachment.owner) {
            return Err(errors::instance_not_found());
        }
        ctx.active_cen(state, caller, self.cen_id)?;
        ctx.require_ready(attachment, errors::child_status)?;
        Ok(instance)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn destinations_are_network_addresses() {
        let bad = errors::invalid_parameter;
        assert_eq!(destination("10.1.0.0/16", bad).unwrap(), "10.1.0.0/16");
        assert!(destination("10.1.0.1/16", bad).is_err());
        assert!(destination("fd00::/8", bad).is_err());
    }
}
