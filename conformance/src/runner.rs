//! Selecting, running and reporting cases.

use std::io::{self, Write};

use futures::StreamExt as _;
use futures::stream::FuturesUnordered;
use std::time::{Duration, Instant};

use crate::case::{Case, Expect, Format, FormatSpec, Kind};
use crate::coverage::Coverage;
use crate::diff::Failure;
use crate::endpoint::{Endpoint, EndpointKind};
use crate::exchange::{Skip, run_exchange};
use crate::flow::{run_flow_holding, shared_instances};
use crate::instances::{Admission, Pools};
use crate::signing::check_signing;

/// Which formats exchange cases written for both are run in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum FormatSelection {
    /// JSON only.
    Json,
    /// XML only.
    Xml,
    /// Each case once per format.
    #[default]
    Both,
}

impl FormatSelection {
    fn includes(self, format: Format) -> bool {
        matches!(
            (self, format),
            (Self::Both, _) | (Self::Json, Format::Json) | (Self::Xml, Format::Xml)
        )
    }
}

/// How to run.
#[derive(Debug, Clone)]
pub struct RunOptions {
    /// Only cases whose name (`family/id`, plus `[json]`/`[xml]` for format variants) contains
    /// this.
    pub filter: Option<String>,
    /// The formats of exchange cases.
    pub formats: FormatSelection,
    /// Run `billing` cases against a real endpoint.
    pub allow_billing: bool,
    /// Run `writes` cases against a real endpoint.
    pub allow_writes: bool,
    /// How many cases run at once (at least one).
    pub concurrency: usize,
}

impl Default for RunOptions {
    fn default() -> Self {
        Self {
            filter: None,
            formats: FormatSelection::default(),
            allow_billing: false,
            allow_writes: false,
            concurrency: 1,
        }
    }
}

/// One unit of work: a case, in one format for exchange cases.
#[derive(Debug, Clone)]
pub struct Planned<'a> {
    /// The case.
    pub case: &'a Case,
    /// The format variant of an exchange case.
    pub format: Option<Format>,
    /// The name shown in reports.
    pub name: String,
}

/// How a planned case ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// Everything held.
    Pass,
    /// Something differed (or a case marked as expected to fail passed).
    Fail(Failure),
    /// Not run, with the reason.
    Skip(String),
    /// Failed as its `expected_failure` says.
    XFail(String),
}

/// The result of one planned case.
#[derive(Debug, Clone)]
pub struct CaseResult {
    /// The name shown in reports.
    pub name: String,
    /// The family, used as the JUnit class name.
    pub family: String,
    /// The operation the case is about.
    pub operation: String,
    /// The format variant (none for signing cases).
    pub format: Option<Format>,
    /// Whether the case expects an error answer rather than success.
    pub error_case: bool,
    /// The operations it checks, each with whether it checks an error answer.
    pub covers: Vec<(String, bool)>,
    /// How it ended.
    pub outcome: Outcome,
    /// How long it took.
    pub duration: Duration,
}

/// All results of a run.
#[derive(Debug, Clone, Default)]
pub struct Report {
    /// In run order.
    pub results: Vec<CaseResult>,
}

impl Report {
    /// Passed cases.
    pub fn passed(&self) -> usize {
        self.count(|o| matches!(o, Outcome::Pass))
    }

    /// Failed cases.
    pub fn failed(&self) -> usize {
        self.count(|o| matches!(o, Outcome::Fail(_)))
    }

    /// Skipped cases, expected failures included (they show no conformance).
    pub fn skipped(&self) -> usize {
        self.count(|o| matches!(o, Outcome::Skip(_) | Outcome::XFail(_)))
    }

    fn count(&self, f: impl Fn(&Outcome) -> bool) -> usize {
        self.results.iter().filter(|r| f(&r.outcome)).count()
    }

    /// The summary line, `N passed, N failed, N skipped`.
    pub fn summary(&self) -> String {
        format!(
            "{} passed, {} failed, {} skipped",
            self.passed(),
            self.failed(),
            self.skipped()
        )
    }

    /// The coverage of the run.
    pub fn coverage(&self) -> Coverage {
        Coverage::of(&self.results)
    }

    /// Writes the coverage summary (it comes before the summary line, which stays last).
    pub fn write_coverage(&self, out: &mut dyn Write) -> io::Result<()> {
        out.write_all(self.coverage().text().as_bytes())
    }

    /// A JUnit XML report: one suite, one test case per planned case, class name = family; the
    /// coverage as suite properties (operations covered, of how many) and in `system-out`.
    pub fn junit(&self) -> String {
        let total: f64 = self.results.iter().map(|r| r.duration.as_secs_f64()).sum();
        let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
        out.push_str(&format!(
            "<testsuites name=\"cen-conformance\" tests=\"{}\" failures=\"{}\" skipped=\"{}\" time=\"{total:.3}\">\n",
            self.results.len(),
            self.failed(),
            self.skipped()
        ));
        out.push_str(&format!(
            "  <testsuite name=\"cen-conformance\" tests=\"{}\" failures=\"{}\" errors=\"0\" skipped=\"{}\" time=\"{total:.3}\">\n",
            self.results.len(),
            self.failed(),
            self.skipped()
        ));
        let coverage = self.coverage();
        out.push_str(&format!(
            "    <properties>\n      <property name=\"coverage.operations.covered\" value=\"{}\"/>\n      <property name=\"coverage.operations.total\" value=\"{}\"/>\n      <property name=\"coverage.uncovered\" value=\"{}\"/>\n    </properties>\n",
            coverage.covered(),
            coverage.api_operations,
            xml_escape(&coverage.uncovered.join(" "))
        ));
        for r in &self.results {
            let head = format!(
                "    <testcase classname=\"{}\" name=\"{}\" time=\"{:.3}\"",
                xml_escape(&r.family),
                xml_escape(&r.name),
                r.duration.as_secs_f64()
            );
            match &r.outcome {
                Outcome::Pass => out.push_str(&format!("{head}/>\n")),
                Outcome::Fail(f) => out.push_str(&format!(
                    "{head}>\n      <failure message=\"{}\">{}</failure>\n    </testcase>\n",
                    xml_escape(&f.summary),
                    xml_escape(&f.to_string())
                )),
                Outcome::Skip(reason) => out.push_str(&format!(
                    "{head}>\n      <skipped message=\"{}\"/>\n    </testcase>\n",
                    xml_escape(reason)
                )),
                Outcome::XFail(reason) => out.push_str(&format!(
                    "{head}>\n      <skipped message=\"expected failure: {}\"/>\n    </testcase>\n",
                    xml_escape(reason)
                )),
            }
        }
        out.push_str(&format!(
            "    <system-out>{}</system-out>\n",
            xml_escape(&coverage.text())
        ));
        out.push_str("  </testsuite>\n</testsuites>\n");
        out
    }
}

/// Escapes text for XML content and attribute values; drops characters XML 1.0 cannot carry.
fn xml_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\n' => out.push_str("&#10;"),
            '\t' | '\r' => out.push(' '),
            c if (c as u32) < 0x20 => {}
            c => out.push(c),
        }
    }
    out
}

/// Expands cases into planned runs (exchange cases once per selected format) and applies the
/// filter.
pub fn plan<'a>(cases: &'a [Case], options: &RunOptions) -> Vec<Planned<'a>> {
    let mut planned = Vec::new();
    for case in cases {
        match case.kind {
            Kind::Signing => planned.push(Planned {
                case,
                format: None,
                name: case.name(),
            }),
            Kind::Exchange | Kind::Flow => {
                let formats: &[Format] = match case.format {
                    FormatSpec::Json => &[Format::Json],
                    FormatSpec::Xml => &[Format::Xml],
                    FormatSpec::Both => &[Format::Json, Format::Xml],
                };
                for &format in formats {
                    if !options.formats.includes(format) {
                        continue;
                    }
                    let name = if case.format == FormatSpec::Both {
                        format!("{}[{}]", case.name(), format.label())
                    } else {
                        case.name()
                    };
                    planned.push(Planned {
                        case,
                        format: Some(format),
                        name,
                    });
                }
            }
        }
    }
    if let Some(filter) = &options.filter {
        planned.retain(|p| p.name.contains(filter.as_str()));
    }
    planned
}

/// Why a case may not run against this endpoint, if it may not.
fn safety_skip(case: &Case, endpoint: &Endpoint, options: &RunOptions) -> Option<String> {
    if endpoint.kind == EndpointKind::Emulator {
        return None;
    }
    if case.has_tag("billing") && !options.allow_billing {
        return Some(
            "tagged `billing`; pass --allow-billing to run it against a real endpoint".to_owned(),
        );
    }
    if case.has_tag("writes") && !options.allow_writes {
        return Some(
            "tagged `writes`; pass --allow-writes to run it against a real endpoint".to_owned(),
        );
    }
    None
}

/// Turns a check result into an outcome, honouring `expected_failure`.
fn settle(case: &Case, result: Result<(), Failure>) -> Outcome {
    match (&case.expected_failure, result) {
        (None, Ok(())) => Outcome::Pass,
        (None, Err(f)) => Outcome::Fail(f),
        (Some(x), Err(_)) => Outcome::XFail(x.reason.clone()),
        (Some(x), Ok(())) => Outcome::Fail(Failure::message(format!(
            "passed, but is marked expected_failure ({}): remove the marker",
            x.reason
        ))),
    }
}

/// Writes the progress line of one result, and the failure's diff under it.
pub fn write_progress(out: &mut dyn Write, result: &CaseResult) -> io::Result<()> {
    match &result.outcome {
        Outcome::Pass => writeln!(out, "ok {}", result.name),
        Outcome::Fail(f) => {
            writeln!(out, "FAIL {}", result.name)?;
            for line in f.to_string().lines() {
                writeln!(out, "    {line}")?;
            }
            Ok(())
        }
        Outcome::Skip(reason) => writeln!(out, "skip {} ({reason})", result.name),
        Outcome::XFail(reason) => writeln!(out, "xfail {} ({reason})", result.name),
    }
}

/// How many cases run at once against the in-process emulator, or an emulator given with
/// `--emulator-defaults`, when `--concurrency` is not given: its transitions are short and
/// waiting costs no CPU. Cases that check a resource while it is in transition need their next
/// request within one transition (200 ms), which a heavily loaded machine may miss.
pub const EMULATOR_CONCURRENCY: usize = 16;

/// How many cases run at once against an `--endpoint` when `--concurrency` is not given: a real
/// account has API rate limits and quotas (CEN instances, bandwidth plans) shared by every case.
pub const REMOTE_CONCURRENCY: usize = 2;

/// Runs one planned case to its result.
async fn run_one(
    client: &reqwest::Client,
    p: &Planned<'_>,
    endpoint: Option<&Endpoint>,
    pools: &Pools,
    no_endpoint_reason: &str,
    options: &RunOptions,
) -> CaseResult {
    let started = Instant::now();
    let outcome = match (p.case.kind, p.format, endpoint) {
        (Kind::Signing, _, _) => settle(p.case, check_signing(p.case)),
        (Kind::Exchange | Kind::Flow, _, None) => Outcome::Skip(no_endpoint_reason.to_owned()),
        (Kind::Flow, format, Some(endpoint)) => match safety_skip(p.case, endpoint, options) {
            Some(reason) => Outcome::Skip(reason),
            None => {
                let format = format.unwrap_or(Format::Json);
                match run_flow_holding(client, p.case, format, endpoint, pools).await {
                    Ok(run) => settle(p.case, run.result),
                    Err(Skip(reason)) => Outcome::Skip(reason),
                }
            }
        },
        (Kind::Exchange, format, Some(endpoint)) => match safety_skip(p.case, endpoint, options) {
            Some(reason) => Outcome::Skip(reason),
            None => {
                let format = format.unwrap_or(Format::Json);
                match run_exchange(client, p.case, format, endpoint).await {
                    Ok(result) => settle(p.case, result),
                    Err(Skip(reason)) => Outcome::Skip(reason),
                }
            }
        },
    };
    // An answer may quote the request (a gateway's string to sign names the AccessKey id and an
    // STS token), and failures reach stdout, JUnit and job summaries: the credentials never do.
    let outcome = match (outcome, endpoint) {
        (Outcome::Fail(mut failure), Some(endpoint)) => {
            failure.redact(&endpoint.credentials.sensitive_values());
            Outcome::Fail(failure)
        }
        (outcome, _) => outcome,
    };
    CaseResult {
        name: p.name.clone(),
        family: p.case.family.clone(),
        operation: p.case.operation.clone(),
        format: p.format,
        error_case: p.case.expects_error(),
        covers: p.case.covers(),
        outcome,
        duration: started.elapsed(),
    }
}

/// How many steps of a flow case wait for an asynchronous state (none for other cases): what
/// mostly decides how long it takes.
fn waits(case: &Case) -> usize {
    match &case.expect {
        Expect::Flow(flow) => flow
            .steps
            .iter()
            .chain(&flow.cleanup)
            .filter(|s| s.wait_until.is_some())
            .count(),
        _ => 0,
    }
}

/// Runs the planned cases, up to `options.concurrency` at a time, and prints one progress line
/// each in plan order (a line waits for the cases before it); exchange cases go to `endpoint`,
/// or are skipped with `no_endpoint_reason` when there is none.
///
/// Each case owns what it creates; each member of the endpoint's pools of network instances
/// ([`shared_instances`]) is held by one case at a time ([`Pools`]). Cases that need one start
/// first, since they can overlap one another only as far as the pools allow, and [`Admission`]
/// keeps cases waiting for one pool from filling every slot.
pub async fn run(
    planned: &[Planned<'_>],
    endpoint: Option<&Endpoint>,
    no_endpoint_reason: &str,
    options: &RunOptions,
    out: &mut dyn Write,
) -> io::Result<Report> {
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(30))
        .build()
        .map_err(io::Error::other)?;
    let needs: Vec<Vec<String>> = planned
        .iter()
        .map(|p| endpoint.map_or_else(Vec::new, |e| shared_instances(p.case, e)))
        .collect();
    let pools = endpoint.map_or_else(Pools::default, |e| Pools::new(&e.variables));
    // Cases needing instances first, and in each group the flows that wait longest first, so
    // that the run does not end waiting for one slow flow started last.
    let mut pending: Vec<usize> = (0..planned.len()).collect();
    pending.sort_by_key(|&i| {
        (
            needs[i].is_empty(),
            std::cmp::Reverse(waits(planned[i].case)),
        )
    });
    let mut admission = Admission::default();
    let mut running = FuturesUnordered::new();
    let mut results: Vec<Option<CaseResult>> = vec![None; planned.len()];
    let mut printed = 0;
    let limit = options.concurrency.max(1);
    loop {
        while running.len() < limit {
            let Some(at) = pending
                .iter()
                .position(|&i| admission.may_start(&pools, &needs[i]))
            else {
                break;
            };
            let i = pending.remove(at);
            admission.start(&needs[i]);
            let (client, pools) = (&client, &pools);
            running.push(async move {
                let result = run_one(
                    client,
                    &planned[i],
                    endpoint,
                    pools,
                    no_endpoint_reason,
                    options,
                )
                .await;
                (i, result)
            });
        }
        let Some((i, result)) = running.next().await else {
            break;
        };
        admission.end(&needs[i]);
        results[i] = Some(result);
        while let Some(Some(result)) = results.get(printed) {
            write_progress(out, result)?;
            printed += 1;
        }
    }
    let report = Report {
        results: results.into_iter().flatten().collect(),
    };
    report.write_coverage(out)?;
    writeln!(out, "{}", report.summary())?;
    Ok(report)
}
