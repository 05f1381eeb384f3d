//! The resource layer: what every kind of stored record declares once, and the table that keeps
//! records of one kind with the indexes and change tracking that follow from the declaration.
//!
//! A kind implements [`Resource`]: its key, its table name in the store, its owner account, the
//! records it depends on ([`Relation`]s: which parent, and whether the record blocks the parent's
//! delete or goes with it), and, if it has one, its [`Lifecycle`] with the wire words of each
//! [`Phase`]. From that the [`Table`] keeps an index by owner and one per relation, the state
//! finds what blocks a delete and what a completed delete removes, and the store persists rows.
//!
//! Every table is a set of [`imbl`] maps, so cloning it for a write is O(1) and a change copies
//! only the path to what changed.

use std::borrow::Borrow;
use std::fmt;
use std::sync::Arc;

use acs_rpc::error::ApiError;
use imbl::{OrdMap, OrdSet};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

/// Milliseconds since the Unix epoch.
pub type Millis = i64;

/// When the requests that move a resource through its lifecycle were answered.
///
/// Asynchronous transitions are not stored: the phase is computed from these times, the clock
/// and the configured delay when it is read. That keeps the emulator deterministic under a fixed
/// clock and makes a restart resume every transition where it was.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Lifecycle {
    /// When the create (or attach, associate, enable, ...) was answered.
    #[serde(alias = "attached_at")]
    pub created_at: Millis,
    /// When the last change that has a transitional status was answered.
    #[serde(default)]
    pub modified_at: Option<Millis>,
    /// When the delete (or detach, dissociate, disable, ...) was answered.
    #[serde(default, alias = "detach_at")]
    pub deleting_at: Option<Millis>,
}

/// Where a resource is in its lifecycle; each kind words the phases its own way.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Phase {
    /// Created less than the delay ago (`Creating`, `Attaching`, `Associating`, ...).
    Creating,
    /// Ready for every operation (`Active`, `Attached`, ...).
    Ready,
    /// Changed less than the delay ago (`Modifying`, `Updating`, ...).
    Modifying,
    /// Deleted less than the delay ago (`Deleting`, `Detaching`, `Dissociating`, ...).
    Deleting,
    /// Deleted: absent from every answer, purged on the next write.
    Gone,
}

impl Phase {
    /// Whether the resource is in a transition, when only queries succeed on it.
    pub fn is_transitional(self) -> bool {
        matches!(self, Self::Creating | Self::Modifying | Self::Deleting)
    }
}

impl Lifecycle {
    /// A lifecycle that starts now.
    pub fn started(now: Millis) -> Self {
        Self {
            created_at: now,
            modified_at: None,
            deleting_at: None,
        }
    }

    /// The phase at `now` with transitions lasting `delay` milliseconds.
    pub fn phase(&self, now: Millis, delay: Millis) -> Phase {
        if let Some(at) = self.deleting_at {
            return if now >= at.saturating_add(delay) {
                Phase::Gone
            } else {
                Phase::Deleting
            };
        }
        if now < self.created_at.saturating_add(delay) {
            return Phase::Creating;
        }
        match self.modified_at {
            Some(at) if now < at.saturating_add(delay) => Phase::Modifying,
            _ => Phase::Ready,
        }
    }
}

/// The wire words of a kind's phases.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Statuses {
    /// [`Phase::Creating`].
    pub creating: &'static str,
    /// [`Phase::Ready`].
    pub ready: &'static str,
    /// [`Phase::Modifying`].
    pub modifying: &'static str,
    /// [`Phase::Deleting`].
    pub deleting: &'static str,
    /// [`Phase::Gone`] (never listed; named for completeness and for status filters).
    pub gone: &'static str,
}

impl Statuses {
    /// CEN instances, transit routers, route tables, ...
    pub const INSTANCE: Self = Self {
        creating: "Creating",
        ready: "Active",
        modifying: "Modifying",
        deleting: "Deleting",
        gone: "Deleted",
    };

    /// Attachments of network instances.
    pub const ATTACHMENT: Self = Self {
        creating: "Attaching",
        ready: "Attached",
        modifying: "Modifying",
        deleting: "Detaching",
        gone: "Detached",
    };

    /// The word of a phase.
    pub fn word(&self, phase: Phase) -> &'static str {
        match phase {
            Phase::Creating => self.creating,
            Phase::Ready => self.ready,
            Phase::Modifying => self.modifying,
            Phase::Deleting => self.deleting,
            Phase::Gone => self.gone,
        }
    }
}

/// A tag on a resource.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tag {
    /// The key.
    pub key: String,
    /// The value (possibly empty).
    pub value: String,
}

/// What happens to a dependent record when its parent is deleted.
#[derive(Clone, Copy)]
pub enum OnParentDelete {
    /// While a live dependent exists, the parent's delete is refused with this error; a `Force`
    /// delete of the parent removes the dependent instead when `forced` is true.
    Blocks {
        /// The documented error the delete answers.
        error: fn() -> ApiError,
        /// Whether a `Force` delete removes the dependent with the parent.
        forced: bool,
    },
    /// The dependent goes with the parent once the parent's delete completes.
    Removed,
}

impl fmt::Debug for OnParentDelete {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Blocks { error, forced } => f
                .debug_struct("Blocks")
                .field("error", &error().code)
                .field("forced", forced)
                .finish(),
            Self::Removed => f.write_str("Removed"),
        }
    }
}

/// A dependency of a record on a record of another kind, which it names by id.
#[derive(Debug, Clone, Copy)]
pub struct Relation {
    /// The parent's kind ([`Resource::KIND`]).
    pub parent: &'static str,
    /// What the parent's delete does with the record.
    pub on_delete: OnParentDelete,
}

/// A kind of stored record, declared once.
pub trait Resource: Clone + PartialEq + fmt::Debug + Serialize + DeserializeOwned {
    /// What identifies the record within its table.
    type Key: Ord + Clone + fmt::Debug + Serialize + DeserializeOwned;
    /// The table's name in the store.
    const KIND: &'static str;
    /// The records this one depends on; [`Resource::parent_id`] names each.
    const RELATIONS: &'static [Relation] = &[];
    /// The wire words of the lifecycle, for kinds that have one.
    const STATUSES: Statuses = Statuses::INSTANCE;

    /// The record's key.
    fn key(&self) -> Self::Key;

    /// The id other records name this one by, for kinds that are parents.
    fn id(&self) -> Option<&str> {
        None
    }

    /// The owning account, for kinds listed per account.
    fn owner(&self) -> Option<i64> {
        None
    }

    /// The region, for kinds an owner lists per region.
    fn region(&self) -> Option<&str> {
        None
    }

    /// A value the kind is often looked up by besides its key (a route's table and
    /// destination), indexed so that [`Table::by_lookup`] finds its records in O(log n).
    fn lookup(&self) -> Option<String> {
        None
    }

    /// The id of the parent of relation `index` (of [`Resource::RELATIONS`]), if it has one now.
    fn parent_id(&self, index: usize) -> Option<&str> {
        let _ = index;
        None
    }

    /// The `ResourceType`s of TagResources, UntagResources and ListTagResources whose resources
    /// this table holds (compared case-insensitively, as the Terraform provider sends them in
    /// many casings); [`Resource::tag_type`] says which one a record is.
    const TAG_TYPES: &'static [&'static str] = &[];

    /// The tag `ResourceType` of this record, for tables that hold several.
    fn tag_type(&self) -> &'static str {
        Self::TAG_TYPES.first().copied().unwrap_or_default()
    }

    /// The tags, for kinds that carry them.
    fn tags(&self) -> &[Tag] {
        &[]
    }

    /// The tags, for changing them; `None` for kinds that carry none.
    fn tags_mut(&mut self) -> Option<&mut Vec<Tag>> {
        None
    }

    /// The lifecycle, for kinds with asynchronous transitions.
    fn lifecycle(&self) -> Option<&Lifecycle> {
        None
    }

    /// The lifecycle, for changing it.
    fn lifecycle_mut(&mut self) -> Option<&mut Lifecycle> {
        None
    }

    /// The wire status of a phase; a kind whose ready state has several words (a flow log is
    /// `Active` or `Inactive`) says which.
    fn status_word(&self, phase: Phase) -> &'static str {
        Self::STATUSES.word(phase)
    }

    /// The phase at `now`; a kind without a lifecycle is always ready.
    fn phase(&self, now: Millis, delay: Millis) -> Phase {
        self.lifecycle()
            .map_or(Phase::Ready, |life| life.phase(now, delay))
    }
}

/// Implements [`Resource::tags`] and [`Resource::tags_mut`] for a kind whose tags are its
/// `tags` field.
macro_rules! tagged {
    () => {
        fn tags(&self) -> &[$crate::resource::Tag] {
            &self.tags
        }
        fn tags_mut(&mut self) -> Option<&mut Vec<$crate::resource::Tag>> {
            Some(&mut self.tags)
        }
    };
}

/// Implements [`Resource::lifecycle`] and [`Resource::lifecycle_mut`] for a kind whose
/// lifecycle is its `life` field.
macro_rules! with_lifecycle {
    () => {
        fn lifecycle(&self) -> Option<&$crate::resource::Lifecycle> {
            Some(&self.life)
        }
        fn lifecycle_mut(&mut self) -> Option<&mut $crate::resource::Lifecycle> {
            Some(&mut self.life)
        }
    };
}

/// What the indexes know of a record, to update them when it changes.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Indexed {
    id: Option<String>,
    owner: Option<i64>,
    region: Option<String>,
    lookup: Option<String>,
    parents: Vec<Option<String>>,
}

impl Indexed {
    fn of<T: Resource>(record: &T) -> Self {
        Self {
            id: record.id().map(str::to_owned),
            owner: record.owner(),
            region: record.region().map(str::to_owned),
            lookup: record.lookup(),
            parents: (0..T::RELATIONS.len())
                .map(|i| record.parent_id(i).map(str::to_owned))
                .collect(),
        }
    }
}

/// Records of one kind in creation order, indexed by key, by owner and by parent; O(1) to clone.
#[derive(Clone)]
pub struct Table<T: Resource> {
    /// Records by sequence number (creation order).
    rows: OrdMap<u64, Arc<T>>,
    /// Sequence numbers by key.
    index: OrdMap<T::Key, u64>,
    /// Sequence numbers by the id other records name a record by.
    by_id: OrdMap<String, u64>,
    /// Sequence numbers by owner.
    by_owner: OrdMap<i64, OrdSet<u64>>,
    /// Sequence numbers by [`Resource::lookup`].
    by_lookup: OrdMap<String, OrdSet<u64>>,
    /// Sequence numbers by owner and region.
    by_region: OrdMap<(i64, String), OrdSet<u64>>,
    /// Sequence numbers by relation and parent id.
    by_parent: OrdMap<(usize, String), OrdSet<u64>>,
    /// The next sequence number.
    next_seq: u64,
    /// The keys touched since the last [`Table::take_touched`] (possibly repeated).
    touched: Vec<T::Key>,
}

impl<T: Resource> Default for Table<T> {
    fn default() -> Self {
        Self {
            rows: OrdMap::new(),
            index: OrdMap::new(),
            by_id: OrdMap::new(),
            by_owner: OrdMap::new(),
            by_region: OrdMap::new(),
            by_lookup: OrdMap::new(),
            by_parent: OrdMap::new(),
            next_seq: 0,
            touched: Vec::new(),
        }
    }
}

impl<T: Resource> fmt::Debug for Table<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

impl<T: Resource> PartialEq for Table<T> {
    fn eq(&self, other: &Self) -> bool {
        self.rows.ptr_eq(&other.rows) || self.rows == other.rows
    }
}

/// A record borrowed for changing: the table's indexes follow the change when it is dropped.
#[derive(Debug)]
pub struct RowMut<'t, T: Resource> {
    seq: u64,
    before: Indexed,
    table: &'t mut Table<T>,
}

impl<T: Resource> std::ops::Deref for RowMut<'_, T> {
    type Target = T;
    fn deref(&self) -> &T {
        // The sequence number was looked up when the guard was made and nothing removes it
        // while the guard holds the table.
        self.table
            .rows
            .get(&self.seq)
            .map(|r| &**r)
            .unwrap_or_else(|| unreachable!())
    }
}

impl<T: Resource> std::ops::DerefMut for RowMut<'_, T> {
    fn deref_mut(&mut self) -> &mut T {
        self.table
            .rows
            .get_mut(&self.seq)
            .map(Arc::make_mut)
            .unwrap_or_else(|| unreachable!())
    }
}

impl<T: Resource> Drop for RowMut<'_, T> {
    fn drop(&mut self) {
        let after = Indexed::of(&**self);
        if after != self.before {
            let before = std::mem::replace(&mut self.before, after.clone());
            self.table.unindex(self.seq, &before);
            self.table.reindex(self.seq, &after);
        }
    }
}

impl<T: Resource> Table<T> {
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

    /// The records of an owner in creation order, without scanning the others.
    pub fn owned_by(&self, owner: i64) -> impl DoubleEndedIterator<Item = &T> + '_ {
        self.by_owner
            .get(&owner)
            .into_iter()
            .flat_map(|seqs| seqs.iter())
            .filter_map(|seq| self.rows.get(seq).map(|r| &**r))
    }

    /// How many records an owner has (in O(log n)).
    pub fn count_owned(&self, owner: i64) -> usize {
        self.by_owner.get(&owner).map_or(0, OrdSet::len)
    }

    /// The records of an owner in a region, in creation order, without scanning the others.
    pub fn owned_in_region<'s>(
        &'s self,
        owner: i64,
        region: &str,
    ) -> impl DoubleEndedIterator<Item = &'s T> + 's {
        self.by_region
            .get(&(owner, region.to_owned()))
            .into_iter()
            .flat_map(|seqs| seqs.iter())
            .filter_map(|seq| self.rows.get(seq).map(|r| &**r))
    }

    /// The records whose [`Resource::lookup`] is `value`, in creation order.
    pub fn by_lookup<'s>(&'s self, value: &str) -> impl DoubleEndedIterator<Item = &'s T> + 's {
        self.by_lookup
            .get(value)
            .into_iter()
            .flat_map(|seqs| seqs.iter())
            .filter_map(|seq| self.rows.get(seq).map(|r| &**r))
    }

    /// How many records an owner has in a region (in O(log n)).
    pub fn count_owned_in_region(&self, owner: i64, region: &str) -> usize {
        self.by_region
            .get(&(owner, region.to_owned()))
            .map_or(0, OrdSet::len)
    }

    /// The records whose parent of relation `relation` is `parent`, in creation order.
    pub fn children_of<'s>(
        &'s self,
        relation: usize,
        parent: &str,
    ) -> impl DoubleEndedIterator<Item = &'s T> + 's {
        self.by_parent
            .get(&(relation, parent.to_owned()))
            .into_iter()
            .flat_map(|seqs| seqs.iter())
            .filter_map(|seq| self.rows.get(seq).map(|r| &**r))
    }

    /// The record that other records name by `id`.
    pub fn get_by_id(&self, id: &str) -> Option<&T> {
        self.by_id
            .get(id)
            .and_then(|seq| self.rows.get(seq))
            .map(|r| &**r)
    }

    /// The record that other records name by `id`, for changing it.
    pub fn get_mut_by_id(&mut self, id: &str) -> Option<RowMut<'_, T>> {
        let seq = *self.by_id.get(id)?;
        let record = self.rows.get(&seq)?;
        self.touched.push(record.key());
        let before = Indexed::of(&**record);
        Some(RowMut {
            seq,
            before,
            table: self,
        })
    }

    /// What a list call that takes an id or a parent id looks at: the record with key `id` when
    /// one is given, else the children of `parent` in relation `relation`, else `None`.
    pub fn by_key_or_parent(
        &self,
        id: Option<&str>,
        relation: usize,
        parent: Option<&str>,
    ) -> Option<Vec<&T>>
    where
        T::Key: Borrow<str>,
    {
        match (id, parent) {
            (Some(id), _) => Some(self.get(id).into_iter().collect()),
            (None, Some(parent)) => Some(self.children_of(relation, parent).collect()),
            (None, None) => None,
        }
    }

    /// A record's creation sequence number (what `NextToken`s count in).
    pub fn seq_of(&self, record: &T) -> Option<u64> {
        self.index.get(&record.key()).copied()
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
    pub fn get_mut<Q>(&mut self, key: &Q) -> Option<RowMut<'_, T>>
    where
        T::Key: Borrow<Q>,
        Q: Ord + ?Sized,
    {
        let (key, seq) = self.index.get_key_value(key)?;
        let seq = *seq;
        self.touched.push(key.clone());
        let before = Indexed::of(&**self.rows.get(&seq)?);
        Some(RowMut {
            seq,
            before,
            table: self,
        })
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
        self.put(seq, record);
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
        let record = self.rows.remove(&seq)?;
        self.unindex(seq, &Indexed::of(&*record));
        Some(Arc::try_unwrap(record).unwrap_or_else(|r| (*r).clone()))
    }

    /// Keeps only the records for which `keep` is true (a scan of the whole table).
    pub fn retain(&mut self, mut keep: impl FnMut(&T) -> bool) {
        let gone: Vec<T::Key> = self.iter().filter(|r| !keep(r)).map(T::key).collect();
        for key in gone {
            self.remove(&key);
        }
    }

    /// The keys from `from` on, in key order.
    pub fn keys_from<'s>(&'s self, from: &T::Key) -> impl Iterator<Item = &'s T::Key> + 's {
        self.index.range(from.clone()..).map(|(k, _)| k)
    }

    /// The records as JSON in creation order, only `owner`'s when given (a state snapshot).
    pub(crate) fn export(&self, owner: Option<i64>) -> Vec<serde_json::Value> {
        self.iter()
            .filter(|r| owner.is_none_or(|o| r.owner() == Some(o)))
            .map(|r| serde_json::to_value(r).unwrap_or_default())
            .collect()
    }

    /// Adds records given as JSON, in order (a state snapshot); a record that does not read as
    /// this kind, or whose key is already present, is refused with its kind and position.
    pub(crate) fn import(&mut self, values: Vec<serde_json::Value>) -> Result<(), String> {
        for (i, value) in values.into_iter().enumerate() {
            let record: T =
                serde_json::from_value(value).map_err(|e| format!("{}[{i}]: {e}", T::KIND))?;
            if self.contains_key(&record.key()) {
                return Err(format!(
                    "{}[{i}]: another record has the same key {}",
                    T::KIND,
                    encode(&record.key())
                ));
            }
            self.insert(record);
        }
        Ok(())
    }

    /// Puts back a stored record with its sequence number (loading).
    pub(crate) fn restore(&mut self, seq: u64, record: T) {
        if let Some(old) = self.index.insert(record.key(), seq)
            && let Some(old_record) = self.rows.remove(&old)
        {
            self.unindex(old, &Indexed::of(&*old_record));
        }
        self.put(seq, record);
        self.next_seq = self.next_seq.max(seq + 1);
    }

    /// Stores a record under a sequence number and indexes it.
    fn put(&mut self, seq: u64, record: T) {
        let now = Indexed::of(&record);
        if let Some(old) = self.rows.insert(seq, Arc::new(record)) {
            self.unindex(seq, &Indexed::of(&*old));
        }
        self.reindex(seq, &now);
    }

    fn reindex(&mut self, seq: u64, indexed: &Indexed) {
        if let Some(lookup) = &indexed.lookup {
            self.by_lookup
                .entry(lookup.clone())
                .or_default()
                .insert(seq);
        }
        if let Some(id) = &indexed.id {
            self.by_id.insert(id.clone(), seq);
        }
        if let Some(owner) = indexed.owner {
            self.by_owner.entry(owner).or_default().insert(seq);
            if let Some(region) = &indexed.region {
                self.by_region
                    .entry((owner, region.clone()))
                    .or_default()
                    .insert(seq);
            }
        }
        for (i, parent) in indexed.parents.iter().enumerate() {
            if let Some(parent) = parent {
                self.by_parent
                    .entry((i, parent.clone()))
                    .or_default()
                    .insert(seq);
            }
        }
    }

    fn unindex(&mut self, seq: u64, indexed: &Indexed) {
        if let Some(lookup) = &indexed.lookup
            && let Some(seqs) = self.by_lookup.get_mut(lookup)
        {
            seqs.remove(&seq);
            if seqs.is_empty() {
                self.by_lookup.remove(lookup);
            }
        }
        if let Some(id) = &indexed.id
            && self.by_id.get(id) == Some(&seq)
        {
            self.by_id.remove(id);
        }
        if let Some(owner) = indexed.owner
            && let Some(seqs) = self.by_owner.get_mut(&owner)
        {
            seqs.remove(&seq);
            if seqs.is_empty() {
                self.by_owner.remove(&owner);
            }
        }
        if let (Some(owner), Some(region)) = (indexed.owner, &indexed.region) {
            let key = (owner, region.clone());
            if let Some(seqs) = self.by_region.get_mut(&key) {
                seqs.remove(&seq);
                if seqs.is_empty() {
                    self.by_region.remove(&key);
                }
            }
        }
        for (i, parent) in indexed.parents.iter().enumerate() {
            let Some(parent) = parent else { continue };
            let key = (i, parent.clone());
            if let Some(seqs) = self.by_parent.get_mut(&key) {
                seqs.remove(&seq);
                if seqs.is_empty() {
                    self.by_parent.remove(&key);
                }
            }
        }
    }

    /// Forgets the touched keys.
    pub(crate) fn clear_touched(&mut self) {
        self.touched.clear();
    }

    /// The keys touched since the last call, each once.
    fn take_touched(&mut self) -> Vec<T::Key> {
        let mut keys = std::mem::take(&mut self.touched);
        keys.sort();
        keys.dedup();
        keys
    }

    /// The rows that differ from `old` among the touched keys, and forgets them.
    pub(crate) fn changes(&mut self, old: &Self, bodies: bool, out: &mut Vec<RowChange>) {
        for key in self.take_touched() {
            let now = self.entry(&key);
            if now == old.entry(&key) {
                continue;
            }
            out.push(RowChange {
                kind: T::KIND,
                id: encode(&key),
                row: now.map(|(seq, record)| (seq, bodies.then(|| encode(record)))),
                deleting_at: now.and_then(|(_, r)| r.lifecycle()?.deleting_at),
            });
        }
    }

    /// Every record as a row to store.
    pub(crate) fn rows(&self, out: &mut Vec<RowChange>) {
        for (seq, record) in &self.rows {
            out.push(RowChange {
                kind: T::KIND,
                id: encode(&record.key()),
                row: Some((*seq, Some(encode(&**record)))),
                deleting_at: record.lifecycle().and_then(|l| l.deleting_at),
            });
        }
    }

    /// The stored keys of the records whose delete has started, with when it started.
    pub(crate) fn removals(&self) -> impl Iterator<Item = (Millis, String)> + '_ {
        self.iter()
            .filter_map(|r| r.lifecycle()?.deleting_at.map(|at| (at, encode(&r.key()))))
    }

    /// Removes the record of a stored key if its delete has completed at `now`; returns its kind
    /// and id when it was removed.
    pub(crate) fn purge_key(
        &mut self,
        key: &str,
        now: Millis,
        delay: Millis,
    ) -> Option<(&'static str, Option<String>)> {
        let key: T::Key = serde_json::from_str(key).ok()?;
        if self.get(&key)?.phase(now, delay) != Phase::Gone {
            return None;
        }
        let record = self.remove(&key)?;
        Some((T::KIND, record.id().map(str::to_owned)))
    }

    /// The relations of this kind to parents of `kind`, by index.
    fn relations_to<'k>(kind: &'k str) -> impl Iterator<Item = (usize, &'static Relation)> + 'k {
        T::RELATIONS
            .iter()
            .enumerate()
            .filter(move |(_, r)| r.parent == kind)
    }

    /// Removes the records that go with the removed record `id` of `kind`, noting them as
    /// parents in turn.
    pub(crate) fn remove_dependents(
        &mut self,
        kind: &str,
        id: &str,
        out: &mut Vec<(&'static str, Option<String>)>,
    ) {
        for (i, relation) in Self::relations_to(kind) {
            if !matches!(relation.on_delete, OnParentDelete::Removed) {
                continue;
            }
            let keys: Vec<T::Key> = self.children_of(i, id).map(T::key).collect();
            for key in keys {
                if let Some(record) = self.remove(&key) {
                    out.push((T::KIND, record.id().map(str::to_owned)));
                }
            }
        }
    }

    /// Starts deleting the records that go with the record `id` of `kind`, whose delete just
    /// started, so that they are listed as deleting and disappear with it; notes them as parents
    /// in turn. Records without a lifecycle stay until the purge removes them.
    pub(crate) fn mark_removed_dependents(
        &mut self,
        kind: &str,
        id: &str,
        now: Millis,
        out: &mut Vec<(&'static str, String)>,
    ) {
        for (i, relation) in Self::relations_to(kind) {
            if !matches!(relation.on_delete, OnParentDelete::Removed) {
                continue;
            }
            let keys: Vec<T::Key> = self.children_of(i, id).map(T::key).collect();
            for key in keys {
                let Some(mut row) = self.get_mut(&key) else {
                    continue;
                };
                if let Some(life) = row.lifecycle_mut() {
                    life.deleting_at.get_or_insert(now);
                }
                if let Some(child) = row.id() {
                    out.push((T::KIND, child.to_owned()));
                }
            }
        }
    }

    /// The error of the first live record that keeps the record `id` of `kind` from being
    /// deleted.
    pub(crate) fn blocker(
        &self,
        kind: &str,
        id: &str,
        force: bool,
        now: Millis,
        delay: Millis,
    ) -> Option<ApiError> {
        Self::relations_to(kind).find_map(|(i, relation)| match relation.on_delete {
            OnParentDelete::Blocks { error, forced } if !(force && forced) => self
                .children_of(i, id)
                .any(|r| r.phase(now, delay) != Phase::Gone)
                .then(error),
            _ => None,
        })
    }

    /// Starts deleting the dependents a forced delete of the record `id` of `kind` takes with
    /// it; a dependent without a lifecycle is removed at once.
    pub(crate) fn force_dependents(&mut self, kind: &str, id: &str, now: Millis) {
        for (i, relation) in Self::relations_to(kind) {
            if !matches!(
                relation.on_delete,
                OnParentDelete::Blocks { forced: true, .. }
            ) {
                continue;
            }
            let keys: Vec<T::Key> = self.children_of(i, id).map(T::key).collect();
            for key in keys {
                let Some(mut row) = self.get_mut(&key) else {
                    continue;
                };
                match row.lifecycle_mut() {
                    Some(life) => {
                        life.deleting_at.get_or_insert(now);
                    }
                    None => {
                        drop(row);
                        self.remove(&key);
                    }
                }
            }
        }
    }

    /// The ids of an owner's live records whose tag type is `tag_type` (one of
    /// [`Resource::TAG_TYPES`]), in creation order.
    pub(crate) fn tagged_ids(
        &self,
        tag_type: &str,
        owner: i64,
        now: Millis,
        delay: Millis,
    ) -> Vec<String> {
        self.owned_by(owner)
            .filter(|r| r.tag_type() == tag_type && r.phase(now, delay) != Phase::Gone)
            .filter_map(|r| r.id().map(str::to_owned))
            .collect()
    }

    /// Loads the stored rows of the table, `(sequence number, JSON body)` in any order.
    pub(crate) fn load(
        &mut self,
        rows: impl IntoIterator<Item = (u64, String)>,
    ) -> Result<(), serde_json::Error> {
        for (seq, body) in rows {
            self.restore(seq, serde_json::from_str(&body)?);
        }
        Ok(())
    }
}

/// The JSON form of a key or record in the store.
pub(crate) fn encode<T: Serialize + ?Sized>(value: &T) -> String {
    serde_json::to_string(value).unwrap_or_default()
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
    /// When the record's delete started, if it has.
    pub deleting_at: Option<Millis>,
}

/// Pairs records with their creation sequence numbers in their table, the input of
/// [`crate::validate::TokenPage::slice`]; records not in the table are left out.
pub trait Sequenced<'s, T: Resource + 's>: Iterator<Item = &'s T> + Sized {
    /// Each record with its sequence number in `table`.
    fn sequenced(self, table: &'s Table<T>) -> impl Iterator<Item = (u64, &'s T)> {
        self.filter_map(move |r| Some((table.seq_of(r)?, r)))
    }
}

impl<'s, T: Resource + 's, I: Iterator<Item = &'s T>> Sequenced<'s, T> for I {}
