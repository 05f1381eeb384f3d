//! Data-driven scenarios: each file under `tests/scenarios/` is a sequence of signed requests
//! against one fresh in-memory emulator (behind its real router and front door), each with the
//! answer it must get. Every answer is also recorded, normalised, in one insta snapshot per
//! scenario. The format is described in `tests/scenarios/README.md`.

mod support;

use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;
use std::sync::Arc;

use acs_rpc::error::ApiError;
use cen_emulator::Emulator;
use cen_emulator::store::Store;
use rstest::rstest;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use support::{Api, Format, ManualClock, Product, Reply, Signature};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Scenario {
    description: String,
    /// How long asynchronous transitions last (the emulator's `--delay-ms`).
    #[serde(default)]
    delay_ms: u64,
    /// The default signature of the steps.
    #[serde(default)]
    signature: Signature,
    steps: Vec<Step>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Step {
    /// A label for messages and the snapshot.
    name: Option<String>,
    /// Moves the emulator's clock instead of sending a request.
    advance_ms: Option<u64>,
    action: Option<String>,
    #[serde(default = "first_account")]
    account: usize,
    #[serde(default)]
    product: Product,
    #[serde(default)]
    params: BTreeMap<String, serde_yaml_ng::Value>,
    #[serde(default)]
    expect: Expect,
    /// Variable name → dotted path into the response.
    #[serde(default)]
    capture: BTreeMap<String, String>,
    /// A JSON value the JSON response must contain.
    expect_json: Option<Value>,
    /// The formats to send the step in.
    formats: Option<Vec<Format>>,
    /// The single format of a write step (default json).
    format: Option<Format>,
    /// A write that can be sent twice (in both formats) with the same outcome.
    #[serde(default)]
    idempotent: bool,
    signature: Option<Signature>,
    /// The step shows a bug of the emulator: its expectation is known not to hold.
    xfail: Option<String>,
}

fn first_account() -> usize {
    1
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Expect {
    #[serde(default = "ok")]
    status: u16,
    code: Option<String>,
}

fn ok() -> u16 {
    200
}

impl Default for Expect {
    fn default() -> Self {
        Self {
            status: 200,
            code: None,
        }
    }
}

/// One recorded answer.
#[derive(Serialize)]
struct Entry {
    step: String,
    format: Format,
    status: u16,
    #[serde(skip_serializing_if = "Option::is_none")]
    body: Option<Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    xml: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    code: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    message: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    xfail: Option<String>,
}

fn is_read(action: &str) -> bool {
    action.starts_with("Describe") || action.starts_with("List")
}

/// Replaces `${Name}` with captured values.
fn interpolate(text: &str, vars: &HashMap<String, String>, at: &str) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(start) = rest.find("${") {
        out.push_str(&rest[..start]);
        let end = rest[start..]
            .find('}')
            .unwrap_or_else(|| panic!("{at}: unterminated ${{ in {text:?}"));
        let name = &rest[start + 2..start + end];
        let value = vars
            .get(name)
            .unwrap_or_else(|| panic!("{at}: ${{{name}}} was never captured"));
        out.push_str(value);
        rest = &rest[start + end + 1..];
    }
    out.push_str(rest);
    out
}

fn scalar(value: &serde_yaml_ng::Value, at: &str) -> String {
    match value {
        serde_yaml_ng::Value::String(s) => s.clone(),
        serde_yaml_ng::Value::Number(n) => n.to_string(),
        serde_yaml_ng::Value::Bool(b) => b.to_string(),
        serde_yaml_ng::Value::Null => String::new(),
        other => panic!("{at}: parameter values are scalars, not {other:?}"),
    }
}

fn interpolate_json(value: &Value, vars: &HashMap<String, String>, at: &str) -> Value {
    match value {
        Value::String(s) => Value::String(interpolate(s, vars, at)),
        Value::Array(items) => Value::Array(
            items
                .iter()
                .map(|i| interpolate_json(i, vars, at))
                .collect(),
        ),
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(k, v)| (k.clone(), interpolate_json(v, vars, at)))
                .collect(),
        ),
        other => other.clone(),
    }
}

/// Whether `actual` contains `expected`: objects member by member (`null` expects the member to
/// be absent), arrays of the same length item by item, a string equal to a number's or
/// boolean's text, everything else exactly.
fn contains(actual: Option<&Value>, expected: &Value) -> bool {
    match (actual, expected) {
        (None | Some(Value::Null), Value::Null) => true,
        (Some(Value::Object(a)), Value::Object(e)) => {
            e.iter().all(|(k, ev)| contains(a.get(k), ev))
        }
        (Some(Value::Array(a)), Value::Array(e)) => {
            a.len() == e.len() && a.iter().zip(e).all(|(av, ev)| contains(Some(av), ev))
        }
        (Some(Value::Number(n)), Value::String(s)) => n.to_string() == *s,
        (Some(Value::Bool(b)), Value::String(s)) => b.to_string() == *s,
        (Some(a), e) => a == e,
        (None, _) => false,
    }
}

/// Follows a dotted path (`Cens.Cen.0.CenId`) into JSON.
fn at_path<'v>(value: &'v Value, path: &str) -> Option<&'v Value> {
    path.split('.').try_fold(value, |v, segment| match v {
        Value::Array(items) => segment.parse::<usize>().ok().and_then(|i| items.get(i)),
        Value::Object(map) => map.get(segment),
        _ => None,
    })
}

/// The text of the first `<name>` element of an XML body.
fn xml_element<'b>(body: &'b str, name: &str) -> Option<&'b str> {
    let open = format!("<{name}>");
    let close = format!("</{name}>");
    let start = body.find(&open)? + open.len();
    let end = body[start..].find(&close)? + start;
    Some(&body[start..end])
}

/// The name of the root element of an XML body.
fn xml_root(body: &str) -> Option<&str> {
    let body = body.trim_start();
    let body = match body.strip_prefix("<?") {
        Some(rest) => rest.split_once("?>")?.1,
        None => body,
    };
    let rest = body.trim_start().strip_prefix('<')?;
    let end = rest.find(['>', ' ', '/'])?;
    Some(&rest[..end])
}

/// Turns volatile values into stable placeholders, numbering generated ids by first appearance
/// so that identity across steps stays visible.
#[derive(Default)]
struct Normaliser {
    ids: HashMap<(&'static str, String), usize>,
    counts: HashMap<&'static str, usize>,
}

/// The generated ids: prefix, length of the random body (region-coded ids have the region's
/// three characters and 14 more), and placeholder kind; a longer prefix before its own prefix.
const GENERATED: &[(&str, usize, &str)] = &[
    ("cenbwp-", 18, "cenbwp-id"),
    ("cen-", 18, "cen-id"),
    ("tr-attach-", 18, "tr-attach-id"),
    ("tr-mcast-domain-", 18, "mcast-domain-id"),
    ("tr-", 17, "tr-id"),
    ("vtb-", 17, "vtb-id"),
    ("cidr-", 18, "cidr-id"),
    ("eni-", 17, "eni-id"),
    ("rte-", 18, "rte-id"),
    ("flowlog-", 18, "flowlog-id"),
    ("cenrmap-", 18, "cenrmap-id"),
    ("tm-rule-", 18, "tm-rule-id"),
    ("tm-", 18, "tm-id"),
    ("qos-queue-", 18, "qos-queue-id"),
    ("qos-", 18, "qos-id"),
];

impl Normaliser {
    fn number(&mut self, kind: &'static str, value: &str) -> String {
        let key = (kind, value.to_owned());
        let n = match self.ids.get(&key) {
            Some(n) => *n,
            None => {
                let count = self.counts.entry(kind).or_insert(0);
                *count += 1;
                self.ids.insert(key, *count);
                *count
            }
        };
        format!("<{kind}:{n}>")
    }

    /// Replaces generated resource ids and timestamps anywhere in a text.
    fn text(&mut self, text: &str) -> String {
        let bytes = text.as_bytes();
        let mut out = String::with_capacity(text.len());
        let mut i = 0;
        while i < text.len() {
            let boundary = i == 0 || !bytes[i - 1].is_ascii_alphanumeric();
            if boundary {
                if let Some((len, kind)) = GENERATED.iter().find_map(|(prefix, body, kind)| {
                    Some((generated_id(&text[i..], prefix, *body)?, *kind))
                }) {
                    out.push_str(&self.number(kind, &text[i..i + len]));
                    i += len;
                    continue;
                }
                if let Some(len) = timestamp(&text[i..]) {
                    out.push_str("<timestamp>");
                    i += len;
                    continue;
                }
            }
            let c = text[i..].chars().next().unwrap();
            out.push(c);
            i += c.len_utf8();
        }
        out
    }

    /// The placeholder of a member whose whole value is volatile, by its name.
    fn keyed(&mut self, key: &str, value: &str) -> Option<String> {
        match key {
            "RequestId" => Some("<request-id>".to_owned()),
            "CenBandwidthPackageOrderId" => Some(self.number("order-id", value)),
            "CreateTime" => Some("<timestamp>".to_owned()),
            _ => None,
        }
    }

    fn json(&mut self, value: &mut Value) {
        match value {
            Value::Object(map) => {
                for (key, member) in map.iter_mut() {
                    let text = match member {
                        Value::String(s) => Some(s.clone()),
                        Value::Number(n) => Some(n.to_string()),
                        _ => None,
                    };
                    if let Some(placeholder) = text.and_then(|t| self.keyed(key, &t)) {
                        *member = Value::String(placeholder);
                    } else {
                        self.json(member);
                    }
                }
            }
            Value::Array(items) => items.iter_mut().for_each(|i| self.json(i)),
            Value::String(s) => *s = self.text(s),
            _ => {}
        }
    }

    fn xml(&mut self, body: &str) -> String {
        let mut body = body.to_owned();
        for key in ["RequestId", "CenBandwidthPackageOrderId", "CreateTime"] {
            let open = format!("<{key}>");
            let close = format!("</{key}>");
            let mut from = 0;
            while let Some(found) = body[from..].find(&open) {
                let start = from + found + open.len();
                let Some(len) = body[start..].find(&close) else {
                    break;
                };
                let value = body[start..start + len].to_owned();
                let placeholder = self.keyed(key, &value).unwrap_or(value);
                body.replace_range(start..start + len, &placeholder);
                from = start + placeholder.len();
            }
        }
        self.text(&body)
    }
}

/// The length of a generated id (`prefix` and `body` lower-case letters or digits) at the start.
fn generated_id(text: &str, prefix: &str, body: usize) -> Option<usize> {
    let rest = text.strip_prefix(prefix)?;
    let bytes = rest.as_bytes();
    let ok = bytes.len() >= body
        && bytes[..body]
            .iter()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        && bytes.get(body).is_none_or(|b| !b.is_ascii_alphanumeric());
    ok.then_some(prefix.len() + body)
}

/// The length of a `yyyy-MM-ddTHH:mm[:ss]Z` timestamp at the start.
fn timestamp(text: &str) -> Option<usize> {
    let shape_ok = |shape: &str| {
        text.len() >= shape.len()
            && shape.bytes().zip(text.bytes()).all(|(s, t)| match s {
                b'd' => t.is_ascii_digit(),
                _ => s == t,
            })
    };
    ["dddd-dd-ddTdd:dd:ddZ", "dddd-dd-ddTdd:ddZ"]
        .into_iter()
        .find(|shape| shape_ok(shape))
        .map(str::len)
}

/// Checks one reply against its step; `Err` describes the mismatch.
fn check(
    reply: &Reply,
    action: &str,
    format: Format,
    expect: &Expect,
    expected_json: Option<&Value>,
) -> Result<(), String> {
    let body = &reply.body;
    let content_type = reply.content_type.as_deref().unwrap_or_default();
    let (wanted_type, root_request_id) = match format {
        Format::Json => {
            let value: Value =
                serde_json::from_str(body).map_err(|e| format!("not JSON ({e}): {body}"))?;
            (
                "application/json;charset=utf-8",
                value["RequestId"].as_str().map(str::to_owned),
            )
        }
        Format::Xml => (
            "text/xml;charset=utf-8",
            xml_element(body, "RequestId").map(str::to_owned),
        ),
    };
    if content_type != wanted_type {
        return Err(format!("content type {content_type:?}, body {body}"));
    }
    if reply.request_id_header.is_none() || reply.request_id_header != root_request_id {
        return Err(format!(
            "x-acs-request-id {:?} is not the body's RequestId {root_request_id:?}",
            reply.request_id_header
        ));
    }
    let error = ApiError::from_body(reply.status, Some(content_type), body.as_bytes());
    match (&expect.code, &error) {
        (Some(code), Some(error)) if error.code == *code && reply.status == expect.status => {}
        (None, None) if reply.status == expect.status => {}
        _ => {
            return Err(format!(
                "expected {} {}, got {} {}",
                expect.status,
                expect.code.as_deref().unwrap_or("(success)"),
                reply.status,
                body
            ));
        }
    }
    if error.is_none() && format == Format::Xml {
        let root = xml_root(body);
        let wanted = format!("{action}Response");
        if root != Some(wanted.as_str()) {
            return Err(format!("XML root {root:?}, expected {wanted}: {body}"));
        }
    }
    if let (Some(expected), Format::Json) = (expected_json, format) {
        let actual: Value = serde_json::from_str(body).unwrap_or_default();
        if !contains(Some(&actual), expected) {
            return Err(format!("body {actual:#}\ndoes not contain {expected:#}"));
        }
    }
    Ok(())
}

#[rstest]
fn scenario(#[files("tests/scenarios/*.yaml")] path: PathBuf) {
    let text = std::fs::read_to_string(&path).unwrap();
    let scenario: Scenario =
        serde_yaml_ng::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let name = path.file_stem().unwrap().to_string_lossy().into_owned();
    let entries = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(run(&name, &scenario));
    insta::with_settings!({
        description => scenario.description.trim(),
        snapshot_path => "scenarios/snapshots",
        prepend_module_to_snapshot => false,
        omit_expression => true,
    }, {
        insta::assert_yaml_snapshot!(name.as_str(), entries);
    });
}

async fn run(name: &str, scenario: &Scenario) -> Vec<Entry> {
    let clock = ManualClock::new();
    let emulator = Emulator::new(support::config(scenario.delay_ms), Store::Memory)
        .unwrap()
        .with_clock(clock.clock());
    let api = Api::new(Arc::new(emulator));
    let mut vars: HashMap<String, String> = HashMap::new();
    vars.insert("Uid1".into(), api.uid(1).to_string());
    vars.insert("Uid2".into(), api.uid(2).to_string());
    let mut normaliser = Normaliser::default();
    let mut entries = Vec::new();
    let mut failures = Vec::new();
    for (index, step) in scenario.steps.iter().enumerate() {
        let number = index + 1;
        if let Some(ms) = step.advance_ms {
            assert!(
                step.action.is_none(),
                "{name} step {number}: advance_ms steps send nothing"
            );
            clock.advance(ms);
            continue;
        }
        let action = step
            .action
            .as_deref()
            .unwrap_or_else(|| panic!("{name} step {number}: no action"));
        let label = match &step.name {
            Some(n) => format!("{number} {action}: {n}"),
            None => format!("{number} {action}"),
        };
        let at = format!("{name} step {label}");
        let formats = match &step.formats {
            Some(formats) => formats.clone(),
            None if is_read(action)
                || (step.idempotent || step.expect.code.is_some()) && step.xfail.is_none() =>
            {
                vec![Format::Json, Format::Xml]
            }
            None => vec![step.format.unwrap_or(Format::Json)],
        };
        assert!(
            step.expect_json.is_none() || formats.contains(&Format::Json),
            "{at}: expect_json needs the json format"
        );
        let params: Vec<(String, String)> = step
            .params
            .iter()
            .map(|(k, v)| (k.clone(), interpolate(&scalar(v, &at), &vars, &at)))
            .collect();
        let expected_json = step
            .expect_json
            .as_ref()
            .map(|e| interpolate_json(e, &vars, &at));
        let signature = step.signature.unwrap_or(scenario.signature);
        let mut captured = false;
        // An xfail step must still fail (in at least one of its formats).
        let mut xfailed = false;
        for format in formats {
            let reply = api
                .call(
                    step.account,
                    step.product,
                    action,
                    params.clone(),
                    format,
                    signature,
                )
                .await;
            let outcome = check(&reply, action, format, &step.expect, expected_json.as_ref());
            match (&outcome, &step.xfail) {
                (Err(e), None) => failures.push(format!("{at} ({format:?}): {e}")),
                (Err(_), Some(_)) => xfailed = true,
                _ => {}
            }
            if !captured && reply.status == 200 {
                for (var, path) in &step.capture {
                    let value = match format {
                        Format::Json => {
                            let body: Value = serde_json::from_str(&reply.body).unwrap();
                            at_path(&body, path).map(|v| match v {
                                Value::String(s) => s.clone(),
                                other => other.to_string(),
                            })
                        }
                        Format::Xml => {
                            let last = path
                                .rsplit('.')
                                .find(|s| s.parse::<usize>().is_err())
                                .unwrap_or(path);
                            xml_element(&reply.body, last).map(str::to_owned)
                        }
                    };
                    let value =
                        value.unwrap_or_else(|| panic!("{at}: nothing at {path}: {}", reply.body));
                    vars.insert(var.clone(), value);
                }
                captured = true;
            }
            let error = ApiError::from_body(
                reply.status,
                reply.content_type.as_deref(),
                reply.body.as_bytes(),
            );
            let mut entry = Entry {
                step: label.clone(),
                format,
                status: reply.status,
                body: None,
                xml: None,
                code: None,
                message: None,
                xfail: step.xfail.clone(),
            };
            match error {
                Some(error) => {
                    entry.code = Some(error.code);
                    entry.message = Some(normaliser.text(&error.message));
                }
                None => match format {
                    Format::Json => {
                        let mut body: Value = serde_json::from_str(&reply.body).unwrap_or_default();
                        normaliser.json(&mut body);
                        entry.body = Some(body);
                    }
                    Format::Xml => entry.xml = Some(normaliser.xml(&reply.body)),
                },
            }
            entries.push(entry);
        }
        if let (Some(reason), false) = (&step.xfail, xfailed) {
            failures.push(format!(
                "{at}: marked xfail ({reason}) but passed; remove the mark"
            ));
        }
        if !step.capture.is_empty() && !captured {
            failures.push(format!("{at}: nothing captured (the call failed)"));
            break;
        }
    }
    assert!(
        failures.is_empty(),
        "{name}: {} failing step(s):\n{}",
        failures.len(),
        failures.join("\n\n")
    );
    entries
}
