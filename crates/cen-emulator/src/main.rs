//! `cen-emulator`: the CEN API on loopback.
//!
//! ```text
//! cen-emulator [--listen 127.0.0.1:9000] [--account AK:SECRET:UID]... [--accounts-file FILE]
//!              [--data FILE] [--delay-ms 1000] [--inventory FILE] [--faults FILE]
//!              [--seed FILE]
//! cen-emulator --health-check [--listen ADDR]
//! ```
//!
//! Every option can also come from an environment variable, named in `--help`
//! (`CEN_EMULATOR_LISTEN`, ...); an option on the command line wins.
//!
//! The first line on stdout is `listening on http://<address>`; logs go to stderr (`RUST_LOG`).

use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use cen_emulator::config::{self, Identities};
use cen_emulator::inventory::{
    InventoryDocument, NetworkInstance, PrefixList, default_inventory, default_prefix_lists,
};
use cen_emulator::store::Store;
use cen_emulator::{Emulator, EmulatorConfig};
use clap::Parser;

/// A stateful emulator of Alibaba Cloud's Cloud Enterprise Network API.
#[derive(Debug, Parser)]
#[command(name = "cen-emulator", version)]
struct Cli {
    /// The address to listen on; port 0 picks a free port.
    #[arg(long, env = "CEN_EMULATOR_LISTEN", default_value = config::DEFAULT_LISTEN)]
    listen: String,
    /// An account as ACCESS_KEY_ID:SECRET:ACCOUNT_UID (repeatable). Without any account option,
    /// the two documented default accounts exist. The environment variable takes a
    /// comma-separated list.
    #[arg(
        long = "account",
        value_name = "AK:SECRET:UID",
        env = "CEN_EMULATOR_ACCOUNTS",
        hide_env_values = true,
        value_delimiter = ','
    )]
    accounts: Vec<String>,
    /// A JSON file {"Accounts": [{"AccessKeyId", "AccessKeySecret", "AccountUid"}], "Roles": [..],
    /// "OidcProviders": [..]} (roles and OIDC providers optional, for STS).
    #[arg(long, value_name = "FILE", env = "CEN_EMULATOR_ACCOUNTS_FILE")]
    accounts_file: Option<PathBuf>,
    /// A SQLite file keeping the state across restarts (in memory without it).
    #[arg(long, value_name = "FILE", env = "CEN_EMULATOR_DATA")]
    data: Option<PathBuf>,
    /// How long asynchronous transitions (Creating, Attaching, Modifying, ...) last.
    #[arg(long, env = "CEN_EMULATOR_DELAY_MS", default_value_t = config::DEFAULT_DELAY_MS)]
    delay_ms: u64,
    /// A JSON file {"Instances": [...], "PrefixLists": [...]} replacing the built-in inventory of
    /// network instances and prefix lists.
    #[arg(long, value_name = "FILE", env = "CEN_EMULATOR_INVENTORY")]
    inventory: Option<PathBuf>,
    /// A JSON file {"Seed": N, "Faults": [...]} of fault rules to start with (see
    /// `/_emulator/faults` in the README).
    #[arg(long, value_name = "FILE", env = "CEN_EMULATOR_FAULTS")]
    faults: Option<PathBuf>,
    /// A state snapshot (`GET /_emulator/state`) to start from, which resets return to; with
    /// `--data`, it is loaded only into an empty store.
    #[arg(long, value_name = "FILE", env = "CEN_EMULATOR_SEED")]
    seed: Option<PathBuf>,
    /// Instead of serving: asks the emulator at `--listen` for `/_emulator/health` and exits 0
    /// when it answers 200 (a container's health check, where no curl exists).
    #[arg(long)]
    health_check: bool,
}

/// `--health-check`: one plain HTTP/1.1 request to the serving emulator's health endpoint.
fn health_check(listen: &str) -> Result<(), String> {
    use std::io::Read;
    use std::net::{SocketAddr, TcpStream, ToSocketAddrs};
    let mut address: SocketAddr = listen
        .to_socket_addrs()
        .map_err(|e| format!("--listen {listen}: {e}"))?
        .next()
        .ok_or_else(|| format!("--listen {listen}: no address"))?;
    // A server listening on every interface answers on loopback.
    if address.ip().is_unspecified() {
        address.set_ip(std::net::Ipv4Addr::LOCALHOST.into());
    }
    let timeout = Duration::from_secs(2);
    let mut stream =
        TcpStream::connect_timeout(&address, timeout).map_err(|e| format!("{address}: {e}"))?;
    stream
        .set_read_timeout(Some(timeout))
        .map_err(|e| e.to_string())?;
    write!(
        stream,
        "GET /_emulator/health HTTP/1.1\r\nHost: {address}\r\nConnection: close\r\n\r\n"
    )
    .map_err(|e| e.to_string())?;
    let mut answer = String::new();
    stream
        .read_to_string(&mut answer)
        .map_err(|e| e.to_string())?;
    if answer.starts_with("HTTP/1.1 200") {
        Ok(())
    } else {
        Err(format!(
            "{address} answered {:?}",
            answer.lines().next().unwrap_or_default()
        ))
    }
}

/// Applies `--seed`: the snapshot becomes the baseline, and the state when the store is empty.
fn seed(cli: &Cli, emulator: &Emulator) -> Result<(), String> {
    let Some(path) = &cli.seed else {
        return Ok(());
    };
    let failed = |e: &dyn std::fmt::Display| format!("{}: {e}", path.display());
    let text = std::fs::read_to_string(path).map_err(|e| failed(&e))?;
    let document = serde_json::from_str(&text).map_err(|e| failed(&e))?;
    if emulator.is_empty() {
        emulator.import_state(document).map_err(|e| failed(&e))
    } else {
        emulator
            .set_baseline(document)
            .map(drop)
            .map_err(|e| failed(&e))
    }
}

/// The fault rules of `--faults`, or none.
fn faults(cli: &Cli) -> Result<cen_emulator::faults::FaultDocument, String> {
    let Some(path) = &cli.faults else {
        return Ok(cen_emulator::faults::FaultDocument::default());
    };
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    serde_json::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))
}

/// The accounts of the options, with the roles and OIDC providers of the accounts file; without
/// any account option, the default accounts with their default roles.
fn identities(cli: &Cli) -> Result<Identities, String> {
    let mut identities = Identities::default();
    for value in &cli.accounts {
        identities
            .accounts
            .push(config::parse_account(value).map_err(|e| format!("--account: {e}"))?);
    }
    if let Some(path) = &cli.accounts_file {
        let file = config::read_identities_file(path).map_err(|e| e.to_string())?;
        identities.accounts.extend(file.accounts);
        identities.roles = file.roles;
        identities.oidc_providers = file.oidc_providers;
    }
    if identities.accounts.is_empty() {
        identities = config::default_identities();
    }
    Ok(identities)
}

/// The network instances and prefix lists: the built-in ones of the accounts, or those of the
/// `--inventory` file.
fn inventory(cli: &Cli, uids: &[i64]) -> Result<(Vec<NetworkInstance>, Vec<PrefixList>), String> {
    let Some(path) = &cli.inventory else {
        return Ok((default_inventory(uids), default_prefix_lists(uids)));
    };
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let document: InventoryDocument =
        serde_json::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))?;
    let twice = |id: &str| format!("{}: {id} appears twice", path.display());
    let mut out: Vec<NetworkInstance> = Vec::new();
    for instance in document.instances {
        let instance = instance
            .normalize()
            .map_err(|e| format!("{}: {e}", path.display()))?;
        if out.iter().any(|i| i.instance_id == instance.instance_id) {
            return Err(twice(&instance.instance_id));
        }
        out.push(instance);
    }
    let mut lists: Vec<PrefixList> = Vec::new();
    for list in document.prefix_lists {
        let list = list
            .normalize()
            .map_err(|e| format!("{}: {e}", path.display()))?;
        if lists
            .iter()
            .any(|l| l.prefix_list_id == list.prefix_list_id)
        {
            return Err(twice(&list.prefix_list_id));
        }
        lists.push(list);
    }
    Ok((out, lists))
}

async fn shutdown_signal() {
    let interrupt = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = interrupt => {}
        () = terminate => {}
    }
    tracing::info!("shutting down");
}

fn run(cli: Cli) -> Result<(), String> {
    let identities = identities(&cli)?;
    let accounts = &identities.accounts;
    let uids = config::uids(accounts);
    let (inventory, prefix_lists) = inventory(&cli, &uids)?;
    let store = match &cli.data {
        Some(path) => Store::open(path).map_err(|e| format!("{}: {e}", path.display()))?,
        None => Store::Memory,
    };
    let emulator = Emulator::new(
        EmulatorConfig {
            delay: Duration::from_millis(cli.delay_ms),
            accounts: uids,
            inventory,
            tr_service_closed: config::tr_service_closed(accounts),
            prefix_lists,
        },
        store,
    )
    .map_err(|e| e.to_string())?;
    seed(&cli, &emulator)?;
    for account in accounts {
        // The secret is deliberately not logged.
        tracing::info!(access_key_id = %account.access_key_id, uid = account.uid, enabled = account.enabled, "account");
    }
    for role in &identities.roles {
        tracing::info!(role = %role.role_arn, max_session_duration = role.max_session_duration, "role");
    }
    let faults_path = cli.faults.as_ref().map(|p| p.display().to_string());
    let app = cen_emulator::app_with_faults(Arc::new(emulator), &identities, faults(&cli)?)
        .map_err(|e| format!("{}: {e}", faults_path.unwrap_or_default()))?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| e.to_string())?;
    runtime.block_on(async move {
        let listener = tokio::net::TcpListener::bind(&cli.listen)
            .await
            .map_err(|e| format!("--listen {}: {e}", cli.listen))?;
        let address = listener.local_addr().map_err(|e| e.to_string())?;
        let mut stdout = std::io::stdout();
        writeln!(stdout, "listening on http://{address}").map_err(|e| e.to_string())?;
        stdout.flush().map_err(|e| e.to_string())?;
        tracing::info!(%address, data = ?cli.data, delay_ms = cli.delay_ms, "serving");
        axum::serve(listener, app)
            .with_graceful_shutdown(shutdown_signal())
            .await
            .map_err(|e| e.to_string())
    })
}

fn main() -> std::process::ExitCode {
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal())
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .init();
    let cli = Cli::parse();
    let outcome = if cli.health_check {
        health_check(&cli.listen)
    } else {
        run(cli)
    };
    match outcome {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("cen-emulator: {message}");
            std::process::ExitCode::FAILURE
        }
    }
}
