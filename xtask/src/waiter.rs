//! The asynchronous facts of the spec: `x-acs-waiters` at the document level (one entry per
//! observable state of a resource) and `x-acs-async: {waiter: Name}` on each operation whose
//! effect completes in the background.
//!
//! A waiter names the List or Describe operation that observes the resource, how to build its
//! request from the waiter's arguments, where the resource's item is in the response and how to
//! recognise it, and either the status path with its target and failure statuses or `gone: true`
//! for a delete. The client generator turns each waiter into a `wait_until_*` method.

use std::collections::{BTreeMap, BTreeSet};

use openapiv3::{OpenAPI, Schema, SchemaKind, Type};
use serde::Deserialize;
use serde_json::Value;

use crate::spec::{Operation, Problem};

/// One waiter.
#[derive(Debug, Clone, PartialEq)]
pub struct Waiter {
    /// The name (`TransitRouterActive`): `<Resource><State>`.
    pub name: String,
    /// What the waiter waits for, as a sentence.
    pub description: Option<String>,
    /// The action that observes the resource (`ListTransitRouters`).
    pub operation: String,
    /// The waiter's inputs, in order (`TransitRouterId`).
    pub arguments: Vec<String>,
    /// The observing request, with `{Argument}` placeholders in its strings.
    pub request: Value,
    /// The dotted path of the item list in the observing response.
    pub items: Vec<String>,
    /// Item fields that identify the resource, with `{Argument}` placeholders.
    pub matches: Vec<(String, String)>,
    /// What ends the wait.
    pub state: WaiterState,
}

/// What ends a wait.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WaiterState {
    /// The item's status reaches one of `success` (or one of `failure`, an error).
    Status {
        /// The dotted path of the status inside the item.
        path: Vec<String>,
        /// The statuses that end the wait successfully.
        success: Vec<String>,
        /// The statuses that end the wait with an error.
        failure: Vec<String>,
    },
    /// No item matches any more.
    Gone,
    /// An item matches, whatever its status (for resources listed without one).
    Present,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawWaiter {
    description: Option<String>,
    operation: String,
    arguments: Vec<String>,
    #[serde(default)]
    request: serde_json::Map<String, Value>,
    items: String,
    #[serde(rename = "match")]
    matches: BTreeMap<String, String>,
    status: Option<String>,
    #[serde(default)]
    success: Vec<String>,
    #[serde(default)]
    failure: Vec<String>,
    #[serde(default)]
    gone: bool,
    #[serde(default)]
    present: bool,
}

/// Reads and checks `x-acs-waiters` against the operations. Problems are reported with the
/// waiter's name; an operation's `x-acs-async` is checked by [`check_async`].
pub fn waiters(
    doc: &OpenAPI,
    operations: &[Operation],
    problems: &mut Vec<Problem>,
) -> Vec<Waiter> {
    let mut out = Vec::new();
    let Some(raw) = doc.extensions.get("x-acs-waiters") else {
        return out;
    };
    let Value::Object(map) = raw else {
        problems.push(problem(
            None,
            "`x-acs-waiters` must map waiter names to waiters.".to_owned(),
        ));
        return out;
    };
    for (name, value) in map {
        let mut report = |message: String| problems.push(problem(Some(name), message));
        let raw: RawWaiter = match serde_json::from_value(value.clone()) {
            Ok(raw) => raw,
            Err(e) => {
                report(format!(
                    "is not a waiter ({e}); a waiter has `operation`, `arguments`, `request`, `items`, `match`, and `status` with `success`/`failure` or `gone: true`."
                ));
                continue;
            }
        };
        let valid_name = name.starts_with(|c: char| c.is_ascii_uppercase())
            && name.chars().all(|c| c.is_ascii_alphanumeric());
        if !valid_name {
            report("the name must be PascalCase ASCII (`TransitRouterActive`).".to_owned());
        }
        let Some(observer) = operations.iter().find(|op| op.action == raw.operation) else {
            report(format!(
                "`operation: {}` is not an operation of the product.",
                raw.operation
            ));
            continue;
        };
        if raw.arguments.is_empty() {
            report("`arguments` is empty; a waiter needs the id of what it waits for.".to_owned());
        }
        let arguments: BTreeSet<&str> = raw.arguments.iter().map(String::as_str).collect();
        let mut used = BTreeSet::new();
        let mut placeholders = |text: &str, report: &mut dyn FnMut(String)| {
            for placeholder in placeholders_in(text) {
                if arguments.contains(placeholder) {
                    used.insert(placeholder.to_owned());
                } else {
                    report(format!(
                        "`{{{placeholder}}}` is not one of the `arguments` ({}).",
                        raw.arguments.join(", ")
                    ));
                }
            }
        };
        visit_strings(&Value::Object(raw.request.clone()), &mut |s| {
            placeholders(s, &mut report)
        });
        for template in raw.matches.values() {
            placeholders(template, &mut report);
        }
        for argument in &raw.arguments {
            if !used.contains(argument) {
                report(format!(
                    "argument `{argument}` is used neither in `request` nor in `match`."
                ));
            }
        }
        for key in raw.request.keys() {
            if !observer.params.iter().any(|p| p.name == *key) {
                report(format!(
                    "`request.{key}` is not a parameter of {}.",
                    raw.operation
                ));
            }
        }
        let items: Vec<String> = raw.items.split('.').map(str::to_owned).collect();
        let item = item_schema(doc, observer, &items);
        if item.is_none() {
            report(format!(
                "`items: {}` does not resolve to an array in the response of {}.",
                raw.items, raw.operation
            ));
        }
        if raw.matches.is_empty() {
            report("`match` is empty; say which item fields identify the resource.".to_owned());
        }
        for field in raw.matches.keys() {
            if item.is_some_and(|s| {
                crate::schema::at_path(doc, s, std::slice::from_ref(field)).is_none()
            }) {
                report(format!(
                    "`match.{field}` is not a property of the items of {}.",
                    raw.operation
                ));
            }
        }
        let no_status = raw.status.is_none() && raw.success.is_empty() && raw.failure.is_empty();
        if raw.gone && raw.present {
            report("`gone: true` and `present: true` exclude each other.".to_owned());
            continue;
        }
        let state = match (raw.gone || raw.present, raw.status) {
            (true, None) if no_status && raw.gone => WaiterState::Gone,
            (true, None) if no_status => WaiterState::Present,
            (true, _) => {
                report(
                    "`gone: true` and `present: true` wait for absence or presence; they take no `status`, `success` or `failure`."
                        .to_owned(),
                );
                continue;
            }
            (false, Some(status)) => {
                let path: Vec<String> = status.split('.').map(str::to_owned).collect();
                if item.is_some_and(|s| crate::schema::at_path(doc, s, &path).is_none()) {
                    report(format!(
                        "`status: {status}` is not a property of the items of {}.",
                        raw.operation
                    ));
                }
                if raw.success.is_empty() {
                    report("`success` is empty; list the statuses that end the wait.".to_owned());
                }
                WaiterState::Status {
                    path,
                    success: raw.success,
                    failure: raw.failure,
                }
            }
            (false, None) => {
                report(
                    "needs `status` with `success` (and `failure`), or `gone: true`.".to_owned(),
                );
                continue;
            }
        };
        out.push(Waiter {
            name: name.clone(),
            description: raw.description,
            operation: raw.operation,
            arguments: raw.arguments,
            request: Value::Object(raw.request),
            items,
            matches: raw.matches.into_iter().collect(),
            state,
        });
    }
    out
}

/// Checks that each operation's `x-acs-async.waiter` names a waiter.
pub fn check_async(operations: &[Operation], waiters: &[Waiter], problems: &mut Vec<Problem>) {
    for op in operations {
        if let Some(name) = &op.async_waiter
            && !waiters.iter().any(|w| w.name == *name)
        {
            problems.push(Problem {
                file: Some(op.file.clone()),
                operation: Some(op.action.clone()),
                message: format!(
                    "`x-acs-async.waiter: {name}` names no waiter of `x-acs-waiters`."
                ),
            });
        }
    }
}

fn problem(waiter: Option<&str>, message: String) -> Problem {
    Problem {
        file: None,
        operation: None,
        message: match waiter {
            Some(name) => format!("waiter `{name}`: {message}"),
            None => message,
        },
    }
}

/// The `{Name}` placeholders of a template string.
pub fn placeholders_in(text: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find('{') {
        let Some(len) = rest[start..].find('}') else {
            break;
        };
        out.push(&rest[start + 1..start + len]);
        rest = &rest[start + len + 1..];
    }
    out
}

fn visit_strings(value: &Value, f: &mut dyn FnMut(&str)) {
    match value {
        Value::String(s) => f(s),
        Value::Array(items) => items.iter().for_each(|v| visit_strings(v, f)),
        Value::Object(map) => map.values().for_each(|v| visit_strings(v, f)),
        _ => {}
    }
}

/// The schema of one item of the list at `items` in the response of `op`.
fn item_schema<'a>(doc: &'a OpenAPI, op: &Operation, items: &[String]) -> Option<&'a Schema> {
    let crate::spec::BodySchema::Component(name) = &op.response else {
        return None;
    };
    let response = crate::schema::component(doc, name)?;
    let list = crate::schema::at_path(doc, response, items)?;
    let SchemaKind::Type(Type::Array(array)) = &list.schema_kind else {
        return None;
    };
    crate::schema::resolve_boxed(doc, array.items.as_ref()?)
}
