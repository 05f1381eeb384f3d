//! The domain layer: one [`Emulator`] holding the state behind a lock, and the helpers every
//! operation shares. The operations themselves are in `ops/`, one file per family.
//!
//! Every operation takes a [`Caller`] and a typed request and returns a typed response or an
//! [`ApiError`]. Reads run on a snapshot of the current state, outside any lock that a write
//! holds while it stores; writes run one at a time on a copy of the state that replaces it only
//! once the operation succeeded and the store committed it, so a failed operation changes
//! nothing, no reader ever sees half a write, and no read waits for a write's fsync. The state's
//! tables are persistent collections, so a snapshot or a copy costs O(1) and a write costs
//! O(what it changed).

use std::sync::{Arc, Mutex, MutexGuard, PoisonError, RwLock};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use acs_rpc::error::ApiError;
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::errors;
use crate::inventory::{InventoryError, NetworkInstance};
use crate::resource::Sequenced;
use crate::snapshot::{self, SnapshotError, StateDocument};
use crate::state::{
    Attachment, BandwidthPackage, Cen, Millis, Phase, Resource, State, TransitRouter,
};
use crate::store::{Store, StoreError};
use crate::validate;

/// Who is calling: the account behind the verified AccessKey, and the request id to answer with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Caller {
    /// The caller's account UID.
    pub uid: i64,
    /// The `RequestId` of the call.
    pub request_id: String,
}

impl Caller {
    /// Creates a caller.
    pub fn new(uid: i64, request_id: impl Into<String>) -> Self {
        Self {
            uid,
            request_id: request_id.into(),
        }
    }

    /// Creates a caller from the front door's string UID, which the emulator's key store always
    /// fills with a number.
    pub fn from_context(uid: &str, request_id: &str) -> Result<Self, ApiError> {
        let uid = uid.parse().map_err(|_| {
            ApiError::new(
                500,
                "InternalError",
                "The request processing has failed due to some unknown error, exception or failure.",
            )
        })?;
        Ok(Self::new(uid, request_id))
    }
}

/// The source of the current time, replaceable in tests.
pub type Clock = Arc<dyn Fn() -> SystemTime + Send + Sync>;

/// What the emulator is started with.
#[derive(Debug, Clone)]
pub struct EmulatorConfig {
    /// How long asynchronous transitions (Creating, Attaching, Modifying, ...) last.
    pub delay: Duration,
    /// The UIDs of the known accounts (owners named in ChildInstanceOwnerId must be among them or
    /// own an inventory instance).
    pub accounts: Vec<i64>,
    /// The inventory every reset returns to.
    pub inventory: Vec<NetworkInstance>,
    /// The accounts whose transit-router service is not open until they call
    /// OpenTransitRouterService (every other account has it open).
    pub tr_service_closed: Vec<i64>,
    /// The prefix lists of the Vpc product that transit-router route tables can take routes
    /// from.
    pub prefix_lists: Vec<crate::inventory::PrefixList>,
}

impl EmulatorConfig {
    /// These accounts with the built-in inventory and prefix lists, the transit-router service
    /// open to each, and transitions that last `delay`.
    pub fn new(accounts: &[i64], delay: Duration) -> Self {
        Self {
            delay,
            accounts: accounts.to_vec(),
            inventory: crate::inventory::default_inventory(accounts),
            tr_service_closed: Vec::new(),
            prefix_lists: crate::inventory::default_prefix_lists(accounts),
        }
    }
}

/// The read-only facts an operation needs besides the state.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Ctx<'a> {
    /// The current time.
    pub now: Millis,
    /// The transition delay in milliseconds.
    pub delay: Millis,
    /// The configuration.
    pub config: &'a EmulatorConfig,
}

/// The stateful CEN service.
pub struct Emulator {
    config: EmulatorConfig,
    clock: Clock,
    /// The state as of the last committed write; readers clone the `Arc` and let go.
    current: RwLock<Arc<State>>,
    /// What a reset returns to: the last imported snapshot, or nothing.
    baseline: RwLock<Arc<State>>,
    /// The store, held by the one write under way.
    store: Mutex<Store>,
}

impl std::fmt::Debug for Emulator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Emulator")
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}

impl Emulator {
    /// Creates the emulator, resuming the state in the store if there is one.
    pub fn new(config: EmulatorConfig, store: Store) -> Result<Self, StoreError> {
        let state = store.load()?.unwrap_or_default();
        Ok(Self {
            config,
            clock: Arc::new(SystemTime::now),
            current: RwLock::new(Arc::new(state)),
            baseline: RwLock::new(Arc::new(State::default())),
            store: Mutex::new(store),
        })
    }

    /// Replaces the clock (tests use a manual one).
    pub fn with_clock(mut self, clock: Clock) -> Self {
        self.clock = clock;
        self
    }

    /// The configuration.
    pub fn config(&self) -> &EmulatorConfig {
        &self.config
    }

    /// The current time in milliseconds since the epoch.
    pub fn now(&self) -> Millis {
        let since = (self.clock)()
            .duration_since(UNIX_EPOCH)
            .unwrap_or_default();
        Millis::try_from(since.as_millis()).unwrap_or(Millis::MAX)
    }

    /// Takes the writer's turn. The state is only replaced after a successful commit, so a
    /// panic while the lock was held cannot have left it half-written; keep serving.
    fn lock(&self) -> MutexGuard<'_, Store> {
        self.store.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The state as of the last committed write.
    fn snapshot(&self) -> Arc<State> {
        Arc::clone(&self.current.read().unwrap_or_else(PoisonError::into_inner))
    }

    /// Makes a committed state the current one.
    fn install(&self, state: State) {
        *self.current.write().unwrap_or_else(PoisonError::into_inner) = Arc::new(state);
    }

    fn ctx(&self) -> Ctx<'_> {
        Ctx {
            now: self.now(),
            delay: Millis::try_from(self.config.delay.as_millis()).unwrap_or(Millis::MAX),
            config: &self.config,
        }
    }

    /// Runs a read-only operation on the current state.
    pub(crate) fn read<R>(&self, f: impl FnOnce(&State, &Ctx<'_>) -> R) -> R {
        f(&self.snapshot(), &self.ctx())
    }

    /// Runs a writing operation on a copy of the state, and installs the copy once it is
    /// durably stored.
    pub(crate) fn write<R>(
        &self,
        f: impl FnOnce(&mut State, &Ctx<'_>) -> Result<R, ApiError>,
    ) -> Result<R, ApiError> {
        let mut store = self.lock();
        let ctx = self.ctx();
        let mut next = (*self.snapshot()).clone();
        next.purge(ctx.now, ctx.delay);
        let result = f(&mut next, &ctx)?;
        self.commit(&mut store, next).map_err(|error| {
            tracing::error!(%error, "could not store the state");
            ApiError::new(500, "InternalError", "Internal error.")
        })?;
        Ok(result)
    }

    /// Stores what `next` changed (nothing when it changed nothing) and installs it.
    fn commit(&self, store: &mut Store, mut next: State) -> Result<(), StoreError> {
        let changes = next.settle(&self.snapshot(), store.keeps_bodies());
        if !changes.is_empty() {
            store.apply(&changes)?;
        }
        self.install(next);
        Ok(())
    }

    /// Runs a writing operation that honours a ClientToken: a retry with the same token and the
    /// same other parameters answers the first result without doing anything; the same token
    /// with other parameters is `IdempotenceParam.NotMatch`.
    pub(crate) fn write_idempotent<P: Serialize + DeserializeOwned>(
        &self,
        caller: &Caller,
        action: &str,
        token: Option<&str>,
        request: &impl Serialize,
        f: impl FnOnce(&mut State, &Ctx<'_>) -> Result<P, ApiError>,
    ) -> Result<P, ApiError> {
        let Some(token) = validate::client_token(token)? else {
            return self.write(f);
        };
        let fingerprint = fingerprint(request);
        self.write(|state, ctx| {
            let key = (caller.uid, action.to_owned(), token.to_owned());
            if let Some(record) = state.tokens.get(&key) {
                if record.fingerprint != fingerprint {
                    return Err(errors::idempotence_not_match());
                }
                return serde_json::from_value(record.result.clone())
                    .map_err(|_| ApiError::new(500, "InternalError", "Internal error."));
            }
            let result = f(state, ctx)?;
            state.tokens.insert(crate::state::TokenRecord {
                caller: caller.uid,
                action: action.to_owned(),
                token: token.to_owned(),
                fingerprint,
                result: serde_json::to_value(&result).unwrap_or_default(),
            });
            Ok(result)
        })
    }

    /// Returns to the baseline: the last imported snapshot, or no resources and the start-up
    /// inventory only.
    pub fn reset(&self) -> Result<(), StoreError> {
        let baseline = self.baseline();
        self.replace_state((*baseline).clone())
    }

    /// Returns one account to the baseline: its records go, and the baseline's records of that
    /// account come back; other accounts' records stay.
    pub fn reset_account(&self, account: i64) -> Result<(), SnapshotError> {
        let baseline = self.baseline();
        let mut next = (*self.snapshot()).clone();
        next.remove_owner(account);
        next.import_tables(baseline.export_tables(Some(account)))
            .map_err(SnapshotError::Record)?;
        Ok(self.replace_state(next)?)
    }

    /// The whole state, or one account's records, as a snapshot document.
    pub fn export_state(&self, account: Option<i64>) -> StateDocument {
        StateDocument {
            version: snapshot::VERSION,
            account,
            tables: self.snapshot().export_tables(account),
        }
    }

    /// Replaces the whole state with a snapshot's, which also becomes the baseline that
    /// [`Emulator::reset`] returns to.
    pub fn import_state(&self, document: StateDocument) -> Result<(), SnapshotError> {
        let state = self.set_baseline(document)?;
        Ok(self.replace_state(state)?)
    }

    /// Makes a snapshot the baseline that [`Emulator::reset`] returns to, without touching the
    /// current state (a restart with `--data` and `--seed`); returns the snapshot's state.
    pub fn set_baseline(&self, document: StateDocument) -> Result<State, SnapshotError> {
        document.check()?;
        let mut state = State::default();
        state
            .import_tables(document.tables)
            .map_err(SnapshotError::Record)?;
        *self
            .baseline
            .write()
            .unwrap_or_else(PoisonError::into_inner) = Arc::new(state.clone());
        Ok(state)
    }

    /// Whether the state holds no record at all (a fresh store).
    pub fn is_empty(&self) -> bool {
        self.snapshot().counts().iter().all(|(_, n)| *n == 0)
    }

    fn baseline(&self) -> Arc<State> {
        Arc::clone(&self.baseline.read().unwrap_or_else(PoisonError::into_inner))
    }

    /// Stores and installs a whole new state.
    fn replace_state(&self, state: State) -> Result<(), StoreError> {
        let mut store = self.lock();
        store.save(&state)?;
        self.install(state);
        Ok(())
    }

    /// The whole inventory: the start-up instances and those added since.
    pub fn inventory(&self) -> Vec<NetworkInstance> {
        self.read(|state, ctx| ctx.instances(state).cloned().collect())
    }

    /// How many records each kind holds, those being deleted included (the metrics).
    pub fn resource_counts(&self) -> Vec<(&'static str, usize)> {
        self.read(|state, _| state.counts())
    }

    /// Adds an instance to the inventory (the admin endpoint).
    pub fn add_instance(
        &self,
        instance: NetworkInstance,
    ) -> Result<NetworkInstance, AddInstanceError> {
        let instance = instance.normalize().map_err(AddInstanceError::Invalid)?;
        let mut store = self.lock();
        let ctx = self.ctx();
        let current = self.snapshot();
        if ctx.instance(&current, &instance.instance_id).is_some() {
            return Err(AddInstanceError::Invalid(InventoryError(format!(
                "InstanceId {} already exists",
                instance.instance_id
            ))));
        }
        let mut next = (*current).clone();
        next.added_instances.insert(instance.clone());
        self.commit(&mut store, next)
            .map_err(AddInstanceError::Store)?;
        Ok(instance)
    }
}

/// Why the admin endpoint could not add an instance.
#[derive(Debug, thiserror::Error)]
pub enum AddInstanceError {
    /// The entry is invalid or its id is taken.
    #[error("{0}")]
    Invalid(InventoryError),
    /// The store failed.
    #[error("{0}")]
    Store(StoreError),
}

/// The canonical JSON of a request without its ClientToken.
fn fingerprint(request: &impl Serialize) -> String {
    let mut value = serde_json::to_value(request).unwrap_or_default();
    if let Some(object) = value.as_object_mut() {
        object.remove("ClientToken");
    }
    value.to_string()
}

impl<'a> Ctx<'a> {
    /// Every instance of the inventory.
    pub fn instances<'s>(
        &self,
        state: &'s State,
    ) -> impl Iterator<Item = &'s NetworkInstance> + use<'s, 'a>
    where
        'a: 's,
    {
        self.config
            .inventory
            .iter()
            .chain(state.added_instances.iter())
    }

    /// Finds an instance by id.
    pub fn instance<'s>(&self, state: &'s State, id: &str) -> Option<&'s NetworkInstance>
    where
        'a: 's,
    {
        self.config
            .inventory
            .iter()
            .find(|i| i.instance_id == id)
            .or_else(|| state.added_instances.get(id))
    }

    /// Whether an account UID is known: a configured account or the owner of an instance.
    pub fn account_known(&self, state: &State, uid: i64) -> bool {
        self.config.accounts.contains(&uid) || self.instances(state).any(|i| i.owner_id == uid)
    }

    /// The caller's CEN instance, or `ParameterCenInstanceId` if it does not exist, belongs to
    /// another account, or has finished deleting.
    pub fn cen<'s>(
        &self,
        state: &'s State,
        caller: &Caller,
        id: &str,
    ) -> Result<&'s Cen, ApiError> {
        state
            .cens
            .get(id)
            .filter(|c| c.owner == caller.uid && self.phase(*c) != Phase::Gone)
            .ok_or_else(errors::cen_not_found)
    }

    /// The caller's CEN instance (as [`Ctx::cen`]), for changing it.
    pub fn cen_mut<'s>(
        &self,
        state: &'s mut State,
        caller: &Caller,
        id: &str,
    ) -> Result<crate::state::RowMut<'s, Cen>, ApiError> {
        self.cen(state, caller, id)?;
        state.cens.get_mut(id).ok_or_else(errors::cen_not_found)
    }

    /// The caller's CEN instance, which must be Active.
    pub fn active_cen<'s>(
        &self,
        state: &'s State,
        caller: &Caller,
        id: &str,
    ) -> Result<&'s Cen, ApiError> {
        let cen = self.cen(state, caller, id)?;
        self.require_ready(cen, errors::cen_status)?;
        Ok(cen)
    }

    /// Where a resource is in its lifecycle now.
    pub fn phase<T: Resource>(&self, resource: &T) -> Phase {
        resource.phase(self.now, self.delay)
    }

    /// A resource's wire status now.
    pub fn status<T: Resource>(&self, resource: &T) -> &'static str {
        resource.status_word(self.phase(resource))
    }

    /// Whether a resource is still there: not deleted, or deleted less than the delay ago.
    pub fn live<T: Resource>(&self, resource: &T) -> bool {
        self.phase(resource) != Phase::Gone
    }

    /// Requires a resource to be ready (`Active`, `Available`, ...): anything else answers the
    /// operation's `busy` code.
    pub fn require_ready<T: Resource>(
        &self,
        resource: &T,
        busy: fn() -> ApiError,
    ) -> Result<(), ApiError> {
        if self.phase(resource) == Phase::Ready {
            Ok(())
        } else {
            Err(busy())
        }
    }

    /// [`Ctx::require_ready`] whose error says what the resource (`what`) is doing instead.
    pub fn require_ready_saying<T: Resource>(
        &self,
        resource: &T,
        busy: fn() -> ApiError,
        what: &str,
    ) -> Result<(), ApiError> {
        self.require_ready(resource, busy)
            .map_err(|_| errors::saying(busy, format!("The {what} is {}.", self.status(resource))))
    }

    /// An owner's live records of a table that other records name by the given ids, in creation
    /// order and each once: a filter by id costs O(ids · log n), not a walk of the owner's
    /// records.
    pub fn by_ids<'s, 'i, T: Resource>(
        &self,
        table: &'s crate::state::Table<T>,
        owner: i64,
        ids: impl Iterator<Item = &'i String>,
    ) -> Vec<&'s T> {
        let mut found: Vec<(u64, &'s T)> = ids
            .filter_map(|id| table.get_by_id(id))
            .filter(|r| r.owner() == Some(owner) && self.live(*r))
            .sequenced(table)
            .collect();
        found.sort_by_key(|(seq, _)| *seq);
        found.dedup_by_key(|(seq, _)| *seq);
        found.into_iter().map(|(_, r)| r).collect()
    }

    /// One page of an owner's live records of a table in creation order, and how many there are
    /// in all. Without a filter (`keep` is `None`) this costs O(page + log n) however many
    /// records the owner has; a filter scans the owner's records, never the other accounts'.
    pub fn owned_page<'s, T: Resource>(
        &self,
        state: &'s State,
        table: &'s crate::state::Table<T>,
        owner: i64,
        page: validate::Page,
        keep: Option<&dyn Fn(&T) -> bool>,
    ) -> (Vec<&'s T>, i32) {
        self.scoped_page(state, table, (owner, None), page, keep)
    }

    /// [`Ctx::owned_page`] within one region when `region` is given (for kinds that declare
    /// their region): O(page + log n) without a filter, a walk of the owner's records in that
    /// region with one.
    pub fn scoped_page<'s, T: Resource>(
        &self,
        state: &'s State,
        table: &'s crate::state::Table<T>,
        (owner, region): (i64, Option<&str>),
        page: validate::Page,
        keep: Option<&dyn Fn(&T) -> bool>,
    ) -> (Vec<&'s T>, i32) {
        let scope: Box<dyn Iterator<Item = &'s T> + 's> = match region {
            Some(region) => Box::new(table.owned_in_region(owner, region)),
            None => Box::new(table.owned_by(owner)),
        };
        let live = scope.filter(|r| self.live(*r));
        match keep {
            Some(keep) => page.slice(live.filter(|r| keep(r)).collect()),
            None => {
                let stored = match region {
                    Some(region) => table.count_owned_in_region(owner, region),
                    None => table.count_owned(owner),
                };
                let total =
                    stored - state.gone_unpurged(table, (owner, region), self.now, self.delay);
                let (skip, size) = page.window();
                (
                    live.skip(skip).take(size).collect(),
                    i32::try_from(total).unwrap_or(i32::MAX),
                )
            }
        }
    }

    /// Whether an account's transit-router service is open: by default, or once opened.
    pub fn tr_service_open(&self, state: &State, uid: i64) -> bool {
        !self.config.tr_service_closed.contains(&uid) || state.tr_services.contains_key(&uid)
    }

    /// The caller's live transit router with an id.
    pub fn router<'s>(
        &self,
        state: &'s State,
        caller: &Caller,
        id: &str,
    ) -> Option<&'s TransitRouter> {
        state
            .transit_routers
            .get(id)
            .filter(|r| r.owner == caller.uid && self.live(*r))
    }

    /// The caller's live transit router with an id, in a region.
    pub fn router_in_region<'s>(
        &self,
        state: &'s State,
        caller: &Caller,
        id: &str,
        region: &str,
    ) -> Option<&'s TransitRouter> {
        self.router(state, caller, id)
            .filter(|r| r.region_id == region)
    }

    /// The live transit router of a CEN instance in a region.
    pub fn router_in<'s>(
        &self,
        state: &'s State,
        cen_id: &str,
        region: &str,
    ) -> Option<&'s TransitRouter> {
        state
            .transit_routers
            .children_of(0, cen_id)
            .find(|r| r.region_id == region && self.live(*r))
    }

    /// The error of the first live dependent that keeps a resource from being deleted.
    pub fn blocker<T: Resource>(
        &self,
        state: &State,
        resource: &T,
        force: bool,
    ) -> Option<ApiError> {
        state.blocker(T::KIND, resource.id()?, force, self.now, self.delay)
    }

    /// The live attachments of a CEN instance, in attach order.
    pub fn attachments<'s>(
        &self,
        state: &'s State,
        cen_id: &'s str,
    ) -> impl Iterator<Item = &'s Attachment> + use<'s, 'a>
    where
        'a: 's,
    {
        let ctx = *self;
        state
            .attachments
            .children_of(0, cen_id)
            .filter(move |a| ctx.live(*a))
    }

    /// The live attachment of an instance (to any CEN instance).
    pub fn attachment_of<'s>(&self, state: &'s State, instance_id: &str) -> Option<&'s Attachment> {
        state.attachments.get(instance_id).filter(|a| self.live(*a))
    }

    /// The caller's bandwidth plan, or `ParameterBwpInstanceId`.
    pub fn package<'s>(
        &self,
        state: &'s State,
        caller: &Caller,
        id: &str,
    ) -> Result<&'s BandwidthPackage, ApiError> {
        state
            .packages
            .get(id)
            .filter(|p| p.owner == caller.uid)
            .ok_or_else(errors::bwp_not_found)
    }

    /// The caller's bandwidth plan (as [`Ctx::package`]), for changing it.
    pub fn package_mut<'s>(
        &self,
        state: &'s mut State,
        caller: &Caller,
        id: &str,
    ) -> Result<crate::state::RowMut<'s, BandwidthPackage>, ApiError> {
        self.package(state, caller, id)?;
        state.packages.get_mut(id).ok_or_else(errors::bwp_not_found)
    }

    /// The plans associated with a CEN instance.
    pub fn packages_of<'s>(
        &self,
        state: &'s State,
        cen_id: &'s str,
    ) -> impl Iterator<Item = &'s BandwidthPackage> {
        state.packages.children_of(0, cen_id)
    }
}

/// Formats a time as the API does for creation times: `yyyy-MM-ddTHH:mmZ` in UTC.
pub fn minutes(ms: Millis) -> String {
    let t = UNIX_EPOCH + Duration::from_millis(u64::try_from(ms).unwrap_or(0));
    let full = acs_rpc::time::format_timestamp(t);
    // `2021-06-22T09:06:00Z` without its seconds.
    match full.len().checked_sub(4) {
        Some(cut) if full.is_char_boundary(cut) => format!("{}Z", &full[..cut]),
        _ => full,
    }
}

/// Reads a time written as the API writes them, `yyyy-MM-ddTHH:mmZ`, or with seconds.
pub fn parse_minutes(value: &str) -> Option<Millis> {
    let full = match value.len() {
        17 => format!("{}:00Z", value.strip_suffix('Z')?),
        _ => value.to_owned(),
    };
    let at = acs_rpc::time::parse_timestamp(&full).ok()?;
    Millis::try_from(at.duration_since(UNIX_EPOCH).ok()?.as_millis()).ok()
}

/// A new resource id: the prefix and 18 lower-case letters and digits, as Alibaba's look.
pub fn new_id(prefix: &str) -> String {
    const ALPHABET: &[u8] = b"abcdefghijklmnopqrstuvwxyz0123456789";
    let suffix: String = (0..18)
        .map(|_| char::from(ALPHABET[rand::random_range(0..ALPHABET.len())]))
        .collect();
    format!("{prefix}{suffix}")
}

/// A new region-coded id: the prefix, the region's code and 14 lower-case letters and digits,
/// as transit routers and route tables have (`tr-bp1...` in cn-hangzhou).
pub fn new_regional_id(prefix: &str, region: &str) -> String {
    let code = crate::geo::region_code(region).unwrap_or("emu");
    let random = new_id("");
    format!("{prefix}{code}{}", &random[..14])
}

/// A new numeric order id of 15 digits.
pub fn new_order_id() -> String {
    format!(
        "{}",
        rand::random_range(100_000_000_000_000_u64..1_000_000_000_000_000)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_have_the_real_shape() {
        let id = new_id("cen-");
        assert_eq!(id.len(), 22);
        assert!(
            id[4..]
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        );
        assert_eq!(new_order_id().len(), 15);
    }

    #[test]
    fn concurrent_writes_lose_nothing() {
        let h = Arc::new(crate::testing::Harness::new());
        let threads: Vec<_> = (0..8)
            .map(|t| {
                let h = Arc::clone(&h);
                std::thread::spawn(move || {
                    let mut ids = Vec::new();
                    for i in 0..25 {
                        ids.push(h.create_cen(
                            crate::testing::A,
                            serde_json::json!({ "Name": format!("t{t}-{i}") }),
                        ));
                        // The same token from every thread creates one instance only.
                        h.create_cen(
                            crate::testing::A,
                            serde_json::json!({ "ClientToken": "shared", "Name": "s" }),
                        );
                    }
                    ids
                })
            })
            .collect();
        let mut ids: Vec<String> = threads
            .into_iter()
            .flat_map(|t| t.join().unwrap())
            .collect();
        ids.sort();
        ids.dedup();
        assert_eq!(ids.len(), 200);
        let listed = h
            .emulator
            .describe_cens(
                &h.caller(crate::testing::A),
                crate::testing::req(serde_json::json!({})),
            )
            .unwrap();
        assert_eq!(listed.total_count, Some(201));
    }

    #[test]
    fn sqlite_state_survives_a_restart_and_reset_clears_it() {
        let dir = std::env::temp_dir().join(format!(
            "cen-emulator-restart-{}-{}",
            std::process::id(),
            rand::random::<u32>()
        ));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("state.db");
        let config = EmulatorConfig::new(&[1], Duration::ZERO);
        let caller = Caller::new(1, "R");
        let id = {
            let emulator = Emulator::new(config.clone(), Store::open(&path).unwrap()).unwrap();
            emulator
                .create_cen(
                    &caller,
                    crate::testing::req(serde_json::json!({"Name": "kept"})),
                )
                .unwrap()
                .cen_id
                .unwrap()
        };
        let emulator = Emulator::new(config.clone(), Store::open(&path).unwrap()).unwrap();
        let listed = emulator
            .describe_cens(&caller, crate::testing::req(serde_json::json!({})))
            .unwrap();
        let cens = listed.cens.unwrap().cen;
        assert_eq!(cens[0].cen_id.as_deref(), Some(id.as_str()));
        assert_eq!(cens[0].status.as_deref(), Some("Active"));
        emulator.reset().unwrap();
        drop(emulator);
        let emulator = Emulator::new(config, Store::open(&path).unwrap()).unwrap();
        let listed = emulator
            .describe_cens(&caller, crate::testing::req(serde_json::json!({})))
            .unwrap();
        assert_eq!(listed.total_count, Some(0));
        drop(emulator);
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn failed_operations_change_nothing() {
        use crate::testing::{A, req};
        use serde_json::json;
        let h = crate::testing::Harness::new();
        let empty = h.active_cen(A);
        let full = h.active_cen(A);
        let twenty: Vec<_> = (0..20).map(|i| json!({ "Key": format!("k{i}") })).collect();
        h.emulator
            .tag_resources(
                &h.caller(A),
                req(json!({"ResourceType": "cen", "ResourceId": [full], "Tag": twenty})),
            )
            .unwrap();
        // The first resource is tagged in the working copy before the second exceeds its quota;
        // the error must discard the copy.
        let e = h
            .emulator
            .tag_resources(
                &h.caller(A),
                req(json!({"ResourceType": "cen", "ResourceId": [empty, full], "Tag": [{"Key": "new"}]})),
            )
            .unwrap_err();
        assert_eq!(e.code, "QuotaExceeded.TagNum");
        let cens = h.describe_cens(A, json!({ "Filter": [{"Key": "CenId", "Value": [empty]}] }));
        assert!(cens[0].tags.as_ref().unwrap().tag.is_empty());
    }

    #[test]
    fn minutes_drop_the_seconds() {
        assert_eq!(minutes(0), "1970-01-01T00:00Z");
        assert_eq!(minutes(1_624_352_760_000), "2021-06-22T09:06Z");
        assert_eq!(parse_minutes("2021-06-22T09:06Z"), Some(1_624_352_760_000));
        assert_eq!(
            parse_minutes("2021-06-22T09:06:00Z"),
            Some(1_624_352_760_000)
        );
        assert_eq!(parse_minutes("2021-06-22 09:06"), None);
    }
}
