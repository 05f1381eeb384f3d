//! Routes that CEN writes into the route tables of its child instances (VPCs and VBRs): to a
//! transit-router attachment (CreateCenChildInstanceRouteEntryToAttachment) or, for a Basic
//! Edition attachment, to the CEN instance (CreateCenChildInstanceRouteEntryToCen).

use cen_server::cbn::errors as cbn;
use serde::{Deserialize, Serialize};

use super::{Attachment, Lifecycle, OnParentDelete, Relation, Resource, Statuses, TrAttachment};

/// A route in a route table of a child instance whose next hop is a transit-router attachment
/// or the CEN instance.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChildRoute {
    /// The CEN instance.
    pub cen_id: String,
    /// The owner of the CEN instance.
    pub owner: i64,
    /// The child instance (`vpc-...`, `vbr-...`).
    pub instance_id: String,
    /// Its route table.
    pub route_table_id: String,
    /// The destination, as its network address.
    pub destination: String,
    /// The next-hop transit-router attachment; `None` when the next hop is the CEN instance.
    pub attachment_id: Option<String>,
    /// Create (Pending) and Delete (Deleting) of a route to an attachment, which are
    /// asynchronous; a route to the CEN instance has none (its writes complete at once).
    #[serde(default)]
    pub life: Option<Lifecycle>,
}

impl ChildRoute {
    /// The relation through which a route to the CEN instance goes with the Basic Edition
    /// attachment of its instance.
    pub const OF_BASIC_ATTACHMENT: usize = 1;
}

impl Resource for ChildRoute {
    /// Route table and destination: a destination is unique in a route table.
    type Key = (String, String);
    const KIND: &'static str = "child_route";
    /// The statuses ListCenChildInstanceRouteEntriesToAttachment documents.
    const STATUSES: Statuses = Statuses {
        creating: "Pending",
        ready: "Available",
        modifying: "Modifying",
        deleting: "Deleting",
        gone: "Deleted",
    };
    /// A route to an attachment keeps the attachment from being deleted
    /// (`OperationFailed.AttachmentReferencedVpcRouteEntryExisted`) unless it is deleted with
    /// `Force`; a route to the CEN instance keeps the instance from being detached (the same
    /// code, DetachCenChildInstance).
    const RELATIONS: &'static [Relation] = &[
        Relation {
            parent: TrAttachment::KIND,
            on_delete: OnParentDelete::Blocks {
                error: cbn::delete_transit_router_vpc_attachment::operation_failed_attachment_referenced_vpc_route_entry_existed,
                forced: true,
            },
        },
        Relation {
            parent: Attachment::KIND,
            on_delete: OnParentDelete::Blocks {
                error: cbn::detach_cen_child_instance::operation_failed_attachment_referenced_vpc_route_entry_existed,
                forced: false,
            },
        },
    ];
    fn key(&self) -> Self::Key {
        (self.route_table_id.clone(), self.destination.clone())
    }
    fn owner(&self) -> Option<i64> {
        Some(self.owner)
    }
    fn parent_id(&self, relation: usize) -> Option<&str> {
        match (relation, &self.attachment_id) {
            (0, Some(attachment)) => Some(attachment),
            (1, None) => Some(&self.instance_id),
            _ => None,
        }
    }
    fn lifecycle(&self) -> Option<&Lifecycle> {
        self.life.as_ref()
    }
    fn lifecycle_mut(&mut self) -> Option<&mut Lifecycle> {
        self.life.as_mut()
    }
}
