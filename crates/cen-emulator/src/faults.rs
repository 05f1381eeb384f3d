//! Fault injection: rules that make chosen calls fail, slow down or lose their connection, so a
//! team can watch its automation's retries and waiters at work.
//!
//! A rule matches calls by product, action, account and resource id (a `*`/`?` pattern matched
//! against every parameter value), and does one thing to them: answer an error, add latency,
//! or close the connection (latency may come with either of the others). It fires with a
//! probability, drawn from one random generator seeded from the document's `Seed`, so that a
//! run with the same calls injects the same faults; `Times` limits it to the next N matching
//! calls. Every injected fault is logged (target `cen_emulator::faults`) and counted.
//!
//! Rules come from a JSON document at start-up (`--faults FILE`) or through
//! `/_emulator/faults` at run time:
//!
//! ```json
//! {"Seed": 7, "Faults": [
//!   {"Action": "CreateTransitRouter", "Error": "Throttling.User", "Times": 2},
//!   {"Action": "ListTransitRouters", "LatencyMs": 300, "Probability": 0.5},
//!   {"ResourceId": "tr-*", "Account": 1234567890123456, "CloseConnection": true, "Times": 1}
//! ]}
//! ```

use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use acs_rpc::error::ApiError;
use acs_rpc::meta::ProductMeta;
use cen_server::hooks::{Call, Outcome, Plan};
use rand::rngs::StdRng;
use rand::{Rng as _, SeedableRng as _};
use serde::{Deserialize, Serialize};
use wildmatch::WildMatch;

/// A fault rule as written in the document and shown by the admin endpoint.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
pub struct FaultRule {
    /// Given by the emulator when the rule is added.
    #[serde(default, skip_deserializing)]
    pub id: u64,
    /// `Cbn`, `Vpc` or `Sts`; any product when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub product: Option<String>,
    /// The operation; any when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub action: Option<String>,
    /// The calling account's UID; any when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub account: Option<i64>,
    /// A pattern (`*` any run, `?` one character) that some parameter value must match.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resource_id: Option<String>,
    /// The error code to answer: one the action documents, or one any operation may answer
    /// (`Throttling.User`, `ServiceUnavailable`, ...).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// Overrides the documented HTTP status of `Error`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub http_status: Option<u16>,
    /// Overrides the documented message of `Error`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// A pause before the call is answered (or served).
    #[serde(default, skip_serializing_if = "is_zero")]
    pub latency_ms: u64,
    /// Closes the connection without an answer.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub close_connection: bool,
    /// The chance that a matching call gets the fault (default 1).
    #[serde(default = "always")]
    pub probability: f64,
    /// Only the next N matching calls get the fault; every one when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub times: Option<u64>,
    /// How many faults this rule has injected.
    #[serde(default, skip_deserializing)]
    pub injected: u64,
}

fn is_zero(n: &u64) -> bool {
    *n == 0
}

fn always() -> f64 {
    1.0
}

/// A document of rules: `{"Seed": 7, "Faults": [...]}`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
pub struct FaultDocument {
    /// Seeds the draws of rules with a probability below 1 (0 when absent).
    #[serde(default)]
    pub seed: u64,
    /// The rules, tried in order; the first that matches and fires decides.
    #[serde(default)]
    pub faults: Vec<FaultRule>,
}

/// Why a rule is refused.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum FaultError {
    /// The rule does nothing, or two things that exclude each other.
    #[error(
        "a fault rule needs exactly one of Error, CloseConnection or LatencyMs (latency may come with either other)"
    )]
    NoFault,
    /// `Error` and `CloseConnection` together.
    #[error("a fault rule cannot both answer an error and close the connection")]
    ErrorAndClose,
    /// The probability is outside 0..=1.
    #[error("Probability must be between 0 and 1")]
    Probability,
    /// `Product` names no product the emulator serves.
    #[error("unknown product {0}: the emulator serves Cbn, Vpc and Sts")]
    UnknownProduct(String),
    /// `Action` names no operation of the rule's products.
    #[error("unknown action {0}")]
    UnknownAction(String),
    /// The code is neither documented for the action nor one any operation may answer.
    #[error(
        "{code} is not an error {scope} documents; name an Action that documents it, or use a code any operation may answer ({common})"
    )]
    Undocumented {
        code: String,
        scope: String,
        common: String,
    },
    /// An empty `ResourceId` pattern.
    #[error("ResourceId must not be empty")]
    EmptyPattern,
}

/// The rules in force, the generator of their draws and the next id.
#[derive(Debug)]
struct Rules {
    seed: u64,
    rules: Vec<FaultRule>,
    draws: StdRng,
    next_id: u64,
}

/// The emulator's fault rules; the front door asks them about every verified call.
#[derive(Debug)]
pub struct Faults {
    products: Vec<&'static ProductMeta>,
    rules: Mutex<Rules>,
    /// Whether any rule is in force, so that calls skip the lock when none is (the usual case).
    any: AtomicBool,
}

impl Faults {
    /// No rules, for calls to the given products.
    pub fn new(products: Vec<&'static ProductMeta>) -> Self {
        Self {
            products,
            rules: Mutex::new(Rules {
                seed: 0,
                rules: Vec::new(),
                draws: StdRng::seed_from_u64(0),
                next_id: 1,
            }),
            any: AtomicBool::new(false),
        }
    }

    /// Notes whether rules remain after a change made under the lock.
    fn settle(&self, rules: &Rules) {
        self.any.store(!rules.rules.is_empty(), Ordering::Release);
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Rules> {
        // A rule list is valid after any panic elsewhere, so a poisoned lock is taken over.
        self.rules.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Replaces every rule and the seed with a document's, all or nothing.
    pub fn replace(&self, document: FaultDocument) -> Result<FaultDocument, FaultError> {
        for rule in &document.faults {
            self.check(rule)?;
        }
        let mut rules = self.lock();
        rules.seed = document.seed;
        rules.draws = StdRng::seed_from_u64(document.seed);
        rules.rules.clear();
        for mut rule in document.faults {
            rule.id = rules.next_id;
            rule.injected = 0;
            rules.next_id += 1;
            rules.rules.push(rule);
        }
        self.settle(&rules);
        Ok(Self::document(&rules))
    }

    /// Adds one rule after the others and returns it with its id.
    pub fn add(&self, mut rule: FaultRule) -> Result<FaultRule, FaultError> {
        self.check(&rule)?;
        let mut rules = self.lock();
        rule.id = rules.next_id;
        rule.injected = 0;
        rules.next_id += 1;
        rules.rules.push(rule.clone());
        self.settle(&rules);
        Ok(rule)
    }

    /// Removes one rule; false when there is none with that id.
    pub fn remove(&self, id: u64) -> bool {
        let mut rules = self.lock();
        let before = rules.rules.len();
        rules.rules.retain(|r| r.id != id);
        self.settle(&rules);
        rules.rules.len() != before
    }

    /// The seed and the rules with their counts.
    pub fn snapshot(&self) -> FaultDocument {
        Self::document(&self.lock())
    }

    fn document(rules: &Rules) -> FaultDocument {
        FaultDocument {
            seed: rules.seed,
            faults: rules.rules.clone(),
        }
    }

    /// The faults injected so far, in all.
    pub fn injected(&self) -> u64 {
        self.lock().rules.iter().map(|r| r.injected).sum()
    }

    fn check(&self, rule: &FaultRule) -> Result<(), FaultError> {
        match (&rule.error, rule.close_connection, rule.latency_ms) {
            (Some(_), true, _) => return Err(FaultError::ErrorAndClose),
            (None, false, 0) => return Err(FaultError::NoFault),
            _ => {}
        }
        if !(0.0..=1.0).contains(&rule.probability) {
            return Err(FaultError::Probability);
        }
        if rule.resource_id.as_deref() == Some("") {
            return Err(FaultError::EmptyPattern);
        }
        let products: Vec<&ProductMeta> = match &rule.product {
            Some(name) => vec![
                *self
                    .products
                    .iter()
                    .find(|p| p.product.eq_ignore_ascii_case(name))
                    .ok_or_else(|| FaultError::UnknownProduct(name.clone()))?,
            ],
            None => self.products.clone(),
        };
        if let Some(action) = &rule.action
            && !products.iter().any(|p| p.operation(action).is_some())
        {
            return Err(FaultError::UnknownAction(action.clone()));
        }
        if let Some(code) = &rule.error {
            let documented = products.iter().any(|p| match &rule.action {
                Some(action) => p.documented_error(action, code).is_some(),
                None => p.common_errors.iter().any(|e| e.code == code),
            });
            if !documented && common(code).is_none() {
                return Err(FaultError::Undocumented {
                    code: code.clone(),
                    scope: rule
                        .action
                        .clone()
                        .unwrap_or_else(|| "every operation".to_owned()),
                    common: cen_server::catalogue::COMMON
                        .iter()
                        .map(|e| e.code)
                        .collect::<Vec<_>>()
                        .join(", "),
                });
            }
        }
        Ok(())
    }

    /// What happens to a call: the first rule that matches and fires decides.
    pub fn plan(&self, call: &Call<'_>, meta: &ProductMeta) -> Option<Plan> {
        if !self.any.load(Ordering::Acquire) {
            return None;
        }
        let mut guard = self.lock();
        let Rules { rules, draws, .. } = &mut *guard;
        for rule in rules.iter_mut() {
            if rule.times == Some(0) || !matches(rule, call) {
                continue;
            }
            if rule.probability < 1.0 && !draws.random_bool(rule.probability) {
                continue;
            }
            if let Some(times) = &mut rule.times {
                *times -= 1;
            }
            rule.injected += 1;
            let outcome = match &rule.error {
                Some(code) => Some(Outcome::Error(error(rule, code, call.action, meta))),
                None if rule.close_connection => Some(Outcome::CloseConnection),
                None => None,
            };
            tracing::warn!(
                target: "cen_emulator::faults",
                rule = rule.id,
                product = call.product,
                action = call.action,
                error = rule.error.as_deref().unwrap_or("-"),
                close_connection = rule.close_connection,
                latency_ms = rule.latency_ms,
                "injected a fault"
            );
            return Some(Plan {
                delay: Duration::from_millis(rule.latency_ms),
                outcome,
            });
        }
        None
    }
}

/// Whether a rule's conditions hold for a call.
fn matches(rule: &FaultRule, call: &Call<'_>) -> bool {
    rule.product
        .as_deref()
        .is_none_or(|p| p.eq_ignore_ascii_case(call.product))
        && rule.action.as_deref().is_none_or(|a| a == call.action)
        && rule
            .account
            .is_none_or(|uid| call.caller_uid == uid.to_string())
        && rule.resource_id.as_deref().is_none_or(|pattern| {
            let pattern = WildMatch::new(pattern);
            call.params.iter().any(|(_, value)| pattern.matches(value))
        })
}

/// A code any operation may answer, with its status and message.
fn common(code: &str) -> Option<&'static acs_rpc::meta::DocumentedError> {
    cen_server::catalogue::COMMON
        .iter()
        .find(|e| e.code == code)
}

/// The error a rule answers: the documented status and message unless the rule overrides them.
fn error(rule: &FaultRule, code: &str, action: &str, meta: &ProductMeta) -> ApiError {
    let documented = meta.documented_error(action, code).or_else(|| common(code));
    let status = rule
        .http_status
        .or(documented.map(|d| d.status))
        .unwrap_or(400);
    let message = rule
        .message
        .clone()
        .or(documented.map(|d| d.message.to_owned()))
        .unwrap_or_default();
    ApiError::new(status, code, message)
}
