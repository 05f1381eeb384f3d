//! Flow cases (families 3 and 5): steps sent in order with captured values, polling for
//! asynchronous states, a cleanup that always runs, and a normalised transcript of every response.
//!
//! A flow passes when every step's expectation holds and every success body has its operation's
//! shape in the spec (`crate::shape`). The transcript is not an expectation: it is the record of
//! what an endpoint answered, and `tests/flows.rs` keeps the in-process
//! emulator's transcripts as insta snapshots so that a change in what the emulator answers is
//! reviewed. It is each response body rendered stably (JSON pretty-printed with
//! sorted members, XML indented) and normalised (`normalise`) so that it does not depend on the
//! run: request ids become `<request-id>`, timestamps (ISO 8601, or epoch milliseconds in a
//! `...Time` member) `<timestamp>`, generated ids
//! (`<cen-id:N>`, `<tr-id:N>`, ...: `GENERATED_IDS`) and `<order-id:N>` numbered by first
//! appearance across the whole case, paging tokens `<next-token>`, and the values of endpoint
//! variables `<Name>` (account UIDs, network instances).

use std::collections::HashMap;
use std::time::{Duration, Instant};

use acs_rpc::error::ApiError;
use serde_json::Value;

use crate::case::{Case, Expect, Format, Params, ResponseExpect, Step};
use crate::diff::Failure;
use crate::endpoint::Endpoint;
use crate::exchange::{Observed, Skip, check_expect, header, prepare_request, with_body};
use crate::instances::{Held, Pools, is_instance};
use crate::throttle::send_retrying;

/// What running a flow in one format produced.
#[derive(Debug, Clone)]
pub struct FlowRun {
    /// The first failed step (or a failed cleanup), if any.
    pub result: Result<(), Failure>,
    /// The normalised transcript of every response, for the snapshot.
    pub transcript: String,
}

/// Codes that mean "already gone", which a cleanup step accepts.
const NOT_FOUND_CODES: &[&str] = &[
    "ParameterCenInstanceId",
    "ParameterBwpInstanceId",
    "ParameterInstanceId",
    "ParameterError",
    "Instance.NotExist",
    "InvalidInstanceId.NotFound",
];

/// The insta snapshot name of a flow case's transcript in one format: `<id>.<format>`.
pub fn snapshot_name(case: &Case, format: Format) -> String {
    format!("{}.{}", case.id, format.label())
}

/// The variables `${Name}` a step refers to: in its parameters, the value it waits for and the
/// body it expects.
fn step_references(step: &Step) -> Vec<String> {
    let mut texts = step.params.clone();
    if let Some(wait) = &step.wait_until {
        texts.0.push((String::new(), wait.equals.clone()));
    }
    if let Some(json) = step.expect.as_ref().and_then(|e| e.json.as_ref()) {
        collect_strings(json, &mut texts);
    }
    references(&texts)
}

/// Every string inside a JSON value, as unnamed parameters.
fn collect_strings(value: &Value, out: &mut Params) {
    match value {
        Value::String(text) => out.0.push((String::new(), text.clone())),
        Value::Array(items) => items.iter().for_each(|v| collect_strings(v, out)),
        Value::Object(members) => members.values().for_each(|v| collect_strings(v, out)),
        _ => {}
    }
}

/// The variables `${Name}` parameters refer to.
fn references(params: &Params) -> Vec<String> {
    let mut names = Vec::new();
    for (_, value) in &params.0 {
        let mut rest = value.as_str();
        while let Some(start) = rest.find("${") {
            let after = &rest[start + 2..];
            match after.find('}') {
                Some(end) => {
                    names.push(after[..end].to_owned());
                    rest = &after[end + 1..];
                }
                None => break,
            }
        }
    }
    names
}

/// Replaces `${Name}` in every string of an `expect.json` value.
fn substitute_json(value: &Value, vars: &HashMap<String, String>) -> Result<Value, String> {
    Ok(match value {
        Value::String(text) => {
            let params = Params(vec![(String::new(), text.clone())]);
            Value::String(substitute(&params, vars)?.0.remove(0).1)
        }
        Value::Array(items) => Value::Array(
            items
                .iter()
                .map(|v| substitute_json(v, vars))
                .collect::<Result<_, _>>()?,
        ),
        Value::Object(members) => Value::Object(
            members
                .iter()
                .map(|(k, v)| Ok((k.clone(), substitute_json(v, vars)?)))
                .collect::<Result<_, String>>()?,
        ),
        other => other.clone(),
    })
}

/// Replaces `${Name}` in every value; the first undefined name is the error.
fn substitute(params: &Params, vars: &HashMap<String, String>) -> Result<Params, String> {
    let mut out = Vec::with_capacity(params.0.len());
    for (name, value) in &params.0 {
        let mut text = String::new();
        let mut rest = value.as_str();
        while let Some(start) = rest.find("${") {
            text.push_str(&rest[..start]);
            let after = &rest[start + 2..];
            let Some(end) = after.find('}') else {
                text.push_str(&rest[start..]);
                rest = "";
                break;
            };
            let var = &after[..end];
            let Some(v) = vars.get(var) else {
                return Err(var.to_owned());
            };
            text.push_str(v);
            rest = &after[end + 1..];
        }
        text.push_str(rest);
        out.push((name.clone(), text));
    }
    Ok(Params(out))
}

/// The endpoint's network instances a flow case refers to (`${VpcHangzhou}`, ...): pools whose
/// members two cases must not use at the same time (a VPC has one CEN connection at a time, and a
/// route table's entries are seen by every case using it). Account UIDs (`PrimaryUid`,
/// `SecondaryUid`) are only names and are not held.
pub fn shared_instances(case: &Case, endpoint: &Endpoint) -> Vec<String> {
    let Expect::Flow(flow) = &case.expect else {
        return Vec::new();
    };
    let mut names: Vec<String> = flow
        .steps
        .iter()
        .chain(&flow.cleanup)
        .flat_map(step_references)
        .filter(|name| is_instance(name) && endpoint.has_variable(name))
        .collect();
    names.sort();
    names.dedup();
    names
}

/// Takes a member of each of the case's pools before its first step, and defines the pools'
/// variables as the members taken.
async fn hold_before<'p>(
    instances: &[String],
    pools: &'p Pools,
    held: &mut Option<Held<'p>>,
    vars: &mut HashMap<String, String>,
) {
    // Taken before the first step, not at the first step naming one: a case that checks a
    // resource while it is in transition must not wait for an instance in the middle.
    if held.is_none() && !instances.is_empty() {
        let taken = pools.take(instances).await;
        vars.extend(taken.bindings().iter().cloned());
        *held = Some(taken);
    }
}

/// Checks before anything is sent that every variable is captured by an earlier step or given by
/// the endpoint.
fn check_variables(case: &Case, steps: &[Step], endpoint: &Endpoint) -> Result<(), Skip> {
    let mut known: Vec<String> = endpoint.variables.iter().map(|(n, _)| n.clone()).collect();
    for step in steps {
        for name in step_references(step) {
            if !known.contains(&name) {
                let captured_later = steps
                    .iter()
                    .any(|s| s.capture.0.iter().any(|(n, _)| *n == name));
                if captured_later {
                    continue;
                }
                return Err(Skip(format!(
                    "needs the endpoint variable `{name}` (--var {name}=VALUE); {} uses it",
                    case.name()
                )));
            }
        }
        known.extend(step.capture.0.iter().map(|(n, _)| n.clone()));
    }
    Ok(())
}

/// A response as a tree: JSON as parsed; XML with the root's children as the top-level members,
/// repeated children as arrays and leaves as strings.
pub fn response_tree(observed: &Observed, format: Format) -> Value {
    match format {
        Format::Json => serde_json::from_str(&observed.body).unwrap_or(Value::Null),
        Format::Xml => match parse_xml(&observed.body) {
            Some(root) => crate::shape::xml_value(&root, None),
            None => Value::Null,
        },
    }
}

/// The value at a dotted path; a numeric segment indexes an array, and index 0 of something that
/// is not an array is that thing (a single-item list in XML).
pub fn lookup<'a>(tree: &'a Value, path: &str) -> Option<&'a Value> {
    let mut current = tree;
    for segment in path.split('.') {
        current = match (current, segment.parse::<usize>()) {
            (Value::Array(items), Ok(i)) => items.get(i)?,
            (Value::Object(map), _) if map.contains_key(segment) => map.get(segment)?,
            (Value::Null, _) => return None,
            (other, Ok(0)) => other,
            _ => return None,
        };
    }
    Some(current)
}

/// The text of a value as compared by `wait_until` and captured by `capture`.
pub fn value_text(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        Value::Null => "null".to_owned(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => n.to_string(),
        other => other.to_string(),
    }
}

/// An element of an XML response, as read for lookups, snapshots and the shape check.
#[derive(Debug)]
pub(crate) struct XmlElement {
    pub(crate) name: String,
    attributes: String,
    self_closing: bool,
    pub(crate) children: Vec<XmlNode>,
}

#[derive(Debug)]
pub(crate) enum XmlNode {
    Element(XmlElement),
    /// Raw (escaped) text, and its unescaped value.
    Text(String, String),
    /// CDATA content.
    CData(String),
}

pub(crate) fn parse_xml(text: &str) -> Option<XmlElement> {
    use quick_xml::events::Event;
    let mut reader = quick_xml::Reader::from_str(text);
    let mut stack: Vec<XmlElement> = Vec::new();
    let open = |e: &quick_xml::events::BytesStart<'_>, self_closing: bool| XmlElement {
        name: String::from_utf8_lossy(e.name().as_ref()).into_owned(),
        attributes: e
            .attributes()
            .filter_map(Result::ok)
            .map(|a| {
                format!(
                    " {}=\"{}\"",
                    String::from_utf8_lossy(a.key.as_ref()),
                    String::from_utf8_lossy(&a.value)
                )
            })
            .collect(),
        self_closing,
        children: Vec::new(),
    };
    loop {
        match reader.read_event().ok()? {
            Event::Start(e) => stack.push(open(&e, false)),
            Event::Empty(e) => {
                let element = open(&e, true);
                match stack.last_mut() {
                    Some(parent) => parent.children.push(XmlNode::Element(element)),
                    None => return Some(element),
                }
            }
            Event::End(_) => {
                let element = stack.pop()?;
                match stack.last_mut() {
                    Some(parent) => parent.children.push(XmlNode::Element(element)),
                    None => return Some(element),
                }
            }
            Event::Text(t) => {
                let raw = String::from_utf8_lossy(t.as_ref()).into_owned();
                if raw.trim().is_empty() {
                    continue;
                }
                let value = quick_xml::escape::unescape(&raw)
                    .map(|v| v.into_owned())
                    .unwrap_or_else(|_| raw.clone());
                if let Some(parent) = stack.last_mut() {
                    parent.children.push(XmlNode::Text(raw, value));
                }
            }
            Event::CData(t) => {
                let text = String::from_utf8_lossy(t.as_ref()).into_owned();
                if let Some(parent) = stack.last_mut() {
                    parent.children.push(XmlNode::CData(text));
                }
            }
            Event::Eof => return None,
            _ => {}
        }
    }
}

impl XmlElement {
    /// The child elements, in document order.
    pub(crate) fn elements(&self) -> impl Iterator<Item = &XmlElement> {
        self.children.iter().filter_map(|c| match c {
            XmlNode::Element(e) => Some(e),
            _ => None,
        })
    }

    /// The unescaped text and CDATA directly inside the element.
    pub(crate) fn text(&self) -> String {
        self.children
            .iter()
            .map(|c| match c {
                XmlNode::Text(_, value) => value.as_str(),
                XmlNode::CData(text) => text.as_str(),
                XmlNode::Element(_) => "",
            })
            .collect()
    }
}

fn render_xml(element: &XmlElement, depth: usize, out: &mut String) {
    let indent = "  ".repeat(depth);
    let has_elements = element
        .children
        .iter()
        .any(|c| matches!(c, XmlNode::Element(_)));
    if element.self_closing {
        out.push_str(&format!(
            "{indent}<{}{}/>\n",
            element.name, element.attributes
        ));
        return;
    }
    if !has_elements {
        let text: String = element
            .children
            .iter()
            .map(|c| match c {
                XmlNode::Text(raw, _) => raw.clone(),
                XmlNode::CData(text) => format!("<![CDATA[{text}]]>"),
                XmlNode::Element(_) => String::new(),
            })
            .collect();
        out.push_str(&format!(
            "{indent}<{0}{1}>{text}</{0}>\n",
            element.name, element.attributes
        ));
        return;
    }
    out.push_str(&format!(
        "{indent}<{}{}>\n",
        element.name, element.attributes
    ));
    for child in &element.children {
        match child {
            XmlNode::Element(e) => render_xml(e, depth + 1, out),
            XmlNode::Text(raw, _) => out.push_str(&format!("{indent}  {raw}\n")),
            XmlNode::CData(text) => out.push_str(&format!("{indent}  <![CDATA[{text}]]>\n")),
        }
    }
    out.push_str(&format!("{indent}</{}>\n", element.name));
}

fn sorted(value: &Value) -> Value {
    match value {
        Value::Object(map) => {
            let mut keys: Vec<&String> = map.keys().collect();
            keys.sort();
            let mut out = serde_json::Map::new();
            for key in keys {
                out.insert(key.clone(), sorted(&map[key]));
            }
            Value::Object(out)
        }
        Value::Array(items) => Value::Array(items.iter().map(sorted).collect()),
        other => other.clone(),
    }
}

/// A body rendered stably: JSON pretty-printed with sorted members, XML one element a line with
/// its declaration; anything else verbatim.
pub fn render_body(body: &str, format: Format) -> String {
    match format {
        Format::Json => match serde_json::from_str::<Value>(body) {
            Ok(value) => {
                // `sorted` rebuilds maps in key order, whatever map type serde_json is built with.
                let text = serde_json::to_string_pretty(&sorted(&value)).unwrap_or_default();
                let mut lines: Vec<&str> = text.lines().collect();
                if !matches!(&value, Value::Object(_)) {
                    lines.insert(0, "(not a JSON object)");
                }
                lines.join("\n") + "\n"
            }
            Err(_) => format!("(not JSON) {body}\n"),
        },
        Format::Xml => match parse_xml(body) {
            Some(root) => {
                let mut out = String::new();
                let trimmed = body.trim_start();
                if trimmed.starts_with("<?xml")
                    && let Some(end) = trimmed.find("?>")
                {
                    out.push_str(&trimmed[..end + 2]);
                    out.push('\n');
                }
                render_xml(&root, 0, &mut out);
                out
            }
            None => format!("(not XML) {body}\n"),
        },
    }
}

/// The prefixes of the ids an endpoint generates and their placeholder kinds, each longer prefix
/// before the shorter one it starts with (`tr-attach-` before `tr-`).
const GENERATED_IDS: &[(&str, &str)] = &[
    ("cenbwp-", "cenbwp-id"),
    ("cenrmap-", "cenrmap-id"),
    ("cen-", "cen-id"),
    ("rg-", "rg-id"),
    ("tr-attach-", "tr-attach-id"),
    ("tr-mcast-domain-", "mcast-domain-id"),
    ("tr-", "tr-id"),
    ("vtb-", "vtb-id"),
    ("cidr-", "cidr-id"),
    ("rte-", "rte-id"),
    ("eni-", "eni-id"),
    ("flowlog-", "flowlog-id"),
    ("tm-rule-", "tm-rule-id"),
    ("tm-", "tm-id"),
    ("qos-queue-", "qos-queue-id"),
    ("qos-", "qos-id"),
];

fn is_ascii_word(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '-' || c == '_'
}

/// Normalises a transcript: see the module documentation. `request_ids` are replaced wherever
/// they appear (body, `Recommend` URL); `variables` by `<Name>`.
pub fn normalise(text: &str, request_ids: &[String], variables: &[(String, String)]) -> String {
    let mut text = text.to_owned();
    for id in request_ids {
        if !id.is_empty() {
            text = text.replace(id.as_str(), "<request-id>");
        }
    }
    let mut vars: Vec<&(String, String)> =
        variables.iter().filter(|(_, v)| !v.is_empty()).collect();
    vars.sort_by_key(|(_, v)| std::cmp::Reverse(v.len()));
    for (name, value) in vars {
        text = text.replace(value.as_str(), &format!("<{name}>"));
    }
    let mut numbers: HashMap<(&'static str, String), usize> = HashMap::new();
    let mut counts: HashMap<&'static str, usize> = HashMap::new();
    let mut number = |kind: &'static str, value: &str| -> String {
        let key = (kind, value.to_owned());
        let n = match numbers.get(&key) {
            Some(n) => *n,
            None => {
                let count = counts.entry(kind).or_insert(0);
                *count += 1;
                numbers.insert(key, *count);
                *count
            }
        };
        format!("<{kind}:{n}>")
    };
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    'scan: while i < chars.len() {
        let boundary = i == 0 || !is_ascii_word(chars[i - 1]);
        let rest = &chars[i..];
        // Any member or element whose name ends in OrderId (`CenBandwidthPackageOrderId`).
        for marker in ["OrderId\": \"", "OrderId\": ", "OrderId>"] {
            let m: Vec<char> = marker.chars().collect();
            if rest.starts_with(&m) {
                let digits: String = rest[m.len()..]
                    .iter()
                    .take_while(|c| c.is_ascii_alphanumeric())
                    .collect();
                if !digits.is_empty() {
                    out.push_str(marker);
                    out.push_str(&number("order-id", &digits));
                    i += m.len() + digits.chars().count();
                    continue 'scan;
                }
            }
        }
        // A paging token is opaque and depends on what else the endpoint holds.
        for marker in ["NextToken\": \"", "NextToken>"] {
            let m: Vec<char> = marker.chars().collect();
            if rest.starts_with(&m) {
                let len = rest[m.len()..]
                    .iter()
                    .take_while(|c| **c != '"' && **c != '<')
                    .count();
                if len > 0 {
                    out.push_str(marker);
                    out.push_str("<next-token>");
                    i += m.len() + len;
                    continue 'scan;
                }
            }
        }
        // Epoch milliseconds in a member or element whose name ends in Time (`CreateTime`).
        for marker in ["Time\": ", "Time>"] {
            let m: Vec<char> = marker.chars().collect();
            if rest.starts_with(&m) {
                let digits = rest[m.len()..]
                    .iter()
                    .take_while(|c| c.is_ascii_digit())
                    .count();
                if digits >= 10 {
                    out.push_str(marker);
                    out.push_str("<timestamp>");
                    i += m.len() + digits;
                    continue 'scan;
                }
            }
        }
        if boundary && let Some(len) = timestamp_len(rest) {
            out.push_str("<timestamp>");
            i += len;
            continue;
        }
        if boundary {
            let mut matched = false;
            for (prefix, kind) in GENERATED_IDS {
                let p: Vec<char> = prefix.chars().collect();
                if rest.starts_with(&p) {
                    let id: String = rest[p.len()..]
                        .iter()
                        .take_while(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
                        .collect();
                    let next = rest.get(p.len() + id.len());
                    // Generated ids are long; `cen-conformance` in a description is not one.
                    let long = id.len() >= 12 || id.chars().any(|c| c.is_ascii_digit());
                    if long && !next.is_some_and(|c| is_ascii_word(*c)) {
                        let whole = format!("{prefix}{id}");
                        out.push_str(&number(kind, &whole));
                        i += p.len() + id.len();
                        matched = true;
                        break;
                    }
                }
            }
            if matched {
                continue;
            }
        }
        out.push(chars[i]);
        i += 1;
    }
    out
}

/// The length of an ISO 8601 UTC timestamp at the start of `s`: `2024-05-01T12:00Z`,
/// `2024-05-01T12:00:00Z`, `2024-05-01T12:00:00.123Z`, or with a `+08:00` offset.
fn timestamp_len(s: &[char]) -> Option<usize> {
    let digits = |from: usize, n: usize| {
        (from..from + n).all(|k| s.get(k).is_some_and(|c| c.is_ascii_digit()))
    };
    let at = |k: usize, c: char| s.get(k) == Some(&c);
    if !(digits(0, 4)
        && at(4, '-')
        && digits(5, 2)
        && at(7, '-')
        && digits(8, 2)
        && at(10, 'T')
        && digits(11, 2)
        && at(13, ':')
        && digits(14, 2))
    {
        return None;
    }
    let mut len = 16;
    if at(len, ':') && digits(len + 1, 2) {
        len += 3;
        if at(len, '.') {
            let frac = s[len + 1..]
                .iter()
                .take_while(|c| c.is_ascii_digit())
                .count();
            if frac > 0 {
                len += 1 + frac;
            }
        }
    }
    if at(len, 'Z') {
        len += 1;
    } else if (at(len, '+') || at(len, '-')) && digits(len + 1, 2) {
        len += 3;
        if at(len, ':') && digits(len + 1, 2) {
            len += 3;
        } else if digits(len, 2) {
            len += 2;
        }
    }
    Some(len)
}

fn is_not_found(observed: &Observed) -> bool {
    if observed.status == 404 {
        return true;
    }
    let content_type = header(&observed.headers, "content-type");
    ApiError::from_body(observed.status, content_type, observed.body.as_bytes())
        .is_some_and(|e| NOT_FOUND_CODES.contains(&e.code.as_str()) || e.code.contains("NotFound"))
}

/// The transcript being built, and what is needed to normalise it.
struct Transcript {
    text: String,
    request_ids: Vec<String>,
}

impl Transcript {
    fn record(&mut self, observed: &Observed, format: Format, tree: &Value, snapshot: bool) {
        if let Some(id) = header(&observed.headers, "x-acs-request-id") {
            self.request_ids.push(id.to_owned());
        }
        if let Some(id) = lookup(tree, "RequestId") {
            self.request_ids.push(value_text(id));
        }
        self.text
            .push_str(&format!("  status: {}\n", observed.status));
        if snapshot {
            for line in render_body(&observed.body, format).lines() {
                self.text.push_str(&format!("  {line}\n"));
            }
        } else {
            self.text.push_str("  (body not compared)\n");
        }
    }
}

/// Sends one step once.
async fn send_step(
    client: &reqwest::Client,
    step: &Step,
    params: Params,
    format: Format,
    endpoint: &Endpoint,
) -> Result<Observed, Failure> {
    let request = step.request(params);
    let fresh = |now| {
        prepare_request(&step.action, &request, format, endpoint, now)
            .map_err(|Skip(reason)| Failure::message(reason))
    };
    send_retrying(client, endpoint, fresh)
        .await
        .map(|(_, observed)| observed)
}

fn default_expect() -> ResponseExpect {
    ResponseExpect {
        status: 200,
        code: None,
        message: None,
        message_prefix: None,
        fields: Vec::new(),
        headers: Params::default(),
        types: std::collections::BTreeMap::new(),
        json: None,
    }
}

/// Runs one step (polling if it waits), records it, and captures its variables.
#[allow(clippy::too_many_arguments)]
async fn run_step(
    client: &reqwest::Client,
    step: &Step,
    format: Format,
    endpoint: &Endpoint,
    vars: &mut HashMap<String, String>,
    transcript: &mut Transcript,
    cleanup: bool,
) -> Result<(), Failure> {
    if let Some(ms) = step.advance_ms {
        let clock = endpoint.clock.as_ref().ok_or_else(|| {
            Failure::message("advance_ms: the endpoint has no manual clock".to_owned())
        })?;
        clock(ms);
        return Ok(());
    }
    let params = substitute(&step.params, vars)
        .map_err(|name| Failure::message(format!("`${{{name}}}` is not defined")))?;
    let mut expect = step.expect.clone().unwrap_or_else(default_expect);
    if let Some(json) = &expect.json {
        expect.json = Some(
            substitute_json(json, vars)
                .map_err(|name| Failure::message(format!("`${{{name}}}` is not defined")))?,
        );
    }
    let observed = match &step.wait_until {
        None => send_step(client, step, params, format, endpoint).await?,
        Some(wait) => {
            let equals = substitute(&Params(vec![(String::new(), wait.equals.clone())]), vars)
                .map_err(|name| Failure::message(format!("`${{{name}}}` is not defined")))?
                .0
                .remove(0)
                .1;
            let mut interval = Duration::from_millis(wait.interval_ms);
            if let Some(poll) = endpoint.poll_interval {
                interval = interval.min(poll);
            }
            let deadline = Instant::now() + Duration::from_millis(wait.timeout_ms);
            loop {
                let observed = send_step(client, step, params.clone(), format, endpoint).await?;
                if cleanup && is_not_found(&observed) {
                    break observed;
                }
                let tree = response_tree(&observed, format);
                let value =
                    lookup(&tree, &wait.path).map_or_else(|| "(absent)".to_owned(), value_text);
                // In the cleanup, a resource that is no longer listed needs no waiting for.
                if cleanup && value == "(absent)" && (200..300).contains(&observed.status) {
                    break observed;
                }
                if check_expect(
                    &step.action,
                    step.product.as_deref(),
                    &expect,
                    format,
                    &observed,
                )
                .is_ok()
                    && value == equals
                {
                    break observed;
                }
                if Instant::now() + interval > deadline {
                    let failure = Failure::message(format!(
                        "{}: gave up after {} ms waiting for {} = {}; it is {}",
                        step.label(),
                        wait.timeout_ms,
                        wait.path,
                        equals,
                        value
                    ));
                    return Err(with_body(failure, &observed));
                }
                tokio::time::sleep(interval).await;
            }
        }
    };
    let tree = response_tree(&observed, format);
    transcript.record(&observed, format, &tree, step.snapshot);
    if cleanup {
        let tolerated = ApiError::from_body(
            observed.status,
            header(&observed.headers, "content-type"),
            observed.body.as_bytes(),
        )
        .is_some_and(|e| step.tolerate.contains(&e.code));
        if (200..300).contains(&observed.status) || is_not_found(&observed) || tolerated {
            return Ok(());
        }
        return Err(with_body(
            Failure::message(format!(
                "cleanup {} failed with status {}",
                step.label(),
                observed.status
            )),
            &observed,
        ));
    }
    check_expect(
        &step.action,
        step.product.as_deref(),
        &expect,
        format,
        &observed,
    )
    .map_err(|mut f| {
        // `check_expect` has already added the start of the body.
        f.summary = format!("{}: {}", step.label(), f.summary);
        f
    })?;
    for (name, path) in &step.capture.0 {
        let Some(value) = lookup(&tree, path) else {
            return Err(with_body(
                Failure::message(format!(
                    "{}: nothing at `{path}` to capture as `{name}`",
                    step.label()
                )),
                &observed,
            ));
        };
        vars.insert(name.clone(), value_text(value));
    }
    Ok(())
}

fn step_heading(kind: &str, n: usize, step: &Step) -> String {
    let mut heading = format!("{kind} {n}: {}", step.label());
    if let Some(wait) = &step.wait_until {
        heading.push_str(&format!(" until {} = {}", wait.path, wait.equals));
    }
    heading.push('\n');
    heading
}

/// The formats a case runs in.
pub fn formats_of(case: &Case) -> &'static [Format] {
    match case.format {
        crate::case::FormatSpec::Json => &[Format::Json],
        crate::case::FormatSpec::Xml => &[Format::Xml],
        crate::case::FormatSpec::Both => &[Format::Json, Format::Xml],
    }
}

/// Runs a flow case in each of its formats, each against a fresh in-process emulator (on a
/// manual clock when the case has `manual_clock`), and says for each whether the case holds: its
/// steps passed, or it is marked `expected_failure` and failed. This is what the tests that keep
/// transcripts (`tests/flows.rs`, the emulator's scenarios) share.
pub async fn run_in_process(case: &Case) -> Vec<(Format, FlowRun, Result<(), String>)> {
    let client = reqwest::Client::new();
    let mut runs = Vec::new();
    for &format in formats_of(case) {
        let endpoint = match case.manual_clock {
            Some(clock) => {
                crate::endpoint::start_in_process_with_manual_clock(clock.delay_ms).await
            }
            None => crate::endpoint::start_in_process().await,
        };
        let name = format!("{}[{}]", case.name(), format.label());
        let endpoint = match endpoint {
            Ok(endpoint) => endpoint,
            Err(e) => {
                let run = FlowRun {
                    result: Err(Failure::message(e.to_string())),
                    transcript: String::new(),
                };
                runs.push((
                    format,
                    run,
                    Err(format!("{name}: the emulator did not start: {e}")),
                ));
                continue;
            }
        };
        let run = match run_flow(&client, case, format, &endpoint).await {
            Ok(run) => run,
            Err(Skip(reason)) => {
                let run = FlowRun {
                    result: Err(Failure::message(reason.clone())),
                    transcript: String::new(),
                };
                runs.push((format, run, Err(format!("{name}: skipped: {reason}"))));
                continue;
            }
        };
        let verdict = match (&case.expected_failure, &run.result) {
            (None, Ok(())) | (Some(_), Err(_)) => Ok(()),
            (None, Err(failure)) => Err(format!("{name}: {failure}\n\n{}", run.transcript)),
            (Some(x), Ok(())) => Err(format!(
                "{name} passed but is marked expected_failure ({}): remove the marker",
                x.reason
            )),
        };
        runs.push((format, run, verdict));
    }
    runs
}

/// Runs a flow case in one format: the steps until the first failure, then every cleanup step.
/// The case has the first free member of each pool of the endpoint to itself.
pub async fn run_flow(
    client: &reqwest::Client,
    case: &Case,
    format: Format,
    endpoint: &Endpoint,
) -> Result<FlowRun, Skip> {
    run_flow_holding(
        client,
        case,
        format,
        endpoint,
        &Pools::new(&endpoint.variables),
    )
    .await
}

/// [`run_flow`], taking a member of each of the case's [`shared_instances`] from `pools` before
/// its first step and holding them to its end.
pub async fn run_flow_holding(
    client: &reqwest::Client,
    case: &Case,
    format: Format,
    endpoint: &Endpoint,
    pools: &Pools,
) -> Result<FlowRun, Skip> {
    let Expect::Flow(flow) = &case.expect else {
        return Err(Skip("not a flow case".to_owned()));
    };
    if case.manual_clock.is_some() && endpoint.clock.is_none() {
        return Err(Skip(
            "it moves the manual clock of an in-process emulator (`manual_clock`)".to_owned(),
        ));
    }
    check_variables(case, &flow.steps, endpoint)?;
    for step in flow.steps.iter().chain(&flow.cleanup) {
        if let Some(account) = &step.account {
            crate::exchange::resolve_credentials(account, endpoint)?;
        }
    }
    crate::exchange::resolve_credentials("primary", endpoint)?;
    // The pools' variables are defined when the case takes its members (`hold_before`).
    let mut vars: HashMap<String, String> = endpoint
        .variables
        .iter()
        .filter(|(name, _)| !is_instance(name))
        .filter_map(|(name, values)| Some((name.clone(), values.first()?.clone())))
        .collect();
    let mut transcript = Transcript {
        text: String::new(),
        request_ids: Vec::new(),
    };
    let instances = shared_instances(case, endpoint);
    let mut held = None;
    let mut result = Ok(());
    for (i, step) in flow.steps.iter().enumerate() {
        hold_before(&instances, pools, &mut held, &mut vars).await;
        transcript.text.push_str(&step_heading("step", i + 1, step));
        if let Err(failure) = run_step(
            client,
            step,
            format,
            endpoint,
            &mut vars,
            &mut transcript,
            false,
        )
        .await
        {
            transcript
                .text
                .push_str(&format!("  FAILED: {}\n", failure.summary));
            let mut failure = failure;
            failure.summary = format!("step {}: {}", i + 1, failure.summary);
            result = Err(failure);
            break;
        }
    }
    for (i, step) in flow.cleanup.iter().enumerate() {
        hold_before(&instances, pools, &mut held, &mut vars).await;
        transcript
            .text
            .push_str(&step_heading("cleanup", i + 1, step));
        if let Err(name) = substitute(&step.params, &vars) {
            transcript
                .text
                .push_str(&format!("  not sent: `${{{name}}}` was never captured\n"));
            continue;
        }
        if let Err(failure) = run_step(
            client,
            step,
            format,
            endpoint,
            &mut vars,
            &mut transcript,
            true,
        )
        .await
        {
            transcript
                .text
                .push_str(&format!("  FAILED: {}\n", failure.summary));
            if result.is_ok() {
                let mut failure = failure;
                failure.summary = format!("cleanup {}: {}", i + 1, failure.summary);
                result = Err(failure);
            }
        }
    }
    drop(held);
    // Shown as `<Name>`: each variable's value in this run, and for pools the case did not take
    // every member, as before pools (a response may name an instance no step named).
    let mut shown: Vec<(String, String)> = vars
        .iter()
        .filter(|(name, _)| endpoint.has_variable(name))
        .map(|(n, v)| (n.clone(), v.clone()))
        .collect();
    shown.extend(
        endpoint
            .variable_values()
            .into_iter()
            .filter(|(name, _)| !vars.contains_key(name)),
    );
    let transcript = normalise(&transcript.text, &transcript.request_ids, &shown);
    Ok(FlowRun { result, transcript })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalise_numbers_ids_by_first_appearance() {
        let text = "\"CenId\": \"cen-abc123\", other cen-zzz9, again cen-abc123, \
                    cenbwp-q1w2, at 2024-05-01T12:00:00Z and 2021-06-22T09:06Z, \
                    \"OrderId\": \"123456789012345\", <OrderId>99</OrderId>, vpc-x1 uid 42, req-1, \
                    \"CreateTime\": 1795402884665, tr-bp1abcdefghijklmn vtb-bp1abcdefghijklmn \
                    cidr-abcdefghijklmnopqr \"NextToken\": \"17\", <NextToken>FFab=</NextToken>";
        let out = normalise(
            text,
            &["req-1".to_owned()],
            &[
                ("VpcHangzhou".to_owned(), "vpc-x1".to_owned()),
                ("PrimaryUid".to_owned(), "42".to_owned()),
            ],
        );
        assert_eq!(
            out,
            "\"CenId\": \"<cen-id:1>\", other <cen-id:2>, again <cen-id:1>, \
             <cenbwp-id:1>, at <timestamp> and <timestamp>, \
             \"OrderId\": \"<order-id:1>\", <OrderId><order-id:2></OrderId>, <VpcHangzhou> uid <PrimaryUid>, <request-id>, \
             \"CreateTime\": <timestamp>, <tr-id:1> <vtb-id:1> \
             <cidr-id:1> \"NextToken\": \"<next-token>\", <NextToken><next-token></NextToken>"
        );
    }

    #[test]
    fn xml_trees_and_paths() {
        let body = "<?xml version='1.0' encoding='UTF-8'?><DescribeCensResponse><Cens><Cen><CenId>cen-1</CenId><Status>Active</Status></Cen></Cens><TotalCount>1</TotalCount><Recommend><![CDATA[https://x?a=1&b=2]]></Recommend></DescribeCensResponse>";
        let observed = Observed {
            status: 200,
            headers: Vec::new(),
            body: body.to_owned(),
        };
        let tree = response_tree(&observed, Format::Xml);
        assert_eq!(
            lookup(&tree, "Cens.Cen.0.Status").map(value_text),
            Some("Active".to_owned())
        );
        assert_eq!(
            lookup(&tree, "Recommend").map(value_text),
            Some("https://x?a=1&b=2".to_owned())
        );
        assert_eq!(
            render_body(body, Format::Xml),
            "<?xml version='1.0' encoding='UTF-8'?>\n<DescribeCensResponse>\n  <Cens>\n    <Cen>\n      <CenId>cen-1</CenId>\n      <Status>Active</Status>\n    </Cen>\n  </Cens>\n  <TotalCount>1</TotalCount>\n  <Recommend><![CDATA[https://x?a=1&b=2]]></Recommend>\n</DescribeCensResponse>\n"
        );
    }
}
