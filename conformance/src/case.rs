//! The case format: one YAML file per case under `cases/<family>/<id>.yaml`, described in
//! `conformance/README.md`.
//!
//! Parsing is strict (unknown fields are errors, parameter values must be strings) and every
//! error names the file and the field, because a case file is written by hand and a silent
//! default would make a golden test nothing.

use std::fmt;
use std::path::{Path, PathBuf};

use serde::de::{self, MapAccess, Visitor};
use serde::{Deserialize, Deserializer};
use thiserror::Error;

/// Why a case file could not be used.
#[derive(Debug, Error)]
#[error("{}: {field}: {message}", file.display())]
pub struct CaseError {
    /// The case file.
    pub file: PathBuf,
    /// The field at fault, dotted (`request.params`), or `-` for the file as a whole.
    pub field: String,
    /// What is wrong.
    pub message: String,
}

impl CaseError {
    fn new(file: &Path, field: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            file: file.to_owned(),
            field: field.into(),
            message: message.into(),
        }
    }
}

/// Ordered name/value pairs whose values must be YAML strings, so that what is signed and sent is
/// byte for byte what the file says (an unquoted `1.0` would be a float).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Params(pub Vec<(String, String)>);

impl<'de> Deserialize<'de> for Params {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct ParamsVisitor;
        impl<'de> Visitor<'de> for ParamsVisitor {
            type Value = Params;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a mapping of names to quoted string values")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Params, A::Error> {
                let mut pairs = Vec::new();
                while let Some(name) = map.next_key::<serde_yaml_ng::Value>()? {
                    let name = match name {
                        serde_yaml_ng::Value::String(s) => s,
                        other => {
                            return Err(de::Error::custom(format!(
                                "name {} must be a string",
                                scalar_text(&other)
                            )));
                        }
                    };
                    let value = match map.next_value::<serde_yaml_ng::Value>()? {
                        serde_yaml_ng::Value::String(s) => s,
                        other => {
                            return Err(de::Error::custom(format!(
                                "value of `{name}` must be a quoted string, got {}; quote it so it is sent byte for byte",
                                scalar_text(&other)
                            )));
                        }
                    };
                    pairs.push((name, value));
                }
                Ok(Params(pairs))
            }
        }
        deserializer.deserialize_map(ParamsVisitor)
    }
}

fn scalar_text(value: &serde_yaml_ng::Value) -> String {
    match value {
        serde_yaml_ng::Value::Null => "null".to_owned(),
        serde_yaml_ng::Value::Bool(b) => format!("the boolean {b}"),
        serde_yaml_ng::Value::Number(n) => format!("the number {n}"),
        _ => "a non-scalar".to_owned(),
    }
}

/// What a case checks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    /// Family 1: the client's signer must reproduce canonical form, string to sign, signature and
    /// wire request byte for byte. Needs no endpoint.
    Signing,
    /// A request built and signed at run time, sent to an endpoint, its response checked.
    Exchange,
    /// Families 3 and 5: several signed requests in order (`steps:`), values captured from one
    /// response and substituted into later requests (`${Name}`), polling for asynchronous states
    /// (`wait_until`), and a `cleanup:` list that always runs.
    Flow,
}

/// The response format(s) a case is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
pub enum FormatSpec {
    /// `Format=JSON`.
    #[serde(rename = "JSON", alias = "json")]
    Json,
    /// `Format=XML`.
    #[serde(rename = "XML", alias = "xml")]
    Xml,
    /// Run once per format selected with `--format` (exchange cases only).
    #[default]
    #[serde(rename = "both")]
    Both,
}

/// One concrete response format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Format {
    /// JSON.
    Json,
    /// XML.
    Xml,
}

impl Format {
    /// The value of the `Format` parameter.
    pub fn param(self) -> &'static str {
        match self {
            Self::Json => "JSON",
            Self::Xml => "XML",
        }
    }

    /// The suffix of a case variant's name, `json` or `xml`.
    pub fn label(self) -> &'static str {
        match self {
            Self::Json => "json",
            Self::Xml => "xml",
        }
    }
}

/// Where an expectation comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Source {
    /// Alibaba's API reference or documentation (a worked example, an error table), or computed
    /// from the documented algorithm by an implementation independent of this project.
    Reference,
    /// Captured from an official SDK.
    Sdk,
    /// Recorded from a named endpoint on a date.
    Recorded,
    /// This project's own rule where the reference is silent (how a duplicate parameter or an
    /// oversized body is answered). Never a golden of the suite: such cases live in
    /// `tests/project-rules/`, which the crate's tests run against the emulator, and a test
    /// refuses them among the shipped cases.
    Project,
}

/// The provenance record of a case.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Provenance {
    /// The kind of source.
    pub source: Source,
    /// What exactly: the document and example, the SDK and version, the recording session.
    pub details: String,
    /// A link to the source, where there is one.
    #[serde(default)]
    pub url: Option<String>,
    /// `sdk`: the SDK package and version, such as `alibabacloud-cbn20170912 3.0.0`.
    #[serde(default)]
    pub sdk: Option<String>,
    /// `recorded`: the endpoint recorded from, such as `cbn.aliyuncs.com`.
    #[serde(default)]
    pub endpoint: Option<String>,
    /// `recorded`: the date of the recording, `yyyy-mm-dd`.
    #[serde(default)]
    pub date: Option<String>,
}

/// A known divergence: the case is run, and its failure is reported as `xfail`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExpectedFailure {
    /// Why it fails, with an issue reference where there is one.
    pub reason: String,
}

/// The signature scheme of a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SignatureKind {
    /// HMAC-SHA1 (`SignatureVersion=1.0`).
    V1,
    /// `ACS3-HMAC-SHA256`.
    V3,
    /// Not signed: the request is sent as `raw` gives it.
    None,
}

/// Where the parameters travel.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PlacementSpec {
    /// All in the query string.
    #[default]
    Query,
    /// All in an `application/x-www-form-urlencoded` body.
    Body,
    /// Exchange cases only: alternately in the query and the body, in sorted order.
    Split,
}

/// Credentials: fixed values (signing cases) or a role the runner resolves (exchange cases).
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum CredentialsSpec {
    /// `primary`, `secondary`, `disabled`, `unknown` or `wrong-secret`.
    Named(String),
    /// Literal values.
    Inline {
        /// The AccessKey id.
        access_key_id: String,
        /// The AccessKey secret.
        access_key_secret: String,
        /// An STS token.
        #[serde(default)]
        security_token: Option<String>,
    },
}

/// The named credential roles an exchange case may ask for.
pub const CREDENTIAL_NAMES: &[&str] = &[
    "primary",
    "secondary",
    "disabled",
    "unknown",
    "wrong-secret",
];

/// Changes made after the signature is computed, which a correct server must detect.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AfterSigning {
    /// Parameters set (replacing every value, or added).
    #[serde(default)]
    pub set: Params,
    /// Parameters removed.
    #[serde(default)]
    pub remove: Vec<String>,
}

/// A request sent exactly as written, without signing.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Raw {
    /// The query string, without `?`, sent verbatim.
    #[serde(default)]
    pub query: Option<String>,
    /// The body, sent verbatim.
    #[serde(default)]
    pub body: Option<String>,
    /// The content type of the body; a form by default when there is a body.
    #[serde(default)]
    pub content_type: Option<String>,
}

/// The request of a case.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RequestSpec {
    /// The signature scheme.
    pub signature: SignatureKind,
    /// The HTTP method; `POST` when absent. Exchange cases may use any method.
    #[serde(default)]
    pub method: Option<String>,
    /// Exchange cases: the method put in the string to sign when it differs from the one sent.
    #[serde(default)]
    pub signed_method: Option<String>,
    /// Where the parameters go.
    #[serde(default)]
    pub placement: PlacementSpec,
    /// Signing cases: the `host` (signed by V3). Exchange cases take it from the endpoint.
    #[serde(default)]
    pub host: Option<String>,
    /// The product whose version is sent, `Cbn` (default) or `Vpc`.
    #[serde(default)]
    pub product: Option<String>,
    /// An explicit `Version`, overriding the product's (required for signing cases).
    #[serde(default)]
    pub version: Option<String>,
    /// The credentials.
    #[serde(default)]
    pub credentials: Option<CredentialsSpec>,
    /// A pinned timestamp, sent verbatim (signing cases: required; exchange cases: a bad one).
    #[serde(default)]
    pub timestamp: Option<String>,
    /// Exchange cases: seconds added to the current clock for the timestamp.
    #[serde(default)]
    pub clock_skew_seconds: Option<i64>,
    /// A pinned nonce (signing cases: required; exchange cases: random when absent).
    #[serde(default)]
    pub nonce: Option<String>,
    /// The API parameters, in the order given.
    #[serde(default)]
    pub params: Params,
    /// Exchange cases: common parameters (V1) or headers (V3) left out before signing.
    #[serde(default)]
    pub omit: Vec<String>,
    /// Exchange cases: common parameters set before signing (V1; V3 query parameters).
    #[serde(default)]
    pub set: Params,
    /// Exchange cases, V3: headers set before signing.
    #[serde(default)]
    pub set_headers: Params,
    /// Exchange cases: tampering after signing.
    #[serde(default)]
    pub after_signing: Option<AfterSigning>,
    /// Exchange cases: send the identical request twice; the first must succeed and the
    /// expectations apply to the second.
    #[serde(default)]
    pub replay: bool,
    /// Exchange cases with `signature: none`: the exact query and body.
    #[serde(default)]
    pub raw: Option<Raw>,
    /// Exchange cases, signed: parameters added to the query besides `params`, even under a name
    /// already sent (a duplicate), and signed with the rest.
    #[serde(default)]
    pub extra_query: Params,
    /// Exchange cases, signed: parameters added to the form body besides `params`, even under a
    /// name already sent, and signed with the rest.
    #[serde(default)]
    pub extra_body: Params,
    /// Exchange cases, signed: parameters whose value is that many `x` characters (very long
    /// values, oversized bodies), added to `params`.
    #[serde(default)]
    pub fill: std::collections::BTreeMap<String, usize>,
}

impl RequestSpec {
    /// A request signed with a named credential role, everything else default: what a flow step
    /// sends.
    pub fn signed(
        signature: SignatureKind,
        product: Option<String>,
        credentials: &str,
        params: Params,
    ) -> Self {
        Self {
            signature,
            method: None,
            signed_method: None,
            placement: PlacementSpec::Query,
            host: None,
            product,
            version: None,
            credentials: Some(CredentialsSpec::Named(credentials.to_owned())),
            timestamp: None,
            clock_skew_seconds: None,
            nonce: None,
            params,
            omit: Vec::new(),
            set: Params::default(),
            set_headers: Params::default(),
            after_signing: None,
            replay: false,
            raw: None,
            extra_query: Params::default(),
            extra_body: Params::default(),
            fill: std::collections::BTreeMap::new(),
        }
    }
}

/// The final request a signer must produce.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WireSpec {
    /// `GET` or `POST`.
    pub method: String,
    /// `/` or `/?` and the query.
    pub path_and_query: String,
    /// Every header, lower-case names (order does not matter).
    #[serde(default)]
    pub headers: Params,
    /// The body text.
    #[serde(default)]
    pub body: String,
}

/// What a signing case must produce.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SigningExpect {
    /// V1: the canonicalized query string; V3: the canonical request.
    pub canonical: String,
    /// The string to sign.
    pub string_to_sign: String,
    /// The signature.
    pub signature: String,
    /// The final request.
    pub wire: WireSpec,
}

/// What the response to an exchange case must show.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ResponseExpect {
    /// The HTTP status.
    pub status: u16,
    /// The error `Code`; absent means the response must not be an error envelope.
    #[serde(default)]
    pub code: Option<String>,
    /// The exact `Message`.
    #[serde(default)]
    pub message: Option<String>,
    /// The start of the `Message` (for messages quoting request-specific text).
    #[serde(default)]
    pub message_prefix: Option<String>,
    /// Top-level fields the body must have (JSON members, XML children of the root).
    #[serde(default)]
    pub fields: Vec<String>,
    /// Response headers: an exact value, or `"*"` for any value.
    #[serde(default)]
    pub headers: Params,
    /// JSON variant only: dotted paths into the body (a number indexes a list) and the JSON type
    /// each must have, `object`, `array`, `string`, `integer`, `number` (any number), `boolean`
    /// or `null`: list wrappers (`Cens: object`, `Cens.Cen: array`) and numbers sent as numbers.
    #[serde(default)]
    pub types: std::collections::BTreeMap<String, String>,
    /// Values the body must hold, as a part of it (`{Cens: {Cen: [{Name: net}]}}`): objects
    /// member by member (others may be there too), lists item by item with the same length,
    /// `null` for an absent member, scalars by their text (`"5"` matches `5`); `${Name}` is
    /// replaced in flow steps. An XML body is read with the operation's shape in the spec.
    #[serde(default)]
    pub json: Option<serde_json::Value>,
}

/// The JSON types `expect.types` may name.
pub const JSON_TYPES: &[&str] = &[
    "object", "array", "string", "integer", "number", "boolean", "null",
];

/// The expectation, by kind.
#[derive(Debug, Clone)]
pub enum Expect {
    /// Signing cases.
    Signing(SigningExpect),
    /// Exchange cases.
    Response(ResponseExpect),
    /// Flow cases: the steps, each with its own expectation, and the cleanup.
    Flow(Flow),
}

/// Polling: the step's request is repeated until the value at `path` in the response equals
/// `equals`, or the timeout passes.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WaitUntil {
    /// A dotted path into the response (`Cens.Cen.0.Status`); a number indexes a list (and, in
    /// XML, index 0 of a single element is that element).
    pub path: String,
    /// The value to wait for, compared with the text of a string, number or boolean (`${Name}`
    /// is replaced); `"(absent)"` waits for the path to disappear.
    pub equals: String,
    /// Give up after this long (default 120000).
    #[serde(default = "default_timeout_ms")]
    pub timeout_ms: u64,
    /// Wait this long between two requests (default 2000; an emulator endpoint may poll faster).
    #[serde(default = "default_interval_ms")]
    pub interval_ms: u64,
}

fn default_timeout_ms() -> u64 {
    120_000
}

fn default_interval_ms() -> u64 {
    2_000
}

fn default_true() -> bool {
    true
}

/// One request of a flow case, or (`advance_ms`) a move of the in-process emulator's clock.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Step {
    /// A label shown in reports and the transcript.
    #[serde(default)]
    pub name: Option<String>,
    /// The `Action`; empty in an `advance_ms` step.
    #[serde(default)]
    pub action: String,
    /// Moves the emulator's manual clock this far instead of sending anything: only in a case
    /// with `manual_clock`, which runs against the in-process emulator alone.
    #[serde(default)]
    pub advance_ms: Option<u64>,
    /// `Cbn` (default) or `Vpc`.
    #[serde(default)]
    pub product: Option<String>,
    /// The credentials the request is signed with: `primary` (default), `secondary`, ...
    #[serde(default)]
    pub account: Option<String>,
    /// `v1` (default) or `v3`.
    #[serde(default)]
    pub signature: Option<SignatureKind>,
    /// The API parameters; `${Name}` is replaced by a captured value or an endpoint variable.
    #[serde(default)]
    pub params: Params,
    /// What the response must show; `{status: 200}` (and no error) when absent.
    #[serde(default)]
    pub expect: Option<ResponseExpect>,
    /// Variables set from the response: name -> dotted path (`Cens.Cen.0.CenId`).
    #[serde(default)]
    pub capture: Params,
    /// Repeat the request until a value is reached.
    #[serde(default)]
    pub wait_until: Option<WaitUntil>,
    /// Cleanup steps: further error codes that mean "nothing left to undo" (a not-found answer
    /// always does), such as `InvalidOperation.BwpInstanceStatus` when unassociating a plan the
    /// steps already unassociated.
    #[serde(default)]
    pub tolerate: Vec<String>,
    /// Whether the normalised body goes into the transcript (default true; turn it off for
    /// answers that depend on what else the account holds).
    #[serde(default = "default_true")]
    pub snapshot: bool,
    /// The fixture the step comes from, if any (set when the case is read).
    #[serde(skip)]
    pub fixture: Option<String>,
}

impl Step {
    /// The request of this step with `params` already substituted.
    pub fn request(&self, params: Params) -> RequestSpec {
        RequestSpec::signed(
            self.signature.unwrap_or(SignatureKind::V1),
            self.product.clone(),
            self.account.as_deref().unwrap_or("primary"),
            params,
        )
    }

    /// The name of the step in reports: its label, or its action.
    pub fn label(&self) -> String {
        let action = match self.advance_ms {
            Some(ms) => format!("advance the clock {ms} ms"),
            None => self.action.clone(),
        };
        match &self.name {
            Some(name) => format!("{action} ({name})"),
            None => action,
        }
    }
}

/// The steps of a flow case.
#[derive(Debug, Clone, Default)]
pub struct Flow {
    /// Run in order; the first failure ends them.
    pub steps: Vec<Step>,
    /// Always run after the steps, even after a failure, in the order given (write it in reverse
    /// creation order); steps whose variables were never captured are left out, and a
    /// not-found answer counts as done.
    pub cleanup: Vec<Step>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCase {
    id: String,
    kind: Kind,
    description: String,
    operation: String,
    #[serde(default)]
    format: FormatSpec,
    #[serde(default)]
    tags: Vec<String>,
    provenance: Provenance,
    #[serde(default)]
    expected_failure: Option<ExpectedFailure>,
    #[serde(default)]
    request: Option<RequestSpec>,
    #[serde(default)]
    expect: Option<serde_yaml_ng::Value>,
    #[serde(default)]
    steps: Option<Vec<Step>>,
    #[serde(default)]
    cleanup: Option<Vec<Step>>,
    #[serde(default)]
    fixtures: Vec<String>,
    #[serde(default)]
    manual_clock: Option<ManualClock>,
}

/// The in-process emulator with a clock that moves only with `advance_ms` steps, for cases that
/// check what happens while a resource is still in transition (the emulator's own scenarios).
#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ManualClock {
    /// How long transitions (Creating, Attaching, ...) take on that clock.
    #[serde(default)]
    pub delay_ms: u64,
}

/// A named setup and its teardown, `fixtures/<name>.yaml` next to the families: a flow case
/// that lists it runs its steps first and its cleanup last, so that the case states only what
/// it checks.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Fixture {
    description: String,
    /// Fixtures this one builds on, set up before it and torn down after it.
    #[serde(default)]
    fixtures: Vec<String>,
    /// The variables its steps capture, which the cases using it may name.
    #[serde(default)]
    provides: Vec<String>,
    steps: Vec<Step>,
    #[serde(default)]
    cleanup: Vec<Step>,
}

/// The directory of the fixtures, beside the families; it is not a family of cases.
pub const FIXTURES_DIR: &str = "fixtures";

/// One golden case.
#[derive(Debug, Clone)]
pub struct Case {
    /// The file it was read from.
    pub path: PathBuf,
    /// The family: the name of the directory holding the file.
    pub family: String,
    /// Unique within its family, equal to the file stem.
    pub id: String,
    /// What the case checks.
    pub kind: Kind,
    /// One sentence: what behaviour and why.
    pub description: String,
    /// The `Action`.
    pub operation: String,
    /// The response format(s).
    pub format: FormatSpec,
    /// Free tags; `billing` and `writes` gate real endpoints.
    pub tags: Vec<String>,
    /// Where the expectation comes from.
    pub provenance: Provenance,
    /// A known divergence.
    pub expected_failure: Option<ExpectedFailure>,
    /// The request.
    pub request: RequestSpec,
    /// What must hold.
    pub expect: Expect,
    /// The fixtures the case names, whose steps and cleanup are already in `expect`.
    pub fixtures: Vec<String>,
    /// Set when the case needs the in-process emulator's manual clock.
    pub manual_clock: Option<ManualClock>,
}

impl Case {
    /// `family/id`, the name shown in reports.
    pub fn name(&self) -> String {
        format!("{}/{}", self.family, self.id)
    }

    /// Whether the case checks an error answer of its operation (an exchange expecting an error
    /// status or code, a flow whose step calling the operation does) rather than its success.
    pub fn expects_error(&self) -> bool {
        let is_error = |e: &ResponseExpect| e.code.is_some() || e.status >= 400;
        match &self.expect {
            Expect::Signing(_) => false,
            Expect::Response(expect) => is_error(expect),
            Expect::Flow(flow) => flow
                .steps
                .iter()
                .filter(|s| s.action == self.operation)
                .any(|s| s.expect.as_ref().is_some_and(is_error)),
        }
    }

    /// The operations the case checks, each with whether it checks an error answer: the
    /// operation of a signing or exchange case; every operation a flow case's own steps call
    /// (not those of its fixtures, not its cleanup), since each answer is checked.
    pub fn covers(&self) -> Vec<(String, bool)> {
        let Expect::Flow(flow) = &self.expect else {
            return vec![(self.operation.clone(), self.expects_error())];
        };
        let mut covered: Vec<(String, bool)> = Vec::new();
        for step in flow
            .steps
            .iter()
            .filter(|s| s.fixture.is_none() && s.advance_ms.is_none())
        {
            let error = step
                .expect
                .as_ref()
                .is_some_and(|e| e.code.is_some() || e.status >= 400);
            let entry = (step.action.clone(), error);
            if !covered.contains(&entry) {
                covered.push(entry);
            }
        }
        covered
    }

    /// Whether the case carries a tag.
    pub fn has_tag(&self, tag: &str) -> bool {
        self.tags.iter().any(|t| t == tag)
    }
}

/// Parses a case from its text; `path` names the file in errors and gives the family and id.
pub fn parse_case(path: &Path, text: &str) -> Result<Case, CaseError> {
    let raw: RawCase = serde_yaml_ng::from_str(text).map_err(|e| yaml_error(path, "", &e))?;
    let family = path
        .parent()
        .and_then(Path::file_name)
        .map(|f| f.to_string_lossy().into_owned())
        .unwrap_or_default();
    let stem = path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    let err = |field: &str, message: &str| CaseError::new(path, field, message);
    if raw.id != stem {
        return Err(err(
            "id",
            &format!("is {:?} but the file is named {stem:?}", raw.id),
        ));
    }
    for (field, value) in [
        ("description", &raw.description),
        ("operation", &raw.operation),
        ("provenance.details", &raw.provenance.details),
    ] {
        if value.trim().is_empty() {
            return Err(err(field, "must not be empty"));
        }
    }
    match raw.provenance.source {
        Source::Recorded => {
            if raw.provenance.endpoint.is_none() {
                return Err(err(
                    "provenance.endpoint",
                    "a recorded case names the endpoint it was recorded from",
                ));
            }
            if raw.provenance.date.is_none() {
                return Err(err(
                    "provenance.date",
                    "a recorded case gives the date of the recording",
                ));
            }
        }
        Source::Sdk => {
            if raw.provenance.sdk.is_none() {
                return Err(err(
                    "provenance.sdk",
                    "an sdk case names the SDK package and version",
                ));
            }
        }
        Source::Reference | Source::Project => {}
    }
    if let Some(xfail) = &raw.expected_failure
        && xfail.reason.trim().is_empty()
    {
        return Err(err("expected_failure.reason", "must say why"));
    }
    let (request, expect) = match raw.kind {
        Kind::Signing | Kind::Exchange => {
            for (field, used) in [
                ("steps", raw.steps.is_some()),
                ("cleanup", raw.cleanup.is_some()),
                ("fixtures", !raw.fixtures.is_empty()),
                ("manual_clock", raw.manual_clock.is_some()),
            ] {
                if used {
                    return Err(err(field, "is for flow cases only"));
                }
            }
            let Some(req) = &raw.request else {
                return Err(err("request", "missing field `request`"));
            };
            let Some(expect_value) = &raw.expect else {
                return Err(err("expect", "missing field `expect`"));
            };
            let expect = if raw.kind == Kind::Signing {
                validate_signing(path, &raw, req)?;
                Expect::Signing(
                    serde_yaml_ng::from_value(expect_value.clone())
                        .map_err(|e| yaml_error(path, "expect", &e))?,
                )
            } else {
                validate_exchange(path, req)?;
                let expect: ResponseExpect = serde_yaml_ng::from_value(expect_value.clone())
                    .map_err(|e| yaml_error(path, "expect", &e))?;
                validate_response_expect(path, "expect", &expect)?;
                Expect::Response(expect)
            };
            (req.clone(), expect)
        }
        Kind::Flow => {
            for (field, used) in [
                ("request", raw.request.is_some()),
                ("expect", raw.expect.is_some()),
            ] {
                if used {
                    return Err(err(
                        field,
                        "a flow case gives `steps:` (each with its own expect), not request/expect",
                    ));
                }
            }
            let steps = raw.steps.clone().unwrap_or_default();
            if steps.is_empty() {
                return Err(err("steps", "a flow case has at least one step"));
            }
            let cleanup = raw.cleanup.clone().unwrap_or_default();
            for (list, items) in [("steps", &steps), ("cleanup", &cleanup)] {
                for (i, step) in items.iter().enumerate() {
                    validate_step(path, &format!("{list}[{i}]"), step)?;
                }
            }
            // Checked once the fixtures are in, whose steps may move the clock too.
            let flow = with_fixtures(path, &raw.fixtures, Flow { steps, cleanup })?;
            if raw.manual_clock.is_none()
                && let Some(i) = flow.steps.iter().position(|s| s.advance_ms.is_some())
            {
                return Err(err(
                    &format!("steps[{i}].advance_ms"),
                    "moves the manual clock: give the case `manual_clock: {delay_ms: N}`",
                ));
            }
            if flow.cleanup.iter().any(|s| s.advance_ms.is_some()) {
                return Err(err("cleanup", "a cleanup step sends a request"));
            }
            let request = flow.steps[0].request(Params::default());
            (request, Expect::Flow(flow))
        }
    };
    Ok(Case {
        path: path.to_owned(),
        family,
        id: raw.id,
        kind: raw.kind,
        description: raw.description,
        operation: raw.operation,
        format: raw.format,
        tags: raw.tags,
        provenance: raw.provenance,
        expected_failure: raw.expected_failure,
        request,
        expect,
        fixtures: raw.fixtures,
        manual_clock: raw.manual_clock,
    })
}

/// Puts the steps of the named fixtures (and of those they build on, each once, in the order
/// named) before a flow's steps, and their cleanup after its cleanup, in reverse order.
fn with_fixtures(path: &Path, names: &[String], flow: Flow) -> Result<Flow, CaseError> {
    let mut order: Vec<(String, Fixture)> = Vec::new();
    let mut open = Vec::new();
    for name in names {
        resolve_fixture(path, name, &mut open, &mut order)?;
    }
    let mut steps = Vec::new();
    let mut cleanup = flow.cleanup;
    for (name, fixture) in &order {
        steps.extend(fixture.steps.iter().cloned().map(|mut step| {
            step.fixture = Some(name.clone());
            step
        }));
    }
    steps.extend(flow.steps);
    for (_, fixture) in order.iter().rev() {
        cleanup.extend(fixture.cleanup.iter().cloned());
    }
    Ok(Flow { steps, cleanup })
}

/// Reads one fixture after those it builds on, refusing unknown names and cycles.
fn resolve_fixture(
    case_path: &Path,
    name: &str,
    open: &mut Vec<String>,
    order: &mut Vec<(String, Fixture)>,
) -> Result<(), CaseError> {
    if order.iter().any(|(done, _)| done == name) {
        return Ok(());
    }
    let field = format!("fixtures: {name}");
    if open.iter().any(|o| o == name) {
        return Err(CaseError::new(
            case_path,
            field,
            format!("builds on itself: {} -> {name}", open.join(" -> ")),
        ));
    }
    let valid = !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
    let root = case_path
        .parent()
        .and_then(Path::parent)
        .unwrap_or(Path::new(""));
    let fixture_path = root.join(FIXTURES_DIR).join(format!("{name}.yaml"));
    let text = valid
        .then(|| match root.strip_prefix(BUILT_IN_ROOT) {
            Ok(_) => BUILT_IN
                .get_file(Path::new(FIXTURES_DIR).join(format!("{name}.yaml")))
                .and_then(|f| f.contents_utf8())
                .map(str::to_owned),
            Err(_) => std::fs::read_to_string(&fixture_path).ok(),
        })
        .flatten()
        .ok_or_else(|| {
            CaseError::new(
                case_path,
                field.clone(),
                format!("no fixture {}", fixture_path.display()),
            )
        })?;
    let fixture: Fixture =
        serde_yaml_ng::from_str(&text).map_err(|e| yaml_error(&fixture_path, "", &e))?;
    if fixture.description.trim().is_empty() {
        return Err(CaseError::new(
            &fixture_path,
            "description",
            "must not be empty",
        ));
    }
    if fixture.steps.is_empty() {
        return Err(CaseError::new(
            &fixture_path,
            "steps",
            "a fixture sets something up",
        ));
    }
    for (list, items) in [("steps", &fixture.steps), ("cleanup", &fixture.cleanup)] {
        for (i, step) in items.iter().enumerate() {
            validate_step(&fixture_path, &format!("{list}[{i}]"), step)?;
        }
    }
    for variable in &fixture.provides {
        if !fixture
            .steps
            .iter()
            .any(|s| s.capture.0.iter().any(|(n, _)| n == variable))
        {
            return Err(CaseError::new(
                &fixture_path,
                "provides",
                format!("`{variable}` is captured by none of its steps"),
            ));
        }
    }
    open.push(name.to_owned());
    for dependency in &fixture.fixtures {
        resolve_fixture(case_path, dependency, open, order)?;
    }
    open.pop();
    order.push((name.to_owned(), fixture));
    Ok(())
}

fn validate_response_expect(
    path: &Path,
    prefix: &str,
    expect: &ResponseExpect,
) -> Result<(), CaseError> {
    let err =
        |field: &str, message: &str| CaseError::new(path, format!("{prefix}.{field}"), message);
    if expect.message.is_some() && expect.message_prefix.is_some() {
        return Err(err(
            "message_prefix",
            "give either message or message_prefix",
        ));
    }
    if (expect.message.is_some() || expect.message_prefix.is_some()) && expect.code.is_none() {
        return Err(err("code", "a message is only checked with a code"));
    }
    for (path, kind) in &expect.types {
        if !JSON_TYPES.contains(&kind.as_str()) {
            return Err(err(
                "types",
                &format!("the type of `{path}` is {kind:?}: one of {JSON_TYPES:?}"),
            ));
        }
    }
    Ok(())
}

fn validate_step(path: &Path, field: &str, step: &Step) -> Result<(), CaseError> {
    let err =
        |sub: &str, message: &str| Err(CaseError::new(path, format!("{field}.{sub}"), message));
    if step.advance_ms.is_some() {
        let alone = step.action.is_empty()
            && step.params.0.is_empty()
            && step.expect.is_none()
            && step.capture.0.is_empty()
            && step.wait_until.is_none()
            && step.product.is_none()
            && step.account.is_none()
            && step.signature.is_none();
        if !alone {
            return err(
                "advance_ms",
                "a step that moves the clock sends nothing: give it alone (and a name)",
            );
        }
        return Ok(());
    }
    if step.action.trim().is_empty() {
        return err("action", "must not be empty");
    }
    if let Some(product) = &step.product
        && !matches!(product.as_str(), "Cbn" | "Vpc")
    {
        return err("product", "is Cbn or Vpc");
    }
    if let Some(account) = &step.account
        && !CREDENTIAL_NAMES.contains(&account.as_str())
    {
        return err(
            "account",
            &format!("unknown credentials {account:?}: one of {CREDENTIAL_NAMES:?}"),
        );
    }
    if !step.tolerate.is_empty() && !field.starts_with("cleanup") {
        return err(
            "tolerate",
            "is for cleanup steps; a step expects one answer",
        );
    }
    if step.signature == Some(SignatureKind::None) {
        return err("signature", "a flow step signs with v1 or v3");
    }
    if let Some(expect) = &step.expect {
        validate_response_expect(path, &format!("{field}.expect"), expect)?;
    }
    if let Some(wait) = &step.wait_until {
        if wait.path.trim().is_empty() {
            return err("wait_until.path", "must not be empty");
        }
        if wait.interval_ms == 0 || wait.timeout_ms < wait.interval_ms {
            return err(
                "wait_until.timeout_ms",
                "the interval is positive and the timeout at least one interval",
            );
        }
    }
    for (name, value) in &step.capture.0 {
        if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
            return err(
                "capture",
                &format!("variable name {name:?} is letters, digits and _"),
            );
        }
        if value.trim().is_empty() {
            return err("capture", &format!("the path of `{name}` is empty"));
        }
    }
    Ok(())
}

fn yaml_error(path: &Path, prefix: &str, e: &serde_yaml_ng::Error) -> CaseError {
    // serde_yaml_ng puts the dotted path first (`request.method: unknown variant ...`); split it
    // off so the field is reported as such.
    let text = e.to_string();
    let (field, message) = match text.split_once(": ") {
        Some((field, message))
            if !field.contains(' ') && !field.is_empty() && !text.starts_with("missing field") =>
        {
            (field.to_owned(), message.to_owned())
        }
        _ => {
            let field = text
                .split('`')
                .nth(1)
                .filter(|_| text.starts_with("missing field") || text.starts_with("unknown field"))
                .unwrap_or("-")
                .to_owned();
            (field, text.clone())
        }
    };
    let field = match (prefix, field.as_str()) {
        ("", f) => f.to_owned(),
        (p, "-") => p.to_owned(),
        (p, f) => format!("{p}.{f}"),
    };
    CaseError::new(path, field, message)
}

fn validate_signing(path: &Path, raw: &RawCase, req: &RequestSpec) -> Result<(), CaseError> {
    let err = |field: &str, message: &str| Err(CaseError::new(path, field, message));
    if raw.format == FormatSpec::Both {
        return err("format", "a signing case signs one Format: JSON or XML");
    }
    if req.signature == SignatureKind::None {
        return err("request.signature", "a signing case signs with v1 or v3");
    }
    match req.method.as_deref() {
        None | Some("GET" | "POST") => {}
        Some(_) => return err("request.method", "a signing case uses GET or POST"),
    }
    if req.placement == PlacementSpec::Split {
        return err(
            "request.placement",
            "the signer places parameters in the query or the body, not split",
        );
    }
    if req.host.is_none() {
        return err("request.host", "a signing case gives the host");
    }
    if req.version.is_none() {
        return err("request.version", "a signing case gives the version");
    }
    if !matches!(req.credentials, Some(CredentialsSpec::Inline { .. })) {
        return err(
            "request.credentials",
            "a signing case gives access_key_id and access_key_secret inline",
        );
    }
    if req.timestamp.is_none() {
        return err("request.timestamp", "a signing case pins the clock");
    }
    if req.nonce.is_none() {
        return err("request.nonce", "a signing case pins the nonce");
    }
    for (field, used) in [
        ("request.omit", !req.omit.is_empty()),
        ("request.set", !req.set.0.is_empty()),
        ("request.set_headers", !req.set_headers.0.is_empty()),
        ("request.after_signing", req.after_signing.is_some()),
        ("request.replay", req.replay),
        ("request.raw", req.raw.is_some()),
        (
            "request.clock_skew_seconds",
            req.clock_skew_seconds.is_some(),
        ),
        ("request.product", req.product.is_some()),
        ("request.signed_method", req.signed_method.is_some()),
        ("request.extra_query", !req.extra_query.0.is_empty()),
        ("request.extra_body", !req.extra_body.0.is_empty()),
        ("request.fill", !req.fill.is_empty()),
    ] {
        if used {
            return err(field, "is for exchange cases only");
        }
    }
    Ok(())
}

fn validate_exchange(path: &Path, req: &RequestSpec) -> Result<(), CaseError> {
    let err = |field: &str, message: &str| Err(CaseError::new(path, field, message));
    if req.host.is_some() {
        return err(
            "request.host",
            "an exchange case takes the host from the endpoint",
        );
    }
    if let Some(product) = &req.product
        && !matches!(product.as_str(), "Cbn" | "Vpc")
    {
        return err("request.product", "is Cbn or Vpc");
    }
    if req.timestamp.is_some() && req.clock_skew_seconds.is_some() {
        return err(
            "request.clock_skew_seconds",
            "give either a pinned timestamp or a skew",
        );
    }
    match (req.signature, &req.credentials, &req.raw) {
        (SignatureKind::None, _, None) => {
            return err(
                "request.raw",
                "an unsigned request gives its raw query or body",
            );
        }
        (SignatureKind::None, _, Some(_)) => {
            for (field, used) in [
                ("request.extra_query", !req.extra_query.0.is_empty()),
                ("request.extra_body", !req.extra_body.0.is_empty()),
                ("request.fill", !req.fill.is_empty()),
            ] {
                if used {
                    return err(field, "is for signed requests; write it into `raw`");
                }
            }
        }
        (_, _, Some(_)) => return err("request.raw", "is only for signature: none"),
        (_, None, None) => {
            return err(
                "request.credentials",
                &format!("a signed request names its credentials: one of {CREDENTIAL_NAMES:?}"),
            );
        }
        (_, Some(CredentialsSpec::Inline { .. }), None) => {
            return err(
                "request.credentials",
                &format!(
                    "an exchange case names its credentials (one of {CREDENTIAL_NAMES:?}); secrets never go in case files"
                ),
            );
        }
        (_, Some(CredentialsSpec::Named(name)), None) => {
            if !CREDENTIAL_NAMES.contains(&name.as_str()) {
                return err(
                    "request.credentials",
                    &format!("unknown credentials {name:?}: one of {CREDENTIAL_NAMES:?}"),
                );
            }
        }
    }
    if req.replay && req.after_signing.is_some() {
        return err(
            "request.replay",
            "a replayed request must succeed the first time; do not tamper with it",
        );
    }
    if req.signature != SignatureKind::V3 && !req.set_headers.0.is_empty() {
        return err("request.set_headers", "is for v3 requests");
    }
    Ok(())
}

/// Reads and parses one case file.
pub fn load_case(path: &Path) -> Result<Case, CaseError> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| CaseError::new(path, "-", format!("cannot read: {e}")))?;
    parse_case(path, &text)
}

/// The cases shipped inside the binary: `conformance/cases` as it was when the crate was built.
static BUILT_IN: include_dir::Dir<'static> = include_dir::include_dir!("$CARGO_MANIFEST_DIR/cases");

/// The root of the paths given to built-in cases (`<built-in>/auth/x.yaml`): it names them in
/// errors and marks them as having no file to rewrite.
pub const BUILT_IN_ROOT: &str = "<built-in>";

/// Whether a case was loaded from the cases shipped inside the binary.
pub fn is_built_in(case: &Case) -> bool {
    case.path.starts_with(BUILT_IN_ROOT)
}

/// The text of a file next to a case (`snapshots/<id>.json.snap`), read from the same place the
/// case came from: the built-in cases or the case's directory.
pub fn sibling_text(case: &Case, relative: &Path) -> Option<String> {
    let dir = case.path.parent()?;
    match dir.strip_prefix(BUILT_IN_ROOT) {
        Ok(family) => BUILT_IN
            .get_file(family.join(relative))
            .and_then(|f| f.contents_utf8())
            .map(str::to_owned),
        Err(_) => std::fs::read_to_string(dir.join(relative)).ok(),
    }
}

/// Whether a file in a family directory is a case file; a case file under another extension is
/// an error rather than silently left out.
fn is_case_file(file: &Path) -> Result<bool, CaseError> {
    match file.extension().and_then(|e| e.to_str()) {
        Some("yaml") => Ok(true),
        Some("yml" | "json") => Err(CaseError::new(file, "-", "case files are named <id>.yaml")),
        _ => Ok(false),
    }
}

/// Parses the cases shipped inside the binary, sorted by family and id.
pub fn load_built_in() -> Result<Vec<Case>, CaseError> {
    let mut families: Vec<&include_dir::Dir<'_>> = BUILT_IN.dirs().collect();
    families.retain(|d| d.path() != Path::new(FIXTURES_DIR));
    families.sort_by_key(|d| d.path());
    let mut cases = Vec::new();
    for family in families {
        let mut files: Vec<&include_dir::File<'_>> = family.files().collect();
        files.sort_by_key(|f| f.path());
        for file in files {
            let path = Path::new(BUILT_IN_ROOT).join(file.path());
            if is_case_file(&path)? {
                let text = file
                    .contents_utf8()
                    .ok_or_else(|| CaseError::new(&path, "-", "not UTF-8"))?;
                cases.push(parse_case(&path, text)?);
            }
        }
    }
    Ok(cases)
}

/// Reads every `<family>/<id>.yaml` under `dir`, sorted by family and id; ids must be unique
/// within a family.
pub fn load_dir(dir: &Path) -> Result<Vec<Case>, CaseError> {
    let read_dir = |d: &Path| -> Result<Vec<PathBuf>, CaseError> {
        let mut entries: Vec<PathBuf> = std::fs::read_dir(d)
            .map_err(|e| CaseError::new(d, "-", format!("cannot list: {e}")))?
            .filter_map(Result::ok)
            .map(|e| e.path())
            .collect();
        entries.sort();
        Ok(entries)
    };
    let mut cases = Vec::new();
    for family in read_dir(dir)? {
        if !family.is_dir() || family.file_name() == Some(FIXTURES_DIR.as_ref()) {
            continue;
        }
        for file in read_dir(&family)? {
            if is_case_file(&file)? {
                cases.push(load_case(&file)?);
            }
        }
    }
    Ok(cases)
}

/// The cases of `--cases DIR`, or the built-in ones without it.
pub fn load(dir: Option<&Path>) -> Result<Vec<Case>, CaseError> {
    match dir {
        Some(dir) => load_dir(dir),
        None => load_built_in(),
    }
}
