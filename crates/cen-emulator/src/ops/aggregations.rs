//! Aggregate routes of transit-router route tables: CreateTransitRouteTableAggregation,
//! DescribeTransitRouteTableAggregation, ModifyTransitRouteTableAggregation,
//! DeleteTransitRouteTableAggregation, DescribeTransitRouteTableAggregationDetail,
//! RefreshTransitRouteTableAggregation.
//!
//! An aggregate route is keyed by its table and CIDR block. It is advertised to the VPCs whose
//! attachments are associated with the table and have route synchronization
//! (AutoPublishRouteEnabled) on; the detail lists them. The emulator has no VPC route tables
//! that could refuse it, so an advertisement never fails: the route is `Configuring` for the
//! delay after each create, modify or refresh, then `AllConfigured`.

use acs_rpc::error::ApiError;
use cen_server::cbn::errors as cbn;
use ipnet::{IpNet, Ipv4Net};

use crate::api::cbn as t;
use crate::emulator::{Caller, Ctx, Emulator};
use crate::errors;
use crate::resource::Sequenced;
use crate::state::{AttachmentKind, Lifecycle, Phase, State, TrAggregation, TrRouteTable};
use crate::validate::{self, TokenPage};

/// The only network scope an aggregate route is advertised to.
const SCOPE_VPC: &str = "VPC";

/// The blocks an aggregate route may not be in: those starting with 0, the shared address
/// space 100.64.0.0/10 and multicast.
const RESERVED: [&str; 3] = ["0.0.0.0/8", "100.64.0.0/10", "224.0.0.0/4"];

/// The codes an operation answers for bad scopes: a bad Scope, a bad ScopeList.
#[derive(Clone, Copy)]
struct ScopeCodes {
    scope: fn() -> ApiError,
    list: fn() -> ApiError,
}

/// The scope and the scope list of an aggregate route, as given.
type Scopes = (Option<String>, Vec<String>);

/// Checks TransitRouteTableAggregationScope and ScopeList: each value `VPC`, no value twice
/// across both. Returns `None` when neither is given.
fn scopes(
    scope: Option<&str>,
    list: &[String],
    codes: ScopeCodes,
) -> Result<Option<Scopes>, ApiError> {
    let scope = scope.filter(|s| !s.is_empty());
    if scope.is_none() && list.is_empty() {
        return Ok(None);
    }
    if scope.is_some_and(|s| s != SCOPE_VPC) {
        return Err(errors::saying(
            codes.scope,
            "TransitRouteTableAggregationScope is invalid, valid value is VPC.",
        ));
    }
    let mut seen: Vec<&str> = scope.into_iter().collect();
    for value in list {
        if value != SCOPE_VPC {
            return Err(errors::saying(
                codes.list,
                format!(
                    "TransitRouteTableAggregationScopeList has {value}; the valid value is VPC."
                ),
            ));
        }
        if seen.contains(&value.as_str()) {
            return Err(errors::saying(
                codes.list,
                format!(
                    "{value} is given twice across TransitRouteTableAggregationScope and TransitRouteTableAggregationScopeList."
                ),
            ));
        }
        seen.push(value);
    }
    Ok(Some((scope.map(str::to_owned), list.to_vec())))
}

/// Reads an aggregate CIDR block: an IPv4 network address outside the reserved blocks.
/// Anything unreadable or with host bits is `illegal()`; an IPv6 block `ipv6()`; a reserved
/// block `reserved()`.
fn aggregate_cidr(
    value: &str,
    illegal: fn() -> ApiError,
    ipv6: Option<fn() -> ApiError>,
    reserved: Option<fn() -> ApiError>,
) -> Result<String, ApiError> {
    let net: IpNet = value
        .trim()
        .parse()
        .map_err(|_| errors::saying(illegal, format!("{value} is not a CIDR block.")))?;
    if net.trunc() != net {
        return Err(errors::saying(
            illegal,
            format!("{value} is not a network address ({}).", net.trunc()),
        ));
    }
    let IpNet::V4(v4) = net else {
        return Err(ipv6.map_or_else(illegal, |e| e()));
    };
    if let Some(reserved) = reserved
        && let Some(block) = RESERVED
            .iter()
            .filter_map(|r| r.parse::<Ipv4Net>().ok())
            .find(|r| r.contains(&v4.network()))
    {
        return Err(errors::saying(
            reserved,
            format!(
                "{value} is in {block}: aggregate routes cannot start with 0 or 100.64 or be multicast."
            ),
        ));
    }
    Ok(net.to_string())
}

/// The codes an operation answers when the route table of an aggregate route cannot take a
/// change: unknown, in a transition, its router in a transition.
#[derive(Clone, Copy)]
struct TableCodes {
    not_found: fn() -> ApiError,
    busy: fn() -> ApiError,
    router_busy: fn() -> ApiError,
}

/// The codes an operation answers for the aggregate route itself: unknown, in a transition.
#[derive(Clone, Copy)]
struct RouteCodes {
    not_found: fn() -> ApiError,
    busy: fn() -> ApiError,
}

impl<'a> Ctx<'a> {
    /// The caller's `Active` route table on an `Active` router, for a change of its aggregate
    /// routes.
    fn aggregation_table<'s>(
        &self,
        state: &'s State,
        caller: &Caller,
        id: &str,
        codes: TableCodes,
    ) -> Result<&'s TrRouteTable, ApiError> {
        let table = self
            .route_table(state, caller, id)
            .ok_or_else(codes.not_found)?;
        self.require_ready(table, codes.busy)?;
        let router_ready = state
            .transit_routers
            .get(&table.transit_router_id)
            .is_some_and(|r| self.phase(r) == Phase::Ready);
        if !router_ready {
            return Err((codes.router_busy)());
        }
        Ok(table)
    }

    /// The caller's `Active` aggregate route of a table, for changing it.
    fn ready_aggregation<'s>(
        &self,
        state: &'s State,
        caller: &Caller,
        (table_id, cidr): (&str, &str),
        (table_codes, codes): (TableCodes, RouteCodes),
    ) -> Result<&'s TrAggregation, ApiError> {
        self.aggregation_table(state, caller, table_id, table_codes)?;
        let aggregation = state
            .tr_aggregations
            .get(&(table_id.to_owned(), cidr.to_owned()))
            .filter(|a| self.live(*a))
            .ok_or_else(codes.not_found)?;
        if self.phase(aggregation) != Phase::Ready {
            // The documented message is empty; this one says what the route is doing.
            return Err(errors::saying(
                codes.busy,
                format!(
                    "The aggregate route {cidr} of {table_id} is {}: it can only be queried until it is AllConfigured.",
                    self.status(aggregation)
                ),
            ));
        }
        Ok(aggregation)
    }

    /// The caller's live aggregate route of a table, for reading it.
    fn aggregation<'s>(
        &self,
        state: &'s State,
        caller: &Caller,
        (table_id, cidr): (&str, &str),
    ) -> Option<&'s TrAggregation> {
        let cidr = cidr.trim().parse::<IpNet>().ok()?.to_string();
        state
            .tr_aggregations
            .get(&(table_id.to_owned(), cidr))
            .filter(|a| a.owner == caller.uid && self.live(*a))
    }

    /// The VPCs an aggregate route is advertised to: those whose live attachment is associated
    /// with its table and synchronizes routes, in association order.
    fn advertised_to(&self, state: &State, aggregation: &TrAggregation) -> Vec<String> {
        state
            .tr_associations
            .children_of(1, &aggregation.route_table_id)
            .filter(|a| self.live(*a) && self.phase(*a) != Phase::Deleting)
            .filter_map(|a| state.tr_attachments.get(&a.attachment_id))
            .filter(|a| a.kind == AttachmentKind::Vpc && a.auto_publish_route && self.live(*a))
            .map(|a| a.resource_id.clone())
            .collect()
    }
}

impl Emulator {
    /// CreateTransitRouteTableAggregation: adds an aggregate route to a route table; it is
    /// `Configuring` for the delay, then `AllConfigured`.
    ///
    /// The block must be an IPv4 network address (`IllegalParam.TransitRouteTableAggregationCidr`
    /// otherwise; emulator rule: an IPv6 block is `InvalidOperation.InstanceNotSupportIPv6Route`)
    /// outside 0.0.0.0/8, 100.64.0.0/10 and multicast (`InvalidCidrBlock`), and not yet an
    /// aggregate route of the table (`RouteConflict`). TransitRouteTableAggregationScope or
    /// ScopeList must be given (`MissingParameter.ScopeListOrScope`); the Scope is `VPC`
    /// (`IllegalParam.TransitRouteTableAggregationScope`); the list holds `VPC` once, not
    /// repeating the Scope (`InvalidParameter.TransitRouteTableAggregationScopeList`). Name and
    /// description follow CreateCen's rules (`InvalidParameter`). A table the caller does not
    /// have: `InstanceNotExist.TransitRouteTable`; not `Active`:
    /// `IncorrectStatus.TransitRouteTable`; its router not `Active`:
    /// `IncorrectStatus.TransitRouter`. `DryRun` answers `DryRunOperation`; a ClientToken makes
    /// the call idempotent.
    pub fn create_transit_route_table_aggregation(
        &self,
        caller: &Caller,
        request: t::CreateTransitRouteTableAggregationRequest,
    ) -> Result<t::CreateTransitRouteTableAggregationResponse, ApiError> {
        use cbn::create_transit_route_table_aggregation as e;
        let cidr = aggregate_cidr(
            &request.transit_route_table_aggregation_cidr,
            e::illegal_param_transit_route_table_aggregation_cidr,
            Some(e::invalid_operation_instance_not_support_i_pv6_route),
            Some(e::invalid_cidr_block),
        )?;
        let (scope, scope_list) = scopes(
            request.transit_route_table_aggregation_scope.as_deref(),
            &request.transit_route_table_aggregation_scope_list,
            ScopeCodes {
                scope: e::illegal_param_transit_route_table_aggregation_scope,
                list: e::invalid_parameter_transit_route_table_aggregation_scope_list,
            },
        )?
        .ok_or_else(e::missing_parameter_scope_list_or_scope)?;
        validate::name(request.transit_route_table_aggregation_name.as_deref())?;
        validate::description(
            request
                .transit_route_table_aggregation_description
                .as_deref(),
        )?;
        let codes = TableCodes {
            not_found: e::instance_not_exist_transit_route_table,
            busy: e::incorrect_status_transit_route_table,
            router_busy: e::incorrect_status_transit_router,
        };
        self.write_idempotent(
            caller,
            "CreateTransitRouteTableAggregation",
            request.client_token.as_deref(),
            &request,
            |state, ctx| {
                let table =
                    ctx.aggregation_table(state, caller, &request.transit_route_table_id, codes)?;
                let key = (table.id.clone(), cidr.clone());
                if state.tr_aggregations.get(&key).is_some_and(|a| ctx.live(a)) {
                    return Err(errors::saying(
                        e::route_conflict,
                        format!(
                            "The route table {} already has the aggregate route {cidr}.",
                            table.id
                        ),
                    ));
                }
                validate::dry_run(request.dry_run, e::dry_run_operation)?;
                let aggregation = TrAggregation {
                    route_table_id: table.id.clone(),
                    cidr: cidr.clone(),
                    transit_router_id: table.transit_router_id.clone(),
                    cen_id: table.cen_id.clone(),
                    owner: caller.uid,
                    region_id: table.region_id.clone(),
                    name: request.transit_route_table_aggregation_name.clone(),
                    description: request.transit_route_table_aggregation_description.clone(),
                    scope: scope.clone(),
                    scope_list: scope_list.clone(),
                    life: Lifecycle::started(ctx.now),
                };
                state.tr_aggregations.insert(aggregation);
                Ok(())
            },
        )?;
        Ok(t::CreateTransitRouteTableAggregationResponse {
            request_id: Some(caller.request_id.clone()),
        })
    }

    /// DescribeTransitRouteTableAggregation: the aggregate routes of a route table in creation
    /// order (only the one with TransitRouteTableAggregationCidr when given), paged by
    /// MaxResults (1 to 100, default 20) and NextToken; a bad one is `InvalidParameter`. A
    /// table the caller does not have answers an empty list.
    pub fn describe_transit_route_table_aggregation(
        &self,
        caller: &Caller,
        request: t::DescribeTransitRouteTableAggregationRequest,
    ) -> Result<t::DescribeTransitRouteTableAggregationResponse, ApiError> {
        use cbn::describe_transit_route_table_aggregation as e;
        let max = request
            .max_results
            .map(|m| i32::try_from(m).unwrap_or(i32::MAX));
        let page = TokenPage::standard(max, request.next_token.as_deref(), e::invalid_parameter)?;
        let (data, next_token, total) = self.read(|state, ctx| {
            let Some(table) = ctx.route_table(state, caller, &request.transit_route_table_id)
            else {
                return (Vec::new(), None, 0);
            };
            let only = validate::given(&request.transit_route_table_aggregation_cidr)
                .map(|c| ctx.aggregation(state, caller, (&table.id, c)));
            let routes: Vec<&TrAggregation> = match only {
                Some(found) => found.into_iter().collect(),
                None => state
                    .tr_aggregations
                    .children_of(0, &table.id)
                    .filter(|a| ctx.live(*a))
                    .collect(),
            };
            let (page, next, total) =
                page.slice(routes.into_iter().sequenced(&state.tr_aggregations));
            let data = page
                .into_iter()
                .map(|a| t::TransitRouteTableAggregation {
                    description: a.description.clone(),
                    name: a.name.clone(),
                    route_type: Some("Static".into()),
                    scope: a.scope.clone(),
                    scope_list: a.scope_list.clone(),
                    status: Some(ctx.status(a).into()),
                    tr_route_table_id: Some(a.route_table_id.clone()),
                    transit_route_table_aggregation_cidr: Some(a.cidr.clone()),
                })
                .collect::<Vec<_>>();
            (data, next, total)
        });
        Ok(t::DescribeTransitRouteTableAggregationResponse {
            count: Some(i32::try_from(data.len()).unwrap_or(i32::MAX)),
            data,
            next_token,
            request_id: Some(caller.request_id.clone()),
            total: Some(total),
        })
    }

    /// ModifyTransitRouteTableAggregation: changes the name, description, Scope or ScopeList of
    /// an `AllConfigured` aggregate route (the rules are the create's, each mistake
    /// `InvalidParameter`; the scopes given replace both, none given keeps them); it is
    /// `Configuring` for the delay, then `AllConfigured`. An unknown table or route:
    /// `InstanceNotExist.AggregationRoute`; the route in a transition:
    /// `IncorrectStatus.AggregationRoute`; the table or its router not `Active`:
    /// `IncorrectStatus.TransitRouteTable` or `IncorrectStatus.TransitRouter`. `DryRun` answers
    /// `DryRunOperation`; a ClientToken makes the call idempotent.
    pub fn modify_transit_route_table_aggregation(
        &self,
        caller: &Caller,
        request: t::ModifyTransitRouteTableAggregationRequest,
    ) -> Result<t::ModifyTransitRouteTableAggregationResponse, ApiError> {
        use cbn::modify_transit_route_table_aggregation as e;
        let cidr = aggregate_cidr(
            &request.transit_route_table_aggregation_cidr,
            e::instance_not_exist_aggregation_route,
            None,
            None,
        )?;
        let scopes = scopes(
            request.transit_route_table_aggregation_scope.as_deref(),
            &request.transit_route_table_aggregation_scope_list,
            ScopeCodes {
                scope: e::invalid_parameter,
                list: e::invalid_parameter,
            },
        )?;
        validate::name(request.transit_route_table_aggregation_name.as_deref())?;
        validate::description(
            request
                .transit_route_table_aggregation_description
                .as_deref(),
        )?;
        let codes = (
            TableCodes {
                not_found: e::instance_not_exist_aggregation_route,
                busy: e::incorrect_status_transit_route_table,
                router_busy: e::incorrect_status_transit_router,
            },
            RouteCodes {
                not_found: e::instance_not_exist_aggregation_route,
                busy: e::incorrect_status_aggregation_route,
            },
        );
        self.write_idempotent(
            caller,
            "ModifyTransitRouteTableAggregation",
            request.client_token.as_deref(),
            &request,
            |state, ctx| {
                let key = (request.transit_route_table_id.as_str(), cidr.as_str());
                let found = ctx.ready_aggregation(state, caller, key, codes)?;
                validate::dry_run(request.dry_run, e::dry_run_operation)?;
                let key = (found.route_table_id.clone(), found.cidr.clone());
                if let Some(mut a) = state.tr_aggregations.get_mut(&key) {
                    validate::overwrite(&mut a.name, &request.transit_route_table_aggregation_name);
                    validate::overwrite(
                        &mut a.description,
                        &request.transit_route_table_aggregation_description,
                    );
                    if let Some((scope, list)) = &scopes {
                        a.scope.clone_from(scope);
                        a.scope_list.clone_from(list);
                    }
                    a.life.modified_at = Some(ctx.now);
                }
                Ok(())
            },
        )?;
        Ok(t::ModifyTransitRouteTableAggregationResponse {
            request_id: Some(caller.request_id.clone()),
        })
    }

    /// DeleteTransitRouteTableAggregation: starts withdrawing an `AllConfigured` aggregate
    /// route; it is `Deleting` for the delay and then gone. A block that is not a CIDR block:
    /// `IllegalParam.TransitRouteTableAggregationCidr`; a table the caller does not have:
    /// `InstanceNotExist.TransitRouteTable`; a route the table does not have:
    /// `InstanceNotExist.AggregationRoute`; the route in a transition:
    /// `IncorrectStatus.AggregationRoute`; the table or its router not `Active`:
    /// `IncorrectStatus.TransitRouteTable` or `IncorrectStatus.TransitRouter`. `DryRun` answers
    /// `DryRunOperation`; a ClientToken makes the call idempotent.
    pub fn delete_transit_route_table_aggregation(
        &self,
        caller: &Caller,
        request: t::DeleteTransitRouteTableAggregationRequest,
    ) -> Result<t::DeleteTransitRouteTableAggregationResponse, ApiError> {
        use cbn::delete_transit_route_table_aggregation as e;
        let cidr = aggregate_cidr(
            &request.transit_route_table_aggregation_cidr,
            e::illegal_param_transit_route_table_aggregation_cidr,
            Some(e::instance_not_exist_aggregation_route),
            None,
        )?;
        let codes = (
            TableCodes {
                not_found: e::instance_not_exist_transit_route_table,
                busy: e::incorrect_status_transit_route_table,
                router_busy: e::incorrect_status_transit_router,
            },
            RouteCodes {
                not_found: e::instance_not_exist_aggregation_route,
                busy: e::incorrect_status_aggregation_route,
            },
        );
        self.write_idempotent(
            caller,
            "DeleteTransitRouteTableAggregation",
            request.client_token.as_deref(),
            &request,
            |state, ctx| {
                let key = (request.transit_route_table_id.as_str(), cidr.as_str());
                let found = ctx.ready_aggregation(state, caller, key, codes)?;
                validate::dry_run(request.dry_run, e::dry_run_operation)?;
                let key = (found.route_table_id.clone(), found.cidr.clone());
                if let Some(mut a) = state.tr_aggregations.get_mut(&key) {
                    a.life.deleting_at = Some(ctx.now);
                }
                Ok(())
            },
        )?;
        Ok(t::DeleteTransitRouteTableAggregationResponse {
            request_id: Some(caller.request_id.clone()),
        })
    }

    /// DescribeTransitRouteTableAggregationDetail: where an aggregate route is advertised, one
    /// entry per VPC whose attachment is associated with the table and synchronizes routes:
    /// `Configuring` while the route is, then `Configured`; `Deleting` while it is withdrawn. A
    /// table or route the caller does not have answers an empty list.
    pub fn describe_transit_route_table_aggregation_detail(
        &self,
        caller: &Caller,
        request: t::DescribeTransitRouteTableAggregationDetailRequest,
    ) -> Result<t::DescribeTransitRouteTableAggregationDetailResponse, ApiError> {
        let data = self.read(|state, ctx| {
            let key = (
                request.transit_route_table_id.as_str(),
                request.transit_route_table_aggregation_cidr.as_str(),
            );
            let Some(aggregation) = ctx.aggregation(state, caller, key) else {
                return Vec::new();
            };
            let status = match ctx.phase(aggregation) {
                Phase::Ready => "Configured",
                Phase::Deleting | Phase::Gone => "Deleting",
                Phase::Creating | Phase::Modifying => "Configuring",
            };
            ctx.advertised_to(state, aggregation)
                .into_iter()
                .map(|vpc| t::TransitRouteTableAggregationDetail {
                    description: None,
                    instance_id: Some(vpc),
                    status: Some(status.into()),
                })
                .collect::<Vec<_>>()
        });
        let count = i32::try_from(data.len()).unwrap_or(i32::MAX);
        Ok(t::DescribeTransitRouteTableAggregationDetailResponse {
            count: Some(count),
            data,
            request_id: Some(caller.request_id.clone()),
            total: Some(count),
        })
    }

    /// RefreshTransitRouteTableAggregation: advertises an `AllConfigured` aggregate route
    /// again; it is `Configuring` for the delay, then `AllConfigured`. An unknown table or
    /// route: `InstanceNotExist.AggregationRoute`; the route, its table or its router in a
    /// transition: `IncorrectStatus.AggregationRoute`. A ClientToken makes the call idempotent.
    pub fn refresh_transit_route_table_aggregation(
        &self,
        caller: &Caller,
        request: t::RefreshTransitRouteTableAggregationRequest,
    ) -> Result<t::RefreshTransitRouteTableAggregationResponse, ApiError> {
        use cbn::refresh_transit_route_table_aggregation as e;
        let cidr = aggregate_cidr(
            &request.transit_route_table_aggregation_cidr,
            e::instance_not_exist_aggregation_route,
            None,
            None,
        )?;
        let codes = (
            TableCodes {
                not_found: e::instance_not_exist_aggregation_route,
                busy: e::incorrect_status_aggregation_route,
                router_busy: e::incorrect_status_aggregation_route,
            },
            RouteCodes {
                not_found: e::instance_not_exist_aggregation_route,
                busy: e::incorrect_status_aggregation_route,
            },
        );
        self.write_idempotent(
            caller,
            "RefreshTransitRouteTableAggregation",
            request.client_token.as_deref(),
            &request,
            |state, ctx| {
                let key = (request.transit_route_table_id.as_str(), cidr.as_str());
                let found = ctx.ready_aggregation(state, caller, key, codes)?;
                let key = (found.route_table_id.clone(), found.cidr.clone());
                if let Some(mut a) = state.tr_aggregations.get_mut(&key) {
                    a.life.modified_at = Some(ctx.now);
                }
                Ok(())
            },
        )?;
        Ok(t::RefreshTransitRouteTableAggregationResponse {
            request_id: Some(caller.request_id.clone()),
        })
    }
}
