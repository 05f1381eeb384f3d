//! Traffic marking: the policies of a transit router that mark the packets their traffic
//! classification rules match with a DSCP value, and those rules.

use cen_server::cbn::errors as cbn;
use serde::{Deserialize, Serialize};

use super::{Cen, Lifecycle, OnParentDelete, Relation, Resource, Statuses, TransitRouter};

/// A traffic marking policy of an Enterprise Edition transit router.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TrafficMarkingPolicy {
    /// `tm-` and 18 lower-case letters and digits.
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
    /// 1 to 100, unique among the router's policies; lower is matched first.
    pub priority: i32,
    /// The DSCP value (0 to 63) written into matched packets, unique among the router's policies.
    pub marking_dscp: i32,
    /// Create, Update and rule changes (Modifying), Delete.
    #[serde(flatten)]
    pub life: Lifecycle,
}

impl Resource for TrafficMarkingPolicy {
    type Key = String;
    const KIND: &'static str = "traffic_marking_policy";
    /// A policy keeps its router (`OperationFailed.TrafficMarkingPolicyExist`) and its CEN
    /// instance (the same code, which DeleteCen documents) from being deleted.
    const RELATIONS: &'static [Relation] = &[
        Relation {
            parent: TransitRouter::KIND,
            on_delete: OnParentDelete::Blocks {
                error: cbn::delete_transit_router::operation_failed_traffic_marking_policy_exist,
                forced: false,
            },
        },
        Relation {
            parent: Cen::KIND,
            on_delete: OnParentDelete::Blocks {
                error: cbn::delete_cen::operation_failed_traffic_marking_policy_exist,
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
    with_lifecycle!();
}

/// What a traffic classification rule matches; an absent field matches every packet.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct TrafficMatch {
    /// The protocol, in its documented spelling (`TCP`, `HTTPS`, ...).
    pub protocol: Option<String>,
    /// The source CIDR block.
    pub src_cidr: Option<String>,
    /// The destination CIDR block.
    pub dst_cidr: Option<String>,
    /// One or two source ports (`-1` for all).
    pub src_ports: Vec<i32>,
    /// One or two destination ports (`-1` for all).
    pub dst_ports: Vec<i32>,
    /// The DSCP value packets carry before they are marked.
    pub match_dscp: Option<i32>,
    /// `IPv4` or `IPv6`, when given.
    pub address_family: Option<String>,
}

/// A traffic classification rule of a traffic marking policy.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TrafficMatchRule {
    /// `tm-rule-` and 18 lower-case letters and digits.
    pub id: String,
    /// The traffic marking policy.
    pub policy_id: String,
    /// The owner of the CEN instance.
    pub owner: i64,
    /// The name, if set.
    pub name: Option<String>,
    /// The description, if set.
    pub description: Option<String>,
    /// What it matches.
    pub matches: TrafficMatch,
    /// Add (Creating) and Remove (Deleting).
    #[serde(flatten)]
    pub life: Lifecycle,
}

impl Resource for TrafficMatchRule {
    type Key = String;
    const KIND: &'static str = "traffic_match_rule";
    /// A rule has no Modifying status: its name and description change at once.
    const STATUSES: Statuses = Statuses {
        creating: "Creating",
        ready: "Active",
        modifying: "Active",
        deleting: "Deleting",
        gone: "Deleted",
    };
    /// A rule keeps its policy from being deleted (`AssociationExist.TransitQosRuleExist`)
    /// unless the policy is deleted with `Force`, which takes its rules with it.
    const RELATIONS: &'static [Relation] = &[Relation {
        parent: TrafficMarkingPolicy::KIND,
        on_delete: OnParentDelete::Blocks {
            error: cbn::delete_traffic_marking_policy::association_exist_transit_qos_rule_exist,
            forced: true,
        },
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
        Some(&self.policy_id)
    }
    with_lifecycle!();
}
