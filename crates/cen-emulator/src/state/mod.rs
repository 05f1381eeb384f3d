//! The emulator's whole state: every kind of record, declared once as a [`Resource`], and the
//! [`State`] that holds one [`Table`] of each.
//!
//! The list of tables in [`tables!`] is the only place a kind is registered: the state's
//! equality, change detection, storage rows, loading, the removals under way, the delete
//! cascade and the blocking rules all follow from it and from each kind's declaration.

use imbl::OrdSet;
use serde::{Deserialize, Serialize};

use acs_rpc::error::ApiError;

use crate::errors;
use crate::inventory::{InstanceType, NetworkInstance};

mod aggregations;
mod child_routes;
mod cloud_services;
mod multicast;
mod prefix_lists;
mod qos;
mod route_maps;
mod traffic_marking;
mod transit;
pub use crate::resource::{
    Lifecycle, Millis, OnParentDelete, Phase, Relation, Resource, RowChange, RowMut, Statuses,
    Table, Tag,
};
pub use aggregations::TrAggregation;
pub use child_routes::ChildRoute;
pub use cloud_services::{PrivateZoneRoute, RouteService};
pub use multicast::{McAssociation, McDomain, McEndpoint, McGroupKey, McGroupMember};
pub use prefix_lists::PrefixListAssociation;
pub use qos::{GuaranteeMode, QosPolicy, QosQueue};
pub use route_maps::{CenRouteMap, RouteMapAction, RouteMapMatch};
pub use traffic_marking::{TrafficMarkingPolicy, TrafficMatch, TrafficMatchRule};
pub use transit::{
    AttachmentKind, CidrAllocation, FlowLog, PeerLink, TrAssociation, TrAttachment, TrCidr,
    TrPropagation, TrRouteEntry, TrRouteTable, TrService, TransitRouter, ZonePlacement,
};

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
    /// CreateCen, ModifyCenAttribute and DeleteCen.
    #[serde(flatten)]
    pub life: Lifecycle,
    /// The resource group, when not the account's default one (CreateCen's ResourceGroupId or
    /// MoveResourceGroup).
    #[serde(default)]
    pub resource_group: Option<String>,
    /// Tags in insertion order.
    pub tags: Vec<Tag>,
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
    /// The resource group, when not the account's default one (MoveResourceGroup).
    #[serde(default)]
    pub resource_group: Option<String>,
    /// The CEN instance it is associated with.
    pub cen_id: Option<String>,
    /// Tags in insertion order.
    pub tags: Vec<Tag>,
    /// The last temporary upgrade (TempUpgradeCenBandwidthPackageSpec), in effect until its
    /// end.
    #[serde(default)]
    pub temp_upgrade: Option<TempUpgrade>,
}

/// A temporary upgrade of a bandwidth plan: more bandwidth until a time, then the plan's own.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct TempUpgrade {
    /// The bandwidth while it lasts, in Mbit/s.
    pub bandwidth: i64,
    /// When it ends.
    pub until: Millis,
}

impl BandwidthPackage {
    /// The temporary upgrade in effect at `now`, if one is.
    pub fn upgrade_at(&self, now: Millis) -> Option<TempUpgrade> {
        self.temp_upgrade.filter(|u| now < u.until)
    }

    /// The bandwidth at `now`: the temporary one while an upgrade lasts, else the plan's own.
    pub fn bandwidth_at(&self, now: Millis) -> i64 {
        self.upgrade_at(now).map_or(self.bandwidth, |u| u.bandwidth)
    }
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
    /// AttachCenChildInstance and DetachCenChildInstance.
    #[serde(flatten)]
    pub life: Lifecycle,
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
    /// Who pays for a transit-router attachment of the instance: `PayByCenOwner` or
    /// `PayByResourceOwner` (GrantInstanceToTransitRouter and its Modify; `None` from the Vpc
    /// grant, which means the CEN owner).
    #[serde(default)]
    pub order_type: Option<String>,
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

impl Resource for Cen {
    type Key = String;
    const KIND: &'static str = "cen";
    /// DescribeCens and the tag operations write it `cen`.
    const TAG_TYPES: &'static [&'static str] = &["cen"];
    tagged!();
    fn key(&self) -> String {
        self.id.clone()
    }
    fn id(&self) -> Option<&str> {
        Some(&self.id)
    }
    fn owner(&self) -> Option<i64> {
        Some(self.owner)
    }
    with_lifecycle!();
}

impl Resource for BandwidthPackage {
    type Key = String;
    const KIND: &'static str = "package";
    const TAG_TYPES: &'static [&'static str] = &["bandwidthpackage"];
    tagged!();
    /// An associated plan keeps its CEN instance from being deleted. Emulator rule, since no
    /// current page documents the case: `InvalidOperation.BwpInstanceStatus` (400).
    const RELATIONS: &'static [Relation] = &[Relation {
        parent: Cen::KIND,
        on_delete: OnParentDelete::Blocks {
            error: || errors::bwp_instance_status(400),
            forced: false,
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
        self.cen_id.as_deref()
    }
}

impl Resource for Attachment {
    /// An instance is attached to one CEN instance at most.
    type Key = String;
    const KIND: &'static str = "attachment";
    /// An attached (or attaching, or detaching) instance keeps its CEN instance from being
    /// deleted: `InvalidOperation.AttachedChildInstanceExist` (409, 2019 chapter 6).
    const RELATIONS: &'static [Relation] = &[Relation {
        parent: Cen::KIND,
        on_delete: OnParentDelete::Blocks {
            error: errors::attached_child_exist,
            forced: false,
        },
    }];
    const STATUSES: Statuses = Statuses::ATTACHMENT;
    fn key(&self) -> String {
        self.instance_id.clone()
    }
    fn id(&self) -> Option<&str> {
        Some(&self.instance_id)
    }
    fn owner(&self) -> Option<i64> {
        Some(self.owner)
    }
    fn parent_id(&self, _: usize) -> Option<&str> {
        Some(&self.cen_id)
    }
    with_lifecycle!();
}

impl Resource for Grant {
    /// CEN instance, its owner, network instance.
    type Key = (String, i64, String);
    const KIND: &'static str = "grant";
    fn key(&self) -> Self::Key {
        (
            self.cen_id.clone(),
            self.cen_owner,
            self.instance_id.clone(),
        )
    }
    fn owner(&self) -> Option<i64> {
        Some(self.owner)
    }
}

impl Resource for Limit {
    /// CEN instance and the unordered region pair (lower first).
    type Key = (String, String, String);
    const KIND: &'static str = "limit";
    /// Limits go with their CEN instance.
    const RELATIONS: &'static [Relation] = &[Relation {
        parent: Cen::KIND,
        on_delete: OnParentDelete::Removed,
    }];
    fn parent_id(&self, _: usize) -> Option<&str> {
        Some(&self.cen_id)
    }
    fn key(&self) -> Self::Key {
        let (a, b) = if self.local_region <= self.opposite_region {
            (&self.local_region, &self.opposite_region)
        } else {
            (&self.opposite_region, &self.local_region)
        };
        (self.cen_id.clone(), a.clone(), b.clone())
    }
}

impl Limit {
    /// The key of the limit of a CEN instance between two regions, in either order.
    pub fn key_of(cen_id: &str, x: &str, y: &str) -> (String, String, String) {
        let (a, b) = if x <= y { (x, y) } else { (y, x) };
        (cen_id.to_owned(), a.to_owned(), b.to_owned())
    }
}

impl Resource for RoutePublication {
    /// CEN instance, network instance, route table, destination.
    type Key = (String, String, String, String);
    const KIND: &'static str = "publication";
    /// Publication changes go with the attachment of their instance.
    const RELATIONS: &'static [Relation] = &[Relation {
        parent: Attachment::KIND,
        on_delete: OnParentDelete::Removed,
    }];
    fn parent_id(&self, _: usize) -> Option<&str> {
        Some(&self.instance_id)
    }
    fn key(&self) -> Self::Key {
        (
            self.cen_id.clone(),
            self.instance_id.clone(),
            self.route_table_id.clone(),
            self.cidr.clone(),
        )
    }
}

impl Resource for HealthCheck {
    /// CEN instance and VBR.
    type Key = (String, String);
    const KIND: &'static str = "health_check";
    /// Health checks go with their CEN instance.
    const RELATIONS: &'static [Relation] = &[Relation {
        parent: Cen::KIND,
        on_delete: OnParentDelete::Removed,
    }];
    fn parent_id(&self, _: usize) -> Option<&str> {
        Some(&self.cen_id)
    }
    fn key(&self) -> Self::Key {
        (self.cen_id.clone(), self.vbr_id.clone())
    }
}

impl Resource for NetworkInstance {
    type Key = String;
    const KIND: &'static str = "instance";
    fn key(&self) -> String {
        self.instance_id.clone()
    }
}

impl Resource for TokenRecord {
    /// Caller, action, ClientToken.
    type Key = (i64, String, String);
    const KIND: &'static str = "token";
    fn key(&self) -> Self::Key {
        (self.caller, self.action.clone(), self.token.clone())
    }
}

/// Declares the state's tables, each once: the field, its record kind and what it holds.
///
/// Everything that walks every table is generated here, so adding a kind is one line.
macro_rules! tables {
    ($($(#[$doc:meta])* $field:ident: $kind:ty,)*) => {
        /// Everything the emulator remembers.
        #[derive(Debug, Clone, Default)]
        pub struct State {
            $($(#[$doc])* pub $field: Table<$kind>,)*
            /// The removals under way by when they started, kind and stored key: what
            /// [`State::purge`] looks at.
            removals: OrdSet<(Millis, &'static str, String)>,
        }

        impl PartialEq for State {
            fn eq(&self, other: &Self) -> bool {
                true $(&& self.$field == other.$field)*
            }
        }

        impl State {
            /// The table names in the store, in declaration order.
            pub const KINDS: &'static [&'static str] = &[$(<$kind as Resource>::KIND),*];

            /// Every table's records as JSON in creation order, by kind; only `owner`'s
            /// records when given.
            pub fn export_tables(
                &self,
                owner: Option<i64>,
            ) -> serde_json::Map<String, serde_json::Value> {
                let mut out = serde_json::Map::new();
                $(
                    out.insert(
                        <$kind as Resource>::KIND.to_owned(),
                        serde_json::Value::Array(self.$field.export(owner)),
                    );
                )*
                out
            }

            /// Adds the records of exported tables; an unknown kind, a table that is not an
            /// array, a record that does not read or a key already present is refused, saying
            /// where.
            pub fn import_tables(
                &mut self,
                mut tables: serde_json::Map<String, serde_json::Value>,
            ) -> Result<(), String> {
                $(
                    match tables.remove(<$kind as Resource>::KIND) {
                        Some(serde_json::Value::Array(values)) => self.$field.import(values)?,
                        Some(_) => {
                            return Err(format!("{} is not an array", <$kind as Resource>::KIND));
                        }
                        None => {}
                    }
                )*
                if let Some(kind) = tables.keys().next() {
                    return Err(format!(
                        "{kind} is not a kind of record; the kinds are {}",
                        Self::KINDS.join(", ")
                    ));
                }
                self.rebuild();
                Ok(())
            }

            /// Removes every record `owner` owns.
            pub fn remove_owner(&mut self, owner: i64) {
                $(self.$field.retain(|r| r.owner() != Some(owner));)*
                self.rebuild();
            }

            /// How many records each table holds (those being deleted included), by kind.
            pub fn counts(&self) -> Vec<(&'static str, usize)> {
                vec![$((<$kind as Resource>::KIND, self.$field.len())),*]
            }

            /// Every record as rows to store.
            pub fn rows(&self) -> Vec<RowChange> {
                let mut out = Vec::new();
                $(self.$field.rows(&mut out);)*
                out
            }

            /// Builds a state from stored rows: `rows(kind)` gives a table's
            /// `(sequence number, JSON)` rows.
            pub fn load<E: From<serde_json::Error>>(
                mut rows: impl FnMut(&'static str) -> Result<Vec<(u64, String)>, E>,
            ) -> Result<Self, E> {
                let mut state = Self::default();
                $(state.$field.load(rows(<$kind as Resource>::KIND)?)?;)*
                state.rebuild();
                Ok(state)
            }

            /// Forgets what was touched and finds the removals under way (after loading or
            /// building a state other than by a write).
            pub fn rebuild(&mut self) {
                let mut removals = OrdSet::new();
                $(
                    self.$field.clear_touched();
                    for (at, key) in self.$field.removals() {
                        removals.insert((at, <$kind as Resource>::KIND, key));
                    }
                )*
                self.removals = removals;
            }

            /// The rows that differ from `old` among the touched records of every table.
            fn changes(&mut self, old: &Self, bodies: bool) -> Vec<RowChange> {
                let mut out = Vec::new();
                $(self.$field.changes(&old.$field, bodies, &mut out);)*
                out
            }

            /// Removes the record of a stored key if its delete has completed; returns its
            /// kind and id (for the cascade) when it was removed.
            fn purge_one(
                &mut self,
                kind: &str,
                key: &str,
                now: Millis,
                delay: Millis,
            ) -> Option<(&'static str, Option<String>)> {
                $(
                    if kind == <$kind as Resource>::KIND {
                        return self.$field.purge_key(key, now, delay);
                    }
                )*
                None
            }

            /// Removes the records that go with a removed parent; returns them as parents in
            /// turn.
            fn remove_dependents(
                &mut self,
                kind: &str,
                id: &str,
            ) -> Vec<(&'static str, Option<String>)> {
                let mut out = Vec::new();
                $(self.$field.remove_dependents(kind, id, &mut out);)*
                out
            }

            /// The error of the first live record (in table declaration order) that keeps the
            /// record `id` of `kind` from being deleted; with `force`, dependents that a
            /// forced delete removes do not count.
            pub fn blocker(
                &self,
                kind: &str,
                id: &str,
                force: bool,
                now: Millis,
                delay: Millis,
            ) -> Option<ApiError> {
                $(
                    if let Some(error) = self.$field.blocker(kind, id, force, now, delay) {
                        return Some(error);
                    }
                )*
                None
            }

            /// The declared tag `ResourceType` that `resource_type` names, in any case.
            pub fn tag_type(resource_type: &str) -> Option<&'static str> {
                $(
                    if let Some(found) = <$kind as Resource>::TAG_TYPES
                        .iter()
                        .find(|t| t.eq_ignore_ascii_case(resource_type))
                    {
                        return Some(found);
                    }
                )*
                None
            }

            /// The ids of an owner's live resources of a tag type, in creation order.
            pub fn tagged_ids(&self, tag_type: &str, owner: i64, now: Millis, delay: Millis) -> Vec<String> {
                $(
                    if <$kind as Resource>::TAG_TYPES.contains(&tag_type) {
                        return self.$field.tagged_ids(tag_type, owner, now, delay);
                    }
                )*
                Vec::new()
            }

            /// The tags of the resource `id` of a tag type.
            pub fn tags_of(&self, tag_type: &str, id: &str) -> &[Tag] {
                $(
                    if <$kind as Resource>::TAG_TYPES.contains(&tag_type) {
                        return self.$field.get_by_id(id).map_or(&[], Resource::tags);
                    }
                )*
                &[]
            }

            /// Changes the tags of the resource `id` of a tag type, if it exists.
            pub fn with_tags<R>(
                &mut self,
                tag_type: &str,
                id: &str,
                change: impl FnOnce(&mut Vec<Tag>) -> R,
            ) -> Option<R> {
                $(
                    if <$kind as Resource>::TAG_TYPES.contains(&tag_type) {
                        let mut row = self.$field.get_mut_by_id(id)?;
                        return row.tags_mut().map(change);
                    }
                )*
                None
            }

            /// Starts deleting the dependents that go with the record `id` of `kind`.
            fn mark_dependents(
                &mut self,
                kind: &str,
                id: &str,
                now: Millis,
            ) -> Vec<(&'static str, String)> {
                let mut out = Vec::new();
                $(self.$field.mark_removed_dependents(kind, id, now, &mut out);)*
                out
            }

            /// Starts deleting (or removes, for kinds without a lifecycle) the dependents
            /// that a forced delete of the record `id` of `kind` takes with it.
            pub fn force_dependents(&mut self, kind: &str, id: &str, now: Millis) {
                $(self.$field.force_dependents(kind, id, now);)*
            }
        }

        /// The state as the first schema stored it: one document of arrays in creation order.
        #[derive(Debug, Default, Deserialize)]
        #[serde(default)]
        pub(crate) struct LegacyState {
            $($field: Vec<$kind>,)*
        }

        impl From<LegacyState> for State {
            fn from(legacy: LegacyState) -> Self {
                let mut state = State::default();
                $(
                    for record in legacy.$field {
                        state.$field.insert(record);
                    }
                )*
                state.rebuild();
                state
            }
        }
    };
}

tables! {
    /// CEN instances in creation order.
    cens: Cen,
    /// Attachments in attach order.
    attachments: Attachment,
    /// Bandwidth plans in creation order.
    packages: BandwidthPackage,
    /// Grants in grant order.
    grants: Grant,
    /// Inter-region bandwidth limits in creation order.
    limits: Limit,
    /// Route publication changes.
    publications: RoutePublication,
    /// VBR health checks.
    health_checks: HealthCheck,
    /// Instances added through the admin endpoint.
    added_instances: NetworkInstance,
    /// Idempotency records.
    tokens: TokenRecord,
    /// Accounts that opened the transit-router service.
    tr_services: TrService,
    /// Transit routers in creation order.
    transit_routers: TransitRouter,
    /// Transit-router CIDR blocks in creation order.
    tr_cidrs: TrCidr,
    /// Transit-router route tables in creation order.
    tr_route_tables: TrRouteTable,
    /// Transit-router attachments of every kind in creation order.
    tr_attachments: TrAttachment,
    /// Route-table associations, one per attachment at most.
    tr_associations: TrAssociation,
    /// Route-table propagations.
    tr_propagations: TrPropagation,
    /// Static and blackhole routes of transit-router route tables.
    tr_route_entries: TrRouteEntry,
    /// Flow logs of routers and attachments.
    flow_logs: FlowLog,
    /// Routing policies of CEN instances in creation order.
    cen_route_maps: CenRouteMap,
    /// Aggregate routes of transit-router route tables in creation order.
    tr_aggregations: TrAggregation,
    /// Multicast domains in creation order.
    mc_domains: McDomain,
    /// vSwitches associated with multicast domains.
    mc_associations: McAssociation,
    /// Sources and members of multicast groups.
    mc_group_members: McGroupMember,
    /// Traffic marking policies of transit routers.
    traffic_marking_policies: TrafficMarkingPolicy,
    /// Traffic classification rules of traffic marking policies.
    traffic_match_rules: TrafficMatchRule,
    /// Inter-region QoS policies of peer attachments.
    qos_policies: QosPolicy,
    /// The queues of QoS policies, besides their default queues.
    qos_queues: QosQueue,
    /// Prefix lists associated with transit-router route tables.
    prefix_list_associations: PrefixListAssociation,
    /// Routes CEN wrote into the route tables of child instances.
    child_routes: ChildRoute,
    /// Cloud services reached through the CEN instance, per access region.
    route_services: RouteService,
    /// PrivateZone reached through the CEN instance, per access region.
    private_zone_routes: PrivateZoneRoute,
}

impl State {
    /// Drops the records whose asynchronous delete has completed, with what goes with them.
    /// Costs O(log n) per record dropped (and nothing when no removal is due).
    pub fn purge(&mut self, now: Millis, delay: Millis) {
        while let Some((at, _, _)) = self.removals.get_min() {
            if now < at.saturating_add(delay) {
                break;
            }
            let Some((_, kind, key)) = self.removals.remove_min() else {
                break;
            };
            let mut parents: Vec<_> = self.purge_one(kind, &key, now, delay).into_iter().collect();
            while let Some((kind, id)) = parents.pop() {
                if let Some(id) = id {
                    parents.extend(self.remove_dependents(kind, &id));
                }
            }
        }
    }

    /// Called when the delete of the record `id` of `kind` starts: the records that go with it
    /// (and theirs in turn) start deleting too, so they are listed as deleting and disappear
    /// with it.
    pub fn delete_dependents(&mut self, kind: &'static str, id: &str, now: Millis) {
        let mut stack = vec![(kind, id.to_owned())];
        while let Some((kind, id)) = stack.pop() {
            stack.extend(self.mark_dependents(kind, &id, now));
        }
    }

    /// How many of an owner's records of `table` have finished deleting but are not purged yet
    /// (they wait for the next write): O(due removals).
    pub fn gone_unpurged<T: Resource>(
        &self,
        table: &Table<T>,
        (owner, region): (i64, Option<&str>),
        now: Millis,
        delay: Millis,
    ) -> usize {
        self.removals
            .iter()
            .take_while(|(at, _, _)| now >= at.saturating_add(delay))
            .filter(|(_, kind, _)| *kind == T::KIND)
            .filter_map(|(_, _, key)| table.get(&serde_json::from_str::<T::Key>(key).ok()?))
            .filter(|r| {
                r.owner() == Some(owner)
                    && region.is_none_or(|g| r.region() == Some(g))
                    && r.phase(now, delay) == Phase::Gone
            })
            .count()
    }

    /// What changed since `old` (the state this one was cloned from), as rows to store: only
    /// the touched records are compared. Forgets the touched keys and notes the deletes that
    /// started. With `bodies`, the rows carry the records' JSON.
    pub fn settle(&mut self, old: &State, bodies: bool) -> Vec<RowChange> {
        let out = self.changes(old, bodies);
        for change in &out {
            if let (Some(_), Some(at)) = (&change.row, change.deleting_at) {
                self.removals.insert((at, change.kind, change.id.clone()));
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cen(id: &str, created_at: Millis) -> Cen {
        Cen {
            id: id.into(),
            owner: 1,
            name: None,
            description: None,
            protection_level: "REDUCED".into(),
            life: Lifecycle::started(created_at),
            resource_group: None,
            tags: vec![],
        }
    }

    #[test]
    fn phases_follow_the_clock_and_each_kind_words_them() {
        let mut c = cen("cen-x", 1000);
        let word = |c: &Cen, now| Cen::STATUSES.word(c.phase(now, 500));
        assert_eq!(word(&c, 1000), "Creating");
        assert_eq!(word(&c, 1499), "Creating");
        assert_eq!(word(&c, 1500), "Active");
        assert_eq!(c.phase(1000, 0), Phase::Ready);
        c.life.modified_at = Some(2000);
        assert_eq!(word(&c, 2100), "Modifying");
        assert_eq!(word(&c, 2500), "Active");
        c.life.deleting_at = Some(3000);
        assert_eq!(word(&c, 3000), "Deleting");
        assert_eq!(c.phase(3500, 500), Phase::Gone);
        let words: Vec<_> = [Phase::Creating, Phase::Ready, Phase::Deleting, Phase::Gone]
            .map(|p| Attachment::STATUSES.word(p))
            .into();
        assert_eq!(words, ["Attaching", "Attached", "Detaching", "Detached"]);
    }

    #[test]
    fn records_stored_by_the_first_schema_still_load() {
        // Attachments once stored `attached_at` and `detach_at`.
        let stored = r#"{"cen_id": "cen-x", "instance_id": "vpc-x", "instance_type": "VPC",
            "region_id": "cn-hangzhou", "owner": 1, "attached_at": 5, "detach_at": 9}"#;
        let a: Attachment = serde_json::from_str(stored).unwrap();
        assert_eq!(
            a.life,
            Lifecycle {
                created_at: 5,
                modified_at: None,
                deleting_at: Some(9)
            }
        );
    }

    #[test]
    fn tables_keep_creation_order_and_index_by_key_and_owner() {
        let mut t: Table<Cen> = Table::default();
        for (i, id) in ["cen-c", "cen-a", "cen-b"].into_iter().enumerate() {
            t.insert(cen(id, i64::try_from(i).unwrap()));
        }
        let order = |t: &Table<Cen>| t.iter().map(|c| c.id.clone()).collect::<Vec<_>>();
        assert_eq!(order(&t), ["cen-c", "cen-a", "cen-b"]);
        assert_eq!(t.get("cen-a").unwrap().life.created_at, 1);
        // Replacing keeps the place; removing and adding again goes to the end.
        t.insert(cen("cen-c", 9));
        assert_eq!(order(&t), ["cen-c", "cen-a", "cen-b"]);
        t.remove("cen-c");
        t.insert(cen("cen-c", 10));
        assert_eq!(order(&t), ["cen-a", "cen-b", "cen-c"]);
        t.retain(|c| c.id != "cen-b");
        assert_eq!(order(&t), ["cen-a", "cen-c"]);
        assert_eq!(t.len(), 2);
        // A change of owner through `get_mut` moves the record between owners' indexes.
        t.get_mut("cen-a").unwrap().owner = 2;
        let owned = |t: &Table<Cen>, o| t.owned_by(o).map(|c| c.id.clone()).collect::<Vec<_>>();
        assert_eq!(owned(&t, 1), ["cen-c"]);
        assert_eq!(owned(&t, 2), ["cen-a"]);
        assert_eq!(
            (t.count_owned(1), t.count_owned(2), t.count_owned(3)),
            (1, 1, 0)
        );
    }

    #[test]
    fn parent_indexes_follow_changes() {
        let mut state = State::default();
        state.cens.insert(cen("cen-a", 0));
        state.packages.insert(BandwidthPackage {
            id: "cenbwp-1".into(),
            owner: 1,
            name: None,
            description: None,
            bandwidth: 10,
            area_a: "China".into(),
            area_b: "China".into(),
            span: "china_china".into(),
            charge_type: "PREPAY".into(),
            pricing_cycle: "Month".into(),
            period: 1,
            order_id: "1".into(),
            created_at: 0,
            resource_group: None,
            cen_id: None,
            tags: vec![],
            temp_upgrade: None,
        });
        let cen_a = state.cens.get("cen-a").unwrap().clone();
        assert!(state.blocker("cen", "cen-a", false, 0, 0).is_none());
        state.packages.get_mut("cenbwp-1").unwrap().cen_id = Some("cen-a".into());
        let error = state
            .blocker("cen", cen_a.id().unwrap(), false, 0, 0)
            .unwrap();
        assert_eq!(error.code, "InvalidOperation.BwpInstanceStatus");
        state.packages.get_mut("cenbwp-1").unwrap().cen_id = None;
        assert!(state.blocker("cen", "cen-a", false, 0, 0).is_none());
    }

    #[test]
    fn settle_reports_only_real_changes() {
        let mut old = State::default();
        old.cens.insert(cen("cen-a", 1));
        old.cens.insert(cen("cen-b", 2));
        old.rebuild();
        let mut next = old.clone();
        // Touched but unchanged: no row.
        let _ = next.cens.get_mut("cen-a");
        assert!(next.settle(&old, true).is_empty());
        let mut next = old.clone();
        next.cens.get_mut("cen-b").unwrap().name = Some("n".into());
        next.cens.remove("cen-a");
        let changes = next.settle(&old, false);
        assert_eq!(
            changes,
            [
                RowChange {
                    kind: "cen",
                    id: "\"cen-a\"".into(),
                    row: None,
                    deleting_at: None,
                },
                RowChange {
                    kind: "cen",
                    id: "\"cen-b\"".into(),
                    row: Some((1, None)),
                    deleting_at: None,
                },
            ]
        );
    }

    #[test]
    fn purge_drops_what_is_gone_with_what_goes_with_it() {
        let mut old = State::default();
        old.cens.insert(cen("cen-a", 0));
        old.cens.insert(cen("cen-b", 0));
        for cen in ["cen-a", "cen-b"] {
            old.limits.insert(Limit {
                cen_id: cen.into(),
                local_region: "cn-shanghai".into(),
                opposite_region: "cn-beijing".into(),
                bandwidth: 1,
                package_id: "p".into(),
                set_at: 0,
            });
        }
        old.rebuild();
        let mut next = old.clone();
        next.cens.get_mut("cen-a").unwrap().life.deleting_at = Some(100);
        next.settle(&old, false);
        let mut later = next.clone();
        later.purge(150, 100);
        assert_eq!(later.cens.len(), 2);
        later.purge(200, 100);
        assert_eq!(later.cens.len(), 1);
        assert!(later.cens.get("cen-a").is_none());
        let limits: Vec<_> = later.limits.iter().map(|l| l.cen_id.as_str()).collect();
        assert_eq!(limits, ["cen-b"]);
        assert!(
            later
                .limits
                .contains_key(&Limit::key_of("cen-b", "cn-shanghai", "cn-beijing"))
        );
    }
}
