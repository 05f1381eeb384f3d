//! Routes: DescribeCenRegionDomainRouteEntries, DescribeRouteConflict,
//! DescribePublishedRouteEntries, PublishRouteEntries, WithdrawPublishedRouteEntries.
//!
//! CEN learns the published routes of every Attached network instance: system and BGP routes
//! always, custom routes once PublishRouteEntries advertised them. Two attached instances that
//! advertise the same destination conflict (ProtectionLevel REDUCED allows overlapping blocks
//! but not identical ones): the instance attached first keeps the route.

use acs_rpc::error::ApiError;

use crate::api::cbn as t;
use crate::emulator::{Caller, Ctx, Emulator};
use crate::errors;
use crate::inventory::{NetworkInstance, RouteEntry};
use crate::state::{Attachment, Phase, Resource, RoutePublication, State};
use crate::validate::Page;

/// One route a network instance advertises to a CEN instance.
pub(crate) struct Advertised<'s> {
    attachment: &'s Attachment,
    entry: &'s RouteEntry,
}

/// Whether a route of an attachment is advertised to its CEN instance.
pub(crate) fn is_published(
    state: &State,
    attachment: &Attachment,
    table: &str,
    entry: &RouteEntry,
) -> bool {
    state
        .publications
        .get(&(
            attachment.cen_id.clone(),
            attachment.instance_id.clone(),
            table.to_owned(),
            entry.destination_cidr_block.clone(),
        ))
        .map_or_else(|| entry.published_by_default(), |p| p.published)
}

/// The routes every Attached instance of a CEN instance advertises, in attach order.
pub(crate) fn advertised<'s>(
    ctx: &Ctx<'s>,
    state: &'s State,
    cen_id: &'s str,
) -> Vec<Advertised<'s>> {
    let mut out = Vec::new();
    for attachment in ctx.attachments(state, cen_id) {
        if ctx.phase(attachment) != Phase::Ready {
            continue;
        }
        let Some(instance) = ctx.instance(state, &attachment.instance_id) else {
            continue;
        };
        for table in &instance.route_tables {
            for entry in &table.route_entries {
                if is_published(state, attachment, &table.route_table_id, entry) {
                    out.push(Advertised { attachment, entry });
                }
            }
        }
    }
    out
}

/// The other instances of the same CEN instance that advertise a destination.
pub(crate) fn conflicts_with<'s>(
    routes: &'s [Advertised<'s>],
    instance_id: &'s str,
    cidr: &'s str,
) -> impl Iterator<Item = &'s Attachment> + 's {
    let mut seen: Vec<&str> = Vec::new();
    routes
        .iter()
        .filter(move |r| {
            r.attachment.instance_id != instance_id && r.entry.destination_cidr_block == cidr
        })
        .map(|r| r.attachment)
        .filter(move |a| {
            if seen.contains(&a.instance_id.as_str()) {
                false
            } else {
                seen.push(&a.instance_id);
                true
            }
        })
}

/// The attachment and instance a route operation names: the CEN instance must be the caller's
/// (`ParameterIllegal.CenInstanceId`), the instance attached to it (`Instance.NotExist`), of
/// that type and region (`ParameterIllegal.ChildInstanceType` / `.ChildInstanceRegionId`).
pub(crate) fn attached_instance<'s>(
    ctx: &'s Ctx<'_>,
    state: &'s State,
    caller: &Caller,
    cen_id: &'s str,
    instance_id: &str,
    kind: &str,
    region: &str,
) -> Result<(&'s Attachment, &'s NetworkInstance), ApiError> {
    ctx.cen(state, caller, cen_id)
        .map_err(|_| errors::illegal_cen_id())?;
    let attachment = ctx
        .attachments(state, cen_id)
        .find(|a| a.instance_id == instance_id)
        .ok_or_else(errors::instance_not_exist)?;
    if attachment.instance_type.as_str() != kind {
        return Err(errors::illegal_child_type());
    }
    if attachment.region_id != region {
        return Err(errors::illegal_child_region());
    }
    let instance = ctx
        .instance(state, instance_id)
        .ok_or_else(errors::instance_not_exist)?;
    Ok((attachment, instance))
}

/// The fields shared by PublishRouteEntries and WithdrawPublishedRouteEntries.
struct RouteChange<'r> {
    cen_id: &'r str,
    instance_id: &'r str,
    kind: String,
    region: &'r str,
    table: &'r str,
    cidr: &'r str,
    publish: bool,
}

impl Emulator {
    fn change_publication(&self, caller: &Caller, change: RouteChange<'_>) -> Result<(), ApiError> {
        self.write(|state, ctx| {
            let (attachment, instance) = attached_instance(
                ctx,
                state,
                caller,
                change.cen_id,
                change.instance_id,
                &change.kind,
                change.region,
            )?;
            let cen = ctx.cen(state, caller, change.cen_id)?;
            ctx.require_ready(cen, errors::cen_status)?;
            ctx.require_ready(attachment, errors::child_status)?;
            let table = instance
                .route_table(change.table)
                .ok_or_else(errors::instance_not_exist)?;
            let entry = table
                .route_entries
                .iter()
                .find(|e| e.destination_cidr_block == change.cidr)
                .ok_or_else(|| errors::not_found_route(change.publish))?;
            if !entry.is_operational() {
                return Err(errors::unsupported_next_hop(change.publish));
            }
            let key = RoutePublication {
                cen_id: change.cen_id.to_owned(),
                instance_id: change.instance_id.to_owned(),
                route_table_id: change.table.to_owned(),
                cidr: change.cidr.to_owned(),
                published: change.publish,
            };
            // A change moves the publication to the end, as a new one.
            state.publications.remove(&key.key());
            state.publications.insert(key);
            Ok(())
        })
    }

    /// PublishRouteEntries: advertises a custom route of an attached VPC or VBR to CEN.
    ///
    /// Errors: CEN instance not the caller's `ParameterIllegal.CenInstanceId`; instance not
    /// attached to it `Instance.NotExist`; wrong type or region
    /// `ParameterIllegal.ChildInstanceType` / `.ChildInstanceRegionId`; CEN not Active
    /// `InvalidOperation.CenInstanceStatus`; attachment not Attached
    /// `InvalidOperation.ChildInstanceStatus`; unknown route table `Instance.NotExist`; no route
    /// to DestinationCidrBlock in it `InvalidOperation.NotFoundRoute`; a system or BGP route, or
    /// a custom route whose next hop is not an ECS instance, HaVip or router interface
    /// `InvalidOperation.UnsupportnexthopType`. Publishing twice is harmless.
    pub fn publish_route_entries(
        &self,
        caller: &Caller,
        request: t::PublishRouteEntriesRequest,
    ) -> Result<t::PublishRouteEntriesResponse, ApiError> {
        self.change_publication(
            caller,
            RouteChange {
                cen_id: &request.cen_id,
                instance_id: &request.child_instance_id,
                kind: request.child_instance_type.to_string(),
                region: &request.child_instance_region_id,
                table: &request.child_instance_route_table_id,
                cidr: &request.destination_cidr_block,
                publish: true,
            },
        )?;
        Ok(t::PublishRouteEntriesResponse {
            request_id: Some(caller.request_id.clone()),
        })
    }

    /// WithdrawPublishedRouteEntries: stops advertising a custom route of an attached VPC, with
    /// the errors of PublishRouteEntries (in this operation's wording). Withdrawing a route that
    /// is not advertised is harmless.
    pub fn withdraw_published_route_entries(
        &self,
        caller: &Caller,
        request: t::WithdrawPublishedRouteEntriesRequest,
    ) -> Result<t::WithdrawPublishedRouteEntriesResponse, ApiError> {
        self.change_publication(
            caller,
            RouteChange {
                cen_id: &request.cen_id,
                instance_id: &request.child_instance_id,
                kind: request.child_instance_type.to_string(),
                region: &request.child_instance_region_id,
                table: &request.child_instance_route_table_id,
                cidr: &request.destination_cidr_block,
                publish: false,
            },
        )?;
        Ok(t::WithdrawPublishedRouteEntriesResponse {
            request_id: Some(caller.request_id.clone()),
        })
    }

    /// DescribePublishedRouteEntries: every route of an attached instance (optionally of one
    /// route table and destination) with whether it is advertised, whether it may be
    /// published or withdrawn (OperationalMode) and, for an advertised route, the instances it
    /// conflicts with. Errors as for PublishRouteEntries, except that any CEN and attachment
    /// status may be queried. Paged (PageSize 1 to 50).
    pub fn describe_published_route_entries(
        &self,
        caller: &Caller,
        request: t::DescribePublishedRouteEntriesRequest,
    ) -> Result<t::DescribePublishedRouteEntriesResponse, ApiError> {
        let page = Page::new(request.page_number, request.page_size, 50)?;
        let kind = request.child_instance_type.to_string();
        let table_filter = request
            .child_instance_route_table_id
            .as_deref()
            .filter(|t| !t.is_empty());
        let cidr_filter = request
            .destination_cidr_block
            .as_deref()
            .filter(|c| !c.is_empty());
        let items = self.read(|state, ctx| {
            let (attachment, instance) = attached_instance(
                ctx,
                state,
                caller,
                &request.cen_id,
                &request.child_instance_id,
                &kind,
                &request.child_instance_region_id,
            )?;
            if let Some(table) = table_filter
                && instance.route_table(table).is_none()
            {
                return Err(errors::instance_not_exist());
            }
            let routes = advertised(ctx, state, &request.cen_id);
            let mut items = Vec::new();
            for table in &instance.route_tables {
                if table_filter.is_some_and(|t| t != table.route_table_id) {
                    continue;
                }
                for entry in &table.route_entries {
                    if cidr_filter.is_some_and(|c| c != entry.destination_cidr_block) {
                        continue;
                    }
                    let published = is_published(state, attachment, &table.route_table_id, entry);
                    let conflicts = if published {
                        conflicts_with(
                            &routes,
                            &attachment.instance_id,
                            &entry.destination_cidr_block,
                        )
                        .map(|other| t::RouteConflict {
                            destination_cidr_block: Some(entry.destination_cidr_block.clone()),
                            instance_id: Some(other.instance_id.clone()),
                            instance_type: Some(other.instance_type.as_str().into()),
                            region_id: Some(other.region_id.clone()),
                            status: Some("conflict".into()),
                        })
                        .collect()
                    } else {
                        Vec::new()
                    };
                    items.push(t::PublishedRouteEntry {
                        child_instance_route_table_id: Some(table.route_table_id.clone()),
                        conflicts: Some(t::PublishedRouteEntryConflicts {
                            conflict: conflicts,
                        }),
                        destination_cidr_block: Some(entry.destination_cidr_block.clone()),
                        next_hop_id: Some(entry.next_hop_id.clone()),
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
                        route_type: Some(entry.route_type.clone()),
                    });
                }
            }
            Ok(items)
        })?;
        let (published_route_entry, total) = page.slice(items);
        Ok(t::DescribePublishedRouteEntriesResponse {
            page_number: Some(page.number),
            page_size: Some(page.size),
            published_route_entries: Some(
                t::DescribePublishedRouteEntriesResponsePublishedRouteEntries {
                    published_route_entry,
                },
            ),
            request_id: Some(caller.request_id.clone()),
            total_count: Some(total),
        })
    }

    /// DescribeCenRegionDomainRouteEntries: the routes a CEN instance of the caller offers in a
    /// region, learned from every Attached instance in every region (type `CEN`, next hop the
    /// instance). A destination advertised by several instances is `Active` for the one
    /// attached first and `Rejected` for the others. Status filters (`All`, the default, keeps
    /// everything). Unknown CEN instance: `ParameterCenInstanceId`. Paged (PageSize 1 to 500).
    pub fn describe_cen_region_domain_route_entries(
        &self,
        caller: &Caller,
        request: t::DescribeCenRegionDomainRouteEntriesRequest,
    ) -> Result<t::DescribeCenRegionDomainRouteEntriesResponse, ApiError> {
        let page = Page::new(request.page_number, request.page_size, 500)?;
        let wanted = request.status.map(|s| s.to_string()).filter(|s| s != "All");
        let items = self.read(|state, ctx| {
            ctx.cen(state, caller, &request.cen_id)?;
            let routes = advertised(ctx, state, &request.cen_id);
            let mut winners: Vec<(&str, &str)> = Vec::new();
            let mut items = Vec::new();
            let mut emitted: Vec<(&str, &str)> = Vec::new();
            for route in &routes {
                let cidr = route.entry.destination_cidr_block.as_str();
                let instance = route.attachment.instance_id.as_str();
                // An instance advertising one destination from two tables yields one route.
                if emitted.contains(&(cidr, instance)) {
                    continue;
                }
                emitted.push((cidr, instance));
                let status = match winners.iter().find(|(c, _)| *c == cidr) {
                    Some(_) => "Rejected",
                    None => {
                        winners.push((cidr, instance));
                        "Active"
                    }
                };
                if wanted.as_deref().is_some_and(|w| w != status) {
                    continue;
                }
                items.push(t::CenRegionDomainRouteEntry {
                    as_paths: Some(t::CenRegionDomainRouteEntryAsPaths { as_path: vec![] }),
                    cen_out_route_map_records: Some(
                        t::CenRegionDomainRouteEntryCenOutRouteMapRecords {
                            cen_out_route_map_record: vec![],
                        },
                    ),
                    cen_route_map_records: Some(t::CenRegionDomainRouteEntryCenRouteMapRecords {
                        cen_route_map_record: vec![],
                    }),
                    communities: Some(t::CenRegionDomainRouteEntryCommunities {
                        community: vec![],
                    }),
                    destination_cidr_block: Some(cidr.to_owned()),
                    next_hop_instance_id: Some(instance.to_owned()),
                    next_hop_region_id: Some(route.attachment.region_id.clone()),
                    next_hop_type: Some(route.attachment.instance_type.as_str().into()),
                    preference: Some(50),
                    status: Some(status.into()),
                    to_other_region_status: Some("Active".into()),
                    type_: Some("CEN".into()),
                });
            }
            Ok::<_, ApiError>(items)
        })?;
        let (cen_route_entry, total) = page.slice(items);
        Ok(t::DescribeCenRegionDomainRouteEntriesResponse {
            cen_route_entries: Some(
                t::DescribeCenRegionDomainRouteEntriesResponseCenRouteEntries { cen_route_entry },
            ),
            page_number: Some(page.number),
            page_size: Some(page.size),
            request_id: Some(caller.request_id.clone()),
            total_count: Some(total),
        })
    }

    /// DescribeRouteConflict: the instances whose routes conflict with those of one route table
    /// of a network instance of the caller (status `conflict`), optionally for one destination.
    /// An instance that is not attached has no conflicts.
    ///
    /// Errors: no such instance of the caller with that type and region
    /// `InvalidChildInstanceId.NotFound`; an unknown route table `InvalidParameter`. Paged
    /// (PageSize 1 to 50).
    pub fn describe_route_conflict(
        &self,
        caller: &Caller,
        request: t::DescribeRouteConflictRequest,
    ) -> Result<t::DescribeRouteConflictResponse, ApiError> {
        let page = Page::new(request.page_number, request.page_size, 50)?;
        let kind = request.child_instance_type.to_string();
        let cidr_filter = request
            .destination_cidr_block
            .as_deref()
            .filter(|c| !c.is_empty());
        let items = self.read(|state, ctx| {
            let instance = ctx
                .instance(state, &request.child_instance_id)
                .filter(|i| {
                    i.owner_id == caller.uid
                        && i.instance_type.as_str() == kind
                        && i.region_id == request.child_instance_region_id
                })
                .ok_or_else(errors::child_id_not_found)?;
            let table = instance
                .route_table(&request.child_instance_route_table_id)
                .ok_or_else(errors::invalid_parameter)?;
            let Some(attachment) = ctx
                .attachment_of(state, &instance.instance_id)
                .filter(|a| ctx.phase(*a) == Phase::Ready)
            else {
                return Ok(Vec::new());
            };
            let routes = advertised(ctx, state, &attachment.cen_id);
            let mut items = Vec::new();
            for entry in &table.route_entries {
                if cidr_filter.is_some_and(|c| c != entry.destination_cidr_block)
                    || !is_published(state, attachment, &table.route_table_id, entry)
                {
                    continue;
                }
                for other in conflicts_with(
                    &routes,
                    &instance.instance_id,
                    &entry.destination_cidr_block,
                ) {
                    items.push(t::RouteConflict {
                        destination_cidr_block: Some(entry.destination_cidr_block.clone()),
                        instance_id: Some(other.instance_id.clone()),
                        instance_type: Some(other.instance_type.as_str().into()),
                        region_id: Some(other.region_id.clone()),
                        status: Some("conflict".into()),
                    });
                }
            }
            Ok(items)
        })?;
        let (route_conflict, total) = page.slice(items);
        Ok(t::DescribeRouteConflictResponse {
            page_number: Some(page.number),
            page_size: Some(page.size),
            request_id: Some(caller.request_id.clone()),
            route_conflicts: Some(t::DescribeRouteConflictResponseRouteConflicts {
                route_conflict,
            }),
            total_count: Some(total),
        })
    }
}

#[cfg(test)]
mod tests {
    use crate::testing::{A, Harness, req};
    use serde_json::json;

    const HZ1: &str = "vpc-bp1emuhz00000000001";
    const HZ2: &str = "vpc-bp1emuhz00000000002";
    const SH: &str = "vpc-uf6emush00000000001";

    fn routes(h: &Harness, cen: &str, status: Option<&str>) -> Vec<(String, String, String)> {
        let mut body = json!({"CenId": cen, "CenRegionId": "cn-hangzhou", "PageSize": 500});
        if let Some(s) = status {
            body["Status"] = s.into();
        }
        h.emulator
            .describe_cen_region_domain_route_entries(&h.caller(A), req(body))
            .unwrap()
            .cen_route_entries
            .unwrap()
            .cen_route_entry
            .into_iter()
            .map(|r| {
                (
                    r.destination_cidr_block.unwrap(),
                    r.next_hop_instance_id.unwrap(),
                    r.status.unwrap(),
                )
            })
            .collect()
    }

    fn change(h: &Harness, publish: bool, body: serde_json::Value) -> Result<(), (u16, String)> {
        let result = if publish {
            h.emulator
                .publish_route_entries(&h.caller(A), req(body))
                .map(|_| ())
        } else {
            h.emulator
                .withdraw_published_route_entries(&h.caller(A), req(body))
                .map(|_| ())
        };
        result.map_err(|e| (e.status, e.code))
    }

    #[test]
    fn learned_routes_conflicts_and_publication() {
        let h = Harness::new();
        let cen = h.active_cen(A);
        h.attach(A, &cen, HZ1, "VPC", "cn-hangzhou");
        h.attach(A, &cen, HZ2, "VPC", "cn-hangzhou");
        // Nothing is learned while attaching.
        assert!(routes(&h, &cen, None).is_empty());
        h.advance();
        h.attach(A, &cen, SH, "VPC", "cn-shanghai");
        h.advance();
        assert_eq!(
            routes(&h, &cen, None),
            [
                ("172.16.0.0/16".into(), HZ1.into(), "Active".into()),
                ("192.168.0.0/16".into(), HZ2.into(), "Active".into()),
                ("192.168.0.0/16".into(), SH.into(), "Rejected".into()),
            ]
        );
        assert_eq!(routes(&h, &cen, Some("Rejected")).len(), 1);

        let conflict = h
            .emulator
            .describe_route_conflict(
                &h.caller(A),
                req(json!({"ChildInstanceId": SH, "ChildInstanceType": "VPC", "ChildInstanceRegionId": "cn-shanghai", "ChildInstanceRouteTableId": "vtb-uf6emush00000000001"})),
            )
            .unwrap();
        assert_eq!(conflict.total_count, Some(1));
        let item = &conflict.route_conflicts.unwrap().route_conflict[0];
        assert_eq!(item.instance_id.as_deref(), Some(HZ2));
        assert_eq!(item.status.as_deref(), Some("conflict"));
        let none = h
            .emulator
            .describe_route_conflict(
                &h.caller(A),
                req(json!({"ChildInstanceId": HZ1, "ChildInstanceType": "VPC", "ChildInstanceRegionId": "cn-hangzhou", "ChildInstanceRouteTableId": "vtb-bp1emuhz00000000001"})),
            )
            .unwrap();
        assert_eq!(none.total_count, Some(0));
        let e = h
            .emulator
            .describe_route_conflict(
                &h.caller(A),
                req(json!({"ChildInstanceId": "vpc-nope", "ChildInstanceType": "VPC", "ChildInstanceRegionId": "cn-hangzhou", "ChildInstanceRouteTableId": "vtb-x"})),
            )
            .unwrap_err();
        assert_eq!(
            (e.status, e.code.as_str()),
            (404, "InvalidChildInstanceId.NotFound")
        );

        // Publishing the ECS custom route makes CEN learn it; withdrawing forgets it.
        let route = |cidr: &str| json!({"CenId": cen, "ChildInstanceId": HZ1, "ChildInstanceType": "VPC", "ChildInstanceRegionId": "cn-hangzhou", "ChildInstanceRouteTableId": "vtb-bp1emuhz00000000001", "DestinationCidrBlock": cidr});
        change(&h, true, route("10.100.0.0/16")).unwrap();
        assert!(
            routes(&h, &cen, None)
                .iter()
                .any(|r| r.0 == "10.100.0.0/16")
        );
        let published = h
            .emulator
            .describe_published_route_entries(
                &h.caller(A),
                req(json!({"CenId": cen, "ChildInstanceId": HZ1, "ChildInstanceType": "VPC", "ChildInstanceRegionId": "cn-hangzhou"})),
            )
            .unwrap();
        let entries = published
            .published_route_entries
            .unwrap()
            .published_route_entry;
        let status: Vec<_> = entries
            .iter()
            .map(|e| {
                (
                    e.destination_cidr_block.clone().unwrap(),
                    e.publish_status.clone().unwrap(),
                    e.operational_mode.unwrap(),
                )
            })
            .collect();
        assert_eq!(
            status,
            [
                ("172.16.0.0/16".into(), "Published".into(), false),
                ("10.100.0.0/16".into(), "Published".into(), true),
                ("0.0.0.0/0".into(), "NonPublished".into(), false),
            ]
        );
        change(&h, false, route("10.100.0.0/16")).unwrap();
        assert!(
            !routes(&h, &cen, None)
                .iter()
                .any(|r| r.0 == "10.100.0.0/16")
        );

        let conflicts = h
            .emulator
            .describe_published_route_entries(
                &h.caller(A),
                req(json!({"CenId": cen, "ChildInstanceId": HZ2, "ChildInstanceType": "VPC", "ChildInstanceRegionId": "cn-hangzhou", "DestinationCidrBlock": "192.168.0.0/16"})),
            )
            .unwrap()
            .published_route_entries
            .unwrap()
            .published_route_entry;
        assert_eq!(
            conflicts[0].conflicts.as_ref().unwrap().conflict[0]
                .instance_id
                .as_deref(),
            Some(SH)
        );
    }

    #[test]
    fn publication_errors() {
        let h = Harness::new();
        let cen = h.active_cen(A);
        h.attach(A, &cen, HZ1, "VPC", "cn-hangzhou");
        let route = |table: &str, cidr: &str| json!({"CenId": cen, "ChildInstanceId": HZ1, "ChildInstanceType": "VPC", "ChildInstanceRegionId": "cn-hangzhou", "ChildInstanceRouteTableId": table, "DestinationCidrBlock": cidr});
        let table = "vtb-bp1emuhz00000000001";
        assert_eq!(
            change(&h, true, route(table, "10.100.0.0/16")),
            Err((409, "InvalidOperation.ChildInstanceStatus".into()))
        );
        h.advance();
        let cases = [
            (
                true,
                json!({"CenId": "cen-nope", "ChildInstanceId": HZ1, "ChildInstanceType": "VPC", "ChildInstanceRegionId": "cn-hangzhou", "ChildInstanceRouteTableId": table, "DestinationCidrBlock": "10.100.0.0/16"}),
                400,
                "ParameterIllegal.CenInstanceId",
            ),
            (
                true,
                json!({"CenId": cen, "ChildInstanceId": HZ2, "ChildInstanceType": "VPC", "ChildInstanceRegionId": "cn-hangzhou", "ChildInstanceRouteTableId": table, "DestinationCidrBlock": "10.100.0.0/16"}),
                404,
                "Instance.NotExist",
            ),
            (
                true,
                json!({"CenId": cen, "ChildInstanceId": HZ1, "ChildInstanceType": "VBR", "ChildInstanceRegionId": "cn-hangzhou", "ChildInstanceRouteTableId": table, "DestinationCidrBlock": "10.100.0.0/16"}),
                400,
                "ParameterIllegal.ChildInstanceType",
            ),
            (
                true,
                json!({"CenId": cen, "ChildInstanceId": HZ1, "ChildInstanceType": "VPC", "ChildInstanceRegionId": "cn-beijing", "ChildInstanceRouteTableId": table, "DestinationCidrBlock": "10.100.0.0/16"}),
                400,
                "ParameterIllegal.ChildInstanceRegionId",
            ),
            (
                true,
                route("vtb-nope", "10.100.0.0/16"),
                404,
                "Instance.NotExist",
            ),
            (
                true,
                route(table, "10.99.0.0/16"),
                400,
                "InvalidOperation.NotFoundRoute",
            ),
            (
                false,
                route(table, "10.99.0.0/16"),
                400,
                "InvalidOperation.NotFoundRoute",
            ),
            (
                true,
                route(table, "0.0.0.0/0"),
                400,
                "InvalidOperation.UnsupportnexthopType",
            ),
            (
                false,
                route(table, "172.16.0.0/16"),
                400,
                "InvalidOperation.UnsupportnexthopType",
            ),
        ];
        for (publish, body, status, code) in cases {
            assert_eq!(
                change(&h, publish, body.clone()),
                Err((status, code.into())),
                "{body}"
            );
        }
        let e = h
            .emulator
            .withdraw_published_route_entries(&h.caller(A), req(route(table, "0.0.0.0/0")))
            .unwrap_err();
        assert_eq!(
            e.message,
            "The specified next hop type is not supported by this operation."
        );
    }
}
