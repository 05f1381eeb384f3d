//! Where exchange cases are sent, with which credentials.

use std::fmt;

use acs_rpc::Credentials;
use thiserror::Error;

/// What kind of server an endpoint is, which decides whether `billing` and `writes` cases may
/// run without being allowed explicitly.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EndpointKind {
    /// An emulator (in-process or on loopback) or a test server: nothing costs money or touches
    /// real resources.
    Emulator,
    /// Anything given with `--endpoint`, presumed to be Alibaba Cloud.
    Remote,
}

/// The credentials an endpoint accepts, by role. `unknown` and `wrong-secret` are derived at run
/// time and need no configuration (`wrong-secret` needs `primary`).
#[derive(Debug, Clone, Default)]
pub struct CredentialSet {
    /// The account the cases run as.
    pub primary: Option<Credentials>,
    /// A second account, for cross-account cases.
    pub secondary: Option<Credentials>,
    /// A disabled AccessKey, for `InvalidAccessKeyId.Inactive`.
    pub disabled: Option<Credentials>,
}

impl CredentialSet {
    /// Every id, secret and token of the set, longest first, for redacting reports.
    pub fn sensitive_values(&self) -> Vec<String> {
        let mut values: Vec<String> = [&self.primary, &self.secondary, &self.disabled]
            .into_iter()
            .flatten()
            .flat_map(|c| {
                [
                    Some(c.access_key_id.clone()),
                    Some(c.access_key_secret.expose().to_owned()),
                    c.security_token.as_ref().map(|t| t.expose().to_owned()),
                ]
            })
            .flatten()
            .collect();
        values.sort_by_key(|v| std::cmp::Reverse(v.len()));
        values
    }
}

/// Why no endpoint could be had.
#[derive(Debug, Error)]
pub enum EndpointError {
    /// The in-process emulator could not be started.
    #[error("cannot start the in-process emulator: {0}; pass --endpoint URL")]
    EmulatorUnavailable(String),
    /// `--endpoint` is not an `http(s)://host[:port]` URL.
    #[error("invalid endpoint {url:?}: {reason}")]
    InvalidUrl {
        /// What was given.
        url: String,
        /// Why it is not usable.
        reason: String,
    },
}

/// A server to send exchange cases to.
pub struct Endpoint {
    /// `scheme://host[:port]`, without a trailing slash.
    pub base_url: String,
    /// The `Host` the requests carry (and V3 signs): the URL's authority.
    pub host: String,
    /// Emulator or real.
    pub kind: EndpointKind,
    /// The credentials by role.
    pub credentials: CredentialSet,
    /// Values flow cases refer to as `${Name}` that depend on the endpoint's accounts: account
    /// UIDs (`PrimaryUid`, `SecondaryUid`) and existing network instances (`VpcHangzhou`, ...),
    /// each instance a pool of interchangeable ones (`crate::instances`). In transcripts their
    /// values are shown as `<Name>`, so one snapshot fits every endpoint.
    pub variables: Vec<(String, Vec<String>)>,
    /// Polls of `wait_until` happen at least this often (an emulator need not be polled slowly).
    pub poll_interval: Option<std::time::Duration>,
    /// Moves the clock of an in-process emulator started with a manual clock, for `advance_ms`
    /// steps; `None` everywhere else.
    pub clock: Option<ClockControl>,
    /// Keeps an in-process server alive as long as the endpoint.
    _guard: Option<Box<dyn Send + Sync>>,
}

/// Moves a manual clock forward by the given number of milliseconds.
pub type ClockControl = std::sync::Arc<dyn Fn(u64) + Send + Sync>;

/// Where the in-process emulator's manual clock starts: 2024-05-01T12:00:00Z.
pub const MANUAL_CLOCK_START_MS: u64 = 1_714_564_800_000;

impl fmt::Debug for Endpoint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Endpoint")
            .field("base_url", &self.base_url)
            .field("kind", &self.kind)
            .field("credentials", &self.credentials)
            .field("variables", &self.variables)
            .finish_non_exhaustive()
    }
}

impl Endpoint {
    /// An endpoint at `url`; the path, if any, is ignored (RPC always posts to `/`).
    pub fn new(
        url: &str,
        kind: EndpointKind,
        credentials: CredentialSet,
    ) -> Result<Self, EndpointError> {
        let invalid = |reason: &str| EndpointError::InvalidUrl {
            url: url.to_owned(),
            reason: reason.to_owned(),
        };
        let parsed = reqwest::Url::parse(url).map_err(|e| invalid(&e.to_string()))?;
        if !matches!(parsed.scheme(), "http" | "https") {
            return Err(invalid("the scheme must be http or https"));
        }
        let host_name = parsed.host_str().ok_or_else(|| invalid("no host"))?;
        let host = match parsed.port() {
            Some(port) => format!("{host_name}:{port}"),
            None => host_name.to_owned(),
        };
        Ok(Self {
            base_url: format!("{}://{host}", parsed.scheme()),
            host,
            kind,
            credentials,
            variables: Vec::new(),
            poll_interval: None,
            clock: None,
            _guard: None,
        })
    }

    /// Sets the endpoint variables (`--var NAME=VALUE[,VALUE...]`), replacing any of the same
    /// name.
    #[must_use]
    pub fn with_variables(
        mut self,
        variables: impl IntoIterator<Item = (String, Vec<String>)>,
    ) -> Self {
        for (name, members) in variables {
            self.variables.retain(|(n, _)| *n != name);
            self.variables.push((name, members));
        }
        self
    }

    /// Polls `wait_until` steps at least this often.
    #[must_use]
    pub fn with_poll_interval(mut self, interval: std::time::Duration) -> Self {
        self.poll_interval = Some(interval);
        self
    }

    /// Whether the endpoint defines this variable.
    pub fn has_variable(&self, name: &str) -> bool {
        self.variables.iter().any(|(n, _)| n == name)
    }

    /// Every value of every variable, as `(name, value)`: what transcripts show as `<Name>`.
    pub fn variable_values(&self) -> Vec<(String, String)> {
        self.variables
            .iter()
            .flat_map(|(n, members)| members.iter().map(move |v| (n.clone(), v.clone())))
            .collect()
    }

    /// Attaches something (a server handle, a shutdown sender) that must live as long as the
    /// endpoint.
    #[must_use]
    pub fn with_guard(mut self, guard: Box<dyn Send + Sync>) -> Self {
        self._guard = Some(guard);
        self
    }
}

/// The transition delay (Creating, Attaching, ...) of the in-process emulator: short, so that flow
/// cases see the asynchronous states and wait them out quickly.
pub const IN_PROCESS_DELAY_MS: u64 = 200;

/// How often `wait_until` polls the in-process emulator.
pub const IN_PROCESS_POLL_MS: u64 = 50;

/// The endpoint variables of the emulator's default inventory
/// (`cen_emulator::inventory::default_inventory`): the names flow cases use, which
/// `--var NAME=VALUE` supplies for a real endpoint. Those in [`EMULATOR_POOLED`] are pools of the
/// original and its copies ([`emulator_variables`]).
pub const EMULATOR_INSTANCES: &[(&str, &str)] = &[
    ("VpcHangzhou", "vpc-bp1emuhz00000000001"),
    ("VpcHangzhouRouteTable", "vtb-bp1emuhz00000000001"),
    ("VpcHangzhouVSwitchB", "vsw-bp1emuhz00000000001b"),
    ("VpcHangzhouVSwitchF", "vsw-bp1emuhz00000000001f"),
    ("VpcHangzhou2", "vpc-bp1emuhz00000000002"),
    ("VpcShanghai", "vpc-uf6emush00000000001"),
    ("VpcShanghaiRouteTable", "vtb-uf6emush00000000001"),
    ("VpcShanghaiVSwitchA", "vsw-uf6emush00000000001a"),
    ("VpcBeijing", "vpc-2zeemubj00000000001"),
    ("VpcUsWest", "vpc-rj9emuus00000000001"),
    ("VbrHangzhou", "vbr-bp1emuhz00000000001"),
    ("VpnHangzhou", "vco-bp1emuhz00000000001"),
    ("EcrHangzhou", "ecr-emuhz00000000000001"),
    ("SecondaryVpcHangzhou", "vpc-bp1emuhzb0000000001"),
    ("SecondaryVpcUsWest", "vpc-rj9emuusb0000000001"),
    ("VpcHangzhou2VSwitchB", "vsw-bp1emuhz00000000002b"),
    ("VpcHangzhou2VSwitchF", "vsw-bp1emuhz00000000002f"),
    ("VpcShanghaiVSwitchB", "vsw-uf6emush00000000001b"),
    ("VpcBeijingVSwitchA", "vsw-2zeemubj00000000001a"),
    ("VpcBeijingVSwitchC", "vsw-2zeemubj00000000001c"),
    ("SecondaryVpcHangzhouVSwitchB", "vsw-bp1emuhzb0000000001b"),
    ("PrefixListHangzhou", "pl-bp1emuhz000000000001"),
    ("PrefixListHangzhou2", "pl-bp1emuhz000000000002"),
    ("VpcHangzhouCidr", "172.16.0.0/16"),
    ("VpcShanghaiCidr", "192.168.0.0/16"),
];

/// The variables whose instance the emulator's inventory has
/// `cen_emulator::inventory::POOL_SIZE` identical copies of (a VPC's route table and vSwitches
/// are copied with it): the instances most flow cases attach, so that they run in parallel.
pub const EMULATOR_POOLED: &[&str] = &[
    "VpcHangzhou",
    "VpcHangzhouRouteTable",
    "VpcHangzhouVSwitchB",
    "VpcHangzhouVSwitchF",
    "VpcHangzhou2",
    "VpcHangzhou2VSwitchB",
    "VpcHangzhou2VSwitchF",
    "VbrHangzhou",
    "VpcShanghai",
    "VpcShanghaiRouteTable",
    "VpcShanghaiVSwitchA",
    "VpcShanghaiVSwitchB",
    "SecondaryVpcHangzhou",
    "SecondaryVpcHangzhouVSwitchB",
];

/// The instance variables of the emulator's default inventory: [`EMULATOR_INSTANCES`], each
/// pooled one with its copies after it.
pub fn emulator_variables() -> Vec<(String, Vec<String>)> {
    use cen_emulator::inventory::{POOL_SIZE, pool_copy_id};
    EMULATOR_INSTANCES
        .iter()
        .map(|(name, id)| {
            let copies = if EMULATOR_POOLED.contains(name) {
                POOL_SIZE
            } else {
                1
            };
            // A copy's vSwitches are named after it and the zone's letter, as the original's are.
            let copy = |n| match id.strip_prefix("vsw-") {
                Some(_) => {
                    let (vpc, zone) = id.split_at(id.len() - 1);
                    format!("{}{zone}", pool_copy_id(vpc, n))
                }
                None => pool_copy_id(id, n),
            };
            let members = std::iter::once((*id).to_owned())
                .chain((1..copies).map(copy))
                .collect();
            ((*name).to_owned(), members)
        })
        .collect()
}

/// [`emulator_variables`] and the accounts' UIDs (`PrimaryUid`, `SecondaryUid`).
fn emulator_variables_with_uids(uids: &[i64]) -> Vec<(String, Vec<String>)> {
    let mut variables = emulator_variables();
    for (name, uid) in ["PrimaryUid", "SecondaryUid"].into_iter().zip(uids) {
        variables.push((name.to_owned(), vec![uid.to_string()]));
    }
    variables
}

/// Starts the CEN emulator (`crates/cen-emulator`) inside this process on a loopback port, in
/// memory with its default accounts and inventory and a transition delay of
/// [`IN_PROCESS_DELAY_MS`], and returns it as an [`EndpointKind::Emulator`] endpoint: `primary`
/// is the emulator's first default account, `secondary` its second, `disabled` its default
/// disabled key.
///
/// This is what `cen-conformance run` does without `--endpoint`. The server task stops when the
/// endpoint is dropped.
pub async fn start_in_process() -> Result<Endpoint, EndpointError> {
    start_in_process_with_delay(std::time::Duration::from_millis(IN_PROCESS_DELAY_MS)).await
}

/// [`start_in_process`] on a manual clock that starts at [`MANUAL_CLOCK_START_MS`] and moves only
/// through [`Endpoint::clock`] (`advance_ms` steps), with transitions of `delay_ms` of it. The
/// front door still checks signatures against the real time.
pub async fn start_in_process_with_manual_clock(delay_ms: u64) -> Result<Endpoint, EndpointError> {
    use std::sync::atomic::{AtomicU64, Ordering};
    let now = std::sync::Arc::new(AtomicU64::new(MANUAL_CLOCK_START_MS));
    let read = std::sync::Arc::clone(&now);
    let clock: cen_emulator::Clock = std::sync::Arc::new(move || {
        std::time::UNIX_EPOCH + std::time::Duration::from_millis(read.load(Ordering::SeqCst))
    });
    let mut endpoint =
        start_emulator(std::time::Duration::from_millis(delay_ms), Some(clock)).await?;
    endpoint.clock = Some(std::sync::Arc::new(move |ms| {
        now.fetch_add(ms, Ordering::SeqCst);
    }));
    Ok(endpoint)
}

/// [`start_in_process`] with another transition delay.
pub async fn start_in_process_with_delay(
    delay: std::time::Duration,
) -> Result<Endpoint, EndpointError> {
    start_emulator(delay, None).await
}

/// Starts the in-process emulator, on `clock` when one is given.
async fn start_emulator(
    delay: std::time::Duration,
    clock: Option<cen_emulator::Clock>,
) -> Result<Endpoint, EndpointError> {
    use cen_emulator::config::{default_accounts, uids};
    use cen_emulator::store::Store;
    use cen_emulator::{Emulator, EmulatorConfig};

    let unavailable = |reason: String| EndpointError::EmulatorUnavailable(reason);
    let accounts = default_accounts();
    let uids = uids(&accounts);
    let mut emulator = Emulator::new(EmulatorConfig::new(&uids, delay), Store::Memory)
        .map_err(|e| unavailable(e.to_string()))?;
    if let Some(clock) = clock {
        emulator = emulator.with_clock(clock);
    }
    let app = cen_emulator::app(std::sync::Arc::new(emulator), &accounts);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .map_err(|e| unavailable(format!("cannot bind a loopback port: {e}")))?;
    let address = listener
        .local_addr()
        .map_err(|e| unavailable(e.to_string()))?;
    let server = tokio::spawn(async move {
        // An error here ends the task; requests then fail and are reported per case.
        let _ = axum::serve(listener, app).await;
    });
    Ok(Endpoint::new(
        &format!("http://{address}"),
        EndpointKind::Emulator,
        emulator_credentials(&accounts),
    )?
    .as_in_process(&uids)
    .with_guard(Box::new(AbortOnDrop(server))))
}

/// The credentials of an emulator's accounts: the first two enabled ones as primary and
/// secondary, the first disabled one as disabled.
fn emulator_credentials(accounts: &[cen_emulator::config::AccountSpec]) -> CredentialSet {
    let credentials_of = |a: &cen_emulator::config::AccountSpec| {
        Credentials::new(a.access_key_id.as_str(), a.secret.as_str())
    };
    let mut enabled = accounts.iter().filter(|a| a.enabled).map(credentials_of);
    CredentialSet {
        primary: enabled.next(),
        secondary: enabled.next(),
        disabled: accounts.iter().find(|a| !a.enabled).map(credentials_of),
    }
}

impl Endpoint {
    /// Takes an endpoint that is a `cen-emulator` started with its defaults (`--endpoint URL
    /// --emulator-defaults`): its default accounts' keys where none were given, and its
    /// endpoint variables ([`emulator_variables`], the UIDs), which `--var` may still override.
    #[must_use]
    pub fn with_emulator_defaults(mut self) -> Self {
        let accounts = cen_emulator::config::default_accounts();
        let defaults = emulator_credentials(&accounts);
        let given = &mut self.credentials;
        given.primary = given.primary.take().or(defaults.primary);
        given.secondary = given.secondary.take().or(defaults.secondary);
        given.disabled = given.disabled.take().or(defaults.disabled);
        let uids = cen_emulator::config::uids(&accounts);
        self.with_variables(emulator_variables_with_uids(&uids))
    }

    /// Sets what an in-process emulator with the default inventory and accounts of `uids` has:
    /// its endpoint variables ([`emulator_variables`], `PrimaryUid`, `SecondaryUid`) and a poll
    /// interval of [`IN_PROCESS_POLL_MS`].
    #[must_use]
    pub fn as_in_process(self, uids: &[i64]) -> Self {
        self.with_variables(emulator_variables_with_uids(uids))
            .with_poll_interval(std::time::Duration::from_millis(IN_PROCESS_POLL_MS))
    }
}

/// Stops a spawned server when dropped.
#[derive(Debug)]
pub struct AbortOnDrop(pub tokio::task::JoinHandle<()>);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emulator_variables_name_what_its_inventory_holds() {
        use cen_emulator::config::{default_accounts, uids};
        let owners = uids(&default_accounts());
        let inventory = cen_emulator::inventory::default_inventory(&owners);
        let prefix_lists = cen_emulator::inventory::default_prefix_lists(&owners);
        // Instances, their route tables, vSwitches and blocks, and the prefix lists.
        let ids: Vec<&str> = inventory
            .iter()
            .flat_map(|i| {
                std::iter::once(i.instance_id.as_str())
                    .chain(i.route_tables.iter().map(|t| t.route_table_id.as_str()))
                    .chain(i.v_switches.iter().map(|v| v.v_switch_id.as_str()))
                    .chain(i.cidr_blocks.iter().map(String::as_str))
            })
            .chain(prefix_lists.iter().map(|p| p.prefix_list_id.as_str()))
            .collect();
        for (name, members) in emulator_variables() {
            let pooled = EMULATOR_POOLED.contains(&name.as_str());
            assert_eq!(members.len() > 1, pooled, "{name}");
            for id in members {
                assert!(ids.contains(&id.as_str()), "{name}: {id}");
            }
        }
    }
}
