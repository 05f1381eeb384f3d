//! Transit-router route tables: CreateTransitRouterRouteTable, ListTransitRouterRouteTables,
//! UpdateTransitRouterRouteTable, DeleteTransitRouterRouteTable.

use acs_rpc::error::ApiError;
use cen_server::cbn::errors as cbn;

use crate::api::cbn as t;
use crate::emulator::{Caller, Ctx, Emulator, minutes, new_regional_id};
use crate::ops::transit_routers::bare_tags;
use crate::resource::Sequenced;
use crate::state::{Lifecycle, Resource, State, TrRouteTable};
use crate::validate::{self, PARAMETER_TAG, TokenPage};

/// Reads `RouteTableOptions.MultiRegionECMP`: `enable` or `disable`; another value is
/// `InvalidParameter`.
fn multi_region_ecmp(options: Option<&t::RouteTableOptions>) -> Result<Option<String>, ApiError> {
    match options.and_then(|o| o.multi_region_ecmp.as_ref()) {
        None => Ok(None),
        Some(t::RouteTableOptionsMultiRegionEcmp::Unknown(_)) => {
            Err(cbn::create_transit_router_route_table::invalid_parameter())
        }
        Some(value) => Ok(Some(value.as_str().to_owned())),
    }
}

impl<'a> Ctx<'a> {
    /// The caller's live route table with an id.
    pub fn route_table<'s>(
        &self,
        state: &'s State,
        caller: &Caller,
        id: &str,
    ) -> Option<&'s TrRouteTable> {
        state
            .tr_route_tables
            .get(id)
            .filter(|r| r.owner == caller.uid && self.live(*r))
    }

    /// The route tables of a transit router: the System table, then the custom ones.
    pub fn route_tables_of<'s>(
        &self,
        state: &'s State,
        router_id: &str,
    ) -> impl Iterator<Item = &'s TrRouteTable> + 's {
        state.tr_route_tables.children_of(2, router_id).chain(
            state
                .tr_route_tables
                .children_of(TrRouteTable::CUSTOM_OF_ROUTER, router_id),
        )
    }

    /// The answer for one route table.
    fn route_table_view(&self, table: &TrRouteTable) -> t::TransitRouterRouteTable {
        t::TransitRouterRouteTable {
            create_time: Some(minutes(table.life.created_at)),
            region_id: Some(table.region_id.clone()),
            route_table_options: Some(t::TransitRouterRouteTableOptions {
                multi_region_ecmp: Some(table.multi_region_ecmp.clone()),
            }),
            tags: bare_tags(&table.tags),
            transit_router_id: Some(table.transit_router_id.clone()),
            transit_router_route_table_description: table.description.clone(),
            transit_router_route_table_id: Some(table.id.clone()),
            transit_router_route_table_name: table.name.clone(),
            transit_router_route_table_status: Some(self.status(table).into()),
            transit_router_route_table_type: Some(
                if table.system { "System" } else { "Custom" }.into(),
            ),
        }
    }
}

impl Emulator {
    /// CreateTransitRouterRouteTable: creates a custom route table on an `Active` transit
    /// router; it is `Creating` for the delay, then `Active`.
    ///
    /// Name and description follow CreateCen's rules, up to 20 valid tags, MultiRegionECMP
    /// `enable` or `disable` (default): `InvalidParameter` otherwise. A router the caller does
    /// not have: `InvalidTransitRouterId.NotFound`; one that is not Active:
    /// `IncorrectStatus.Status`. `DryRun` answers `DryRunOperation`; a ClientToken makes the call
    /// idempotent.
    pub fn create_transit_router_route_table(
        &self,
        caller: &Caller,
        request: t::CreateTransitRouterRouteTableRequest,
    ) -> Result<t::CreateTransitRouterRouteTableResponse, ApiError> {
        use cbn::create_transit_router_route_table as e;
        validate::name(request.transit_router_route_table_name.as_deref())?;
        validate::description(request.transit_router_route_table_description.as_deref())?;
        let tags = validate::tags_to_set(
            request.tag.iter().map(|t| (t.key.clone(), t.value.clone())),
            PARAMETER_TAG,
        )?;
        let ecmp = multi_region_ecmp(request.route_table_options.as_ref())?;
        let id = self.write_idempotent(
            caller,
            "CreateTransitRouterRouteTable",
            request.client_token.as_deref(),
            &request,
            |state, ctx| {
                let router = ctx
                    .router(state, caller, &request.transit_router_id)
                    .ok_or_else(e::invalid_transit_router_id_not_found)?;
                ctx.require_ready(router, e::incorrect_status_status)?;
                validate::dry_run(request.dry_run, e::dry_run_operation)?;
                let table = TrRouteTable {
                    id: new_regional_id("vtb-", &router.region_id),
                    transit_router_id: router.id.clone(),
                    cen_id: router.cen_id.clone(),
                    owner: caller.uid,
                    region_id: router.region_id.clone(),
                    system: false,
                    name: request.transit_router_route_table_name.clone(),
                    description: request.transit_router_route_table_description.clone(),
                    multi_region_ecmp: ecmp.clone().unwrap_or_else(|| "disable".into()),
                    life: Lifecycle::started(ctx.now),
                    tags: tags.clone(),
                };
                let id = table.id.clone();
                state.tr_route_tables.insert(table);
                Ok(id)
            },
        )?;
        Ok(t::CreateTransitRouterRouteTableResponse {
            request_id: Some(caller.request_id.clone()),
            transit_router_route_table_id: Some(id),
        })
    }

    /// ListTransitRouterRouteTables: the caller's route tables, the System table of each router
    /// first, paged by MaxResults (1 to 100, default 20) and NextToken; a bad one is
    /// `InvalidParameter`.
    ///
    /// Every given filter must match: TransitRouterId, TransitRouterRouteTableIds.N,
    /// TransitRouterRouteTableNames.N, TransitRouterRouteTableStatus,
    /// TransitRouterRouteTableType, RouteTableOptions.MultiRegionECMP and Tag.N. Unknown ids
    /// answer an empty list.
    pub fn list_transit_router_route_tables(
        &self,
        caller: &Caller,
        request: t::ListTransitRouterRouteTablesRequest,
    ) -> Result<t::ListTransitRouterRouteTablesResponse, ApiError> {
        use cbn::list_transit_router_route_tables as e;
        let page = TokenPage::standard(
            request.max_results,
            request.next_token.as_deref(),
            e::invalid_parameter,
        )?;
        let tag_filters = validate::tag_filters(
            request.tag.iter().map(|t| (t.key.clone(), t.value.clone())),
            PARAMETER_TAG,
        )?;
        let ecmp = multi_region_ecmp(request.route_table_options.as_ref())?;
        let status = request
            .transit_router_route_table_status
            .as_ref()
            .map(|s| s.as_str().to_owned());
        let kind = request
            .transit_router_route_table_type
            .as_ref()
            .map(|k| k.as_str() == "System");
        let (items, next_token, total) = self.read(|state, ctx| {
            let keep = |table: &&TrRouteTable| {
                ctx.live(*table)
                    && table.owner == caller.uid
                    && (request.transit_router_route_table_ids.is_empty()
                        || request.transit_router_route_table_ids.contains(&table.id))
                    && (request.transit_router_route_table_names.is_empty()
                        || table
                            .name
                            .as_ref()
                            .is_some_and(|n| request.transit_router_route_table_names.contains(n)))
                    && status.as_ref().is_none_or(|s| ctx.status(*table) == s)
                    && kind.is_none_or(|system| table.system == system)
                    && ecmp.as_ref().is_none_or(|m| table.multi_region_ecmp == *m)
                    && validate::tags_match(&table.tags, &tag_filters)
            };
            let candidates: Vec<&TrRouteTable> = match request.transit_router_id.as_deref() {
                Some(router) if !router.is_empty() => {
                    ctx.route_tables_of(state, router).filter(keep).collect()
                }
                _ => state
                    .tr_route_tables
                    .owned_by(caller.uid)
                    .filter(keep)
                    .collect(),
            };
            let (page, next, total) =
                page.slice(candidates.into_iter().sequenced(&state.tr_route_tables));
            let items: Vec<_> = page.into_iter().map(|t| ctx.route_table_view(t)).collect();
            (items, next, total)
        });
        Ok(t::ListTransitRouterRouteTablesResponse {
            max_results: Some(page.max_results()),
            next_token,
            request_id: Some(caller.request_id.clone()),
            total_count: Some(total),
            transit_router_route_tables: items,
        })
    }

    /// UpdateTransitRouterRouteTable: changes the name, description or MultiRegionECMP of an
    /// `Active` route table, at once (the table has no Modifying status).
    ///
    /// Unknown: `InvalidTransitRouterRouteTableId.NotFound`; not Active:
    /// `IncorrectStatus.TransitRouterRouteTable`; a bad name `InvalidName`, description
    /// `InvalidDescription`, ECMP value `InvalidParameter`. `DryRun` answers `DryRunOperation`.
    pub fn update_transit_router_route_table(
        &self,
        caller: &Caller,
        request: t::UpdateTransitRouterRouteTableRequest,
    ) -> Result<t::UpdateTransitRouterRouteTableResponse, ApiError> {
        use cbn::update_transit_router_route_table as e;
        validate::name(request.transit_router_route_table_name.as_deref())
            .map_err(|_| e::invalid_name())?;
        validate::description(request.transit_router_route_table_description.as_deref())
            .map_err(|_| e::invalid_description())?;
        let ecmp = multi_region_ecmp(request.route_table_options.as_ref())?;
        self.write_idempotent(
            caller,
            "UpdateTransitRouterRouteTable",
            request.client_token.as_deref(),
            &request,
            |state, ctx| {
                let table = ctx
                    .route_table(state, caller, &request.transit_router_route_table_id)
                    .ok_or_else(e::invalid_transit_router_route_table_id_not_found)?;
                ctx.require_ready(table, e::incorrect_status_transit_router_route_table)?;
                validate::dry_run(request.dry_run, e::dry_run_operation)?;
                let Some(mut table) = state
                    .tr_route_tables
                    .get_mut(&request.transit_router_route_table_id)
                else {
                    return Err(e::invalid_transit_router_route_table_id_not_found());
                };
                validate::overwrite(&mut table.name, &request.transit_router_route_table_name);
                validate::overwrite(
                    &mut table.description,
                    &request.transit_router_route_table_description,
                );
                if let Some(ecmp) = &ecmp {
                    table.multi_region_ecmp.clone_from(ecmp);
                }
                Ok(())
            },
        )?;
        Ok(t::UpdateTransitRouterRouteTableResponse {
            request_id: Some(caller.request_id.clone()),
        })
    }

    /// DeleteTransitRouterRouteTable: starts deleting an `Active` custom route table; it is
    /// `Deleting` for the delay and then gone.
    ///
    /// Unknown: `InvalidTransitRouterRouteTableId.NotFound`; the System table:
    /// `OperationFailed.DeleteSystemRouteTable`; not Active:
    /// `IncorrectStatus.TransitRouterRouteTable`; what is still associated with it, propagates
    /// to it or routes in it refuses with its own documented code (see the resource
    /// declarations). `DryRun` answers `DryRunOperation`.
    pub fn delete_transit_router_route_table(
        &self,
        caller: &Caller,
        request: t::DeleteTransitRouterRouteTableRequest,
    ) -> Result<t::DeleteTransitRouterRouteTableResponse, ApiError> {
        use cbn::delete_transit_router_route_table as e;
        if request.transit_router_route_table_id.is_empty() {
            return Err(e::missing_param_transit_router_route_table_id());
        }
        self.write_idempotent(
            caller,
            "DeleteTransitRouterRouteTable",
            request.client_token.as_deref(),
            &request,
            |state, ctx| {
                let table = ctx
                    .route_table(state, caller, &request.transit_router_route_table_id)
                    .ok_or_else(e::invalid_transit_router_route_table_id_not_found)?;
                if table.system {
                    return Err(e::operation_failed_delete_system_route_table());
                }
                ctx.require_ready(table, e::incorrect_status_transit_router_route_table)?;
                if let Some(error) = ctx.blocker(state, table, false) {
                    return Err(error);
                }
                validate::dry_run(request.dry_run, e::dry_run_operation)?;
                if let Some(mut table) = state
                    .tr_route_tables
                    .get_mut(&request.transit_router_route_table_id)
                {
                    table.life.deleting_at = Some(ctx.now);
                }
                // What goes with the table (its route maps) is listed as deleting with it.
                state.delete_dependents(
                    TrRouteTable::KIND,
                    &request.transit_router_route_table_id,
                    ctx.now,
                );
                Ok(())
            },
        )?;
        Ok(t::DeleteTransitRouterRouteTableResponse {
            request_id: Some(caller.request_id.clone()),
        })
    }
}
