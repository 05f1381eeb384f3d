//! Who may call: AccessKeys with their accounts, and the memory of used signature nonces.

use std::collections::hash_map::Entry;
use std::collections::{HashMap, VecDeque};
use std::fmt;
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, SystemTime};

use acs_rpc::credentials::Secret;

/// An AccessKey and the account it belongs to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Account {
    /// The AccessKey id. Ids starting with `STS.` are temporary keys that need a security token.
    pub access_key_id: String,
    /// The AccessKey secret.
    pub secret: Secret,
    /// The UID of the owning account, handed to operations as the caller.
    pub uid: String,
    /// A disabled key is answered with `InvalidAccessKeyId.Inactive`.
    pub enabled: bool,
}

impl Account {
    /// Creates an enabled account.
    pub fn new(
        access_key_id: impl Into<String>,
        secret: impl Into<Secret>,
        uid: impl Into<String>,
    ) -> Self {
        Self {
            access_key_id: access_key_id.into(),
            secret: secret.into(),
            uid: uid.into(),
            enabled: true,
        }
    }

    /// Returns the account with the key disabled.
    pub fn disabled(mut self) -> Self {
        self.enabled = false;
        self
    }

    /// Whether the key is an STS key, which must come with a security token.
    pub fn is_sts(&self) -> bool {
        self.access_key_id.starts_with("STS.")
    }
}

/// Looks AccessKeys up; the emulator may back it with its own account state.
pub trait KeyStore: Send + Sync + 'static {
    /// Returns the account owning the key, or `None` for `InvalidAccessKeyId.NotFound`.
    fn lookup(&self, access_key_id: &str) -> Option<Account>;

    /// Checks the security token that came with a request whose signature `account`'s secret
    /// verified (the front door asks only when a token came). The default accepts any token, as
    /// a store of fixed keys cannot know better; a store that issues STS keys says whether the
    /// token is the one issued with the key and still valid.
    fn check_security_token(
        &self,
        account: &Account,
        security_token: &str,
    ) -> Result<(), SecurityTokenError> {
        let _ = (account, security_token);
        Ok(())
    }
}

/// Why a security token is refused; the front door answers each with its documented code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SecurityTokenError {
    /// `InvalidSecurityToken.Malformed`: not a token this service issued.
    Malformed,
    /// `InvalidSecurityToken.MismatchWithAccessKey`: a token, but not the one issued with the key.
    MismatchWithAccessKey,
    /// `InvalidSecurityToken.Expired`: the token (and its key) expired.
    Expired,
}

/// A fixed set of keys held in memory.
#[derive(Debug, Clone, Default)]
pub struct StaticKeyStore {
    accounts: HashMap<String, Account>,
}

impl StaticKeyStore {
    /// Creates a store from accounts; a later account with the same key id replaces an earlier one.
    pub fn new(accounts: Vec<Account>) -> Self {
        accounts.into_iter().collect()
    }

    /// Adds or replaces an account.
    pub fn insert(&mut self, account: Account) {
        self.accounts.insert(account.access_key_id.clone(), account);
    }
}

impl FromIterator<Account> for StaticKeyStore {
    fn from_iter<I: IntoIterator<Item = Account>>(iter: I) -> Self {
        let mut store = Self::default();
        for account in iter {
            store.insert(account);
        }
        store
    }
}

impl From<Vec<Account>> for StaticKeyStore {
    fn from(accounts: Vec<Account>) -> Self {
        Self::new(accounts)
    }
}

impl KeyStore for StaticKeyStore {
    fn lookup(&self, access_key_id: &str) -> Option<Account> {
        self.accounts.get(access_key_id).cloned()
    }
}

/// Remembers `(AccessKeyId, SignatureNonce)` pairs so that a signed request cannot be replayed.
///
/// A pair is kept for [`NonceCache::window`] (31 minutes by default): timestamps are accepted 15
/// minutes either side of the clock, so a replay after the window carries an expired timestamp
/// anyway. Entries are expired in insertion order on every insert, and at most
/// [`NonceCache::capacity`] are kept; past that the oldest are dropped first, trading a little
/// replay protection for bounded memory under a flood of requests.
pub struct NonceCache {
    window: Duration,
    capacity: usize,
    state: Mutex<NonceState>,
}

#[derive(Default)]
struct NonceState {
    /// The time each pair was first seen.
    seen: HashMap<(String, String), SystemTime>,
    /// The same pairs in insertion order, for expiry from the front.
    order: VecDeque<(SystemTime, (String, String))>,
}

impl NonceCache {
    /// The default window: the 30 minutes a timestamp can be valid, plus a minute of slack.
    pub const DEFAULT_WINDOW: Duration = Duration::from_secs(31 * 60);
    /// The default maximum number of remembered pairs.
    pub const DEFAULT_CAPACITY: usize = 1_000_000;

    /// Creates a cache with the default window and capacity.
    pub fn new() -> Self {
        Self::with_limits(Self::DEFAULT_WINDOW, Self::DEFAULT_CAPACITY)
    }

    /// Creates a cache with the given window and capacity (a capacity of 0 is treated as 1).
    pub fn with_limits(window: Duration, capacity: usize) -> Self {
        Self {
            window,
            capacity: capacity.max(1),
            state: Mutex::new(NonceState::default()),
        }
    }

    /// How long a pair is remembered.
    pub fn window(&self) -> Duration {
        self.window
    }

    /// The maximum number of pairs remembered.
    pub fn capacity(&self) -> usize {
        self.capacity
    }

    /// Records a pair seen at `now`; returns `false` if it was already seen within the window.
    pub fn check_and_insert(&self, access_key_id: &str, nonce: &str, now: SystemTime) -> bool {
        // A panic while holding the lock leaves the maps consistent, so poisoning is ignored.
        let mut state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        state.expire(now, self.window);
        let key = (access_key_id.to_owned(), nonce.to_owned());
        match state.seen.entry(key.clone()) {
            Entry::Occupied(_) => false,
            Entry::Vacant(slot) => {
                slot.insert(now);
                state.order.push_back((now, key));
                while state.order.len() > self.capacity {
                    state.pop_oldest();
                }
                true
            }
        }
    }

    /// The number of pairs currently remembered.
    pub fn len(&self) -> usize {
        self.state
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .seen
            .len()
    }

    /// Whether no pair is remembered.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl NonceState {
    fn expire(&mut self, now: SystemTime, window: Duration) {
        while let Some((seen, _)) = self.order.front() {
            // Entries from the future (a clock set back) count as fresh rather than being dropped.
            let age = now.duration_since(*seen).unwrap_or_default();
            if age < window {
                break;
            }
            self.pop_oldest();
        }
    }

    fn pop_oldest(&mut self) {
        if let Some((_, key)) = self.order.pop_front() {
            self.seen.remove(&key);
        }
    }
}

impl Default for NonceCache {
    fn default() -> Self {
        Self::new()
    }
}

impl fmt::Debug for NonceCache {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("NonceCache")
            .field("window", &self.window)
            .field("capacity", &self.capacity)
            .field("len", &self.len())
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use std::time::UNIX_EPOCH;

    use super::*;

    fn at(secs: u64) -> SystemTime {
        UNIX_EPOCH + Duration::from_secs(secs)
    }

    #[test]
    fn rejects_a_pair_within_the_window_and_forgets_it_after() {
        let cache = NonceCache::new();
        assert!(cache.check_and_insert("ak", "n1", at(1000)));
        assert!(!cache.check_and_insert("ak", "n1", at(1000 + 31 * 60 - 1)));
        // The same nonce under another key is a different pair.
        assert!(cache.check_and_insert("ak2", "n1", at(1001)));
        assert!(cache.check_and_insert("ak", "n1", at(1000 + 31 * 60)));
    }

    #[test]
    fn expires_old_entries_to_bound_memory() {
        let cache = NonceCache::with_limits(Duration::from_secs(10), 1000);
        for i in 0..100 {
            assert!(cache.check_and_insert("ak", &format!("n{i}"), at(i)));
        }
        assert_eq!(cache.len(), 10);
    }

    #[test]
    fn drops_the_oldest_past_capacity() {
        let cache = NonceCache::with_limits(Duration::from_secs(3600), 3);
        for i in 0..5 {
            assert!(cache.check_and_insert("ak", &format!("n{i}"), at(i)));
        }
        assert_eq!(cache.len(), 3);
        assert!(cache.check_and_insert("ak", "n0", at(6)));
        assert!(!cache.check_and_insert("ak", "n4", at(6)));
    }

    #[test]
    fn is_safe_to_share_between_threads() {
        let cache = std::sync::Arc::new(NonceCache::new());
        let winners: usize = (0..8)
            .map(|_| {
                let cache = cache.clone();
                std::thread::spawn(move || usize::from(cache.check_and_insert("ak", "n", at(0))))
            })
            .map(|h| h.join().unwrap_or(0))
            .sum();
        assert_eq!(winners, 1);
    }

    #[test]
    fn sts_keys_are_recognised_by_prefix() {
        assert!(Account::new("STS.abc", "s", "1").is_sts());
        assert!(!Account::new("LTAIabc", "s", "1").is_sts());
    }
}
