//! Routing policies (route maps) of CEN instances: CreateCenRouteMap, DescribeCenRouteMaps,
//! ModifyCenRouteMap, DeleteCenRouteMap.
//!
//! A route map belongs to a CEN instance, a region (`CenRegionId`) and a direction
//! (`TransmitDirection`); its Priority is unique among the maps of that CEN instance, region
//! and direction. The emulator stores and validates the match conditions and actions; it does
//! not apply them to the routes it lists.

use acs_rpc::error::ApiError;
use cen_server::cbn::errors as cbn;
use ipnet::IpNet;

use crate::api::cbn as t;
use crate::emulator::{Caller, Ctx, Emulator, new_id};
use crate::errors;
use crate::geo;
use crate::state::{
    CenRouteMap, Lifecycle, Phase, RouteMapAction, RouteMapMatch, State, TrRouteTable,
};
use crate::validate::{self, Page};

/// The most entries each list-valued condition or action takes.
const MAX_LIST: usize = 32;

/// The network instance types a map can match (`Source`/`DestinationChildInstanceTypes`).
const CHILD_INSTANCE_TYPES: [&str; 4] = ["VPC", "VBR", "CCN", "VPN"];

/// The route types a map can match (`RouteTypes`).
const ROUTE_TYPES: [&str; 3] = ["System", "Custom", "BGP"];

/// An `InvalidParameter` of the route-map operations that says what is wrong.
fn invalid(message: impl Into<String>) -> ApiError {
    errors::saying(cbn::create_cen_route_map::invalid_parameter, message)
}

/// Checks the length of a list-valued parameter.
fn at_most<T>(list: &[T], name: &str) -> Result<(), ApiError> {
    if list.len() > MAX_LIST {
        return Err(invalid(format!("{name} takes at most {MAX_LIST} entries.")));
    }
    Ok(())
}

/// Checks that every entry of a list is one of `values`.
fn all_of(list: &[String], values: &[&str], name: &str) -> Result<(), ApiError> {
    at_most(list, name)?;
    if list.iter().any(|v| !values.contains(&v.as_str())) {
        return Err(invalid(format!(
            "{name} must be one of {}.",
            values.join(", ")
        )));
    }
    Ok(())
}

/// Checks a BGP community: `n:m` with n and m from 1 to 65535 (RFC 1997).
fn community_ok(value: &str) -> bool {
    let part_ok = |p: &str| p.parse::<u32>().is_ok_and(|n| (1..=65535).contains(&n));
    value
        .split_once(':')
        .is_some_and(|(n, m)| part_ok(n) && part_ok(m))
}

/// The parameters that describe a policy, as a create or a modify gives them; a list given
/// empty counts as not given.
struct Terms {
    description: Option<String>,
    matching: RouteMapMatch,
    source_reverse: Option<bool>,
    destination_reverse: Option<bool>,
    map_result: String,
    next_priority: Option<i32>,
    preference: Option<i32>,
    prepend_as_path: Vec<i64>,
    operate_community_set: Vec<String>,
    community_operate_mode: Option<String>,
}

/// Reads the terms of a CreateCenRouteMap or ModifyCenRouteMap request (whose fields have the
/// same names) and checks each on its own.
macro_rules! terms_of {
    ($request:expr) => {{
        let r = &$request;
        // The front door answers `InvalidParameter` for a value outside an enum.
        Terms::checked(Terms {
            description: r.description.clone(),
            matching: RouteMapMatch {
                source_instance_ids: r.source_instance_ids.clone(),
                source_instance_ids_reverse_match: false,
                source_route_table_ids: r.source_route_table_ids.clone(),
                source_region_ids: r.source_region_ids.clone(),
                source_child_instance_types: r.source_child_instance_types.clone(),
                destination_instance_ids: r.destination_instance_ids.clone(),
                destination_instance_ids_reverse_match: false,
                destination_route_table_ids: r.destination_route_table_ids.clone(),
                destination_region_ids: r.destination_region_ids.clone(),
                destination_child_instance_types: r.destination_child_instance_types.clone(),
                destination_cidr_blocks: r.destination_cidr_blocks.clone(),
                cidr_match_mode: r.cidr_match_mode.as_ref().map(|m| m.as_str().to_owned()),
                route_types: r.route_types.clone(),
                match_asns: r.match_asns.iter().map(|&a| i64::from(a)).collect(),
                as_path_match_mode: r.as_path_match_mode.as_ref().map(|m| m.as_str().to_owned()),
                match_community_set: r.match_community_set.clone(),
                community_match_mode: r
                    .community_match_mode
                    .as_ref()
                    .map(|m| m.as_str().to_owned()),
                match_address_type: r.match_address_type.as_ref().map(|m| m.as_str().to_owned()),
            },
            source_reverse: r.source_instance_ids_reverse_match,
            destination_reverse: r.destination_instance_ids_reverse_match,
            map_result: r.map_result.as_str().to_owned(),
            next_priority: r.next_priority,
            preference: r.preference,
            prepend_as_path: r.prepend_as_path.iter().map(|&a| i64::from(a)).collect(),
            operate_community_set: r.operate_community_set.clone(),
            community_operate_mode: r
                .community_operate_mode
                .as_ref()
                .map(|m| m.as_str().to_owned()),
        })
    }};
}

impl Terms {
    /// Checks the formats and ranges of each parameter.
    fn checked(self) -> Result<Self, ApiError> {
        let m = &self.matching;
        validate::description(self.description.as_deref()).map_err(|_| {
            invalid(
                "Description is 1 to 256 characters and does not start with http:// or https://.",
            )
        })?;
        at_most(&m.source_instance_ids, "SourceInstanceIds")?;
        at_most(&m.destination_instance_ids, "DestinationInstanceIds")?;
        at_most(&m.source_route_table_ids, "SourceRouteTableIds")?;
        at_most(&m.destination_route_table_ids, "DestinationRouteTableIds")?;
        for (list, name) in [
            (&m.source_region_ids, "SourceRegionIds"),
            (&m.destination_region_ids, "DestinationRegionIds"),
        ] {
            at_most(list, name)?;
            if let Some(bad) = list.iter().find(|r| geo::region_code(r).is_none()) {
                return Err(invalid(format!(
                    "{name} names {bad}, which is not a region."
                )));
            }
        }
        all_of(
            &m.source_child_instance_types,
            &CHILD_INSTANCE_TYPES,
            "SourceChildInstanceTypes",
        )?;
        all_of(
            &m.destination_child_instance_types,
            &CHILD_INSTANCE_TYPES,
            "DestinationChildInstanceTypes",
        )?;
        all_of(&m.route_types, &ROUTE_TYPES, "RouteTypes")?;
        at_most(&m.destination_cidr_blocks, "DestinationCidrBlocks")?;
        for block in &m.destination_cidr_blocks {
            let net: IpNet = block.parse().map_err(|_| {
                invalid(format!(
                    "DestinationCidrBlocks has {block}, which is not a CIDR block."
                ))
            })?;
            if net.trunc() != net {
                return Err(invalid(format!(
                    "DestinationCidrBlocks has {block}, which is not a network address ({}).",
                    net.trunc()
                )));
            }
        }
        for (list, name) in [
            (&m.match_asns, "MatchAsns"),
            (&self.prepend_as_path, "PrependAsPath"),
        ] {
            at_most(list, name)?;
            if list.iter().any(|a| !(1..=4_294_967_295).contains(a)) {
                return Err(invalid(format!(
                    "{name} takes AS numbers from 1 to 4294967295."
                )));
            }
        }
        for (list, name) in [
            (&m.match_community_set, "MatchCommunitySet"),
            (&self.operate_community_set, "OperateCommunitySet"),
        ] {
            at_most(list, name)?;
            if let Some(bad) = list.iter().find(|c| !community_ok(c)) {
                return Err(invalid(format!(
                    "{name} has {bad}; a community is n:m with n and m from 1 to 65535."
                )));
            }
        }
        for (value, name) in [
            (self.preference, "Preference"),
            (self.next_priority, "NextPriority"),
        ] {
            if value.is_some_and(|v| !(1..=100).contains(&v)) {
                return Err(invalid(format!("{name} must be 1 to 100.")));
            }
        }
        Ok(self)
    }

    /// Applies the terms to a map: what is given replaces what the map had.
    fn apply_to(self, map: &mut CenRouteMap) {
        fn replace<T>(slot: &mut Vec<T>, given: Vec<T>) {
            if !given.is_empty() {
                *slot = given;
            }
        }
        fn set<T>(slot: &mut Option<T>, given: Option<T>) {
            if given.is_some() {
                *slot = given;
            }
        }
        let (m, g) = (&mut map.matching, self.matching);
        replace(&mut m.source_instance_ids, g.source_instance_ids);
        replace(&mut m.source_route_table_ids, g.source_route_table_ids);
        replace(&mut m.source_region_ids, g.source_region_ids);
        replace(
            &mut m.source_child_instance_types,
            g.source_child_instance_types,
        );
        replace(&mut m.destination_instance_ids, g.destination_instance_ids);
        replace(
            &mut m.destination_route_table_ids,
            g.destination_route_table_ids,
        );
        replace(&mut m.destination_region_ids, g.destination_region_ids);
        replace(
            &mut m.destination_child_instance_types,
            g.destination_child_instance_types,
        );
        replace(&mut m.destination_cidr_blocks, g.destination_cidr_blocks);
        replace(&mut m.route_types, g.route_types);
        replace(&mut m.match_asns, g.match_asns);
        replace(&mut m.match_community_set, g.match_community_set);
        set(&mut m.cidr_match_mode, g.cidr_match_mode);
        set(&mut m.as_path_match_mode, g.as_path_match_mode);
        set(&mut m.community_match_mode, g.community_match_mode);
        set(&mut m.match_address_type, g.match_address_type);
        if let Some(reverse) = self.source_reverse {
            m.source_instance_ids_reverse_match = reverse;
        }
        if let Some(reverse) = self.destination_reverse {
            m.destination_instance_ids_reverse_match = reverse;
        }
        set(&mut map.description, self.description);
        let a = &mut map.action;
        // A Deny map passes no route on, so a NextPriority it kept from being a Permit map goes.
        if self.map_result != "Permit" && self.next_priority.is_none() {
            a.next_priority = None;
        }
        a.map_result = self.map_result;
        set(&mut a.next_priority, self.next_priority);
        if let Some(preference) = self.preference {
            a.preference = preference;
        }
        replace(&mut a.prepend_as_path, self.prepend_as_path);
        replace(&mut a.operate_community_set, self.operate_community_set);
        set(&mut a.community_operate_mode, self.community_operate_mode);
    }
}

/// Checks the rules that tie a map's terms together, on the map as it would be stored.
fn check_map(map: &CenRouteMap) -> Result<(), ApiError> {
    if !(1..=100).contains(&map.priority) {
        return Err(invalid("Priority must be 1 to 100."));
    }
    if let Some(next) = map.action.next_priority {
        if map.action.map_result != "Permit" {
            return Err(invalid(
                "NextPriority is only allowed when MapResult is Permit.",
            ));
        }
        if next <= map.priority {
            return Err(invalid(format!(
                "NextPriority ({next}) must be greater than Priority ({}): the next map has a lower priority.",
                map.priority
            )));
        }
    }
    let m = &map.matching;
    if let Some(family) = &m.match_address_type {
        let ipv6 = family == "IPv6";
        if let Some(bad) = m.destination_cidr_blocks.iter().find(|b| {
            b.parse::<IpNet>()
                .is_ok_and(|n| matches!(n, IpNet::V6(_)) != ipv6)
        }) {
            return Err(invalid(format!(
                "DestinationCidrBlocks has {bad}, which is not an {family} block."
            )));
        }
    }
    if !map.action.prepend_as_path.is_empty() {
        let ok = match map.direction.as_str() {
            "RegionIn" => {
                !m.source_instance_ids.is_empty() && m.source_region_ids.contains(&map.region_id)
            }
            _ => !m.destination_instance_ids.is_empty(),
        };
        if !ok {
            return Err(invalid(
                "PrependAsPath needs SourceInstanceIds and the map's region among SourceRegionIds \
                 for RegionIn, DestinationInstanceIds for RegionOut.",
            ));
        }
    }
    Ok(())
}

impl<'a> Ctx<'a> {
    /// The caller's live route map of a CEN instance in a region: `ParameterCenInstanceId` for
    /// a CEN instance the caller does not have, `InvalidParameter` for a map it does not have.
    fn route_map<'s>(
        &self,
        state: &'s State,
        caller: &Caller,
        (cen_id, region, id): (&str, &str, &str),
    ) -> Result<&'s CenRouteMap, ApiError> {
        self.cen(state, caller, cen_id)?;
        state
            .cen_route_maps
            .get(id)
            .filter(|m| m.cen_id == cen_id && m.region_id == region && self.live(*m))
            .ok_or_else(|| {
                invalid(format!(
                    "The route map {id} does not exist in CEN instance {cen_id} in {region}."
                ))
            })
    }

    /// The live map of a CEN instance that already has a priority in a region and direction.
    fn priority_holder<'s>(&self, state: &'s State, map: &CenRouteMap) -> Option<&'s CenRouteMap> {
        state
            .cen_route_maps
            .children_of(0, &map.cen_id)
            .find(|other| {
                other.id != map.id
                    && other.region_id == map.region_id
                    && other.direction == map.direction
                    && other.priority == map.priority
                    && self.live(*other)
            })
    }

    /// The route table a new map binds to: the one given, which must be an `Active` table of
    /// the CEN instance's transit router in the map's region, or else that router's System
    /// table (none when the region has no transit router).
    fn route_map_table(
        &self,
        state: &State,
        caller: &Caller,
        (cen_id, region): (&str, &str),
        given: Option<&str>,
    ) -> Result<Option<String>, ApiError> {
        let Some(id) = given else {
            return Ok(self.router_in(state, cen_id, region).and_then(|router| {
                state
                    .tr_route_tables
                    .children_of(2, &router.id)
                    .find(|table: &&TrRouteTable| self.live(*table))
                    .map(|table| table.id.clone())
            }));
        };
        let table = self
            .route_table(state, caller, id)
            .filter(|t| t.cen_id == cen_id && t.region_id == region)
            .ok_or_else(|| {
                invalid(format!(
                    "TransitRouterRouteTableId {id} is not a route table of the transit router of CEN instance {cen_id} in {region}."
                ))
            })?;
        if self.phase(table) != Phase::Ready {
            return Err(invalid(format!("The route table {id} is not Active.")));
        }
        Ok(Some(table.id.clone()))
    }
}

/// The answer for one route map: every list in its wrapper, empty ones included.
fn route_map_view(ctx: &Ctx<'_>, map: &CenRouteMap) -> t::CenRouteMap {
    let m = &map.matching;
    let a = &map.action;
    let numbers = |list: &[i64]| list.iter().map(i64::to_string).collect();
    t::CenRouteMap {
        as_path_match_mode: m.as_path_match_mode.clone(),
        cen_id: Some(map.cen_id.clone()),
        cen_region_id: Some(map.region_id.clone()),
        cidr_match_mode: m.cidr_match_mode.clone(),
        community_match_mode: m.community_match_mode.clone(),
        community_operate_mode: a.community_operate_mode.clone(),
        description: map.description.clone(),
        destination_child_instance_types: Some(t::CenRouteMapDestinationChildInstanceTypes {
            destination_child_instance_type: m.destination_child_instance_types.clone(),
        }),
        destination_cidr_blocks: Some(t::CenRouteMapDestinationCidrBlocks {
            destination_cidr_block: m.destination_cidr_blocks.clone(),
        }),
        destination_instance_ids: Some(t::CenRouteMapDestinationInstanceIds {
            destination_instance_id: m.destination_instance_ids.clone(),
        }),
        destination_instance_ids_reverse_match: Some(m.destination_instance_ids_reverse_match),
        destination_region_ids: Some(t::CenRouteMapDestinationRegionIds {
            destination_region_id: m.destination_region_ids.clone(),
        }),
        destination_route_table_ids: Some(t::CenRouteMapDestinationRouteTableIds {
            destination_route_table_id: m.destination_route_table_ids.clone(),
        }),
        map_result: Some(a.map_result.clone()),
        match_address_type: m.match_address_type.clone(),
        match_asns: Some(t::CenRouteMapMatchAsns {
            match_asn: numbers(&m.match_asns),
        }),
        match_community_set: Some(t::CenRouteMapMatchCommunitySet {
            match_community: m.match_community_set.clone(),
        }),
        next_priority: a.next_priority,
        operate_community_set: Some(t::CenRouteMapOperateCommunitySet {
            operate_community: a.operate_community_set.clone(),
        }),
        preference: Some(a.preference),
        prepend_as_path: Some(t::CenRouteMapPrependAsPath {
            as_path: numbers(&a.prepend_as_path),
        }),
        priority: Some(map.priority),
        route_map_id: Some(map.id.clone()),
        route_types: Some(t::CenRouteMapRouteTypes {
            route_type: m.route_types.clone(),
        }),
        source_child_instance_types: Some(t::CenRouteMapSourceChildInstanceTypes {
            source_child_instance_type: m.source_child_instance_types.clone(),
        }),
        source_instance_ids: Some(t::CenRouteMapSourceInstanceIds {
            source_instance_id: m.source_instance_ids.clone(),
        }),
        source_instance_ids_reverse_match: Some(m.source_instance_ids_reverse_match),
        source_region_ids: Some(t::CenRouteMapSourceRegionIds {
            source_region_id: m.source_region_ids.clone(),
        }),
        source_route_table_ids: Some(t::CenRouteMapSourceRouteTableIds {
            source_route_table_id: m.source_route_table_ids.clone(),
        }),
        status: Some(ctx.status(map).into()),
        transit_router_route_table_id: map.route_table_id.clone(),
        transmit_direction: Some(map.direction.clone()),
    }
}

/// `IncorrectStatus.RouteMap` for a map in a transition, saying which (the documented message
/// is empty).
fn busy(ctx: &Ctx<'_>, map: &CenRouteMap, error: fn() -> ApiError) -> ApiError {
    errors::saying(
        error,
        format!(
            "The route map {} is {}: it can only be queried until it is Active.",
            map.id,
            ctx.status(map)
        ),
    )
}

/// `InvalidParameter` for a Priority another live map of the CEN instance has in the same
/// region and direction.
fn priority_taken(map: &CenRouteMap, holder: &CenRouteMap) -> ApiError {
    invalid(format!(
        "Priority {} is already used by route map {} of CEN instance {} in {} {}.",
        map.priority, holder.id, map.cen_id, map.region_id, map.direction
    ))
}

impl Emulator {
    /// CreateCenRouteMap: adds a routing policy to a CEN instance in CenRegionId for
    /// TransmitDirection (`RegionIn` or `RegionOut`); it is `Creating` for the delay, then
    /// `Active`.
    ///
    /// Priority and Preference (default 50) are 1 to 100; MapResult is `Permit` or `Deny`;
    /// NextPriority only with `Permit` and greater than Priority; the match modes `Include` or
    /// `Complete`; child instance types `VPC`, `VBR`, `CCN`, `VPN`; route types `System`,
    /// `Custom`, `BGP`; CIDR blocks as network addresses (of the MatchAddressType family when
    /// given); AS numbers 1 to 4294967295; communities `n:m` (1 to 65535 each); at most 32
    /// entries per list; regions CEN knows; PrependAsPath needs SourceInstanceIds and the map's
    /// region among SourceRegionIds (RegionIn) or DestinationInstanceIds (RegionOut). A Priority
    /// another map of the CEN instance has in the region and direction, or a
    /// TransitRouterRouteTableId that is not an `Active` table of the CEN's transit router in
    /// CenRegionId: `InvalidParameter`, saying which. Without TransitRouterRouteTableId the map
    /// binds to the System table of that router, if the region has one. A CEN instance the
    /// caller does not have: `ParameterCenInstanceId`; one not `Active`:
    /// `InvalidOperation.CenInstanceStatus`; a region CEN does not know:
    /// `ParameterIllegal.RegionId`. Emulator rule: a route map goes with its CEN instance and
    /// with its route table, since neither delete documents a code for a remaining map.
    pub fn create_cen_route_map(
        &self,
        caller: &Caller,
        request: t::CreateCenRouteMapRequest,
    ) -> Result<t::CreateCenRouteMapResponse, ApiError> {
        let terms = terms_of!(request)?;
        let region = validate::required(&request.cen_region_id, "CenRegionId")?;
        if geo::region_code(region).is_none() {
            return Err(errors::illegal_region());
        }
        let direction = request.transmit_direction.as_str().to_owned();
        let id = self.write(|state, ctx| {
            ctx.active_cen(state, caller, &request.cen_id)?;
            let route_table_id = ctx.route_map_table(
                state,
                caller,
                (&request.cen_id, region),
                validate::given(&request.transit_router_route_table_id),
            )?;
            let mut map = CenRouteMap {
                id: new_id("cenrmap-"),
                cen_id: request.cen_id.clone(),
                owner: caller.uid,
                region_id: region.to_owned(),
                direction: direction.clone(),
                priority: request.priority,
                route_table_id,
                description: None,
                matching: RouteMapMatch::default(),
                action: RouteMapAction {
                    preference: 50,
                    ..RouteMapAction::default()
                },
                life: Lifecycle::started(ctx.now),
            };
            terms.apply_to(&mut map);
            check_map(&map)?;
            if let Some(holder) = ctx.priority_holder(state, &map) {
                return Err(priority_taken(&map, holder));
            }
            let id = map.id.clone();
            state.cen_route_maps.insert(map);
            Ok(id)
        })?;
        Ok(t::CreateCenRouteMapResponse {
            request_id: Some(caller.request_id.clone()),
            route_map_id: Some(id),
        })
    }

    /// DescribeCenRouteMaps: the route maps of a CEN instance in creation order, paged by
    /// PageNumber and PageSize (1 to 50, default 10; `InvalidParameter` otherwise). Every given
    /// filter must match: RouteMapId, CenRegionId, TransmitDirection and
    /// TransitRouterRouteTableId. A CEN instance the caller does not have answers an empty
    /// list.
    pub fn describe_cen_route_maps(
        &self,
        caller: &Caller,
        request: t::DescribeCenRouteMapsRequest,
    ) -> Result<t::DescribeCenRouteMapsResponse, ApiError> {
        let page = Page::new(request.page_number, request.page_size, 50)?;
        let direction = request
            .transmit_direction
            .as_ref()
            .map(t::TransmitDirection::as_str);
        let (route_map, total) = self.read(|state, ctx| {
            if ctx.cen(state, caller, &request.cen_id).is_err() {
                return (Vec::new(), 0);
            }
            let matched: Vec<&CenRouteMap> = state
                .cen_route_maps
                .children_of(0, &request.cen_id)
                .filter(|m| {
                    ctx.live(*m)
                        && validate::matches(&request.route_map_id, Some(m.id.as_str()))
                        && validate::matches(&request.cen_region_id, Some(m.region_id.as_str()))
                        && direction.is_none_or(|d| m.direction == d)
                        && validate::matches(
                            &request.transit_router_route_table_id,
                            m.route_table_id.as_deref(),
                        )
                })
                .collect();
            let (items, total) = page.slice(matched);
            (
                items.into_iter().map(|m| route_map_view(ctx, m)).collect(),
                total,
            )
        });
        Ok(t::DescribeCenRouteMapsResponse {
            page_number: Some(page.number),
            page_size: Some(page.size),
            request_id: Some(caller.request_id.clone()),
            route_maps: Some(t::DescribeCenRouteMapsResponseRouteMaps { route_map }),
            total_count: Some(total),
        })
    }

    /// ModifyCenRouteMap: changes an `Active` route map, which is `Modifying` for the delay and
    /// then `Active`. Priority and MapResult are always given; any other condition or action
    /// given (a list given non-empty) replaces what the map had. Emulator rule: what is not given
    /// stays, since the documents do not say whether an absent list clears it. Turning a map to
    /// `Deny` drops its NextPriority. The rules are CreateCenRouteMap's, checked on the map as
    /// changed, and the region and direction stay. A map the caller does not have in CenId and
    /// CenRegionId: `InvalidParameter`; not `Active`: `IncorrectStatus.RouteMap`.
    pub fn modify_cen_route_map(
        &self,
        caller: &Caller,
        request: t::ModifyCenRouteMapRequest,
    ) -> Result<t::ModifyCenRouteMapResponse, ApiError> {
        let terms = terms_of!(request)?;
        self.write(|state, ctx| {
            let key = (
                request.cen_id.as_str(),
                request.cen_region_id.as_str(),
                request.route_map_id.as_str(),
            );
            let current = ctx.route_map(state, caller, key)?;
            if ctx.phase(current) != Phase::Ready {
                return Err(busy(
                    ctx,
                    current,
                    cbn::modify_cen_route_map::incorrect_status_route_map,
                ));
            }
            let mut map = current.clone();
            map.priority = request.priority;
            terms.apply_to(&mut map);
            check_map(&map)?;
            if let Some(holder) = ctx.priority_holder(state, &map) {
                return Err(priority_taken(&map, holder));
            }
            map.life.modified_at = Some(ctx.now);
            state.cen_route_maps.insert(map);
            Ok(())
        })?;
        Ok(t::ModifyCenRouteMapResponse {
            request_id: Some(caller.request_id.clone()),
        })
    }

    /// DeleteCenRouteMap: starts deleting an `Active` route map; it is `Deleting` for the delay
    /// and then gone. A map the caller does not have in CenId and CenRegionId:
    /// `InvalidParameter`; not `Active`: `IncorrectStatus.RouteMap`.
    pub fn delete_cen_route_map(
        &self,
        caller: &Caller,
        request: t::DeleteCenRouteMapRequest,
    ) -> Result<t::DeleteCenRouteMapResponse, ApiError> {
        self.write(|state, ctx| {
            let key = (
                request.cen_id.as_str(),
                request.cen_region_id.as_str(),
                request.route_map_id.as_str(),
            );
            let map = ctx.route_map(state, caller, key)?;
            if ctx.phase(map) != Phase::Ready {
                return Err(busy(
                    ctx,
                    map,
                    cbn::delete_cen_route_map::incorrect_status_route_map,
                ));
            }
            if let Some(mut map) = state.cen_route_maps.get_mut(&request.route_map_id) {
                map.life.deleting_at = Some(ctx.now);
            }
            Ok(())
        })?;
        Ok(t::DeleteCenRouteMapResponse {
            request_id: Some(caller.request_id.clone()),
        })
    }
}
