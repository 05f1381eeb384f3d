//! The Enterprise Edition kinds: the transit-router service of an account, transit routers,
//! their CIDR blocks, route tables and attachments.

use cen_server::cbn::errors as cbn;
use serde::{Deserialize, Serialize};

use super::{Cen, Lifecycle, OnParentDelete, Relation, Resource, Statuses, Tag};
use crate::inventory::NetworkInstance;

/// The transit-router service of an account, once opened with OpenTransitRouterService (the
/// accounts file says which accounts start without it).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TrService {
    /// The account.
    pub uid: i64,
    /// The order id OpenTransitRouterService answered.
    pub order_id: String,
}

impl Resource for TrService {
    type Key = i64;
    const KIND: &'static str = "tr_service";
    fn key(&self) -> i64 {
        self.uid
    }
    fn owner(&self) -> Option<i64> {
        Some(self.uid)
    }
}

/// An Enterprise Edition transit router: one per region per CEN instance.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TransitRouter {
    /// `tr-`, the region's code and 14 lower-case letters and digits.
    pub id: String,
    /// The CEN instance.
    pub cen_id: String,
    /// The account owning the CEN instance (`AliUid`).
    pub owner: i64,
    /// The region.
    pub region_id: String,
    /// The name, if set.
    pub name: Option<String>,
    /// The description, if set.
    pub description: Option<String>,
    /// Whether multicast was enabled at creation (it cannot be enabled later).
    pub support_multicast: bool,
    /// CreateTransitRouter, UpdateTransitRouter and DeleteTransitRouter.
    #[serde(flatten)]
    pub life: Lifecycle,
    /// Tags in insertion order.
    pub tags: Vec<Tag>,
}

impl Resource for TransitRouter {
    type Key = String;
    const KIND: &'static str = "transit_router";
    fn region(&self) -> Option<&str> {
        Some(&self.region_id)
    }
    const TAG_TYPES: &'static [&'static str] = &["TransitRouter"];
    /// Emulator rule: a transit router without attachments or custom route tables goes with its
    /// CEN instance (DeleteCen documents no code for such a router, only for what it holds).
    const RELATIONS: &'static [Relation] = &[Relation {
        parent: Cen::KIND,
        on_delete: OnParentDelete::Removed,
    }];
    fn key(&self) -> String {
        self.id.clone()
    }
    fn id(&self) -> Option<&str> {
        Some(&self.id)
    }
    fn owner(&self) -> Option<i64> {
        Some(self.owner)
    }
    fn parent_id(&self, _: usize) -> Option<&str> {
        Some(&self.cen_id)
    }
    tagged!();
    with_lifecycle!();
}

/// A CIDR block of a transit router, from which VPN attachments draw addresses.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TrCidr {
    /// `cidr-` and 18 lower-case letters and digits.
    pub id: String,
    /// The transit router.
    pub transit_router_id: String,
    /// Its CEN instance (CIDR blocks are unique within it).
    pub cen_id: String,
    /// The owner of the CEN instance.
    pub owner: i64,
    /// The block, normalized.
    pub cidr: String,
    /// The name, if set.
    pub name: Option<String>,
    /// The description, if set.
    pub description: Option<String>,
    /// Whether the transit router adds a blackhole route for the block to its route table.
    pub publish_cidr_route: bool,
}

impl Resource for TrCidr {
    type Key = String;
    const KIND: &'static str = "tr_cidr";
    /// The blocks go with their transit router.
    const RELATIONS: &'static [Relation] = &[Relation {
        parent: TransitRouter::KIND,
        on_delete: OnParentDelete::Removed,
    }];
    fn key(&self) -> String {
        self.id.clone()
    }
    fn id(&self) -> Option<&str> {
        Some(&self.id)
    }
    fn owner(&self) -> Option<i64> {
        Some(self.owner)
    }
    fn parent_id(&self, _: usize) -> Option<&str> {
        Some(&self.transit_router_id)
    }
}

/// A route table of a transit router: the System table made with the router, or a custom one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TrRouteTable {
    /// `vtb-`, the region's code and 14 lower-case letters and digits.
    pub id: String,
    /// The transit router.
    pub transit_router_id: String,
    /// Its CEN instance.
    pub cen_id: String,
    /// The owner of the CEN instance.
    pub owner: i64,
    /// The region.
    pub region_id: String,
    /// Whether this is the router's System (default) table, which cannot be deleted.
    pub system: bool,
    /// The name, if set.
    pub name: Option<String>,
    /// The description, if set.
    pub description: Option<String>,
    /// `RouteTableOptions.MultiRegionECMP`: `enable` or `disable`.
    pub multi_region_ecmp: String,
    /// CreateTransitRouterRouteTable, UpdateTransitRouterRouteTable and
    /// DeleteTransitRouterRouteTable.
    #[serde(flatten)]
    pub life: Lifecycle,
    /// Tags in insertion order.
    pub tags: Vec<Tag>,
}

impl TrRouteTable {
    /// The relation through which a custom table keeps its router from being deleted.
    pub const CUSTOM_OF_ROUTER: usize = 0;
}

impl Resource for TrRouteTable {
    type Key = String;
    const KIND: &'static str = "tr_route_table";
    const TAG_TYPES: &'static [&'static str] = &["TransitRouterRouteTable"];
    /// A custom table keeps its router (`OperationFailed.DeleteTransitRouter`) and its CEN
    /// instance (`OperationFailed.DeleteCenWithCustomRouteTable`) from being deleted; the System
    /// table goes with its router.
    const RELATIONS: &'static [Relation] = &[
        Relation {
            parent: TransitRouter::KIND,
            on_delete: OnParentDelete::Blocks {
                error: cbn::delete_transit_router::operation_failed_delete_transit_router,
                forced: false,
            },
        },
        Relation {
            parent: Cen::KIND,
            on_delete: OnParentDelete::Blocks {
                error: cbn::delete_cen::operation_failed_delete_cen_with_custom_route_table,
                forced: false,
            },
        },
        Relation {
            parent: TransitRouter::KIND,
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
    fn parent_id(&self, relation: usize) -> Option<&str> {
        match (relation, self.system) {
            (0, false) => Some(&self.transit_router_id),
            (1, false) => Some(&self.cen_id),
            (2, true) => Some(&self.transit_router_id),
            _ => None,
        }
    }
    tagged!();
    with_lifecycle!();
}

/// What a transit-router attachment connects.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub enum AttachmentKind {
    /// A VPC.
    Vpc,
    /// A virtual border router.
    Vbr,
    /// An IPsec-VPN connection.
    Vpn,
    /// An Express Connect Router.
    Ecr,
    /// The transit router of another region (a peer attachment).
    Peer,
}

impl AttachmentKind {
    /// The `ResourceType` the responses give it.
    pub fn resource_type(self) -> &'static str {
        match self {
            Self::Vpc => "VPC",
            Self::Vbr => "VBR",
            Self::Vpn => "VPN",
            Self::Ecr => "ECR",
            Self::Peer => "TR",
        }
    }

    /// The tag `ResourceType` of its attachments.
    pub fn tag_type(self) -> &'static str {
        match self {
            Self::Vpc => "TransitRouterVpcAttachment",
            Self::Vbr => "TransitRouterVbrAttachment",
            Self::Vpn => "TransitRouterVpnAttachment",
            Self::Ecr => "TransitRouterEcrAttachment",
            Self::Peer => "TransitRouterPeerAttachment",
        }
    }
}

/// Where a VPC attachment has a network interface: one per zone.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ZonePlacement {
    /// The zone.
    pub zone_id: String,
    /// The vSwitch of the VPC in that zone.
    pub v_switch_id: String,
    /// The network interface the router placed in it (`eni-...`).
    pub network_interface_id: String,
}

/// What a peer attachment carries between two regions.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PeerLink {
    /// The peer router's region.
    pub peer_region_id: String,
    /// The peer router's owner.
    pub peer_owner: i64,
    /// Mbit/s.
    pub bandwidth: i32,
    /// `BandwidthPackage` (drawn from a plan) or `DataTransfer` (pay by traffic).
    pub bandwidth_type: String,
    /// The plan the bandwidth is drawn from.
    pub package_id: Option<String>,
    /// `Gold` or `Platinum` (Platinum only with DataTransfer).
    pub default_link_type: String,
    /// The span of the two regions' areas (`china_north-america`).
    pub span: String,
}

/// Addresses a VPN attachment holds in a CIDR block of its router.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CidrAllocation {
    /// The router's CIDR block (`cidr-...`).
    pub cidr_id: String,
    /// The allocated block.
    pub block: String,
}

/// A connection of a network (VPC, VBR, VPN, ECR or another region's router) to a transit
/// router.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TrAttachment {
    /// `tr-attach-` and 18 lower-case letters and digits.
    pub id: String,
    /// What it connects.
    pub kind: AttachmentKind,
    /// The transit router.
    pub transit_router_id: String,
    /// Its CEN instance.
    pub cen_id: String,
    /// The owner of the CEN instance.
    pub owner: i64,
    /// The router's region.
    pub region_id: String,
    /// The connected network's id (`vpc-...`, `vbr-...`, ...).
    pub resource_id: String,
    /// The connected network's owner.
    pub resource_owner: i64,
    /// The name, if set.
    pub name: Option<String>,
    /// The description, if set.
    pub description: Option<String>,
    /// Whether the router writes its routes into the connected network's route table.
    pub auto_publish_route: bool,
    /// The zones of a VPC attachment.
    pub zones: Vec<ZonePlacement>,
    /// `POSTPAY`.
    pub charge_type: String,
    /// `PayByCenOwner` or `PayByResourceOwner`.
    pub order_type: String,
    /// `Options.ApplianceModeSupport` of a VPC attachment (`enable` or `disable`).
    pub appliance_mode: String,
    /// `Options.Ipv6Support` of a VPC attachment (`enable` or `disable`).
    pub ipv6: String,
    /// The link of a peer attachment.
    #[serde(default)]
    pub peer: Option<PeerLink>,
    /// The addresses a VPN attachment holds in one of its router's CIDR blocks.
    #[serde(default)]
    pub allocation: Option<CidrAllocation>,
    /// Create, Update* and Delete.
    #[serde(flatten)]
    pub life: Lifecycle,
    /// Tags in insertion order.
    pub tags: Vec<Tag>,
}

impl TrAttachment {
    /// The relation that indexes attachments by the network they connect.
    pub const BY_RESOURCE: usize = 2;
}

impl Resource for TrAttachment {
    type Key = String;
    const KIND: &'static str = "tr_attachment";
    const TAG_TYPES: &'static [&'static str] = &[
        "TransitRouterVpcAttachment",
        "TransitRouterVbrAttachment",
        "TransitRouterVpnAttachment",
        "TransitRouterEcrAttachment",
        "TransitRouterPeerAttachment",
    ];
    const STATUSES: Statuses = Statuses::ATTACHMENT;
    /// An attachment keeps its router (`InvalidOperation.AttachedChildInstanceExist`, as the
    /// Terraform provider sees it) and its CEN instance (the same code, 409, 2019 chapter 6)
    /// from being deleted, and a peer attachment the peer router too. The third relation only
    /// indexes attachments by the network they connect (networks are never deleted).
    const RELATIONS: &'static [Relation] = &[
        Relation {
            parent: TransitRouter::KIND,
            on_delete: OnParentDelete::Blocks {
                error: cbn::delete_transit_router::invalid_operation_attached_child_instance_exist,
                forced: false,
            },
        },
        Relation {
            parent: Cen::KIND,
            on_delete: OnParentDelete::Blocks {
                error: crate::errors::attached_child_exist,
                forced: false,
            },
        },
        Relation {
            parent: NetworkInstance::KIND,
            on_delete: OnParentDelete::Removed,
        },
        Relation {
            parent: TransitRouter::KIND,
            on_delete: OnParentDelete::Blocks {
                error: cbn::delete_transit_router::invalid_operation_attached_child_instance_exist,
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
    fn parent_id(&self, relation: usize) -> Option<&str> {
        match relation {
            0 => Some(&self.transit_router_id),
            1 => Some(&self.cen_id),
            2 if self.kind != AttachmentKind::Peer => Some(&self.resource_id),
            3 if self.kind == AttachmentKind::Peer => Some(&self.resource_id),
            _ => None,
        }
    }
    fn tag_type(&self) -> &'static str {
        self.kind.tag_type()
    }
    tagged!();
    with_lifecycle!();
}

/// The route table an attachment forwards by ("associated forwarding"): one at most.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TrAssociation {
    /// The attachment (the key: an attachment is associated with one table at most).
    pub attachment_id: String,
    /// The route table.
    pub route_table_id: String,
    /// The route table before the last Replace, while it is `Replacing`.
    pub replaced_table_id: Option<String>,
    /// The owner of the CEN instance.
    pub owner: i64,
    /// Associate (Associating), Replace (Replacing) and Dissociate (Dissociating).
    #[serde(flatten)]
    pub life: Lifecycle,
}

impl Resource for TrAssociation {
    type Key = String;
    const KIND: &'static str = "tr_association";
    const STATUSES: Statuses = Statuses {
        creating: "Associating",
        ready: "Active",
        modifying: "Replacing",
        deleting: "Dissociating",
        gone: "Deleted",
    };
    /// An association keeps its attachment (unless deleted with `Force`) and its route table
    /// from being deleted.
    const RELATIONS: &'static [Relation] = &[
        Relation {
            parent: TrAttachment::KIND,
            on_delete: OnParentDelete::Blocks {
                error: cbn::delete_transit_router_vpc_attachment::operation_failed_route_table_association_exist,
                forced: true,
            },
        },
        Relation {
            parent: TrRouteTable::KIND,
            on_delete: OnParentDelete::Blocks {
                error: cbn::delete_transit_router_route_table::operation_failed_delete_route_table_with_association,
                forced: false,
            },
        },
    ];
    fn key(&self) -> String {
        self.attachment_id.clone()
    }
    fn owner(&self) -> Option<i64> {
        Some(self.owner)
    }
    fn parent_id(&self, relation: usize) -> Option<&str> {
        match relation {
            0 => Some(&self.attachment_id),
            _ => Some(&self.route_table_id),
        }
    }
    with_lifecycle!();
}

/// An attachment whose routes a route table learns ("route learning"): many to many.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TrPropagation {
    /// The attachment.
    pub attachment_id: String,
    /// The route table.
    pub route_table_id: String,
    /// The owner of the CEN instance.
    pub owner: i64,
    /// Enable (Enabling) and Disable (Disabling).
    #[serde(flatten)]
    pub life: Lifecycle,
}

impl Resource for TrPropagation {
    /// Attachment and route table.
    type Key = (String, String);
    const KIND: &'static str = "tr_propagation";
    const STATUSES: Statuses = Statuses {
        creating: "Enabling",
        ready: "Active",
        modifying: "Active",
        deleting: "Disabling",
        gone: "Disabled",
    };
    /// A propagation keeps its attachment (unless deleted with `Force`) and its route table
    /// from being deleted.
    const RELATIONS: &'static [Relation] = &[
        Relation {
            parent: TrAttachment::KIND,
            on_delete: OnParentDelete::Blocks {
                error: cbn::delete_transit_router_vpc_attachment::operation_failed_route_table_propagation_exist,
                forced: true,
            },
        },
        Relation {
            parent: TrRouteTable::KIND,
            on_delete: OnParentDelete::Blocks {
                error: cbn::delete_transit_router_route_table::operation_failed_delete_route_table_with_propagation,
                forced: false,
            },
        },
    ];
    fn key(&self) -> Self::Key {
        (self.attachment_id.clone(), self.route_table_id.clone())
    }
    fn owner(&self) -> Option<i64> {
        Some(self.owner)
    }
    fn parent_id(&self, relation: usize) -> Option<&str> {
        match relation {
            0 => Some(&self.attachment_id),
            _ => Some(&self.route_table_id),
        }
    }
    with_lifecycle!();
}

/// A static or blackhole route of a transit-router route table (propagated routes are not
/// stored: they are computed from the propagations when listed).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TrRouteEntry {
    /// `rte-` and 18 lower-case letters and digits.
    pub id: String,
    /// The route table.
    pub route_table_id: String,
    /// Its transit router.
    pub transit_router_id: String,
    /// Its CEN instance.
    pub cen_id: String,
    /// The owner of the CEN instance.
    pub owner: i64,
    /// The destination, as its network address.
    pub destination: String,
    /// The next hop: an attachment id, or `None` for a blackhole route.
    pub next_hop: Option<String>,
    /// The name, if set.
    pub name: Option<String>,
    /// The description, if set.
    pub description: Option<String>,
    /// Create (Creating) and Delete (Deleting).
    #[serde(flatten)]
    pub life: Lifecycle,
}

impl TrRouteEntry {
    /// The lookup value of the routes of a table to a destination (unique per table).
    pub fn slot(route_table_id: &str, destination: &str) -> String {
        format!("{route_table_id} {destination}")
    }
}

impl Resource for TrRouteEntry {
    type Key = String;
    const KIND: &'static str = "tr_route_entry";
    /// Routes are looked up by table and destination, which is unique per table.
    fn lookup(&self) -> Option<String> {
        Some(Self::slot(&self.route_table_id, &self.destination))
    }
    /// A route keeps its table (`OperationFailed.DeleteRouteTableWithRouteEntry`), its router
    /// (`OperationFailed.DeleteTransitRouter`, "custom route") and its CEN instance
    /// (`OperationFailed.DeleteCenWithRouteEntry`) from being deleted, and its next-hop
    /// attachment unless that is deleted with `Force`.
    const RELATIONS: &'static [Relation] = &[
        Relation {
            parent: TrRouteTable::KIND,
            on_delete: OnParentDelete::Blocks {
                error: cbn::delete_transit_router_route_table::operation_failed_delete_route_table_with_route_entry,
                forced: false,
            },
        },
        Relation {
            parent: TrAttachment::KIND,
            on_delete: OnParentDelete::Blocks {
                error: cbn::delete_transit_router_vpc_attachment::operation_failed_route_entry_exist,
                forced: true,
            },
        },
        Relation {
            parent: TransitRouter::KIND,
            on_delete: OnParentDelete::Blocks {
                error: cbn::delete_transit_router::operation_failed_delete_transit_router,
                forced: false,
            },
        },
        Relation {
            parent: Cen::KIND,
            on_delete: OnParentDelete::Blocks {
                error: cbn::delete_cen::operation_failed_delete_cen_with_route_entry,
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
    fn parent_id(&self, relation: usize) -> Option<&str> {
        match relation {
            0 => Some(&self.route_table_id),
            1 => self.next_hop.as_deref(),
            2 => Some(&self.transit_router_id),
            _ => Some(&self.cen_id),
        }
    }
    with_lifecycle!();
}

/// A flow log of a transit router or of one of its attachments, writing to a Log Service
/// project and logstore.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FlowLog {
    /// `flowlog-` and 18 lower-case letters and digits.
    pub id: String,
    /// The CEN instance.
    pub cen_id: String,
    /// The owner of the CEN instance.
    pub owner: i64,
    /// The router's region.
    pub region_id: String,
    /// The transit router.
    pub transit_router_id: String,
    /// The attachment it watches, if it watches one rather than the whole router.
    pub attachment_id: Option<String>,
    /// The name, if set.
    pub name: Option<String>,
    /// The description, if set.
    pub description: Option<String>,
    /// Seconds between aggregations: 60 or 600.
    pub interval: i64,
    /// The Log Service project.
    pub project: String,
    /// The logstore.
    pub logstore: String,
    /// The fields of each record, as given.
    pub log_format: Option<String>,
    /// Whether it is collecting (`Active`) or stopped (`Inactive`).
    pub active: bool,
    /// Create, Active/Deactive and Modify (Modifying), Delete.
    #[serde(flatten)]
    pub life: Lifecycle,
    /// Tags in insertion order.
    pub tags: Vec<Tag>,
}

impl Resource for FlowLog {
    type Key = String;
    const KIND: &'static str = "flow_log";
    const TAG_TYPES: &'static [&'static str] = &["Flowlog"];
    /// A flow log keeps its router (`OperationFailed.FlowLogExist`) and the attachment it
    /// watches (`OperationFailed.FlowLogExistOrNisOpened`, unless deleted with `Force`) from
    /// being deleted.
    const RELATIONS: &'static [Relation] = &[
        Relation {
            parent: TransitRouter::KIND,
            on_delete: OnParentDelete::Blocks {
                error: cbn::delete_transit_router::operation_failed_flow_log_exist,
                forced: false,
            },
        },
        Relation {
            parent: TrAttachment::KIND,
            on_delete: OnParentDelete::Blocks {
                error: cbn::delete_transit_router_vpc_attachment::operation_failed_flow_log_exist_or_nis_opened,
                forced: true,
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
    fn parent_id(&self, relation: usize) -> Option<&str> {
        match relation {
            0 => Some(&self.transit_router_id),
            _ => self.attachment_id.as_deref(),
        }
    }
    fn status_word(&self, phase: crate::resource::Phase) -> &'static str {
        match phase {
            crate::resource::Phase::Ready if !self.active => "Inactive",
            other => Self::STATUSES.word(other),
        }
    }
    tagged!();
    with_lifecycle!();
}
