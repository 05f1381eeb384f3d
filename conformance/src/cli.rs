//! The command line: `run`, `record` and `sign`.

use std::io::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;

use acs_rpc::Credentials;
use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::case::{Kind, load};
use crate::endpoint::{CredentialSet, Endpoint, EndpointKind, start_in_process};
use crate::runner::{FormatSelection, Planned, RunOptions, plan, run};
use crate::sign_cmd::{Algorithm, SignInput, sign};

/// Golden cases of Alibaba Cloud's CEN RPC API, replayed against the signer and any endpoint.
#[derive(Debug, Parser)]
#[command(name = "cen-conformance", version)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the cases: signing cases locally, the others against an endpoint.
    Run(RunArgs),
    /// Print the canonical form, string to sign and signature of a request.
    Sign(SignArgs),
    /// Run exchange cases against --endpoint and write its answers back into the case files as
    /// `recorded` goldens (an emulator's answers never replace `reference`, `sdk` or real
    /// recordings).
    Record(RecordArgs),
}

/// Options of `record`: those of `run` (cases, filter, formats, credentials, gates), the
/// endpoint being required, and where to write.
#[derive(Debug, Args)]
pub struct RecordArgs {
    /// The options shared with `run`; `--endpoint` is required.
    #[command(flatten)]
    pub run: RunArgs,
    /// Write the recorded cases under this directory (`<dir>/<family>/<id>.yaml`) instead of
    /// over the case files.
    #[arg(long)]
    pub out_dir: Option<PathBuf>,
}

/// Response formats for `--format`.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum FormatArg {
    /// JSON only.
    Json,
    /// XML only.
    Xml,
    /// Both.
    Both,
}

/// Options of `run`.
#[derive(Debug, Args)]
pub struct RunArgs {
    /// The endpoint, such as https://cbn.aliyuncs.com; without it the in-process emulator is
    /// started.
    #[arg(long)]
    pub endpoint: Option<String>,
    /// Only cases whose name (family/id[format]) contains this.
    #[arg(long)]
    pub filter: Option<String>,
    /// The response formats to run cases in.
    #[arg(long, value_enum, default_value = "both")]
    pub format: FormatArg,
    /// Write a JUnit XML report here.
    #[arg(long)]
    pub junit: Option<PathBuf>,
    /// Append a Markdown summary (totals, each failure with its diff, coverage by family and by
    /// operation) to this file, created if missing: GitHub's $GITHUB_STEP_SUMMARY format.
    #[arg(long, value_name = "FILE")]
    pub summary: Option<PathBuf>,
    /// Run cases tagged `billing` against a real endpoint.
    #[arg(long)]
    pub allow_billing: bool,
    /// Run cases tagged `writes` against a real endpoint.
    #[arg(long)]
    pub allow_writes: bool,
    /// Read the cases from this directory (`<family>/<id>.yaml`, fixtures in `fixtures/`)
    /// instead of those built into the binary.
    #[arg(long, value_name = "DIR")]
    pub cases: Option<PathBuf>,
    /// How many cases run at once [default: 16 against an emulator, 2 against
    /// --endpoint]. Each member of a pool of network instances (`--var`) is held by one case at a
    /// time.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..))]
    pub concurrency: Option<u16>,
    /// Print the names of the cases the filters select, one per line, and exit.
    #[arg(long)]
    pub list: bool,
    /// An endpoint variable for flow cases, NAME=VALUE (repeatable): `PrimaryUid`,
    /// `SecondaryUid` and the network instances the cases attach (`VpcHangzhou`, ...); the
    /// in-process emulator defines them all. An instance may be a pool of interchangeable ones,
    /// NAME=VALUE,VALUE,...: each case takes a free one for its whole run.
    #[arg(long = "var", value_name = "NAME=VALUE[,VALUE...]")]
    pub vars: Vec<String>,
    /// The --endpoint is a `cen-emulator` started with its default accounts and inventory: use
    /// its default keys (unless keys are given) and its endpoint variables (unless --var gives
    /// them), the pools of copied instances included.
    #[arg(long, requires = "endpoint")]
    pub emulator_defaults: bool,
    /// Poll asynchronous states at most this often (milliseconds), instead of each case's own
    /// interval: an emulator with a short delay need not be polled every two seconds.
    #[arg(long, value_name = "MS")]
    pub poll_interval_ms: Option<u64>,
    /// The primary AccessKey id.
    #[arg(long, env = "ALIBABA_CLOUD_ACCESS_KEY_ID")]
    pub access_key_id: Option<String>,
    /// The primary AccessKey secret.
    #[arg(long, env = "ALIBABA_CLOUD_ACCESS_KEY_SECRET", hide_env_values = true)]
    pub access_key_secret: Option<String>,
    /// An STS token for the primary key.
    #[arg(long, env = "ALIBABA_CLOUD_SECURITY_TOKEN", hide_env_values = true)]
    pub security_token: Option<String>,
    /// The secondary AccessKey id (another account).
    #[arg(long, env = "CEN_CONFORMANCE_SECONDARY_ACCESS_KEY_ID")]
    pub secondary_access_key_id: Option<String>,
    /// The secondary AccessKey secret.
    #[arg(
        long,
        env = "CEN_CONFORMANCE_SECONDARY_ACCESS_KEY_SECRET",
        hide_env_values = true
    )]
    pub secondary_access_key_secret: Option<String>,
    /// A disabled AccessKey id, for InvalidAccessKeyId.Inactive.
    #[arg(long, env = "CEN_CONFORMANCE_DISABLED_ACCESS_KEY_ID")]
    pub disabled_access_key_id: Option<String>,
    /// The disabled AccessKey's secret.
    #[arg(
        long,
        env = "CEN_CONFORMANCE_DISABLED_ACCESS_KEY_SECRET",
        hide_env_values = true
    )]
    pub disabled_access_key_secret: Option<String>,
}

/// Signature schemes for `--algorithm`.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum AlgorithmArg {
    /// HMAC-SHA1, `SignatureVersion=1.0`.
    V1,
    /// ACS3-HMAC-SHA256.
    V3,
}

/// Options of `sign`.
#[derive(Debug, Args)]
pub struct SignArgs {
    /// The HTTP method.
    #[arg(long, value_parser = ["GET", "POST"])]
    pub method: String,
    /// The AccessKey secret.
    #[arg(long)]
    pub secret: String,
    /// The signature scheme.
    #[arg(long, value_enum, default_value = "v1")]
    pub algorithm: AlgorithmArg,
    /// V1: added as AccessKeyId unless given as a parameter; V3: printed in Authorization.
    #[arg(long)]
    pub access_key_id: Option<String>,
    /// V3: a request header, name:value (repeatable).
    #[arg(long = "header")]
    pub headers: Vec<String>,
    /// The form body as sent (V1: its parameters are signed too; V3: its bytes are hashed).
    #[arg(long)]
    pub body: Option<String>,
    /// name=value with decoded values: V1 every signed parameter, V3 the query parameters.
    pub params: Vec<String>,
}

fn pair(
    id: Option<String>,
    secret: Option<String>,
    what: &str,
) -> Result<Option<Credentials>, String> {
    match (id, secret) {
        (Some(id), Some(secret)) if !id.is_empty() && !secret.is_empty() => {
            Ok(Some(Credentials::new(id, secret)))
        }
        (None, None) => Ok(None),
        (Some(id), None) | (Some(id), Some(_)) if id.is_empty() => Ok(None),
        _ => Err(format!("{what}: give both the AccessKey id and its secret")),
    }
}

fn credentials(args: &RunArgs) -> Result<CredentialSet, String> {
    let mut primary = pair(
        args.access_key_id.clone(),
        args.access_key_secret.clone(),
        "primary credentials",
    )?;
    if let (Some(p), Some(token)) = (primary.as_mut(), &args.security_token)
        && !token.is_empty()
    {
        *p = p.clone().with_security_token(token.as_str());
    }
    Ok(CredentialSet {
        primary,
        secondary: pair(
            args.secondary_access_key_id.clone(),
            args.secondary_access_key_secret.clone(),
            "secondary credentials",
        )?,
        disabled: pair(
            args.disabled_access_key_id.clone(),
            args.disabled_access_key_secret.clone(),
            "disabled credentials",
        )?,
    })
}

/// Runs the command line; the exit code is 0 on success, 1 when a case failed, 2 on usage or
/// setup errors.
pub async fn main(cli: Cli) -> ExitCode {
    match cli.command {
        Command::Sign(args) => {
            let input = SignInput {
                method: args.method,
                secret: args.secret,
                algorithm: match args.algorithm {
                    AlgorithmArg::V1 => Algorithm::V1,
                    AlgorithmArg::V3 => Algorithm::V3,
                },
                access_key_id: args.access_key_id,
                headers: args.headers,
                body: args.body,
                params: args.params,
            };
            match sign(&input) {
                Ok(text) => {
                    print!("{text}");
                    ExitCode::SUCCESS
                }
                Err(e) => {
                    eprintln!("error: {e}");
                    ExitCode::from(2)
                }
            }
        }
        Command::Run(args) => run_command(args).await,
        Command::Record(args) => record_command(args).await,
    }
}

/// The selection and safety options shared by `run` and `record`.
fn run_options(args: &RunArgs) -> RunOptions {
    RunOptions {
        filter: args.filter.clone(),
        formats: match args.format {
            FormatArg::Json => FormatSelection::Json,
            FormatArg::Xml => FormatSelection::Xml,
            FormatArg::Both => FormatSelection::Both,
        },
        allow_billing: args.allow_billing,
        allow_writes: args.allow_writes,
        concurrency: match (args.concurrency, &args.endpoint) {
            (Some(n), _) => usize::from(n),
            (None, Some(_)) if !args.emulator_defaults => crate::runner::REMOTE_CONCURRENCY,
            (None, _) => crate::runner::EMULATOR_CONCURRENCY,
        },
    }
}

/// `--list`: the names of the selected cases, one per line.
fn list(planned: &[Planned<'_>]) -> ExitCode {
    let mut stdout = std::io::stdout().lock();
    for p in planned {
        if writeln!(stdout, "{}", p.name).is_err() {
            return ExitCode::from(2);
        }
    }
    ExitCode::SUCCESS
}

async fn run_command(args: RunArgs) -> ExitCode {
    let cases = match load(args.cases.as_deref()) {
        Ok(cases) => cases,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    let options = run_options(&args);
    let planned = plan(&cases, &options);
    if args.list {
        return list(&planned);
    }
    let credentials = match credentials(&args) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    let mut variables = Vec::new();
    for var in &args.vars {
        match crate::instances::parse_variable(var) {
            Ok(variable) => variables.push(variable),
            Err(e) => {
                eprintln!("error: {e}");
                return ExitCode::from(2);
            }
        }
    }
    let needs_endpoint = planned.iter().any(|p| p.case.kind != Kind::Signing);
    let mut no_endpoint_reason = String::from("no endpoint");
    let endpoint = match (&args.endpoint, needs_endpoint) {
        (_, false) => None,
        (Some(url), true) => match Endpoint::new(url, EndpointKind::Remote, credentials) {
            Ok(endpoint) => {
                let endpoint = if args.emulator_defaults {
                    endpoint.with_emulator_defaults()
                } else {
                    endpoint
                };
                let endpoint = endpoint.with_variables(variables.clone());
                Some(match args.poll_interval_ms {
                    Some(ms) => endpoint.with_poll_interval(std::time::Duration::from_millis(ms)),
                    None => endpoint,
                })
            }
            Err(e) => {
                eprintln!("error: {e}");
                return ExitCode::from(2);
            }
        },
        (None, true) => match start_in_process().await {
            Ok(endpoint) => Some(endpoint.with_variables(variables.clone())),
            Err(e) => {
                eprintln!("warning: {e}; cases that need an endpoint are skipped");
                no_endpoint_reason = e.to_string();
                None
            }
        },
    };
    let mut stdout = std::io::stdout().lock();
    let report = match run(
        &planned,
        endpoint.as_ref(),
        &no_endpoint_reason,
        &options,
        &mut stdout,
    )
    .await
    {
        Ok(report) => report,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    let _ = stdout.flush();
    if let Some(path) = &args.junit
        && let Err(e) = std::fs::write(path, report.junit())
    {
        eprintln!("error: cannot write {}: {e}", path.display());
        return ExitCode::from(2);
    }
    if let Some(path) = &args.summary
        && let Err(e) = append(path, &crate::summary::markdown(&report))
    {
        eprintln!("error: cannot write {}: {e}", path.display());
        return ExitCode::from(2);
    }
    if report.failed() > 0 {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}

/// Appends text to a file, creating it: a job summary file may already hold other steps' text.
fn append(path: &std::path::Path, text: &str) -> std::io::Result<()> {
    std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)?
        .write_all(text.as_bytes())
}

async fn record_command(args: RecordArgs) -> ExitCode {
    let RecordArgs { run: args, out_dir } = args;
    let Some(url) = args.endpoint.clone() else {
        eprintln!("error: record needs --endpoint URL (the endpoint whose answers are recorded)");
        return ExitCode::from(2);
    };
    let cases = match load(args.cases.as_deref()) {
        Ok(cases) => cases,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    let options = run_options(&args);
    let planned = plan(&cases, &options);
    if args.list {
        return list(&planned);
    }
    let endpoint = match credentials(&args)
        .and_then(|c| Endpoint::new(&url, EndpointKind::Remote, c).map_err(|e| e.to_string()))
    {
        Ok(endpoint) => endpoint,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    let mut stdout = std::io::stdout().lock();
    let result = crate::record::record(
        &planned,
        &endpoint,
        &options,
        out_dir.as_deref(),
        &crate::record::today(),
        &mut stdout,
    )
    .await;
    let _ = stdout.flush();
    match result {
        Ok(report) if report.failed() > 0 => ExitCode::FAILURE,
        Ok(_) => ExitCode::SUCCESS,
        Err(e) => {
            for line in e.to_string().lines() {
                eprintln!("error: {line}");
            }
            ExitCode::from(2)
        }
    }
}
