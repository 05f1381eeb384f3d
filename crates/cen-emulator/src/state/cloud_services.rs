//! Basic Edition access to cloud services and to PrivateZone: what ResolveAndRouteServiceInCen
//! and RoutePrivateZoneInCenToVpc configure.

use cen_server::cbn::errors as cbn;
use serde::{Deserialize, Serialize};

use super::{Attachment, Lifecycle, OnParentDelete, Relation, Resource};

/// Access from the networks of one region to a cloud service (in 100.64.0.0/10) through a VPC
/// attached to the CEN instance in the service's region.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RouteService {
    /// The CEN instance.
    pub cen_id: String,
    /// The owner of the CEN instance.
    pub owner: i64,
    /// The service's address or block, as given.
    pub host: String,
    /// The service's region.
    pub host_region_id: String,
    /// The attached VPC through which the service is reached.
    pub host_vpc_id: String,
    /// The region whose networks reach the service.
    pub access_region_id: String,
    /// The block the service's routes cover.
    pub cidr: String,
    /// The description, if set.
    pub description: Option<String>,
    /// ResolveAndRouteServiceInCen (Creating) and DeleteRouteServiceInCen (Deleting).
    #[serde(flatten)]
    pub life: Lifecycle,
}

impl Resource for RouteService {
    /// CEN instance, host and access region: a host is reached one way from a region.
    type Key = (String, String, String);
    const KIND: &'static str = "route_service";
    /// A route service goes with the attachment of its host VPC (DetachCenChildInstance
    /// documents no code for it).
    const RELATIONS: &'static [Relation] = &[Relation {
        parent: Attachment::KIND,
        on_delete: OnParentDelete::Removed,
    }];
    fn key(&self) -> Self::Key {
        (
            self.cen_id.clone(),
            self.host.clone(),
            self.access_region_id.clone(),
        )
    }
    fn owner(&self) -> Option<i64> {
        Some(self.owner)
    }
    fn parent_id(&self, _: usize) -> Option<&str> {
        Some(&self.host_vpc_id)
    }
    with_lifecycle!();
}

/// Access from the networks of one region to PrivateZone through a VPC attached to the CEN
/// instance.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PrivateZoneRoute {
    /// The CEN instance.
    pub cen_id: String,
    /// The owner of the CEN instance.
    pub owner: i64,
    /// The region whose networks reach PrivateZone.
    pub access_region_id: String,
    /// PrivateZone's region.
    pub host_region_id: String,
    /// The attached VPC associated with PrivateZone.
    pub host_vpc_id: String,
    /// RoutePrivateZoneInCenToVpc (Creating) and UnroutePrivateZoneInCenToVpc (Deleting).
    #[serde(flatten)]
    pub life: Lifecycle,
}

impl Resource for PrivateZoneRoute {
    /// CEN instance and access region: a region reaches PrivateZone one way.
    type Key = (String, String);
    const KIND: &'static str = "private_zone_route";
    /// A PrivateZone route keeps its host VPC from being detached
    /// (`Forbidden.PrivatezoneRouteExisted`).
    const RELATIONS: &'static [Relation] = &[Relation {
        parent: Attachment::KIND,
        on_delete: OnParentDelete::Blocks {
            error: cbn::detach_cen_child_instance::forbidden_privatezone_route_existed,
            forced: false,
        },
    }];
    fn key(&self) -> Self::Key {
        (self.cen_id.clone(), self.access_region_id.clone())
    }
    fn owner(&self) -> Option<i64> {
        Some(self.owner)
    }
    fn parent_id(&self, _: usize) -> Option<&str> {
        Some(&self.host_vpc_id)
    }
    with_lifecycle!();
}
