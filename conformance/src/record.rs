//! `record`: run exchange cases against an endpoint and write what it answered back into the case
//! files, as goldens with provenance `recorded` (endpoint and date).
//!
//! What is written: `expect` (status, error code, the message, or its start when the case checked
//! only a prefix and the answer still starts with it, the top-level fields, the headers the case
//! already checked) and `provenance`; the rest of the file is kept byte for byte. The normalised
//! body of each format (`flow::render_body` then `flow::normalise`: request ids, timestamps and
//! generated ids replaced) goes next to the case, `recorded/<id>.<format>.body`, so a review sees
//! the whole answer (evidence only: `run` checks what `expect` says).
//!
//! A recording from an emulator never replaces a golden from outside the project: when the
//! endpoint is on loopback (or the in-process emulator), a target file whose provenance is
//! `reference`, `sdk`, or `recorded` from a non-loopback endpoint is refused, naming the case, and
//! nothing is sent or written. There is deliberately no option to force it.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use acs_rpc::error::ApiError;
use serde_json::Value;
use thiserror::Error;

use crate::case::{Case, Expect, Format, Kind, Provenance, ResponseExpect, Source, load_case};
use crate::endpoint::{Endpoint, EndpointKind};
use crate::exchange::{Observed, header, json_at, json_type, prepare, send};
use crate::flow::{normalise, render_body, response_tree};
use crate::runner::{Planned, RunOptions};

/// Why a recording did not start.
#[derive(Debug, Error)]
pub enum RecordError {
    /// Goldens that an emulator recording must not replace, one line each.
    #[error("{}", .0.join("\n"))]
    Refused(Vec<String>),
    /// Reading or writing failed.
    #[error(transparent)]
    Io(#[from] io::Error),
}

/// How one case ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Recorded {
    /// The case file written (and its recorded bodies).
    Written(PathBuf),
    /// Not recorded, with the reason.
    Skipped(String),
    /// The endpoint could not be recorded from (transport error, formats disagreeing).
    Failed(String),
}

/// The results of a recording, by case name (`family/id`).
#[derive(Debug, Clone, Default)]
pub struct RecordReport {
    /// In case order.
    pub results: Vec<(String, Recorded)>,
}

impl RecordReport {
    fn count(&self, f: impl Fn(&Recorded) -> bool) -> usize {
        self.results.iter().filter(|(_, r)| f(r)).count()
    }

    /// Cases written.
    pub fn written(&self) -> usize {
        self.count(|r| matches!(r, Recorded::Written(_)))
    }

    /// Cases that failed.
    pub fn failed(&self) -> usize {
        self.count(|r| matches!(r, Recorded::Failed(_)))
    }

    /// `N recorded, N failed, N skipped`.
    pub fn summary(&self) -> String {
        format!(
            "{} recorded, {} failed, {} skipped",
            self.written(),
            self.failed(),
            self.count(|r| matches!(r, Recorded::Skipped(_)))
        )
    }
}

/// Whether a host (`host` or `host:port`, IPv6 in brackets) is the local machine.
pub fn is_loopback_host(host: &str) -> bool {
    let name = if let Some(rest) = host.strip_prefix('[') {
        rest.split(']').next().unwrap_or_default()
    } else {
        host.rsplit_once(':')
            .filter(|(_, port)| port.chars().all(|c| c.is_ascii_digit()))
            .map_or(host, |(name, _)| name)
    };
    let name = name.trim_end_matches('.').to_ascii_lowercase();
    name == "localhost"
        || name.ends_with(".localhost")
        || name
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback() || ip.is_unspecified())
}

/// Whether recordings from this endpoint are emulator recordings.
pub fn records_an_emulator(endpoint: &Endpoint) -> bool {
    endpoint.kind == EndpointKind::Emulator || is_loopback_host(&endpoint.host)
}

/// Why a golden with this provenance must not be replaced by an emulator recording, if so.
fn protected(provenance: &Provenance) -> Option<String> {
    match provenance.source {
        Source::Reference => {
            Some("its golden comes from Alibaba's documentation (`reference`)".to_owned())
        }
        Source::Sdk => Some(format!(
            "its golden was captured from an official SDK (`sdk`: {})",
            provenance.sdk.as_deref().unwrap_or("?")
        )),
        Source::Project => None,
        Source::Recorded => {
            let from = provenance.endpoint.as_deref().unwrap_or_default();
            (!is_loopback_host(host_of(from))).then(|| {
                format!(
                    "its golden was recorded from the real endpoint {from} on {}",
                    provenance.date.as_deref().unwrap_or("?")
                )
            })
        }
    }
}

/// `host[:port]` of an endpoint written with or without a scheme.
fn host_of(endpoint: &str) -> &str {
    let rest = endpoint
        .split_once("://")
        .map_or(endpoint, |(_, rest)| rest);
    rest.split('/').next().unwrap_or_default()
}

/// Where a case is written: `out_dir/<family>/<id>.yaml`, or the case file itself.
pub fn target_path(case: &Case, out_dir: Option<&Path>) -> PathBuf {
    match out_dir {
        Some(dir) => dir.join(&case.family).join(format!("{}.yaml", case.id)),
        None => case.path.clone(),
    }
}

/// The date of today, `yyyy-mm-dd` (UTC).
pub fn today() -> String {
    acs_rpc::time::format_timestamp(SystemTime::now())[..10].to_owned()
}

/// Checks every target before anything is sent: the lines of the refusals, if any.
fn refusals(cases: &[&Case], endpoint: &Endpoint, out_dir: Option<&Path>) -> Vec<String> {
    if !records_an_emulator(endpoint) {
        return Vec::new();
    }
    let mut lines = Vec::new();
    for case in cases {
        let target = target_path(case, out_dir);
        let existing = if target == case.path {
            Ok(Some(case.provenance.clone()))
        } else if target.exists() {
            load_case(&target).map(|c| Some(c.provenance))
        } else {
            Ok(None)
        };
        match existing {
            Ok(Some(provenance)) => {
                if let Some(why) = protected(&provenance) {
                    lines.push(format!(
                        "refusing to record {} into {}: {why}, and {} is an emulator; an emulator recording never replaces it (there is no option to force this)",
                        case.name(),
                        target.display(),
                        endpoint.base_url
                    ));
                }
            }
            Ok(None) => {}
            Err(e) => lines.push(format!(
                "refusing to record {} into {}: the existing file cannot be read ({e})",
                case.name(),
                target.display()
            )),
        }
    }
    lines
}

/// What a case records in one format.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Observation {
    status: u16,
    code: Option<String>,
    message: Option<String>,
    fields: Vec<String>,
    headers: Vec<(String, String)>,
    /// JSON only: the observed types of the paths the case checks.
    types: Vec<(String, String)>,
    snapshot: String,
}

fn observe(
    old: &ResponseExpect,
    format: Format,
    observed: &Observed,
    endpoint: &Endpoint,
) -> Observation {
    let content_type = header(&observed.headers, "content-type");
    let error = ApiError::from_body(observed.status, content_type, observed.body.as_bytes());
    let fields = match response_tree(observed, format) {
        Value::Object(map) => map.keys().cloned().collect(),
        _ => Vec::new(),
    };
    let headers = old
        .headers
        .0
        .iter()
        .filter_map(|(name, wanted)| {
            header(&observed.headers, name).map(|got| {
                let value = if wanted == "*" { "*" } else { got };
                (name.clone(), value.to_owned())
            })
        })
        .collect();
    let mut request_ids: Vec<String> = header(&observed.headers, "x-acs-request-id")
        .map(str::to_owned)
        .into_iter()
        .collect();
    if let Some(Value::String(id)) = response_tree(observed, format).get("RequestId") {
        request_ids.push(id.clone());
    }
    let types = if format == Format::Json {
        let tree = response_tree(observed, format);
        old.types
            .keys()
            .filter_map(|path| {
                json_at(&tree, path).map(|v| (path.clone(), json_type(v).to_owned()))
            })
            .collect()
    } else {
        Vec::new()
    };
    let snapshot = normalise(
        &render_body(&observed.body, format),
        &request_ids,
        &endpoint.variable_values(),
    );
    Observation {
        status: observed.status,
        code: error.as_ref().map(|e| e.code.clone()),
        message: error.map(|e| e.message),
        fields,
        headers,
        types,
        snapshot,
    }
}

fn quoted(text: &str) -> String {
    // A JSON string is a valid YAML double-quoted scalar.
    serde_json::to_string(text).unwrap_or_default()
}

fn flow_list(items: &[String]) -> String {
    let plain = |s: &str| {
        !s.is_empty()
            && s.chars()
                .all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c))
    };
    let items: Vec<String> = items
        .iter()
        .map(|s| if plain(s) { s.clone() } else { quoted(s) })
        .collect();
    format!("[{}]", items.join(", "))
}

/// The new `expect` block.
fn expect_block(
    old: &ResponseExpect,
    obs: &Observation,
    fields: &[String],
    types: &[(String, String)],
) -> String {
    let mut out = String::from("expect:\n");
    let _ = writeln!(out, "  status: {}", obs.status);
    if let Some(code) = &obs.code {
        let _ = writeln!(out, "  code: {}", quoted(code));
        let message = obs.message.as_deref().unwrap_or_default();
        match &old.message_prefix {
            Some(prefix) if message.starts_with(prefix.as_str()) => {
                let _ = writeln!(out, "  message_prefix: {}", quoted(prefix));
            }
            _ => {
                let _ = writeln!(out, "  message: {}", quoted(message));
            }
        }
    }
    if !fields.is_empty() {
        let _ = writeln!(out, "  fields: {}", flow_list(fields));
    }
    if !types.is_empty() {
        out.push_str("  types:\n");
        for (path, kind) in types {
            let _ = writeln!(out, "    {}: {kind}", quoted(path));
        }
    }
    if !obs.headers.is_empty() {
        out.push_str("  headers:\n");
        for (name, value) in &obs.headers {
            let _ = writeln!(out, "    {name}: {}", quoted(value));
        }
    }
    out
}

/// The new `provenance` block.
fn provenance_block(old: &Provenance, endpoint: &Endpoint, date: &str) -> String {
    let what = if records_an_emulator(endpoint) {
        "an emulator"
    } else {
        "a real endpoint"
    };
    let mut details = format!(
        "Recorded with `cen-conformance record` from {} ({what}).",
        endpoint.base_url
    );
    if old.source != Source::Recorded {
        let _ = write!(
            details,
            " Before: {} ({})",
            match old.source {
                Source::Reference => "reference",
                Source::Sdk => "sdk",
                Source::Recorded => "recorded",
                Source::Project => "project",
            },
            old.details.trim()
        );
    }
    let mut out = String::from("provenance:\n  source: recorded\n");
    let _ = writeln!(out, "  details: {}", quoted(&details));
    let _ = writeln!(out, "  endpoint: {}", quoted(&endpoint.host));
    let _ = writeln!(out, "  date: {}", quoted(date));
    out
}

/// Replaces the top-level block `key:` (the line and every indented or blank line after it).
fn replace_block(text: &str, key: &str, block: &str) -> Option<String> {
    let mut out = String::with_capacity(text.len() + block.len());
    let mut lines = text.split_inclusive('\n').peekable();
    let mut found = false;
    while let Some(line) = lines.next() {
        let is_key = line
            .strip_prefix(key)
            .is_some_and(|rest| rest.starts_with(':'));
        if !is_key || found {
            out.push_str(line);
            continue;
        }
        found = true;
        out.push_str(block);
        while let Some(next) = lines.peek() {
            let continued =
                next.starts_with(' ') || next.starts_with('\t') || next.trim().is_empty();
            if !continued {
                break;
            }
            lines.next();
        }
    }
    found.then_some(out)
}

/// Sends a case once in one format (twice for `replay`), as `run` does.
async fn exchange(
    client: &reqwest::Client,
    case: &Case,
    format: Format,
    endpoint: &Endpoint,
) -> Result<Observed, String> {
    let prepared = prepare(case, format, endpoint, SystemTime::now()).map_err(|skip| skip.0)?;
    if case.request.replay {
        let first = send(client, endpoint, &prepared)
            .await
            .map_err(|f| f.to_string())?;
        if !(200..300).contains(&first.status) {
            return Err(format!(
                "the first send of a replayed request must succeed, got {}",
                first.status
            ));
        }
    }
    send(client, endpoint, &prepared)
        .await
        .map_err(|f| f.to_string())
}

/// Why a case may not be sent to this endpoint (`billing`/`writes` without the flags).
fn gated(case: &Case, endpoint: &Endpoint, options: &RunOptions) -> Option<String> {
    if endpoint.kind == EndpointKind::Emulator {
        return None;
    }
    if case.has_tag("billing") && !options.allow_billing {
        return Some("tagged `billing`; pass --allow-billing".to_owned());
    }
    if case.has_tag("writes") && !options.allow_writes {
        return Some("tagged `writes`; pass --allow-writes".to_owned());
    }
    None
}

/// Records the planned exchange cases from `endpoint` into their files (or `out_dir`), printing
/// one line per case and the summary. Refuses, before sending anything, when a target golden may
/// not be replaced by this endpoint's answers.
pub async fn record(
    planned: &[Planned<'_>],
    endpoint: &Endpoint,
    options: &RunOptions,
    out_dir: Option<&Path>,
    date: &str,
    out: &mut dyn Write,
) -> Result<RecordReport, RecordError> {
    // The formats of each case, in plan order.
    let mut order: Vec<&Case> = Vec::new();
    let mut formats: BTreeMap<String, Vec<Format>> = BTreeMap::new();
    let mut others: Vec<(String, Recorded)> = Vec::new();
    for p in planned {
        let name = p.case.name();
        if p.case.kind != Kind::Exchange {
            if !others.iter().any(|(n, _)| *n == name) {
                let why = match p.case.kind {
                    Kind::Signing => "signing goldens are computed, never recorded",
                    _ => "flow cases state their expectations step by step; record them by hand",
                };
                others.push((name, Recorded::Skipped(why.to_owned())));
            }
            continue;
        }
        let entry = formats.entry(name).or_default();
        if entry.is_empty() {
            order.push(p.case);
        }
        entry.extend(p.format);
    }
    if out_dir.is_none()
        && let Some(case) = order.iter().find(|c| crate::case::is_built_in(c))
    {
        return Err(RecordError::Refused(vec![format!(
            "{} is a built-in case, with no file to write back into: give --cases DIR (in the repository, --cases conformance/cases) or --out-dir DIR",
            case.name()
        )]));
    }
    let refused = refusals(&order, endpoint, out_dir);
    if !refused.is_empty() {
        return Err(RecordError::Refused(refused));
    }
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(30))
        .build()
        .map_err(io::Error::other)?;
    let mut report = RecordReport::default();
    for case in order {
        let name = case.name();
        let outcome = record_case(
            &client,
            case,
            &formats[&name],
            endpoint,
            options,
            out_dir,
            date,
        )
        .await;
        let line = match &outcome {
            Ok(Recorded::Written(path)) => format!("recorded {name} -> {}", path.display()),
            Ok(Recorded::Skipped(why)) => format!("skip {name} ({why})"),
            Ok(Recorded::Failed(why)) => format!("FAIL {name}: {why}"),
            Err(e) => format!("FAIL {name}: {e}"),
        };
        writeln!(out, "{line}")?;
        report.results.push((
            name,
            outcome.unwrap_or_else(|e| Recorded::Failed(e.to_string())),
        ));
    }
    for (name, result) in &others {
        if let Recorded::Skipped(why) = result {
            writeln!(out, "skip {name} ({why})")?;
        }
    }
    report.results.extend(others);
    writeln!(out, "{}", report.summary())?;
    Ok(report)
}

async fn record_case(
    client: &reqwest::Client,
    case: &Case,
    formats: &[Format],
    endpoint: &Endpoint,
    options: &RunOptions,
    out_dir: Option<&Path>,
    date: &str,
) -> io::Result<Recorded> {
    let Expect::Response(old) = &case.expect else {
        return Ok(Recorded::Skipped("not an exchange case".to_owned()));
    };
    if let Some(why) = gated(case, endpoint, options) {
        return Ok(Recorded::Skipped(why));
    }
    let mut observations: Vec<(Format, Observation)> = Vec::new();
    for &format in formats {
        match exchange(client, case, format, endpoint).await {
            Ok(observed) => observations.push((format, observe(old, format, &observed, endpoint))),
            Err(why) => return Ok(Recorded::Failed(format!("[{}] {why}", format.label()))),
        }
    }
    let Some((_, first)) = observations.first() else {
        return Ok(Recorded::Skipped("no format selected".to_owned()));
    };
    // One expectation serves every format: they must agree on status, code and message, and
    // only the fields present in all of them are kept.
    for (format, obs) in &observations[1..] {
        if (obs.status, &obs.code, &obs.message) != (first.status, &first.code, &first.message) {
            return Ok(Recorded::Failed(format!(
                "the formats disagree: {} answered {} {:?}, {} answered {} {:?}",
                observations[0].0.label(),
                first.status,
                first.code,
                format.label(),
                obs.status,
                obs.code
            )));
        }
    }
    let fields: Vec<String> = first
        .fields
        .iter()
        .filter(|f| observations.iter().all(|(_, o)| o.fields.contains(f)))
        .cloned()
        .collect();
    // Types are observed in JSON; without a JSON variant the case's own are kept.
    let types: Vec<(String, String)> = match observations.iter().find(|(f, _)| *f == Format::Json) {
        Some((_, json)) => json.types.clone(),
        None => old
            .types
            .iter()
            .map(|(p, t)| (p.clone(), t.clone()))
            .collect(),
    };
    let file_name = format!("{}.yaml", case.id);
    let text = crate::case::sibling_text(case, Path::new(&file_name)).ok_or_else(|| {
        io::Error::new(
            io::ErrorKind::NotFound,
            format!("cannot read {}", case.path.display()),
        )
    })?;
    let replaced = replace_block(&text, "expect", &expect_block(old, first, &fields, &types))
        .and_then(|t| {
            replace_block(
                &t,
                "provenance",
                &provenance_block(&case.provenance, endpoint, date),
            )
        });
    let Some(new_text) = replaced else {
        return Ok(Recorded::Failed(
            "the case file has no top-level `expect:` or `provenance:` line to replace".to_owned(),
        ));
    };
    let target = target_path(case, out_dir);
    // What is written must load as a case, under its own name.
    if let Err(e) = crate::case::parse_case(&target, &new_text) {
        return Ok(Recorded::Failed(format!(
            "the recorded case would not load: {e}"
        )));
    }
    if let Some(dir) = target.parent() {
        std::fs::create_dir_all(dir.join("recorded"))?;
    }
    std::fs::write(&target, new_text)?;
    let bodies = target
        .parent()
        .map(|d| d.join("recorded"))
        .unwrap_or_else(|| PathBuf::from("recorded"));
    for (format, obs) in &observations {
        let path = bodies.join(format!("{}.{}.body", case.id, format.label()));
        let contents = format!(
            "---\nsource: cen-conformance record\nexpression: \"{} recorded from {} on {date}\"\n---\n{}",
            case.name(),
            endpoint.host,
            obs.snapshot
        );
        std::fs::write(path, contents)?;
    }
    Ok(Recorded::Written(target))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loopback_hosts() {
        for host in [
            "127.0.0.1:9000",
            "localhost",
            "LOCALHOST:1",
            "[::1]:80",
            "127.1.2.3",
            "0.0.0.0:9",
        ] {
            assert!(is_loopback_host(host), "{host}");
        }
        for host in [
            "cbn.aliyuncs.com",
            "10.0.0.1:9000",
            "[2001:db8::1]:443",
            "example.com:80",
        ] {
            assert!(!is_loopback_host(host), "{host}");
        }
        assert_eq!(host_of("http://127.0.0.1:9000/x"), "127.0.0.1:9000");
        assert_eq!(host_of("cbn.aliyuncs.com"), "cbn.aliyuncs.com");
    }

    #[test]
    fn blocks_are_replaced_and_the_rest_kept() {
        let text = "id: a\nprovenance:\n  source: reference\n  details: x\n\nrequest:\n  signature: v1\nexpect:\n  status: 200\n";
        let out = replace_block(text, "expect", "expect:\n  status: 400\n").expect("replaced");
        assert_eq!(
            out,
            "id: a\nprovenance:\n  source: reference\n  details: x\n\nrequest:\n  signature: v1\nexpect:\n  status: 400\n"
        );
        let out =
            replace_block(&out, "provenance", "provenance:\n  source: sdk\n").expect("replaced");
        assert!(
            out.starts_with("id: a\nprovenance:\n  source: sdk\nrequest:\n"),
            "{out}"
        );
        assert!(replace_block(text, "steps", "").is_none());
    }
}
