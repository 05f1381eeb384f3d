//! Transit routers and the transit-router service: CheckTransitRouterService,
//! OpenTransitRouterService, CreateTransitRouter, ListTransitRouters, UpdateTransitRouter,
//! DeleteTransitRouter, ListTransitRouterAvailableResource.

use acs_rpc::error::ApiError;
use cen_server::cbn::errors as cbn;
use ipnet::Ipv4Net;

use crate::api::cbn as t;
use crate::emulator::{Caller, Ctx, Emulator, minutes, new_id, new_order_id, new_regional_id};
use crate::geo;
use crate::state::{
    Lifecycle, Phase, Resource, State, Tag, TrCidr, TrRouteTable, TrService, TransitRouter,
};
use crate::validate::{self, ILLEGAL_TAG, PARAMETER_TAG, Page};

/// The most CIDR blocks a transit router can have.
pub(crate) const MAX_CIDRS: usize = 5;

/// Ranges a transit-router CIDR block may not fall in (API reference of CreateTransitRouterCidr).
const RESERVED: [&str; 4] = [
    "100.64.0.0/10",
    "224.0.0.0/4",
    "127.0.0.0/8",
    "169.254.0.0/16",
];

/// Reads a transit-router CIDR block: IPv4, mask 16 to 24, outside the reserved ranges, given
/// as its network address; anything else is `bad()`.
pub(crate) fn tr_cidr(value: &str, bad: fn() -> ApiError) -> Result<Ipv4Net, ApiError> {
    let net: Ipv4Net = value.trim().parse().map_err(|_| bad())?;
    let reserved = RESERVED
        .iter()
        .filter_map(|r| r.parse::<Ipv4Net>().ok())
        .any(|r| overlaps(r, net));
    if !(16..=24).contains(&net.prefix_len()) || net.trunc() != net || reserved {
        return Err(bad());
    }
    Ok(net)
}

/// Whether two blocks share an address.
pub(crate) fn overlaps(a: Ipv4Net, b: Ipv4Net) -> bool {
    a.contains(&b.network()) || b.contains(&a.network())
}

/// The tags of a transit-router resource in the list shape of the newer responses.
pub(crate) fn bare_tags(tags: &[Tag]) -> Vec<t::Tag> {
    tags.iter()
        .map(|tag| t::Tag {
            key: Some(tag.key.clone()),
            value: Some(tag.value.clone()),
        })
        .collect()
}

/// Stores a new transit router with its System route table, which the service creates with
/// every router and which starts its lifecycle at the same time.
pub(crate) fn insert_router(state: &mut State, router: TransitRouter) -> String {
    let id = router.id.clone();
    state.tr_route_tables.insert(TrRouteTable {
        id: new_regional_id("vtb-", &router.region_id),
        transit_router_id: id.clone(),
        cen_id: router.cen_id.clone(),
        owner: router.owner,
        region_id: router.region_id.clone(),
        system: true,
        name: None,
        description: None,
        multi_region_ecmp: "disable".into(),
        life: router.life,
        tags: Vec::new(),
    });
    state.transit_routers.insert(router);
    id
}

impl<'a> Ctx<'a> {
    /// The CIDR blocks of the live transit routers of a CEN instance, but those of `except`.
    fn cen_cidrs<'s>(
        &self,
        state: &'s State,
        cen_id: &'s str,
        except: Option<&'s str>,
    ) -> impl Iterator<Item = Ipv4Net> + use<'s, 'a>
    where
        'a: 's,
    {
        let ctx = *self;
        state
            .transit_routers
            .children_of(0, cen_id)
            .filter(move |r| ctx.live(*r) && Some(r.id.as_str()) != except)
            .flat_map(|r| state.tr_cidrs.children_of(0, &r.id))
            .filter_map(|c| c.cidr.parse().ok())
    }

    /// The IPv4 blocks of the networks connected to the CEN instance's transit routers, which a
    /// router's CIDR block may not overlap.
    pub(crate) fn attached_blocks(&self, state: &State, cen_id: &str) -> Vec<Ipv4Net> {
        state
            .tr_attachments
            .children_of(1, cen_id)
            .filter(|a| self.live(*a) && a.kind != crate::state::AttachmentKind::Peer)
            .filter_map(|a| self.instance(state, &a.resource_id))
            .flat_map(|n| {
                n.cidr_blocks
                    .iter()
                    .filter_map(|c| c.parse::<Ipv4Net>().ok())
            })
            .collect()
    }

    /// The answer for one transit router.
    fn router_view(&self, state: &State, router: &TransitRouter) -> t::TransitRouter {
        t::TransitRouter {
            ali_uid: Some(router.owner),
            cen_id: Some(router.cen_id.clone()),
            creation_time: Some(minutes(router.life.created_at)),
            region_id: Some(router.region_id.clone()),
            status: Some(self.status(router).into()),
            support_multicast: Some(router.support_multicast),
            tags: bare_tags(&router.tags),
            transit_router_cidr_list: state
                .tr_cidrs
                .children_of(0, &router.id)
                .map(|c| t::TransitRouterCidrSummary {
                    cidr: Some(c.cidr.clone()),
                    description: c.description.clone(),
                    name: c.name.clone(),
                    publish_cidr_route: Some(c.publish_cidr_route),
                    transit_router_cidr_id: Some(c.id.clone()),
                })
                .collect(),
            transit_router_description: router.description.clone(),
            transit_router_id: Some(router.id.clone()),
            transit_router_name: router.name.clone(),
            type_: Some("Enterprise".into()),
        }
    }
}

impl Emulator {
    /// CheckTransitRouterService: `Enabled` is `"true"` when the caller's transit-router service
    /// is open. Every account has it open unless the accounts file says
    /// `"TransitRouterService": false`; OpenTransitRouterService opens it.
    pub fn check_transit_router_service(
        &self,
        caller: &Caller,
        _request: t::CheckTransitRouterServiceRequest,
    ) -> Result<t::CheckTransitRouterServiceResponse, ApiError> {
        let open = self.read(|state, ctx| ctx.tr_service_open(state, caller.uid));
        Ok(t::CheckTransitRouterServiceResponse {
            enabled: Some(open.to_string()),
            request_id: Some(caller.request_id.clone()),
        })
    }

    /// OpenTransitRouterService: opens the caller's transit-router service and answers an order
    /// id; an account whose service is already open gets `ORDER.OPEND` (which the Terraform
    /// provider treats as success).
    pub fn open_transit_router_service(
        &self,
        caller: &Caller,
        request: t::OpenTransitRouterServiceRequest,
    ) -> Result<t::OpenTransitRouterServiceResponse, ApiError> {
        let order_id = self.write_idempotent(
            caller,
            "OpenTransitRouterService",
            request.client_token.as_deref(),
            &request,
            |state, ctx| {
                if ctx.tr_service_open(state, caller.uid) {
                    return Err(cbn::open_transit_router_service::order_opend());
                }
                let order_id = new_order_id();
                state.tr_services.insert(TrService {
                    uid: caller.uid,
                    order_id: order_id.clone(),
                });
                Ok(order_id)
            },
        )?;
        Ok(t::OpenTransitRouterServiceResponse {
            order_id: Some(order_id),
            request_id: Some(caller.request_id.clone()),
        })
    }

    /// CreateTransitRouter: creates the Enterprise Edition transit router of a CEN instance in a
    /// region, `Creating` for the delay and then `Active`, with its System route table.
    ///
    /// Checks, in order: RegionId a CEN region (`IllegalParam.RegionId`); name and description
    /// as CreateCen's (`InvalidParameter`); up to 20 valid tags (`InvalidParameter`); each
    /// `TransitRouterCidrList` block IPv4 with a mask of 16 to 24, given as its network address,
    /// outside 100.64.0.0/10, 224.0.0.0/4, 127.0.0.0/8 and 169.254.0.0/16 (`IllegalParam.Cidr`),
    /// at most 5 (`InvalidParameter`) and not overlapping each other (`OverLappingExist.Cidr`);
    /// the caller's transit-router service open (`Forbbiden.TransitRouterServiceNotOpen`); the
    /// CEN instance the caller's (`ParameterCenInstanceId`) and `Active`
    /// (`IncorrectStatus.CenInstance`), not of protection level FULL
    /// (`OperationUnsupported.CenFullLevel`); no transit router of the CEN instance in the region
    /// yet (`InstanceExist.TransitRouterInstance`); the blocks not overlapping those of the CEN
    /// instance's other routers or of the networks connected to them
    /// (`OperationFailed.CidrConflict`). Then `DryRun` answers
    /// `DryRunOperation`. A ClientToken makes the call idempotent.
    pub fn create_transit_router(
        &self,
        caller: &Caller,
        request: t::CreateTransitRouterRequest,
    ) -> Result<t::CreateTransitRouterResponse, ApiError> {
        use cbn::create_transit_router as e;
        validate::required(&request.cen_id, "CenId")?;
        validate::required(&request.region_id, "RegionId")?;
        if geo::region_code(&request.region_id).is_none() {
            return Err(e::illegal_param_region_id());
        }
        validate::name(request.transit_router_name.as_deref())?;
        validate::description(request.transit_router_description.as_deref())?;
        let tags = validate::tags_to_set(
            request.tag.iter().map(|t| (t.key.clone(), t.value.clone())),
            PARAMETER_TAG,
        )?;
        if request.transit_router_cidr_list.len() > MAX_CIDRS {
            return Err(e::invalid_parameter());
        }
        let mut cidrs: Vec<(Ipv4Net, &t::TransitRouterCidrInput)> = Vec::new();
        for input in &request.transit_router_cidr_list {
            validate::name(input.name.as_deref())?;
            validate::description(input.description.as_deref())?;
            let net = tr_cidr(
                input.cidr.as_deref().unwrap_or_default(),
                e::illegal_param_cidr,
            )?;
            if cidrs.iter().any(|(other, _)| overlaps(*other, net)) {
                return Err(e::over_lapping_exist_cidr());
            }
            cidrs.push((net, input));
        }
        let id = self.write_idempotent(
            caller,
            "CreateTransitRouter",
            request.client_token.as_deref(),
            &request,
            |state, ctx| {
                if !ctx.tr_service_open(state, caller.uid) {
                    return Err(e::forbbiden_transit_router_service_not_open());
                }
                let cen = ctx.cen(state, caller, &request.cen_id)?;
                ctx.require_ready(cen, e::incorrect_status_cen_instance)?;
                if cen.protection_level.eq_ignore_ascii_case("FULL") {
                    return Err(e::operation_unsupported_cen_full_level());
                }
                if ctx.router_in(state, &cen.id, &request.region_id).is_some() {
                    return Err(e::instance_exist_transit_router_instance());
                }
                let mut taken: Vec<Ipv4Net> = ctx.cen_cidrs(state, &cen.id, None).collect();
                taken.extend(ctx.attached_blocks(state, &cen.id));
                if cidrs
                    .iter()
                    .any(|(net, _)| taken.iter().any(|other| overlaps(*other, *net)))
                {
                    return Err(e::operation_failed_cidr_conflict());
                }
                validate::dry_run(request.dry_run, e::dry_run_operation)?;
                let id = insert_router(
                    state,
                    TransitRouter {
                        id: new_regional_id("tr-", &request.region_id),
                        cen_id: request.cen_id.clone(),
                        owner: caller.uid,
                        region_id: request.region_id.clone(),
                        name: request.transit_router_name.clone(),
                        description: request.transit_router_description.clone(),
                        support_multicast: request.support_multicast.unwrap_or(false),
                        life: Lifecycle::started(ctx.now),
                        tags: tags.clone(),
                    },
                );
                for (net, input) in &cidrs {
                    state.tr_cidrs.insert(TrCidr {
                        id: new_id("cidr-"),
                        transit_router_id: id.clone(),
                        cen_id: request.cen_id.clone(),
                        owner: caller.uid,
                        cidr: net.to_string(),
                        name: input.name.clone(),
                        description: input.description.clone(),
                        publish_cidr_route: input.publish_cidr_route.unwrap_or(true),
                    });
                }
                Ok(id)
            },
        )?;
        Ok(t::CreateTransitRouterResponse {
            request_id: Some(caller.request_id.clone()),
            transit_router_id: Some(id),
        })
    }

    /// ListTransitRouters: the caller's transit routers in creation order, paged by PageNumber
    /// and PageSize (1 to 50, default 10; `InvalidParameter` otherwise).
    ///
    /// At least one of CenId, RegionId and TransitRouterId is needed
    /// (`InvalidParameterCombination.TransitRouter`). Every given filter must match: CenId,
    /// RegionId, TransitRouterId, TransitRouterName, Status, Type (`Enterprise` matches every
    /// router, `Basic` none) and Tag.N (a bad key `IllegalParam.TagKey`, value
    /// `IllegalParam.TagValue`). FeatureFilter.N knows the key `Multicast` with the values
    /// `Enabled` and `Disabled` (another key `InvalidOperation.UnsupportFilter`, another value
    /// `InvalidOperation.UnsupportFilterValue`). Unknown ids answer an empty list; a deleted
    /// router is listed as `Deleting` until its delete completes, and not at all afterwards.
    pub fn list_transit_routers(
        &self,
        caller: &Caller,
        request: t::ListTransitRoutersRequest,
    ) -> Result<t::ListTransitRoutersResponse, ApiError> {
        use cbn::list_transit_routers as e;
        let page = Page::new(request.page_number, request.page_size, 50)?;
        let given = |v: &Option<String>| validate::given(v).map(str::to_owned);
        let (cen_id, region_id, router_id) = (
            given(&request.cen_id),
            given(&request.region_id),
            given(&request.transit_router_id),
        );
        if cen_id.is_none() && region_id.is_none() && router_id.is_none() {
            return Err(e::invalid_parameter_combination_transit_router());
        }
        let tag_filters = validate::tag_filters(
            request.tag.iter().map(|t| (t.key.clone(), t.value.clone())),
            ILLEGAL_TAG,
        )?;
        let mut multicast: Option<bool> = None;
        for filter in &request.feature_filter {
            if filter.key.as_deref() != Some("Multicast") {
                return Err(e::invalid_operation_unsupport_filter());
            }
            for value in &filter.value {
                multicast = Some(match value.as_str() {
                    "Enabled" => true,
                    "Disabled" => false,
                    _ => return Err(e::invalid_operation_unsupport_filter_value()),
                });
            }
        }
        let status = request.status.as_ref().map(|s| s.as_str().to_owned());
        let basic_only = request
            .type_
            .as_ref()
            .is_some_and(|t| t.as_str() == "Basic");
        let (items, total) = self.read(|state, ctx| {
            let keep = |r: &TransitRouter| {
                cen_id.as_ref().is_none_or(|c| r.cen_id == *c)
                    && region_id.as_ref().is_none_or(|g| r.region_id == *g)
                    && router_id.as_ref().is_none_or(|i| r.id == *i)
                    && request
                        .transit_router_name
                        .as_ref()
                        .is_none_or(|n| r.name.as_ref() == Some(n))
                    && status.as_ref().is_none_or(|s| ctx.status(r) == s)
                    && multicast.is_none_or(|m| r.support_multicast == m)
                    && !basic_only
                    && validate::tags_match(&r.tags, &tag_filters)
                    && ctx.live(r)
            };
            // The most selective index answers: the router's id, its CEN instance, or the
            // caller's routers in the region (paged without a walk when nothing else filters).
            let (matched, total) = match (&router_id, &cen_id) {
                (Some(id), _) => page.slice(
                    ctx.by_ids(&state.transit_routers, caller.uid, std::iter::once(id))
                        .into_iter()
                        .filter(|r| keep(r))
                        .collect(),
                ),
                (None, Some(cen)) => page.slice(
                    state
                        .transit_routers
                        .children_of(0, cen)
                        .filter(|r| r.owner == caller.uid && keep(r))
                        .collect(),
                ),
                (None, None) => {
                    let only_region = request.transit_router_name.is_none()
                        && status.is_none()
                        && multicast.is_none()
                        && !basic_only
                        && tag_filters.is_empty();
                    ctx.scoped_page(
                        state,
                        &state.transit_routers,
                        (caller.uid, region_id.as_deref()),
                        page,
                        (!only_region).then_some(&keep as &dyn Fn(&TransitRouter) -> bool),
                    )
                }
            };
            let items: Vec<_> = matched
                .into_iter()
                .map(|r| ctx.router_view(state, r))
                .collect();
            (items, total)
        });
        Ok(t::ListTransitRoutersResponse {
            page_number: Some(page.number),
            page_size: Some(page.size),
            request_id: Some(caller.request_id.clone()),
            total_count: Some(total),
            transit_routers: items,
        })
    }

    /// UpdateTransitRouter: changes the name and description of an `Active` transit router,
    /// which is then `Modifying` for the delay.
    ///
    /// An unknown router, or one in another region than RegionId:
    /// `InvalidTransitRouterInstance.NotFound`; not Active: `IncorrectStatus.TransitRouterInstance`;
    /// the text rules are CreateCen's (`InvalidParameter`). `DryRun` answers `DryRunOperation`.
    pub fn update_transit_router(
        &self,
        caller: &Caller,
        request: t::UpdateTransitRouterRequest,
    ) -> Result<t::UpdateTransitRouterResponse, ApiError> {
        use cbn::update_transit_router as e;
        validate::name(request.transit_router_name.as_deref())?;
        validate::description(request.transit_router_description.as_deref())?;
        self.write_idempotent(
            caller,
            "UpdateTransitRouter",
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
                    .ok_or_else(e::invalid_transit_router_instance_not_found)?;
                ctx.require_ready(router, e::incorrect_status_transit_router_instance)?;
                validate::dry_run(request.dry_run, e::dry_run_operation)?;
                let Some(mut router) = state.transit_routers.get_mut(&request.transit_router_id)
                else {
                    return Err(e::invalid_transit_router_instance_not_found());
                };
                validate::overwrite(&mut router.name, &request.transit_router_name);
                validate::overwrite(&mut router.description, &request.transit_router_description);
                router.life.modified_at = Some(ctx.now);
                Ok(())
            },
        )?;
        Ok(t::UpdateTransitRouterResponse {
            request_id: Some(caller.request_id.clone()),
        })
    }

    /// DeleteTransitRouter: starts deleting an `Active` transit router; it is `Deleting` for the
    /// delay and then gone from every list, with its System route table and CIDR blocks.
    ///
    /// Unknown: `InvalidTransitRouterInstance.NotFound`; its CEN instance not Active:
    /// `IncorrectStatus.CenInstance`; the router not Active:
    /// `IncorrectStatus.TransitRouterInstance`; a custom route table left:
    /// `OperationFailed.DeleteTransitRouter` (and every other dependent its own documented code,
    /// see the resource declarations). `DryRun` answers `DryRunOperation`.
    pub fn delete_transit_router(
        &self,
        caller: &Caller,
        request: t::DeleteTransitRouterRequest,
    ) -> Result<t::DeleteTransitRouterResponse, ApiError> {
        use cbn::delete_transit_router as e;
        self.write_idempotent(
            caller,
            "DeleteTransitRouter",
            request.client_token.as_deref(),
            &request,
            |state, ctx| {
                let router = ctx
                    .router(state, caller, &request.transit_router_id)
                    .ok_or_else(e::invalid_transit_router_instance_not_found)?;
                if state
                    .cens
                    .get(&router.cen_id)
                    .is_none_or(|c| ctx.phase(c) != Phase::Ready)
                {
                    return Err(e::incorrect_status_cen_instance());
                }
                ctx.require_ready(router, e::incorrect_status_transit_router_instance)?;
                if let Some(error) = ctx.blocker(state, router, false) {
                    return Err(error);
                }
                validate::dry_run(request.dry_run, e::dry_run_operation)?;
                if let Some(mut router) = state.transit_routers.get_mut(&request.transit_router_id)
                {
                    router.life.deleting_at = Some(ctx.now);
                }
                state.delete_dependents(TransitRouter::KIND, &request.transit_router_id, ctx.now);
                Ok(())
            },
        )?;
        Ok(t::DeleteTransitRouterResponse {
            request_id: Some(caller.request_id.clone()),
        })
    }

    /// ListTransitRouterAvailableResource: the zones of a region where transit routers can
    /// place their connections (static data, as the real service serves it). Every zone can be
    /// primary or secondary for the routers that still need both, and supports multicast.
    /// A region CEN does not serve: `InvalidParameter`.
    pub fn list_transit_router_available_resource(
        &self,
        caller: &Caller,
        request: t::ListTransitRouterAvailableResourceRequest,
    ) -> Result<t::ListTransitRouterAvailableResourceResponse, ApiError> {
        let zones = geo::zones(validate::required(&request.region_id, "RegionId")?);
        if zones.is_empty() {
            return Err(cbn::list_transit_router_available_resource::invalid_parameter());
        }
        Ok(t::ListTransitRouterAvailableResourceResponse {
            available_zones: zones.clone(),
            master_zones: zones.clone(),
            request_id: Some(caller.request_id.clone()),
            slave_zones: zones,
            support_multicast: Some(true),
        })
    }
}

#[cfg(test)]
mod tests {
    use crate::testing::{A, B, Harness, req};
    use serde_json::json;

    #[test]
    fn an_account_without_the_service_opens_it_once() {
        let h = Harness::with_tr_service_closed(vec![B]);
        let enabled = |uid| {
            h.emulator
                .check_transit_router_service(&h.caller(uid), req(json!({})))
                .unwrap()
                .enabled
                .unwrap()
        };
        assert_eq!(
            (enabled(A).as_str(), enabled(B).as_str()),
            ("true", "false")
        );
        let cen = h.active_cen(B);
        let create = || {
            h.emulator
                .create_transit_router(
                    &h.caller(B),
                    req(json!({"CenId": cen, "RegionId": "cn-hangzhou"})),
                )
                .map_err(|e| e.code)
        };
        assert_eq!(
            create().unwrap_err(),
            "Forbbiden.TransitRouterServiceNotOpen"
        );
        let opened = h
            .emulator
            .open_transit_router_service(&h.caller(B), req(json!({})))
            .unwrap();
        assert_eq!(opened.order_id.map(|o| o.len()), Some(15));
        assert_eq!(enabled(B), "true");
        let again = h
            .emulator
            .open_transit_router_service(&h.caller(B), req(json!({})))
            .unwrap_err();
        assert_eq!(again.code, "ORDER.OPEND");
        assert!(create().unwrap().transit_router_id.is_some());
    }
}
