//! Routing policies (route maps) of CEN instances.

use serde::{Deserialize, Serialize};

use super::{Cen, Lifecycle, OnParentDelete, Relation, Resource, TrRouteTable};

/// The match conditions of a route map, as given (lists in request order).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RouteMapMatch {
    /// `SourceInstanceIds.N`.
    pub source_instance_ids: Vec<String>,
    /// `SourceInstanceIdsReverseMatch`.
    pub source_instance_ids_reverse_match: bool,
    /// `SourceRouteTableIds.N`.
    pub source_route_table_ids: Vec<String>,
    /// `SourceRegionIds.N`.
    pub source_region_ids: Vec<String>,
    /// `SourceChildInstanceTypes.N`.
    pub source_child_instance_types: Vec<String>,
    /// `DestinationInstanceIds.N`.
    pub destination_instance_ids: Vec<String>,
    /// `DestinationInstanceIdsReverseMatch`.
    pub destination_instance_ids_reverse_match: bool,
    /// `DestinationRouteTableIds.N`.
    pub destination_route_table_ids: Vec<String>,
    /// `DestinationRegionIds.N`.
    pub destination_region_ids: Vec<String>,
    /// `DestinationChildInstanceTypes.N`.
    pub destination_child_instance_types: Vec<String>,
    /// `DestinationCidrBlocks.N`, each a network address.
    pub destination_cidr_blocks: Vec<String>,
    /// `CidrMatchMode`: `Include` or `Complete`.
    pub cidr_match_mode: Option<String>,
    /// `RouteTypes.N`: `System`, `Custom` or `BGP`.
    pub route_types: Vec<String>,
    /// `MatchAsns.N`: an AS path.
    pub match_asns: Vec<i64>,
    /// `AsPathMatchMode`.
    pub as_path_match_mode: Option<String>,
    /// `MatchCommunitySet.N`: `n:m` communities.
    pub match_community_set: Vec<String>,
    /// `CommunityMatchMode`.
    pub community_match_mode: Option<String>,
    /// `MatchAddressType`: `IPv4` or `IPv6` (any when absent).
    pub match_address_type: Option<String>,
}

/// What a route map does with a route that meets its conditions.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RouteMapAction {
    /// `MapResult`: `Permit` or `Deny`.
    pub map_result: String,
    /// `NextPriority`: the map a permitted route goes on to (Permit only).
    pub next_priority: Option<i32>,
    /// `Preference`: the route's new priority, 1 to 100.
    pub preference: i32,
    /// `PrependAsPath.N`.
    pub prepend_as_path: Vec<i64>,
    /// `OperateCommunitySet.N`.
    pub operate_community_set: Vec<String>,
    /// `CommunityOperateMode`: `Additive` or `Replace`.
    pub community_operate_mode: Option<String>,
}

/// A routing policy of a CEN instance, applied in one region in one direction.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CenRouteMap {
    /// `cenrmap-` and 18 lower-case letters and digits.
    pub id: String,
    /// The CEN instance.
    pub cen_id: String,
    /// The owner of the CEN instance.
    pub owner: i64,
    /// `CenRegionId`: where the policy applies.
    pub region_id: String,
    /// `TransmitDirection`: `RegionIn` or `RegionOut`.
    pub direction: String,
    /// 1 to 100, unique per CEN instance, region and direction.
    pub priority: i32,
    /// The transit-router route table it is bound to, if the region has a transit router.
    pub route_table_id: Option<String>,
    /// The description, if set.
    pub description: Option<String>,
    /// The match conditions.
    pub matching: RouteMapMatch,
    /// The action.
    pub action: RouteMapAction,
    /// Create (Creating), Modify (Modifying) and Delete (Deleting).
    #[serde(flatten)]
    pub life: Lifecycle,
}

impl Resource for CenRouteMap {
    type Key = String;
    const KIND: &'static str = "cen_route_map";
    /// Emulator rule: a route map goes with its CEN instance and with the transit-router route
    /// table it is bound to, since neither DeleteCen nor DeleteTransitRouterRouteTable documents
    /// a code for a remaining routing policy.
    const RELATIONS: &'static [Relation] = &[
        Relation {
            parent: Cen::KIND,
            on_delete: OnParentDelete::Removed,
        },
        Relation {
            parent: TrRouteTable::KIND,
            on_delete: OnParentDelete::Removed,
        },
    ];
    fn key(&self) -> String {
        self.id.clone()
    }
    fn id(&self) -> Option<&str> {
        Some(&self.id)
    }
    fn owner(&self) -> Option<i64> {
        Some(self.owner)
    }
    fn region(&self) -> Option<&str> {
        Some(&self.region_id)
    }
    fn parent_id(&self, relation: usize) -> Option<&str> {
        match relation {
            0 => Some(&self.cen_id),
            _ => self.route_table_id.as_deref(),
        }
    }
    with_lifecycle!();
}
