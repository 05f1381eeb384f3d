//! Prefix-list associations: a transit-router route table taking one route per entry of a
//! prefix list of the Vpc product.

use cen_server::cbn::errors as cbn;
use serde::{Deserialize, Serialize};

use super::{
    Cen, Lifecycle, OnParentDelete, Relation, Resource, Statuses, TrAttachment, TrRouteTable,
    TransitRouter,
};

/// A prefix list associated with a transit-router route table: the table holds a route for
/// each entry of the list, to the next hop, while the association lives (the routes are not
/// stored: they are computed from the association and the list when the table is listed).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PrefixListAssociation {
    /// The prefix list (`pl-...`).
    pub prefix_list_id: String,
    /// The account owning the prefix list.
    pub prefix_list_owner: i64,
    /// The route table.
    pub route_table_id: String,
    /// Its transit router.
    pub transit_router_id: String,
    /// Its CEN instance.
    pub cen_id: String,
    /// The owner of the CEN instance.
    pub owner: i64,
    /// The router's region.
    pub region_id: String,
    /// `BlackHole`, `VPC`, `VBR`, `TR` or `ECR`.
    pub next_hop_type: String,
    /// The next-hop attachment, `None` for blackhole routes.
    pub next_hop: Option<String>,
    /// The network behind the next-hop attachment (`vpc-...`, or the peer router).
    pub next_hop_instance: Option<String>,
    /// Create (Updating) and Delete (Updating, then gone).
    #[serde(flatten)]
    pub life: Lifecycle,
}

impl PrefixListAssociation {
    /// The `NextHop` the API names it by: the attachment, or `BlackHole`.
    pub fn next_hop_word(&self) -> &str {
        self.next_hop.as_deref().unwrap_or("BlackHole")
    }
}

impl Resource for PrefixListAssociation {
    /// Route table and prefix list: a list is associated with a table once.
    type Key = (String, String);
    const KIND: &'static str = "prefix_list_association";
    /// The documented statuses are `Active` and `Updating`.
    const STATUSES: Statuses = Statuses {
        creating: "Updating",
        ready: "Active",
        modifying: "Updating",
        deleting: "Updating",
        gone: "Deleted",
    };
    fn region(&self) -> Option<&str> {
        Some(&self.region_id)
    }
    /// Its routes keep the route table from being deleted
    /// (`OperationFailed.DeleteRouteTableWithRouteEntry`); the association keeps its router
    /// (`OperationFailed.PrefixListExist`), its CEN instance
    /// (`OperationFailed.PrefixListAssociationExist`) and its next-hop attachment
    /// (`OperationFailed.PrefixListExist`, unless deleted with `Force`) from being deleted.
    const RELATIONS: &'static [Relation] = &[
        Relation {
            parent: TrRouteTable::KIND,
            on_delete: OnParentDelete::Blocks {
                error: cbn::delete_transit_router_route_table::operation_failed_delete_route_table_with_route_entry,
                forced: false,
            },
        },
        Relation {
            parent: TransitRouter::KIND,
            on_delete: OnParentDelete::Blocks {
                error: cbn::delete_transit_router::operation_failed_prefix_list_exist,
                forced: false,
            },
        },
        Relation {
            parent: Cen::KIND,
            on_delete: OnParentDelete::Blocks {
                error: cbn::delete_cen::operation_failed_prefix_list_association_exist,
                forced: false,
            },
        },
        Relation {
            parent: TrAttachment::KIND,
            on_delete: OnParentDelete::Blocks {
                error: cbn::delete_transit_router_vpc_attachment::operation_failed_prefix_list_exist,
                forced: true,
            },
        },
    ];
    fn key(&self) -> Self::Key {
        (self.route_table_id.clone(), self.prefix_list_id.clone())
    }
    fn owner(&self) -> Option<i64> {
        Some(self.owner)
    }
    fn parent_id(&self, relation: usize) -> Option<&str> {
        match relation {
            0 => Some(&self.route_table_id),
            1 => Some(&self.transit_router_id),
            2 => Some(&self.cen_id),
            _ => self.next_hop.as_deref(),
        }
    }
    with_lifecycle!();
}
