//! The emulator's whole state: plain data, serialized as one document for persistence.
//!
//! Asynchronous transitions (Creating → Active, Attaching → Attached, ...) are not stored: each
//! record keeps the time of the request that started its transition, and the status is computed
//! from the clock and the configured delay when it is read. That keeps the emulator deterministic
//! under a fixed clock and makes a restart resume every transition where it was.

use serde::{Deserialize, Serialize};

use crate::inventory::{InstanceType, NetworkInstance};

/// Milliseconds since the Unix epoch.
pub type Millis = i64;

/// A tag on a CEN instance or a bandwidth plan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tag {
    /// The key.
    pub key: String,
    /// The value (possibly empty).
    pub value: String,
}

/// A CEN instance.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Cen {
    /// `cen-` and 18 lower-case letters and digits.
    pub id: String,
    /// The owning account.
    pub owner: i64,
    /// The name, if set.
    pub name: Option<String>,
    /// The description, if set.
    pub description: Option<String>,
    /// Always `REDUCED` today.
    pub protection_level: String,
    /// When CreateCen was answered.
    pub created_at: Millis,
    /// When ModifyCenAttribute was last answered.
    pub modified_at: Option<Millis>,
    /// When DeleteCen was answered.
    pub deleting_at: Option<Millis>,
    /// Tags in insertion order.
    pub tags: Vec<Tag>,
}

/// The computed status of a CEN instance.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CenStatus {
    /// Created less than the delay ago.
    Creating,
    /// Ready for every operation.
    Active,
    /// Modified less than the delay ago.
    Modifying,
    /// Deleted less than the delay ago.
    Deleting,
    /// Deleted; the record is purged on the next write.
    Gone,
}

impl CenStatus {
    /// The wire spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Creating => "Creating",
            Self::Active => "Active",
            Self::Modifying => "Modifying",
            Self::Deleting => "Deleting",
            Self::Gone => "Deleted",
        }
    }
}

impl Cen {
    /// The status at `now` with transitions lasting `delay` milliseconds.
    pub fn status(&self, now: Millis, delay: Millis) -> CenStatus {
        if let Some(at) = self.deleting_at {
            return if now >= at + delay {
                CenStatus::Gone
            } else {
                CenStatus::Deleting
            };
        }
        if now < self.created_at + delay {
            return CenStatus::Creating;
        }
        match self.modified_at {
            Some(at) if now < at + delay => CenStatus::Modifying,
            _ => CenStatus::Active,
        }
    }
}

/// A bandwidth plan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BandwidthPackage {
    /// `cenbwp-` and 18 lower-case letters and digits.
    pub id: String,
    /// The owning account.
    pub owner: i64,
    /// The name, if set.
    pub name: Option<String>,
    /// The description, if set.
    pub description: Option<String>,
    /// The maximum bandwidth in Mbit/s.
    pub bandwidth: i64,
    /// Area A as given (`China`, `North-America`, ...).
    pub area_a: String,
    /// Area B as given.
    pub area_b: String,
    /// The span id (`china_north-america`).
    pub span: String,
    /// `PREPAY`.
    pub charge_type: String,
    /// `Month` or `Year`.
    pub pricing_cycle: String,
    /// The subscription length in pricing cycles.
    pub period: i32,
    /// The order id returned at creation.
    pub order_id: String,
    /// When CreateCenBandwidthPackage was answered.
    pub created_at: Millis,
    /// The CEN instance it is associated with.
    pub cen_id: Option<String>,
    /// Tags in insertion order.
    pub tags: Vec<Tag>,
}

/// A network instance attached (or attaching, or detaching) to a CEN instance.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Attachment {
    /// The CEN instance.
    pub cen_id: String,
    /// The network instance.
    pub instance_id: String,
    /// Its kind.
    pub instance_type: InstanceType,
    /// Its region.
    pub region_id: String,
    /// Its owner.
    pub owner: i64,
    /// When AttachCenChildInstance was answered.
    pub attached_at: Millis,
    /// When DetachCenChildInstance was answered.
    pub detach_at: Option<Millis>,
}

/// The computed status of an attachment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AttachStatus {
    /// Attached less than the delay ago.
    Attaching,
    /// Attached.
    Attached,
    /// Detached less than the delay ago.
    Detaching,
    /// Detached; purged on the next write.
    Gone,
}

impl AttachStatus {
    /// The wire spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Attaching => "Attaching",
            Self::Attached => "Attached",
            Self::Detaching => "Detaching",
            Self::Gone => "Detached",
        }
    }
}

impl Attachment {
    /// The status at `now`.
    pub fn status(&self, now: Millis, delay: Millis) -> AttachStatus {
        match self.detach_at {
            Some(at) if now >= at + delay => AttachStatus::Gone,
            Some(_) => AttachStatus::Detaching,
            None if now < self.attached_at + delay => AttachStatus::Attaching,
            None => AttachStatus::Attached,
        }
    }
}

/// A grant by an instance owner that lets a CEN instance of another account attach it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Grant {
    /// The CEN instance.
    pub cen_id: String,
    /// The account owning the CEN instance.
    pub cen_owner: i64,
    /// The network instance.
    pub instance_id: String,
    /// Its kind.
    pub instance_type: InstanceType,
    /// Its region.
    pub region_id: String,
    /// Its owner, who granted.
    pub owner: i64,
    /// When GrantInstanceToCen was answered.
    pub created_at: Millis,
}

/// An inter-region bandwidth limit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Limit {
    /// The CEN instance.
    pub cen_id: String,
    /// The local region as first set.
    pub local_region: String,
    /// The opposite region as first set.
    pub opposite_region: String,
    /// The bandwidth in Mbit/s.
    pub bandwidth: i64,
    /// The plan the bandwidth is drawn from.
    pub package_id: String,
    /// When SetCenInterRegionBandwidthLimit was last answered for this pair.
    pub set_at: Millis,
}

impl Limit {
    /// Whether the limit is for the unordered region pair.
    pub fn is_between(&self, x: &str, y: &str) -> bool {
        (self.local_region == x && self.opposite_region == y)
            || (self.local_region == y && self.opposite_region == x)
    }
}

/// A custom route whose advertisement to a CEN instance was changed with PublishRouteEntries or
/// WithdrawPublishedRouteEntries.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoutePublication {
    /// The CEN instance.
    pub cen_id: String,
    /// The network instance.
    pub instance_id: String,
    /// The route table.
    pub route_table_id: String,
    /// The destination of the route.
    pub cidr: String,
    /// Whether it is advertised.
    pub published: bool,
}

/// The health check of a VBR attached to a CEN instance.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HealthCheck {
    /// The CEN instance.
    pub cen_id: String,
    /// The VBR.
    pub vbr_id: String,
    /// The VBR's region.
    pub region_id: String,
    /// The VBR's owner.
    pub owner: i64,
    /// The source address of the probes.
    pub source_ip: String,
    /// The target address of the probes.
    pub target_ip: String,
    /// Seconds between probes.
    pub interval: i32,
    /// Probes per check.
    pub threshold: i32,
    /// Whether the check only probes (no route switching).
    pub only: bool,
    /// The description, if set.
    pub description: Option<String>,
}

/// What an idempotent call answered, so that a retry with the same ClientToken answers the same.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TokenRecord {
    /// The caller's account.
    pub caller: i64,
    /// The `Action`.
    pub action: String,
    /// The ClientToken.
    pub token: String,
    /// The other parameters of the first call, as canonical JSON.
    pub fingerprint: String,
    /// The result of the first call.
    pub result: serde_json::Value,
}

/// Everything the emulator remembers.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct State {
    /// CEN instances in creation order.
    pub cens: Vec<Cen>,
    /// Bandwidth plans in creation order.
    pub packages: Vec<BandwidthPackage>,
    /// Attachments in attach order.
    pub attachments: Vec<Attachment>,
    /// Grants in grant order.
    pub grants: Vec<Grant>,
    /// Inter-region bandwidth limits in creation order.
    pub limits: Vec<Limit>,
    /// Route publication changes.
    pub publications: Vec<RoutePublication>,
    /// VBR health checks.
    pub health_checks: Vec<HealthCheck>,
    /// Instances added through the admin endpoint.
    pub added_instances: Vec<NetworkInstance>,
    /// Idempotency records.
    pub tokens: Vec<TokenRecord>,
}

impl State {
    /// Drops the records whose asynchronous removal has completed, with what hangs off them.
    pub fn purge(&mut self, now: Millis, delay: Millis) {
        let gone_attachments: Vec<(String, String)> = self
            .attachments
            .iter()
            .filter(|a| a.status(now, delay) == AttachStatus::Gone)
            .map(|a| (a.cen_id.clone(), a.instance_id.clone()))
            .collect();
        self.attachments
            .retain(|a| a.status(now, delay) != AttachStatus::Gone);
        self.publications.retain(|p| {
            !gone_attachments
                .iter()
                .any(|(c, i)| *c == p.cen_id && *i == p.instance_id)
        });
        let gone_cens: Vec<String> = self
            .cens
            .iter()
            .filter(|c| c.status(now, delay) == CenStatus::Gone)
            .map(|c| c.id.clone())
            .collect();
        self.cens.retain(|c| !gone_cens.contains(&c.id));
        self.limits.retain(|l| !gone_cens.contains(&l.cen_id));
        self.health_checks
            .retain(|h| !gone_cens.contains(&h.cen_id));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cen() -> Cen {
        Cen {
            id: "cen-x".into(),
            owner: 1,
            name: None,
            description: None,
            protection_level: "REDUCED".into(),
            created_at: 1000,
            modified_at: None,
            deleting_at: None,
            tags: vec![],
        }
    }

    #[test]
    fn cen_status_follows_the_clock() {
        let mut c = cen();
        assert_eq!(c.status(1000, 500), CenStatus::Creating);
        assert_eq!(c.status(1499, 500), CenStatus::Creating);
        assert_eq!(c.status(1500, 500), CenStatus::Active);
        assert_eq!(c.status(1000, 0), CenStatus::Active);
        c.modified_at = Some(2000);
        assert_eq!(c.status(2100, 500), CenStatus::Modifying);
        assert_eq!(c.status(2500, 500), CenStatus::Active);
        c.deleting_at = Some(3000);
        assert_eq!(c.status(3000, 500), CenStatus::Deleting);
        assert_eq!(c.status(3500, 500), CenStatus::Gone);
    }

    #[test]
    fn attachment_status_follows_the_clock() {
        let mut a = Attachment {
            cen_id: "cen-x".into(),
            instance_id: "vpc-x".into(),
            instance_type: InstanceType::Vpc,
            region_id: "cn-hangzhou".into(),
            owner: 1,
            attached_at: 0,
            detach_at: None,
        };
        assert_eq!(a.status(10, 100), AttachStatus::Attaching);
        assert_eq!(a.status(100, 100), AttachStatus::Attached);
        a.detach_at = Some(200);
        assert_eq!(a.status(250, 100), AttachStatus::Detaching);
        assert_eq!(a.status(300, 100), AttachStatus::Gone);
    }
}
