//! The multicast kinds: multicast domains of transit routers, the vSwitches associated with them
//! and the sources and members of their groups.

use cen_server::cbn::errors as cbn;
use serde::{Deserialize, Serialize};

use super::{Cen, Lifecycle, OnParentDelete, Relation, Resource, Statuses, Tag};
use super::{TrAttachment, TransitRouter};

/// A multicast domain of a transit router created with multicast support.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct McDomain {
    /// `tr-mcast-domain-` and 18 lower-case letters and digits.
    pub id: String,
    /// The transit router.
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
    /// `Options.Igmpv2Support`: whether hosts may join groups with IGMPv2.
    pub igmpv2: bool,
    /// Create (Creating) and Delete (Deleting).
    #[serde(flatten)]
    pub life: Lifecycle,
    /// Tags in insertion order.
    pub tags: Vec<Tag>,
}

impl Resource for McDomain {
    type Key = String;
    const KIND: &'static str = "tr_multicast_domain";
    const TAG_TYPES: &'static [&'static str] = &["TransitRouterMulticastDomain"];
    /// A domain keeps its router and its CEN instance from being deleted
    /// (`OperationFailed.MulticastDomainExist`, documented by both deletes).
    const RELATIONS: &'static [Relation] = &[
        Relation {
            parent: TransitRouter::KIND,
            on_delete: OnParentDelete::Blocks {
                error: cbn::delete_transit_router::operation_failed_multicast_domain_exist,
                forced: false,
            },
        },
        Relation {
            parent: Cen::KIND,
            on_delete: OnParentDelete::Blocks {
                error: cbn::delete_cen::operation_failed_multicast_domain_exist,
                forced: false,
            },
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
            0 => Some(&self.transit_router_id),
            _ => Some(&self.cen_id),
        }
    }
    tagged!();
    with_lifecycle!();
}

/// A vSwitch of a VPC associated with a multicast domain through the VPC's attachment to the
/// domain's router. A vSwitch is associated with one domain at most, so it is the key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct McAssociation {
    /// The vSwitch.
    pub v_switch_id: String,
    /// The multicast domain.
    pub domain_id: String,
    /// The VPC attachment.
    pub attachment_id: String,
    /// The VPC.
    pub vpc_id: String,
    /// The VPC's owner.
    pub resource_owner: i64,
    /// The owner of the CEN instance.
    pub owner: i64,
    /// Associate (Associating) and Disassociate (Dissociating).
    #[serde(flatten)]
    pub life: Lifecycle,
}

impl McAssociation {
    /// The relation that indexes associations by their domain.
    pub const OF_DOMAIN: usize = 0;
    /// The relation that indexes associations by their attachment.
    pub const OF_ATTACHMENT: usize = 1;
}

impl Resource for McAssociation {
    type Key = String;
    const KIND: &'static str = "tr_multicast_association";
    const STATUSES: Statuses = Statuses {
        creating: "Associating",
        ready: "Associated",
        modifying: "Associated",
        deleting: "Dissociating",
        gone: "Dissociated",
    };
    /// An association keeps its domain
    /// (`InvalidOperation.MulticastDomainAssociationExist`) and its VPC attachment
    /// (`OperationFailed.MulticastDomainAssociationExist`) from being deleted. Emulator rule: a
    /// forced delete of the attachment is refused too, since Force is documented for route
    /// table associations and propagations only.
    const RELATIONS: &'static [Relation] = &[
        Relation {
            parent: McDomain::KIND,
            on_delete: OnParentDelete::Blocks {
                error: cbn::delete_transit_router_multicast_domain::invalid_operation_multicast_domain_association_exist,
                forced: false,
            },
        },
        Relation {
            parent: TrAttachment::KIND,
            on_delete: OnParentDelete::Blocks {
                error: cbn::delete_transit_router_vpc_attachment::operation_failed_multicast_domain_association_exist,
                forced: false,
            },
        },
    ];
    fn key(&self) -> String {
        self.v_switch_id.clone()
    }
    fn id(&self) -> Option<&str> {
        Some(&self.v_switch_id)
    }
    fn owner(&self) -> Option<i64> {
        Some(self.owner)
    }
    fn parent_id(&self, relation: usize) -> Option<&str> {
        match relation {
            Self::OF_DOMAIN => Some(&self.domain_id),
            _ => Some(&self.attachment_id),
        }
    }
    with_lifecycle!();
}

/// Where a group source or member is: an ENI in an associated vSwitch, or (members only) the
/// group of the same address in a multicast domain of another region.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum McEndpoint {
    /// An elastic network interface.
    Eni {
        /// The ENI.
        network_interface_id: String,
        /// Its vSwitch (associated with the domain).
        v_switch_id: String,
        /// Its VPC.
        vpc_id: String,
        /// The VPC attachment the vSwitch is associated through.
        attachment_id: String,
        /// The VPC's owner.
        resource_owner: i64,
    },
    /// A multicast domain of another region.
    Peer {
        /// The peer domain.
        domain_id: String,
        /// Its transit router.
        transit_router_id: String,
        /// The peer attachment between the two routers.
        attachment_id: String,
    },
}

/// A source or member of a multicast group: the group is its domain and address.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct McGroupMember {
    /// The multicast domain.
    pub domain_id: String,
    /// The group address, in 224.0.0.0/4.
    pub group_ip: String,
    /// A source (sends) rather than a member (receives).
    pub source: bool,
    /// The ENI or the peer domain.
    pub endpoint: McEndpoint,
    /// The owner of the CEN instance.
    pub owner: i64,
    /// Register (Registering) and Deregister (Deregistering).
    #[serde(flatten)]
    pub life: Lifecycle,
}

impl McGroupMember {
    /// The id of what is registered: the ENI or the peer domain.
    pub fn resource(&self) -> &str {
        match &self.endpoint {
            McEndpoint::Eni {
                network_interface_id,
                ..
            } => network_interface_id,
            McEndpoint::Peer { domain_id, .. } => domain_id,
        }
    }

    /// The key of a domain's group source or member.
    pub fn key_of(domain: &str, group_ip: &str, source: bool, resource: &str) -> McGroupKey {
        (
            domain.to_owned(),
            group_ip.to_owned(),
            source,
            resource.to_owned(),
        )
    }
}

/// Domain, group address, source (rather than member), ENI or peer domain.
pub type McGroupKey = (String, String, bool, String);

impl Resource for McGroupMember {
    type Key = McGroupKey;
    const KIND: &'static str = "tr_multicast_group_member";
    const STATUSES: Statuses = Statuses {
        creating: "Registering",
        ready: "Registered",
        modifying: "Registered",
        deleting: "Deregistering",
        gone: "Deregistered",
    };
    /// A source or member keeps its domain (`InvalidOperation.MulticastGroupExist`), the
    /// association of its vSwitch (`InvalidOperation.MulticastGroupExist` of the
    /// disassociation), a peer domain it names (`InvalidOperation.MulticastDomainInGroup`) and
    /// the peer attachment it goes over (`OperationFailed.MulticastGroupExist`) from being
    /// deleted.
    const RELATIONS: &'static [Relation] = &[
        Relation {
            parent: McDomain::KIND,
            on_delete: OnParentDelete::Blocks {
                error: cbn::delete_transit_router_multicast_domain::invalid_operation_multicast_group_exist,
                forced: false,
            },
        },
        Relation {
            parent: McAssociation::KIND,
            on_delete: OnParentDelete::Blocks {
                error: cbn::disassociate_transit_router_multicast_domain::invalid_operation_multicast_group_exist,
                forced: false,
            },
        },
        Relation {
            parent: McDomain::KIND,
            on_delete: OnParentDelete::Blocks {
                error: cbn::delete_transit_router_multicast_domain::invalid_operation_multicast_domain_in_group,
                forced: false,
            },
        },
        Relation {
            parent: TrAttachment::KIND,
            on_delete: OnParentDelete::Blocks {
                error: cbn::delete_transit_router_peer_attachment::operation_failed_multicast_group_exist,
                forced: false,
            },
        },
    ];
    fn key(&self) -> McGroupKey {
        Self::key_of(
            &self.domain_id,
            &self.group_ip,
            self.source,
            self.resource(),
        )
    }
    fn owner(&self) -> Option<i64> {
        Some(self.owner)
    }
    fn parent_id(&self, relation: usize) -> Option<&str> {
        match (relation, &self.endpoint) {
            (0, _) => Some(&self.domain_id),
            (1, McEndpoint::Eni { v_switch_id, .. }) => Some(v_switch_id),
            (2, McEndpoint::Peer { domain_id, .. }) => Some(domain_id),
            (3, McEndpoint::Peer { attachment_id, .. }) => Some(attachment_id),
            _ => None,
        }
    }
    with_lifecycle!();
}
