//! Inter-region QoS: the policy that schedules the outbound traffic of a peer attachment of a
//! transit router, and its queues.

use cen_server::cbn::errors as cbn;
use serde::{Deserialize, Serialize};

use super::{Lifecycle, OnParentDelete, Relation, Resource, Statuses, TrAttachment, TransitRouter};

/// How the queues of a QoS policy are given their bandwidth.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum GuaranteeMode {
    /// `byBandwidth`: an absolute bandwidth in Mbit/s.
    Bandwidth,
    /// `byBandwidthPercent`: a percentage of the connection's bandwidth.
    Percent,
}

impl GuaranteeMode {
    /// The wire word.
    pub fn word(self) -> &'static str {
        match self {
            Self::Bandwidth => "byBandwidth",
            Self::Percent => "byBandwidthPercent",
        }
    }
}

/// A QoS policy on a peer attachment (one at most per attachment). Its default queue is not a
/// record: it carries what no other queue matches, with the bandwidth the others leave.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct QosPolicy {
    /// `qos-` and 18 lower-case letters and digits.
    pub id: String,
    /// The transit router whose outbound traffic it schedules.
    pub transit_router_id: String,
    /// The peer attachment (the key of the one-policy-per-attachment rule).
    pub attachment_id: String,
    /// The owner of the CEN instance.
    pub owner: i64,
    /// The router's region.
    pub region_id: String,
    /// The name, if set.
    pub name: Option<String>,
    /// The description, if set.
    pub description: Option<String>,
    /// How its queues are given bandwidth.
    pub mode: GuaranteeMode,
    /// Create, queue changes (Modifying), Delete.
    #[serde(flatten)]
    pub life: Lifecycle,
}

impl QosPolicy {
    /// The relation that indexes policies by their attachment.
    pub const OF_ATTACHMENT: usize = 1;
}

impl Resource for QosPolicy {
    type Key = String;
    const KIND: &'static str = "qos_policy";
    /// A policy keeps its router (`OperationFailed.TrafficQosPolicyExist`) and its attachment
    /// (`OperationFailed.TrafficQosExist`) from being deleted; a `Force` delete of the
    /// attachment takes the policy with it.
    const RELATIONS: &'static [Relation] = &[
        Relation {
            parent: TransitRouter::KIND,
            on_delete: OnParentDelete::Blocks {
                error: cbn::delete_transit_router::operation_failed_traffic_qos_policy_exist,
                forced: false,
            },
        },
        Relation {
            parent: TrAttachment::KIND,
            on_delete: OnParentDelete::Blocks {
                error:
                    cbn::delete_transit_router_peer_attachment::operation_failed_traffic_qos_exist,
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
    fn region(&self) -> Option<&str> {
        Some(&self.region_id)
    }
    fn parent_id(&self, relation: usize) -> Option<&str> {
        match relation {
            0 => Some(&self.transit_router_id),
            _ => Some(&self.attachment_id),
        }
    }
    with_lifecycle!();
}

/// A queue of a QoS policy other than its default queue.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct QosQueue {
    /// `qos-queue-` and 18 lower-case letters and digits.
    pub id: String,
    /// The QoS policy.
    pub policy_id: String,
    /// The policy's transit router.
    pub transit_router_id: String,
    /// The policy's attachment.
    pub attachment_id: String,
    /// The owner of the CEN instance.
    pub owner: i64,
    /// The name, if set.
    pub name: Option<String>,
    /// The description, if set.
    pub description: Option<String>,
    /// The DSCP values it matches, unique within the policy.
    pub dscps: Vec<i32>,
    /// Its share: Mbit/s or percent, as the policy's mode says.
    pub share: i64,
    /// Create (Creating) and Delete (Deleting).
    #[serde(flatten)]
    pub life: Lifecycle,
}

impl Resource for QosQueue {
    type Key = String;
    const KIND: &'static str = "qos_queue";
    /// A queue has no Modifying status: its changes apply at once.
    const STATUSES: Statuses = Statuses {
        creating: "Creating",
        ready: "Active",
        modifying: "Active",
        deleting: "Deleting",
        gone: "Deleted",
    };
    /// A queue keeps its policy from being deleted (`AssociationExist.TransitQosQueueExist`),
    /// and goes with its attachment when that is deleted with `Force` (as its policy does).
    const RELATIONS: &'static [Relation] = &[
        Relation {
            parent: QosPolicy::KIND,
            on_delete: OnParentDelete::Blocks {
                error: cbn::delete_cen_inter_region_traffic_qos_policy::association_exist_transit_qos_queue_exist,
                forced: false,
            },
        },
        Relation {
            parent: TrAttachment::KIND,
            on_delete: OnParentDelete::Blocks {
                error: cbn::delete_transit_router_peer_attachment::operation_failed_traffic_qos_exist,
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
            0 => Some(&self.policy_id),
            _ => Some(&self.attachment_id),
        }
    }
    with_lifecycle!();
}
