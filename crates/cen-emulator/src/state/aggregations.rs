//! Aggregate routes of transit-router route tables.

use cen_server::cbn::errors as cbn;
use serde::{Deserialize, Serialize};

use super::{
    Cen, Lifecycle, OnParentDelete, Relation, Resource, Statuses, TrRouteTable, TransitRouter,
};

/// An aggregate route of a transit-router route table, advertised to the VPCs associated with
/// the table that have route synchronization on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TrAggregation {
    /// The route table.
    pub route_table_id: String,
    /// The aggregate CIDR block, as its network address (unique per table).
    pub cidr: String,
    /// The table's transit router.
    pub transit_router_id: String,
    /// Its CEN instance.
    pub cen_id: String,
    /// The owner of the CEN instance.
    pub owner: i64,
    /// The router's region.
    pub region_id: String,
    /// The name, if set.
    pub name: Option<String>,
    /// The description, if set.
    pub description: Option<String>,
    /// `TransitRouteTableAggregationScope`, if given (`VPC`).
    pub scope: Option<String>,
    /// `TransitRouteTableAggregationScopeList`, as given.
    pub scope_list: Vec<String>,
    /// Create and Modify/Refresh (Configuring), Delete (Deleting).
    #[serde(flatten)]
    pub life: Lifecycle,
}

impl Resource for TrAggregation {
    /// Route table and CIDR block.
    type Key = (String, String);
    const KIND: &'static str = "tr_aggregation";
    /// The advertisement status: `Configuring` while it is being advertised, then
    /// `AllConfigured`.
    const STATUSES: Statuses = Statuses {
        creating: "Configuring",
        ready: "AllConfigured",
        modifying: "Configuring",
        deleting: "Deleting",
        gone: "Deleted",
    };
    /// An aggregate route keeps its route table
    /// (`OperationFailed.DeleteRouteTableWithRouteAggregation`), its transit router and its CEN
    /// instance (`OperationFailed.AggregationRouteExist`) from being deleted.
    const RELATIONS: &'static [Relation] = &[
        Relation {
            parent: TrRouteTable::KIND,
            on_delete: OnParentDelete::Blocks {
                error: cbn::delete_transit_router_route_table::operation_failed_delete_route_table_with_route_aggregation,
                forced: false,
            },
        },
        Relation {
            parent: TransitRouter::KIND,
            on_delete: OnParentDelete::Blocks {
                error: cbn::delete_transit_router::operation_failed_aggregation_route_exist,
                forced: false,
            },
        },
        Relation {
            parent: Cen::KIND,
            on_delete: OnParentDelete::Blocks {
                error: cbn::delete_cen::operation_failed_aggregation_route_exist,
                forced: false,
            },
        },
    ];
    fn key(&self) -> Self::Key {
        (self.route_table_id.clone(), self.cidr.clone())
    }
    fn owner(&self) -> Option<i64> {
        Some(self.owner)
    }
    fn region(&self) -> Option<&str> {
        Some(&self.region_id)
    }
    fn parent_id(&self, relation: usize) -> Option<&str> {
        match relation {
            0 => Some(&self.route_table_id),
            1 => Some(&self.transit_router_id),
            _ => Some(&self.cen_id),
        }
    }
    with_lifecycle!();
}
