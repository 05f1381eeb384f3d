//! The emulator's whole state: tables of plain records in persistent collections.
//!
//! Every table is an [`imbl`] map, so cloning the state for a write is O(1) and a change copies
//! only the path to what changed. Each table keeps its records in creation order (by a sequence
//! number) and indexes them by a key, and remembers which keys a write touched, so that a
//! write finds what it changed, and the store persists it, in O(changes · log n).
//!
//! Asynchronous transitions (Creating → Active, Attaching → Attached, ...) are not stored: each
//! record keeps the time of the request that started its transition, and the status is computed
//! from the clock and the configured delay when it is read. That keeps the emulator deterministic
//! under a fixed clock and makes a restart resume every transition where it was.

use std::borrow::Borrow;
use std::fmt;
use std::sync::Arc;

use imbl::{OrdMap, OrdSet};
use serde::de::DeserializeOwned;
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

/// A record of a table: it knows its kind (the store's name for the table) and its key.
pub trait Record: Clone + PartialEq + fmt::Debug + Serialize + DeserializeOwned {
    /// What identifies the record within its table.
    type Key: Ord + Clone + fmt::Debug + Serialize;
    /// The table's name in the store.
    const KIND: &'static str;
    /// The record's key.
    fn key(&self) -> Self::Key;
}

/// A table of records in creation order, indexed by key; O(1) to clone.
#[derive(Clone)]
pub struct Table<T: Record> {
    /// Records by sequence number (creation order).
    rows: OrdMap<u64, Arc<T>>,
    /// Sequence numbers by key.
    index: OrdMap<T::Key, u64>,
    /// The next sequence number.
    next_seq: u64,
    /// The keys touched since the last [`Table::take_touched`] (possibly repeated).
    touched: Vec<T::Key>,
}

impl<T: Record> Default for Table<T> {
    fn default() -> Self {
        Self {
            rows: OrdMap::new(),
            index: OrdMap::new(),
            next_seq: 0,
            touched: Vec::new(),
        }
    }
}

impl<T: Record> fmt::Debug for Table<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

impl<T: Record> PartialEq for Table<T> {
    fn eq(&self, other: &Self) -> bool {
        self.rows.ptr_eq(&other.rows) || self.rows == other.rows
    }
}

impl<T: Record> Table<T> {
    /// The number of records.
    pub fn len(&self) -> usize {
        self.rows.len()
    }

    /// Whether there is none.
    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    /// The records in creation order.
    pub fn iter(&self) -> impl DoubleEndedIterator<Item = &T> + '_ {
        self.rows.values().map(|r| &**r)
    }

    /// The record with a key.
    pub fn get<Q>(&self, key: &Q) -> Option<&T>
    where
        T::Key: Borrow<Q>,
        Q: Ord + ?Sized,
    {
        let seq = self.index.get(key)?;
        self.rows.get(seq).map(|r| &**r)
    }

    /// The record with a key and its sequence number.
    pub fn entry<Q>(&self, key: &Q) -> Option<(u64, &T)>
    where
        T::Key: Borrow<Q>,
        Q: Ord + ?Sized,
    {
        let seq = *self.index.get(key)?;
        self.rows.get(&seq).map(|r| (seq, &**r))
    }

    /// Whether a record has the key.
    pub fn contains_key<Q>(&self, key: &Q) -> bool
    where
        T::Key: Borrow<Q>,
        Q: Ord + ?Sized,
    {
        self.index.contains_key(key)
    }

    /// The record with a key, for changing it (its key must not change).
    pub fn get_mut<Q>(&mut self, key: &Q) -> Option<&mut T>
    where
        T::Key: Borrow<Q>,
        Q: Ord + ?Sized,
    {
        let (key, seq) = self.index.get_key_value(key)?;
        let seq = *seq;
        self.touched.push(key.clone());
        self.rows.get_mut(&seq).map(Arc::make_mut)
    }

    /// Adds a record at the end, or replaces the record with the same key where it is.
    pub fn insert(&mut self, record: T) {
        let key = record.key();
        let seq = match self.index.get(&key) {
            Some(seq) => *seq,
            None => {
                let seq = self.next_seq;
                self.next_seq += 1;
                self.index.insert(key.clone(), seq);
                seq
            }
        };
        self.rows.insert(seq, Arc::new(record));
        self.touched.push(key);
    }

    /// Removes the record with a key.
    pub fn remove<Q>(&mut self, key: &Q) -> Option<T>
    where
        T::Key: Borrow<Q>,
        Q: Ord + ?Sized,
    {
        let (key, seq) = self.index.remove_with_key(key)?;
        self.touched.push(key);
        self.rows
            .remove(&seq)
            .map(|r| Arc::try_unwrap(r).unwrap_or_else(|r| (*r).clone()))
    }

    /// Keeps only the records for which `keep` is true (a scan of the whole table).
    pub fn retain(&mut self, mut keep: impl FnMut(&T) -> bool) {
        let gone: Vec<T::Key> = self.iter().filter(|r| !keep(r)).map(Record::key).collect();
        for key in gone {
            self.remove(&key);
        }
    }

    /// The keys from `from` on, in key order.
    pub fn keys_from<'s>(&'s self, from: &T::Key) -> impl Iterator<Item = &'s T::Key> + 's {
        self.index.range(from.clone()..).map(|(k, _)| k)
    }

    /// Puts back a stored record with its sequence number (loading).
    pub(crate) fn restore(&mut self, seq: u64, record: T) {
        if let Some(old) = self.index.insert(record.key(), seq) {
            self.rows.remove(&old);
        }
        self.rows.insert(seq, Arc::new(record));
        self.next_seq = self.next_seq.max(seq + 1);
    }

    /// The keys touched since the last call, each once.
    fn take_touched(&mut self) -> Vec<T::Key> {
        let mut keys = std::mem::take(&mut self.touched);
        keys.sort();
        keys.dedup();
        keys
    }

    /// The rows that differ from `old` among the touched keys, and forgets them.
    fn changes(&mut self, old: &Self, bodies: bool, out: &mut Vec<RowChange>) {
        for key in self.take_touched() {
            let now = self.entry(&key);
            if now == old.entry(&key) {
                continue;
            }
            out.push(RowChange {
                kind: T::KIND,
                id: encode_key(&key),
                row: now.map(|(seq, record)| (seq, bodies.then(|| encode(record)))),
            });
        }
    }

    /// Every record as a row to store.
    fn rows(&self, out: &mut Vec<RowChange>) {
        for (seq, record) in &self.rows {
            out.push(RowChange {
                kind: T::KIND,
                id: encode_key(&record.key()),
                row: Some((*seq, Some(encode(&**record)))),
            });
        }
    }
}

fn encode_key<K: Serialize>(key: &K) -> String {
    serde_json::to_string(key).unwrap_or_default()
}

fn encode<T: Serialize>(record: &T) -> String {
    serde_json::to_string(record).unwrap_or_default()
}

/// One row of the store to write: put (with its sequence number and, for a store that keeps
/// them, its body) or delete (`row` is `None`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowChange {
    /// The table.
    pub kind: &'static str,
    /// The key, as JSON.
    pub id: String,
    /// The sequence number and the record as JSON, or `None` when the record is gone.
    pub row: Option<(u64, Option<String>)>,
}

impl Record for Cen {
    type Key = String;
    const KIND: &'static str = "cen";
    fn key(&self) -> String {
        self.id.clone()
    }
}

impl Record for BandwidthPackage {
    type Key = String;
    const KIND: &'static str = "package";
    fn key(&self) -> String {
        self.id.clone()
    }
}

impl Record for Attachment {
    /// An instance is attached to one CEN instance at most.
    type Key = String;
    const KIND: &'static str = "attachment";
    fn key(&self) -> String {
        self.instance_id.clone()
    }
}

impl Record for Grant {
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
}

impl Record for Limit {
    /// CEN instance and the unordered region pair (lower first).
    type Key = (String, String, String);
    const KIND: &'static str = "limit";
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

impl Record for RoutePublication {
    /// CEN instance, network instance, route table, destination.
    type Key = (String, String, String, String);
    const KIND: &'static str = "publication";
    fn key(&self) -> Self::Key {
        (
            self.cen_id.clone(),
            self.instance_id.clone(),
            self.route_table_id.clone(),
            self.cidr.clone(),
        )
    }
}

impl Record for HealthCheck {
    /// CEN instance and VBR.
    type Key = (String, String);
    const KIND: &'static str = "health_check";
    fn key(&self) -> Self::Key {
        (self.cen_id.clone(), self.vbr_id.clone())
    }
}

impl Record for NetworkInstance {
    type Key = String;
    const KIND: &'static str = "instance";
    fn key(&self) -> String {
        self.instance_id.clone()
    }
}

impl Record for TokenRecord {
    /// Caller, action, ClientToken.
    type Key = (i64, String, String);
    const KIND: &'static str = "token";
    fn key(&self) -> Self::Key {
        (self.caller, self.action.clone(), self.token.clone())
    }
}

/// A record whose removal has started and that is purged once the delay has passed.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum Removal {
    /// A CEN instance being deleted, by id.
    Cen(String),
    /// An attachment being detached, by instance id.
    Attachment(String),
}

/// Everything the emulator remembers.
#[derive(Debug, Clone, Default)]
pub struct State {
    /// CEN instances in creation order.
    pub cens: Table<Cen>,
    /// Bandwidth plans in creation order.
    pub packages: Table<BandwidthPackage>,
    /// Attachments in attach order.
    pub attachments: Table<Attachment>,
    /// Grants in grant order.
    pub grants: Table<Grant>,
    /// Inter-region bandwidth limits in creation order.
    pub limits: Table<Limit>,
    /// Route publication changes.
    pub publications: Table<RoutePublication>,
    /// VBR health checks.
    pub health_checks: Table<HealthCheck>,
    /// Instances added through the admin endpoint.
    pub added_instances: Table<NetworkInstance>,
    /// Idempotency records.
    pub tokens: Table<TokenRecord>,
    /// The removals under way, by the time they started: what [`State::purge`] looks at.
    removals: OrdSet<(Millis, Removal)>,
}

impl PartialEq for State {
    fn eq(&self, other: &Self) -> bool {
        self.cens == other.cens
            && self.packages == other.packages
            && self.attachments == other.attachments
            && self.grants == other.grants
            && self.limits == other.limits
            && self.publications == other.publications
            && self.health_checks == other.health_checks
            && self.added_instances == other.added_instances
            && self.tokens == other.tokens
    }
}

impl State {
    /// Drops the records whose asynchronous removal has completed, with what hangs off them.
    /// Costs O(log n) per record dropped (and nothing when no removal is due).
    pub fn purge(&mut self, now: Millis, delay: Millis) {
        while let Some((at, _)) = self.removals.get_min() {
            if now < at.saturating_add(delay) {
                break;
            }
            let Some((_, removal)) = self.removals.remove_min() else {
                break;
            };
            match removal {
                Removal::Attachment(instance_id) => {
                    let Some(a) = self.attachments.get(&instance_id) else {
                        continue;
                    };
                    if a.status(now, delay) != AttachStatus::Gone {
                        continue;
                    }
                    let cen_id = a.cen_id.clone();
                    self.attachments.remove(&instance_id);
                    let from = (cen_id, instance_id, String::new(), String::new());
                    let gone: Vec<_> = self
                        .publications
                        .keys_from(&from)
                        .take_while(|k| k.0 == from.0 && k.1 == from.1)
                        .cloned()
                        .collect();
                    for key in gone {
                        self.publications.remove(&key);
                    }
                }
                Removal::Cen(id) => {
                    if !self
                        .cens
                        .get(&id)
                        .is_some_and(|c| c.status(now, delay) == CenStatus::Gone)
                    {
                        continue;
                    }
                    self.cens.remove(&id);
                    let from = (id.clone(), String::new(), String::new());
                    let gone: Vec<_> = self
                        .limits
                        .keys_from(&from)
                        .take_while(|k| k.0 == id)
                        .cloned()
                        .collect();
                    for key in gone {
                        self.limits.remove(&key);
                    }
                    let from = (id.clone(), String::new());
                    let gone: Vec<_> = self
                        .health_checks
                        .keys_from(&from)
                        .take_while(|k| k.0 == id)
                        .cloned()
                        .collect();
                    for key in gone {
                        self.health_checks.remove(&key);
                    }
                }
            }
        }
    }

    /// What changed since `old` (the state this one was cloned from), as rows to store: only
    /// the touched records are compared. Forgets the touched keys and notes the removals that
    /// started. With `bodies`, the rows carry the records' JSON.
    pub fn settle(&mut self, old: &State, bodies: bool) -> Vec<RowChange> {
        let mut out = Vec::new();
        self.cens.changes(&old.cens, bodies, &mut out);
        self.packages.changes(&old.packages, bodies, &mut out);
        self.attachments.changes(&old.attachments, bodies, &mut out);
        self.grants.changes(&old.grants, bodies, &mut out);
        self.limits.changes(&old.limits, bodies, &mut out);
        self.publications
            .changes(&old.publications, bodies, &mut out);
        self.health_checks
            .changes(&old.health_checks, bodies, &mut out);
        self.added_instances
            .changes(&old.added_instances, bodies, &mut out);
        self.tokens.changes(&old.tokens, bodies, &mut out);
        for change in &out {
            if change.row.is_none() {
                continue;
            }
            let Ok(key) = serde_json::from_str::<String>(&change.id) else {
                continue;
            };
            let removal = match change.kind {
                Cen::KIND => self
                    .cens
                    .get(&key)
                    .and_then(|c| c.deleting_at)
                    .map(|at| (at, Removal::Cen(key))),
                Attachment::KIND => self
                    .attachments
                    .get(&key)
                    .and_then(|a| a.detach_at)
                    .map(|at| (at, Removal::Attachment(key))),
                _ => None,
            };
            if let Some(removal) = removal {
                self.removals.insert(removal);
            }
        }
        out
    }

    /// Every record as rows to store.
    pub fn rows(&self) -> Vec<RowChange> {
        let mut out = Vec::new();
        self.cens.rows(&mut out);
        self.packages.rows(&mut out);
        self.attachments.rows(&mut out);
        self.grants.rows(&mut out);
        self.limits.rows(&mut out);
        self.publications.rows(&mut out);
        self.health_checks.rows(&mut out);
        self.added_instances.rows(&mut out);
        self.tokens.rows(&mut out);
        out
    }

    /// Forgets what was touched and finds the removals under way (after loading or building a
    /// state other than by a write).
    pub fn rebuild(&mut self) {
        self.cens.touched.clear();
        self.packages.touched.clear();
        self.attachments.touched.clear();
        self.grants.touched.clear();
        self.limits.touched.clear();
        self.publications.touched.clear();
        self.health_checks.touched.clear();
        self.added_instances.touched.clear();
        self.tokens.touched.clear();
        self.removals = self
            .cens
            .iter()
            .filter_map(|c| c.deleting_at.map(|at| (at, Removal::Cen(c.id.clone()))))
            .chain(self.attachments.iter().filter_map(|a| {
                a.detach_at
                    .map(|at| (at, Removal::Attachment(a.instance_id.clone())))
            }))
            .collect();
    }
}

/// The state as the first schema stored it: one document of arrays in creation order.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(crate) struct LegacyState {
    cens: Vec<Cen>,
    packages: Vec<BandwidthPackage>,
    attachments: Vec<Attachment>,
    grants: Vec<Grant>,
    limits: Vec<Limit>,
    publications: Vec<RoutePublication>,
    health_checks: Vec<HealthCheck>,
    added_instances: Vec<NetworkInstance>,
    tokens: Vec<TokenRecord>,
}

impl From<LegacyState> for State {
    fn from(legacy: LegacyState) -> Self {
        fn fill<T: Record>(table: &mut Table<T>, records: Vec<T>) {
            for record in records {
                table.insert(record);
            }
        }
        let mut state = State::default();
        fill(&mut state.cens, legacy.cens);
        fill(&mut state.packages, legacy.packages);
        fill(&mut state.attachments, legacy.attachments);
        fill(&mut state.grants, legacy.grants);
        fill(&mut state.limits, legacy.limits);
        fill(&mut state.publications, legacy.publications);
        fill(&mut state.health_checks, legacy.health_checks);
        fill(&mut state.added_instances, legacy.added_instances);
        fill(&mut state.tokens, legacy.tokens);
        state.rebuild();
        state
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

    fn tagless(id: &str, created_at: Millis) -> Cen {
        Cen {
            id: id.into(),
            created_at,
            ..cen()
        }
    }

    #[test]
    fn tables_keep_creation_order_and_index_by_key() {
        let mut t: Table<Cen> = Table::default();
        for (i, id) in ["cen-c", "cen-a", "cen-b"].into_iter().enumerate() {
            t.insert(tagless(id, i64::try_from(i).unwrap()));
        }
        let order = |t: &Table<Cen>| t.iter().map(|c| c.id.clone()).collect::<Vec<_>>();
        assert_eq!(order(&t), ["cen-c", "cen-a", "cen-b"]);
        assert_eq!(t.get("cen-a").unwrap().created_at, 1);
        // Replacing keeps the place; removing and adding again goes to the end.
        t.insert(tagless("cen-c", 9));
        assert_eq!(order(&t), ["cen-c", "cen-a", "cen-b"]);
        t.remove("cen-c");
        t.insert(tagless("cen-c", 10));
        assert_eq!(order(&t), ["cen-a", "cen-b", "cen-c"]);
        t.retain(|c| c.id != "cen-b");
        assert_eq!(order(&t), ["cen-a", "cen-c"]);
        assert_eq!(t.len(), 2);
    }

    #[test]
    fn settle_reports_only_real_changes() {
        let mut old = State::default();
        old.cens.insert(tagless("cen-a", 1));
        old.cens.insert(tagless("cen-b", 2));
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
                    row: None
                },
                RowChange {
                    kind: "cen",
                    id: "\"cen-b\"".into(),
                    row: Some((1, None))
                },
            ]
        );
    }

    #[test]
    fn purge_drops_what_is_gone_with_what_hangs_off_it() {
        let mut old = State::default();
        old.cens.insert(tagless("cen-a", 0));
        old.cens.insert(tagless("cen-b", 0));
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
        next.cens.get_mut("cen-a").unwrap().deleting_at = Some(100);
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
