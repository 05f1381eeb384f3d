//! Loading and validating the curated OpenAPI documents in `spec/`.
//!
//! [`load_dir`] and [`load_file`] parse each document with `openapiv3`, check it against the
//! conventions of `spec/README.md` and return a small typed model of the product, its operations,
//! their parameters and the `x-acs-*` extensions. Every generator works from that model (and from
//! the parsed document it keeps), so the conventions are checked in one place.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::path::{Path, PathBuf};

use indexmap::IndexMap;
use openapiv3::{
    AdditionalProperties, MediaType, OpenAPI, ReferenceOr, RequestBody, Response, Schema,
    SchemaKind, StatusCode, StringFormat, Type, VariantOrUnknownOrEmpty,
};
use serde_json::Value;

use crate::Error;
use crate::merge::Origin;

/// One product, described by one OpenAPI document or by a directory of fragments
/// ([`crate::merge`]).
#[derive(Debug, Clone)]
pub struct Product {
    /// The document's or directory's path relative to the workspace root, with `/` separators
    /// (`spec/cbn`).
    pub source: String,
    /// `x-acs-product` (`Cbn`).
    pub name: String,
    /// `x-acs-version` (`2017-09-12`).
    pub version: String,
    /// `servers[0].url`, the default endpoint.
    pub endpoint: String,
    /// The component schema that every `4XX` and `5XX` response carries (`ApiError`).
    pub error_schema: String,
    /// The operations, sorted by action.
    pub operations: Vec<Operation>,
    /// `x-acs-waiters`, sorted by name.
    pub waiters: Vec<crate::waiter::Waiter>,
    /// `x-acs-common-errors`: the product-wide error table, codes any operation may answer.
    pub common_errors: Vec<DocumentedError>,
    /// The wire names of the properties marked `x-acs-sensitive: true` (secrets and tokens),
    /// which generated `Debug` output shows as `***`.
    pub sensitive: BTreeSet<String>,
    /// The parsed document, for generators that need more than the model.
    pub document: OpenAPI,
}

impl Product {
    /// The Rust module name of the product (`cbn`).
    pub fn module_name(&self) -> String {
        self.name.to_lowercase()
    }

    /// The name of the product's `static` metadata item (`CBN`).
    pub fn static_name(&self) -> String {
        self.name.to_uppercase()
    }
}

/// One RPC action, modelled as `POST /{Action}`.
#[derive(Debug, Clone)]
pub struct Operation {
    /// The wire `Action` (`DescribeCens`), equal to the path and the operationId.
    pub action: String,
    /// The file that defines the operation, relative to the workspace root.
    pub file: String,
    /// The family of operations it belongs to: its fragment's file stem (`transit-routers`).
    pub family: String,
    /// The operation's `summary`.
    pub summary: Option<String>,
    /// The operation's `description`.
    pub description: Option<String>,
    /// The schema of the JSON request body.
    pub request: BodySchema,
    /// The schema of the `200` response.
    pub response: BodySchema,
    /// The top-level properties of the request body: the API parameters, in document order.
    pub params: Vec<Param>,
    /// `x-acs-client-token`: the idempotence parameter.
    pub client_token: Option<String>,
    /// `x-acs-pagination`.
    pub pagination: Option<Pagination>,
    /// `x-acs-errors`: the documented business errors, in document order.
    pub errors: Vec<DocumentedError>,
    /// `x-acs-async` in its sentence form: how to observe an effect that completes in the
    /// background.
    pub async_note: Option<String>,
    /// `x-acs-async.waiter`: the waiter that observes the effect.
    pub async_waiter: Option<String>,
    /// `x-acs-auth: anonymous`: the official SDKs send the operation without an AccessKey or a
    /// signature (their `auth_type='Anonymous'`), because a parameter is the proof of identity.
    pub anonymous: bool,
}

impl Operation {
    /// The names of the parameters that travel as one JSON string (`x-acs-style: json`), sorted.
    pub fn json_params(&self) -> Vec<&str> {
        let mut names: Vec<&str> = self
            .params
            .iter()
            .filter(|p| p.style == ParamStyle::Json)
            .map(|p| p.name.as_str())
            .collect();
        names.sort_unstable();
        names
    }
}

/// Where a request or response schema is defined.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BodySchema {
    /// `$ref: '#/components/schemas/{name}'`.
    Component(String),
    /// An inline schema; progenitor names its type after the operation.
    Inline,
}

/// One API parameter: a top-level property of the request body.
#[derive(Debug, Clone)]
pub struct Param {
    /// The wire name (`CenId`).
    pub name: String,
    /// Whether the request schema lists it under `required`.
    pub required: bool,
    /// `x-acs-style`.
    pub style: ParamStyle,
    /// The documented limits (`x-acs-max-length` and friends).
    pub limits: Limits,
    /// `x-acs-default`.
    pub default: Option<Value>,
    /// The property's `description`.
    pub description: Option<String>,
}

/// How a parameter travels on the wire.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ParamStyle {
    /// Flattened into `Name.N.Field=value` pairs (the default).
    Flat,
    /// One JSON document in one string (`x-acs-style: json`).
    Json,
}

/// Documented limits of a parameter, from the `x-acs-*` extensions.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Limits {
    /// `x-acs-max-length`.
    pub max_length: Option<u64>,
    /// `x-acs-min-length`.
    pub min_length: Option<u64>,
    /// `x-acs-minimum`.
    pub minimum: Option<i64>,
    /// `x-acs-maximum`.
    pub maximum: Option<i64>,
    /// `x-acs-max-items`.
    pub max_items: Option<u64>,
    /// `x-acs-enum`.
    pub documented_values: Vec<String>,
}

/// `x-acs-pagination`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pagination {
    /// The dotted path to the list in the `200` response (`Cens.Cen`), split at the dots.
    pub items: Vec<String>,
    /// The name of the token parameter and response field of token-paged operations (`NextToken`).
    pub next_token: Option<String>,
}

impl Pagination {
    /// The dotted items path as written in the document.
    pub fn items_path(&self) -> String {
        self.items.join(".")
    }
}

/// One entry of `x-acs-errors`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DocumentedError {
    /// The HTTP status the service answers with.
    pub status: u16,
    /// The error `Code`.
    pub code: String,
    /// The error `Message`.
    pub message: String,
}

/// Everything wrong with one document.
#[derive(Debug)]
pub struct SpecError {
    /// The document's path as shown to the user.
    pub file: String,
    /// One entry per problem, in the order they were found.
    pub problems: Vec<Problem>,
}

/// One problem in a document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// The fragment the problem is in, when the product is assembled from several files.
    pub file: Option<String>,
    /// The action the problem is in, if it is in one.
    pub operation: Option<String>,
    /// A full sentence saying what is wrong and what to write instead.
    pub message: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(file) = &self.file {
            write!(f, "{file}: ")?;
        }
        match &self.operation {
            Some(op) => write!(f, "operation `{op}`: {}", self.message),
            None => f.write_str(&self.message),
        }
    }
}

impl fmt::Display for SpecError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.problems.as_slice() {
            [one] if one.file.is_some() => write!(f, "{one}"),
            [one] => write!(f, "{}: {one}", self.file),
            many => {
                write!(f, "{} has {} problems:", self.file, many.len())?;
                for problem in many {
                    write!(f, "\n  - {problem}")?;
                }
                Ok(())
            }
        }
    }
}

impl std::error::Error for SpecError {}

/// The `x-acs-*` keys allowed on a `x-acs-pagination` object.
const PAGINATION_KEYS: &[&str] = &["items", "next_token"];

/// Loads and validates every product in `dir`: each `*.yaml` file directly in it is a
/// single-document product, and each subdirectory holding a `product.yaml` is a product assembled
/// from fragments ([`crate::merge`]). Other subdirectories are ignored. Products are sorted by
/// name. `root` is the workspace root; file names in errors and headers are relative to it.
pub fn load_dir(root: &Path, dir: &Path) -> Result<Vec<Product>, Error> {
    let abs = root.join(dir);
    let entries = std::fs::read_dir(&abs).map_err(|source| Error::Io {
        path: abs.clone(),
        source,
    })?;
    let mut sources = Vec::new();
    for entry in entries {
        let entry = entry.map_err(|source| Error::Io {
            path: abs.clone(),
            source,
        })?;
        let path = entry.path();
        let is_document = path.is_file() && path.extension().is_some_and(|e| e == "yaml");
        let is_product_dir = path.is_dir() && path.join(crate::merge::PRODUCT_FILE).is_file();
        if is_document || is_product_dir {
            sources.push(path);
        }
    }
    sources.sort();
    if sources.is_empty() {
        return Err(Error::NoSpecs { dir: abs });
    }
    let mut products: Vec<Product> = Vec::new();
    for source in sources {
        let product = if source.is_dir() {
            load_product_dir(root, &source)?
        } else {
            load_file(root, &source)?
        };
        if let Some(other) = products.iter().find(|p| p.name == product.name) {
            return Err(Error::DuplicateProduct {
                product: product.name,
                first: other.source.clone(),
                second: product.source,
            });
        }
        products.push(product);
    }
    products.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(products)
}

/// Loads and validates one single-document product.
pub fn load_file(root: &Path, file: &Path) -> Result<Product, Error> {
    let shown = display_path(root, file);
    let text = std::fs::read_to_string(file).map_err(|source| Error::Io {
        path: file.to_path_buf(),
        source,
    })?;
    let document: OpenAPI = serde_yaml_ng::from_str(&text).map_err(|source| Error::Parse {
        file: shown.clone(),
        source,
    })?;
    validate(shown, document, &BTreeMap::new()).map_err(Error::Spec)
}

/// Assembles and validates the product in directory `dir` ([`crate::merge`]).
pub fn load_product_dir(root: &Path, dir: &Path) -> Result<Product, Error> {
    let shown = display_path(root, dir);
    let assembled = crate::merge::assemble(root, dir)?;
    let document: OpenAPI =
        serde_yaml_ng::from_value(assembled.document).map_err(|source| Error::Parse {
            file: shown.clone(),
            source,
        })?;
    validate(shown, document, &assembled.origins).map_err(Error::Spec)
}

/// `file` relative to `root` with `/` separators, or as given when it is outside `root`.
pub fn display_path(root: &Path, file: &Path) -> String {
    match file.strip_prefix(root) {
        Ok(rel) => {
            let parts: Vec<String> = rel
                .components()
                .map(|c| c.as_os_str().to_string_lossy().into_owned())
                .collect();
            parts.join("/")
        }
        Err(_) => file.display().to_string(),
    }
}

/// Checks a parsed document against the conventions and builds the model. `origins` says which
/// file defines each operation when the document was assembled from fragments; an operation it
/// does not list belongs to `file`.
pub fn validate(
    file: String,
    document: OpenAPI,
    origins: &BTreeMap<String, Origin>,
) -> Result<Product, SpecError> {
    let module = file
        .rsplit('/')
        .next()
        .unwrap_or(&file)
        .split(['-', '.'])
        .next()
        .unwrap_or_default()
        .to_lowercase();
    let mut v = Validator {
        doc: &document,
        problems: Vec::new(),
        op: None,
        origins,
        default_origin: Origin {
            file: file.clone(),
            family: module,
        },
    };
    let header = v.header();
    let error_schema = v.shared_error_schema();
    let common_errors = v
        .error_list(
            "x-acs-common-errors",
            document.extensions.get("x-acs-common-errors"),
        )
        .unwrap_or_default();
    let mut operations = Vec::new();
    for (path, item) in &document.paths.paths {
        v.op = Some(path.trim_start_matches('/').to_owned());
        if let Some(op) = v.operation(path, item, error_schema.as_deref()) {
            operations.push(op);
        }
    }
    v.op = None;
    if document.paths.paths.is_empty() {
        v.problem(
            "the document has no paths; describe at least one operation as `POST /{Action}`.",
        );
    }
    operations.sort_by(|a, b| a.action.cmp(&b.action));
    let sensitive = v.sensitive_properties();
    let mut problems = v.problems;
    let waiters = crate::waiter::waiters(&document, &operations, &mut problems);
    crate::waiter::check_async(&operations, &waiters, &mut problems);
    match (header, error_schema) {
        (Some((name, version, endpoint)), Some(error_schema)) if problems.is_empty() => {
            Ok(Product {
                source: file,
                name,
                version,
                endpoint,
                error_schema,
                operations,
                waiters,
                common_errors,
                sensitive,
                document,
            })
        }
        _ => Err(SpecError { file, problems }),
    }
}

struct Validator<'a> {
    doc: &'a OpenAPI,
    problems: Vec<Problem>,
    op: Option<String>,
    origins: &'a BTreeMap<String, Origin>,
    default_origin: Origin,
}

/// Standard keywords that change the Rust types typify generates, or make progenitor reject real
/// values, with the extension that states the same fact instead.
enum Forbidden {
    Keyword(&'static str, &'static str),
    Format(String),
}

impl<'a> Validator<'a> {
    fn problem(&mut self, message: impl Into<String>) {
        let file = self
            .op
            .as_ref()
            .and_then(|op| self.origins.get(op))
            .map(|o| o.file.clone());
        self.problems.push(Problem {
            file,
            operation: self.op.clone(),
            message: message.into(),
        });
    }

    /// Prose becomes Rust doc comments, where a line indented by four spaces is a code block that
    /// rustdoc compiles as a doctest.
    fn check_prose(&mut self, what: &str, text: &str) {
        if let Some(line) = text
            .lines()
            .find(|l| l.starts_with("    ") && !l.trim().is_empty())
        {
            self.problem(format!(
                "the {what} has a line indented by four spaces or more, which the generated docs would read as a code block: `{}`; dedent it (nested list items take two spaces).",
                line.trim()
            ));
        }
    }

    fn origin(&self, action: &str) -> Origin {
        self.origins
            .get(action)
            .cloned()
            .unwrap_or_else(|| self.default_origin.clone())
    }

    fn header(&mut self) -> Option<(String, String, String)> {
        let doc = self.doc;
        if !doc.openapi.starts_with("3.0.") {
            self.problem(format!(
                "`openapi: {}` is not supported; progenitor reads OpenAPI 3.0 only, so write `openapi: 3.0.3`.",
                doc.openapi
            ));
        }
        let name = self.doc_string_extension("x-acs-product");
        let version = self.doc_string_extension("x-acs-version");
        if let Some(name) = &name
            && (name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric()))
        {
            self.problem(format!(
                "`x-acs-product: {name}` must be the product code, ASCII letters and digits only (`Cbn`)."
            ));
        }
        let endpoint = match doc.servers.first() {
            Some(server) if !server.url.is_empty() => Some(server.url.clone()),
            _ => {
                self.problem("`servers[0].url` is missing; it is the product's default endpoint (`https://cbn.aliyuncs.com`).");
                None
            }
        };
        Some((name?, version?, endpoint?))
    }

    fn doc_string_extension(&mut self, key: &str) -> Option<String> {
        match self.doc.extensions.get(key) {
            Some(Value::String(s)) if !s.is_empty() => Some(s.clone()),
            Some(other) => {
                self.problem(format!(
                    "`{key}` must be a non-empty string, found `{other}` (quote versions: `\"2017-09-12\"`)."
                ));
                None
            }
            None => {
                self.problem(format!("the document-level `{key}` extension is missing."));
                None
            }
        }
    }

    /// Finds the error schema that the operations share: the one referenced by the first
    /// operation's `4XX` response. Each operation is then checked against it.
    fn shared_error_schema(&mut self) -> Option<String> {
        let first = self
            .doc
            .paths
            .paths
            .values()
            .filter_map(|item| item.as_item())
            .filter_map(|item| item.post.as_ref())
            .find_map(|op| op.responses.responses.get(&StatusCode::Range(4)));
        let found = first.and_then(|r| self.response_schema_name(r));
        if found.is_none() {
            self.problem("no shared error schema found: every operation needs `'4XX'` and `'5XX'` responses whose `application/json` schema is `$ref: '#/components/schemas/ApiError'` (directly or through `#/components/responses/`).");
        }
        found
    }

    fn resolve_response(&self, r: &'a ReferenceOr<Response>) -> Option<&'a Response> {
        match r {
            ReferenceOr::Item(r) => Some(r),
            ReferenceOr::Reference { reference } => {
                let name = reference.strip_prefix("#/components/responses/")?;
                self.doc.components.as_ref()?.responses.get(name)?.as_item()
            }
        }
    }

    fn response_schema_name(&self, r: &'a ReferenceOr<Response>) -> Option<String> {
        let response = self.resolve_response(r)?;
        let media = single_json(&response.content)?;
        match media.schema.as_ref()? {
            ReferenceOr::Reference { reference } => component_name(reference).map(str::to_owned),
            ReferenceOr::Item(_) => None,
        }
    }

    fn operation(
        &mut self,
        path: &str,
        item: &'a ReferenceOr<openapiv3::PathItem>,
        error_schema: Option<&str>,
    ) -> Option<Operation> {
        let action = path.strip_prefix('/').unwrap_or(path).to_owned();
        let valid_action = path.starts_with('/')
            && action.starts_with(|c: char| c.is_ascii_uppercase())
            && action.chars().all(|c| c.is_ascii_alphanumeric());
        if !valid_action {
            self.problem(format!(
                "path `{path}` is not `/{{Action}}`: write one path per operation, a slash and the wire Action (`/DescribeCens`)."
            ));
            return None;
        }
        let ReferenceOr::Item(item) = item else {
            self.problem(format!(
                "path `{path}` is a `$ref`; write the path item inline."
            ));
            return None;
        };
        let others = [
            ("get", &item.get),
            ("put", &item.put),
            ("delete", &item.delete),
            ("options", &item.options),
            ("head", &item.head),
            ("patch", &item.patch),
            ("trace", &item.trace),
        ];
        for (method, op) in others {
            if op.is_some() {
                self.problem(format!(
                    "path `{path}` has a `{method}` operation; an RPC action is a single `post`."
                ));
            }
        }
        if !item.parameters.is_empty() {
            self.problem(format!(
                "path `{path}` declares parameters; every API parameter is a property of the JSON request body."
            ));
        }
        let Some(op) = &item.post else {
            self.problem(format!(
                "path `{path}` has no `post` operation; an RPC action is a single `post`."
            ));
            return None;
        };
        match op.operation_id.as_deref() {
            Some(id) if id == action => {}
            Some(id) => self.problem(format!(
                "`operationId: {id}` differs from the path; it must equal the Action `{action}`."
            )),
            None => self.problem(format!(
                "`operationId` is missing; it must equal the Action `{action}`."
            )),
        }
        match op.extensions.get("x-acs-action") {
            None => {}
            Some(Value::String(s)) if *s == action => {}
            Some(other) => self.problem(format!(
                "`x-acs-action: {other}` differs from the path; it must equal the Action `{action}`."
            )),
        }
        if !op.parameters.is_empty() {
            self.problem("the operation declares `parameters`; every API parameter is a property of the one `application/json` request body.");
        }

        for (what, text) in [("summary", &op.summary), ("description", &op.description)] {
            if let Some(text) = text {
                self.check_prose(what, text);
            }
        }
        let request = self.request_body(op.request_body.as_ref());
        let response = self.responses(&op.responses, error_schema);

        let client_token = self.client_token(op, request.as_ref().map(|r| r.1));
        let pagination = self.pagination(op, response.as_ref().map(|r| r.1));
        let errors = self.errors(op);
        let (async_note, async_waiter) = match op.extensions.get("x-acs-async") {
            None => (None, None),
            Some(Value::String(s)) => (Some(s.clone()), None),
            Some(Value::Object(map))
                if map.len() == 1 && map.get("waiter").is_some_and(Value::is_string) =>
            {
                (
                    None,
                    map.get("waiter").and_then(Value::as_str).map(str::to_owned),
                )
            }
            Some(other) => {
                self.problem(format!(
                    "`x-acs-async` must be `{{waiter: <name of an x-acs-waiters entry>}}`, found `{other}`."
                ));
                (None, None)
            }
        };

        let anonymous = match op.extensions.get("x-acs-auth") {
            None => false,
            Some(Value::String(s)) if s == "anonymous" => true,
            Some(other) => {
                self.problem(format!(
                    "`x-acs-auth: {other}` is not supported; write `x-acs-auth: anonymous` for an operation the SDKs send unsigned, and nothing for a signed one."
                ));
                false
            }
        };

        if let Some((_, schema)) = &request {
            self.check_keywords_in(schema, "request", &mut BTreeSet::new());
        }
        if let Some((_, schema)) = &response {
            self.check_keywords_in(schema, "response", &mut BTreeSet::new());
        }

        let params = match &request {
            Some((_, schema)) => self.params(schema),
            None => Vec::new(),
        };

        let (request, _) = request?;
        let (response, _) = response?;
        let origin = self.origin(&action);
        Some(Operation {
            file: origin.file,
            family: origin.family,
            action,
            summary: op.summary.clone(),
            description: op.description.clone(),
            request,
            response,
            params,
            client_token: client_token?,
            pagination: pagination?,
            errors: errors?,
            async_note,
            async_waiter,
            anonymous,
        })
    }

    fn request_body(
        &mut self,
        body: Option<&'a ReferenceOr<RequestBody>>,
    ) -> Option<(BodySchema, &'a Schema)> {
        let body = match body {
            Some(ReferenceOr::Item(body)) => body,
            Some(ReferenceOr::Reference { reference }) => {
                let found = reference
                    .strip_prefix("#/components/requestBodies/")
                    .and_then(|name| self.doc.components.as_ref()?.request_bodies.get(name))
                    .and_then(|b| b.as_item());
                match found {
                    Some(body) => body,
                    None => {
                        self.problem(format!(
                            "the request body `$ref: {reference}` does not resolve to a request body."
                        ));
                        return None;
                    }
                }
            }
            None => {
                self.problem("the operation has no `requestBody`; describe the parameters in one `application/json` request body (an empty object when there are none).");
                return None;
            }
        };
        let media = match body.content.len() {
            1 => body.content.get("application/json"),
            _ => None,
        };
        let Some(media) = media else {
            let types: Vec<&str> = body.content.keys().map(String::as_str).collect();
            self.problem(format!(
                "the request body has media types [{}]; it must have exactly one, `application/json`.",
                types.join(", ")
            ));
            return None;
        };
        self.media_schema(media, "request body")
    }

    fn media_schema(
        &mut self,
        media: &'a MediaType,
        what: &str,
    ) -> Option<(BodySchema, &'a Schema)> {
        match &media.schema {
            None => {
                self.problem(format!("the {what} has no schema."));
                None
            }
            Some(ReferenceOr::Item(schema)) => Some((BodySchema::Inline, schema)),
            Some(ReferenceOr::Reference { reference }) => {
                match component_name(reference).and_then(|name| Some((name, self.component(name)?)))
                {
                    Some((name, schema)) => Some((BodySchema::Component(name.to_owned()), schema)),
                    None => {
                        self.problem(format!(
                            "the {what} schema `$ref: {reference}` does not resolve to a schema in `#/components/schemas/`."
                        ));
                        None
                    }
                }
            }
        }
    }

    fn component(&self, name: &str) -> Option<&'a Schema> {
        crate::schema::component(self.doc, name)
    }

    fn resolve_boxed(&self, schema: &'a ReferenceOr<Box<Schema>>) -> Option<&'a Schema> {
        crate::schema::resolve_boxed(self.doc, schema)
    }

    fn responses(
        &mut self,
        responses: &'a openapiv3::Responses,
        error_schema: Option<&str>,
    ) -> Option<(BodySchema, &'a Schema)> {
        if responses.default.is_some() {
            self.problem("the operation has a `default` response, which makes progenitor panic; describe errors as `'4XX'` and `'5XX'` referencing the shared error.");
        }
        for code in responses.responses.keys() {
            if !matches!(code, StatusCode::Code(200) | StatusCode::Range(4 | 5)) {
                self.problem(format!(
                    "the operation has a `'{code}'` response; only `'200'`, `'4XX'` and `'5XX'` are allowed (one success type, one shared error)."
                ));
            }
        }
        for range in [4, 5] {
            let name = format!("{range}XX");
            match responses.responses.get(&StatusCode::Range(range)) {
                None => self.problem(format!(
                    "the `'{name}'` response is missing; it must reference the shared error."
                )),
                Some(r) => {
                    let found = self.response_schema_name(r);
                    if found.is_none() || found.as_deref() != error_schema {
                        self.problem(format!(
                            "the `'{name}'` response does not reference the shared error schema `{}`; write `$ref: '#/components/responses/Error'` (a response whose one `application/json` schema is that schema).",
                            error_schema.unwrap_or("ApiError")
                        ));
                    }
                }
            }
        }
        let Some(ok) = responses.responses.get(&StatusCode::Code(200)) else {
            self.problem("the `'200'` response is missing.");
            return None;
        };
        let Some(ok) = self.resolve_response(ok) else {
            self.problem(
                "the `'200'` response `$ref` does not resolve to `#/components/responses/`.",
            );
            return None;
        };
        let Some(media) = single_json(&ok.content) else {
            self.problem(
                "the `'200'` response must have exactly one media type, `application/json`.",
            );
            return None;
        };
        self.media_schema(media, "`'200'` response")
    }

    fn client_token(
        &mut self,
        op: &openapiv3::Operation,
        request: Option<&'a Schema>,
    ) -> Option<Option<String>> {
        let name = match op.extensions.get("x-acs-client-token") {
            None => return Some(None),
            Some(Value::String(s)) => s,
            Some(other) => {
                self.problem(format!(
                    "`x-acs-client-token` must be the name of a request property, found `{other}`."
                ));
                return None;
            }
        };
        let request = request?;
        let is_string = self
            .property(request, name)
            .is_some_and(|p| matches!(p.schema_kind, SchemaKind::Type(Type::String(_))));
        if !is_string {
            self.problem(format!(
                "`x-acs-client-token: {name}` does not name a string property of the request body."
            ));
            return None;
        }
        Some(Some(name.clone()))
    }

    /// The top-level property `name` of an object schema.
    fn property(&self, schema: &'a Schema, name: &str) -> Option<&'a Schema> {
        let properties = object_properties(schema)?;
        self.resolve_boxed(properties.get(name)?)
    }

    fn pagination(
        &mut self,
        op: &openapiv3::Operation,
        response: Option<&'a Schema>,
    ) -> Option<Option<Pagination>> {
        let value = match op.extensions.get("x-acs-pagination") {
            None => return Some(None),
            Some(Value::Object(map)) => map,
            Some(other) => {
                self.problem(format!(
                    "`x-acs-pagination` must be an object like `{{items: Cens.Cen}}`, found `{other}`."
                ));
                return None;
            }
        };
        for key in value.keys() {
            if !PAGINATION_KEYS.contains(&key.as_str()) {
                self.problem(format!(
                    "`x-acs-pagination` has an unknown key `{key}`; the keys are `items` and `next_token`."
                ));
            }
        }
        let Some(Value::String(items)) = value.get("items") else {
            self.problem("`x-acs-pagination` needs `items`, the dotted path to the list in the `'200'` response (`Cens.Cen`).");
            return None;
        };
        let next_token = match value.get("next_token") {
            None => None,
            Some(Value::String(s)) => Some(s.clone()),
            Some(other) => {
                self.problem(format!(
                    "`x-acs-pagination.next_token` must be the name of the token field (`NextToken`), found `{other}`."
                ));
                return None;
            }
        };
        let segments: Vec<String> = items.split('.').map(str::to_owned).collect();
        let response = response?;
        let mut current = response;
        for (i, segment) in segments.iter().enumerate() {
            let Some(next) = self.property(current, segment) else {
                self.problem(format!(
                    "`x-acs-pagination.items: {items}` does not resolve: the `'200'` schema has no property `{}`.",
                    segments[..=i].join(".")
                ));
                return None;
            };
            current = next;
        }
        let is_array = matches!(current.schema_kind, SchemaKind::Type(Type::Array(_)));
        if !is_array {
            self.problem(format!(
                "`x-acs-pagination.items: {items}` resolves to a property that is not an array."
            ));
            return None;
        }
        if let Some(token) = &next_token {
            let is_string = self
                .property(response, token)
                .is_some_and(|p| matches!(p.schema_kind, SchemaKind::Type(Type::String(_))));
            if !is_string {
                self.problem(format!(
                    "`x-acs-pagination.next_token: {token}` does not name a string property of the `'200'` response."
                ));
                return None;
            }
        }
        Some(Some(Pagination {
            items: segments,
            next_token,
        }))
    }

    fn errors(&mut self, op: &openapiv3::Operation) -> Option<Vec<DocumentedError>> {
        self.error_list("x-acs-errors", op.extensions.get("x-acs-errors"))
    }

    /// A list of `{status, code, message}` (with the optional `observed` and `inferred`
    /// markers), under the extension `key`.
    fn error_list(&mut self, key: &str, value: Option<&Value>) -> Option<Vec<DocumentedError>> {
        let list = match value {
            None => return Some(Vec::new()),
            Some(Value::Array(list)) => list,
            Some(other) => {
                self.problem(format!(
                    "`{key}` must be a list of `{{status, code, message}}`, found `{other}`."
                ));
                return None;
            }
        };
        let mut out = Vec::new();
        let mut ok = true;
        for (i, entry) in list.iter().enumerate() {
            let status = entry
                .get("status")
                .and_then(Value::as_u64)
                .and_then(|s| u16::try_from(s).ok())
                .filter(|s| (100..=599).contains(s));
            let code = entry.get("code").and_then(Value::as_str);
            let message = entry.get("message").and_then(Value::as_str);
            let markers_ok = entry.get("observed").is_none_or(Value::is_boolean)
                && entry
                    .get("inferred")
                    .is_none_or(|v| v.as_str().is_some_and(|s| !s.is_empty()));
            if !markers_ok {
                ok = false;
                self.problem(format!(
                    "`{key}[{i}]`: `observed` is `true` or `false`, and `inferred` a sentence saying which documented operation the code is inferred from, found `{entry}`."
                ));
                continue;
            }
            match (status, code, message) {
                (Some(status), Some(code), Some(message)) if !code.is_empty() => {
                    out.push(DocumentedError {
                        status,
                        code: code.to_owned(),
                        message: message.to_owned(),
                    });
                }
                _ => {
                    ok = false;
                    self.problem(format!(
                        "`{key}[{i}]` must have `status` (an HTTP status code), `code` and `message` (strings), found `{entry}`."
                    ));
                }
            }
        }
        ok.then_some(out)
    }

    fn params(&mut self, request: &'a Schema) -> Vec<Param> {
        let Some(properties) = object_properties(request) else {
            self.problem(
                "the request body schema is not an object; its properties are the API parameters.",
            );
            return Vec::new();
        };
        let required = object_required(request);
        let mut params = Vec::new();
        for (name, property) in properties {
            let Some(schema) = self.resolve_boxed(property) else {
                self.problem(format!(
                    "request property `{name}` is a `$ref` that does not resolve."
                ));
                continue;
            };
            let ext = &schema.schema_data.extensions;
            let style = match ext.get("x-acs-style") {
                None => ParamStyle::Flat,
                Some(Value::String(s)) if s == "flat" => ParamStyle::Flat,
                Some(Value::String(s)) if s == "json" => ParamStyle::Json,
                Some(other) => {
                    self.problem(format!(
                        "request property `{name}` has `x-acs-style: {other}`; the styles are `flat` and `json`."
                    ));
                    ParamStyle::Flat
                }
            };
            let limits = Limits {
                max_length: self.unsigned(ext, "x-acs-max-length", name),
                min_length: self.unsigned(ext, "x-acs-min-length", name),
                minimum: self.signed(ext, "x-acs-minimum", name),
                maximum: self.signed(ext, "x-acs-maximum", name),
                max_items: self.unsigned(ext, "x-acs-max-items", name),
                documented_values: self.strings(ext, "x-acs-enum", name),
            };
            if let Some(text) = &schema.schema_data.description {
                self.check_prose(&format!("description of request property `{name}`"), text);
            }
            params.push(Param {
                name: name.clone(),
                required: required.iter().any(|r| r == name),
                style,
                limits,
                default: ext.get("x-acs-default").cloned(),
                description: schema.schema_data.description.clone(),
            });
        }
        params
    }

    fn unsigned(&mut self, ext: &Extensions, key: &str, name: &str) -> Option<u64> {
        let value = ext.get(key)?;
        let n = value.as_u64();
        if n.is_none() {
            self.problem(format!(
                "request property `{name}` has `{key}: {value}`; it must be a non-negative integer."
            ));
        }
        n
    }

    fn signed(&mut self, ext: &Extensions, key: &str, name: &str) -> Option<i64> {
        let value = ext.get(key)?;
        let n = value.as_i64();
        if n.is_none() {
            self.problem(format!(
                "request property `{name}` has `{key}: {value}`; it must be an integer."
            ));
        }
        n
    }

    fn strings(&mut self, ext: &Extensions, key: &str, name: &str) -> Vec<String> {
        let Some(value) = ext.get(key) else {
            return Vec::new();
        };
        let list: Option<Vec<String>> = value.as_array().and_then(|items| {
            items
                .iter()
                .map(|v| v.as_str().map(str::to_owned))
                .collect()
        });
        list.unwrap_or_else(|| {
            self.problem(format!(
                "request property `{name}` has `{key}: {value}`; it must be a list of strings."
            ));
            Vec::new()
        })
    }

    /// Walks a request or response schema (following `$ref`s once each) and reports every keyword
    /// that breaks progenitor or changes the generated types.
    /// The names of the properties marked `x-acs-sensitive: true`, anywhere in the document.
    ///
    /// Generated `Debug` output redacts a property by its wire name, so a name marked in one
    /// schema must be marked wherever it appears: an unmarked twin would be a secret printed.
    fn sensitive_properties(&mut self) -> BTreeSet<String> {
        let doc = self.doc;
        let mut roots: Vec<&'a Schema> = Vec::new();
        if let Some(components) = &doc.components {
            roots.extend(components.schemas.values().filter_map(ReferenceOr::as_item));
        }
        for (_, item) in doc.paths.iter() {
            let Some(item) = item.as_item() else { continue };
            for (_, op) in item.iter() {
                let request = op
                    .request_body
                    .as_ref()
                    .and_then(ReferenceOr::as_item)
                    .into_iter()
                    .flat_map(|body| body.content.values());
                let responses = op
                    .responses
                    .responses
                    .values()
                    .filter_map(ReferenceOr::as_item)
                    .flat_map(|response| response.content.values());
                for media in request.chain(responses) {
                    roots.extend(media.schema.as_ref().and_then(ReferenceOr::as_item));
                }
            }
        }
        // Each component is walked as a root, so no `$ref` needs following (and a `$ref` cannot
        // carry extensions of its own).
        let mut seen: BTreeSet<String> = doc
            .components
            .iter()
            .flat_map(|c| c.schemas.keys())
            .map(|name| format!("#/components/schemas/{name}"))
            .collect();
        let (mut marked, mut unmarked) = (BTreeSet::new(), BTreeSet::new());
        let mut not_true = BTreeSet::new();
        for root in roots {
            self.walk(root, &mut seen, &mut |_, property, schema| {
                let Some(name) = property else { return };
                match schema.schema_data.extensions.get("x-acs-sensitive") {
                    Some(Value::Bool(true)) => marked.insert(name),
                    Some(_) => not_true.insert(name),
                    None => unmarked.insert(name),
                };
            });
        }
        for name in not_true {
            self.problem(format!(
                "property `{name}` has `x-acs-sensitive` other than `true`; mark a secret with `x-acs-sensitive: true` or leave the extension out."
            ));
        }
        for name in marked.intersection(&unmarked) {
            self.problem(format!(
                "property `{name}` is marked `x-acs-sensitive: true` in one schema but not in another; mark every property of that name, since `Debug` output redacts it by name."
            ));
        }
        marked.into_iter().map(str::to_owned).collect()
    }

    /// Visits `schema` and every schema below it, following each `$ref` not yet in `seen` (and
    /// adding it), with the dotted path of each and, for an inline property, its name.
    fn walk(
        &self,
        schema: &'a Schema,
        seen: &mut BTreeSet<String>,
        visit: &mut dyn FnMut(&str, Option<&'a str>, &'a Schema),
    ) {
        let mut stack: Vec<(String, Option<&'a str>, &'a Schema)> =
            vec![(String::new(), None, schema)];
        while let Some((path, property, schema)) = stack.pop() {
            visit(&path, property, schema);
            for (name, child) in children(schema) {
                let child_path = match name {
                    Child::Property(n) if path.is_empty() => n.to_owned(),
                    Child::Property(n) => format!("{path}.{n}"),
                    Child::Items => format!("{path}[]"),
                    Child::Other => path.clone(),
                };
                match child {
                    Sub::Inline(s) => {
                        let property = match name {
                            Child::Property(n) => Some(n),
                            _ => None,
                        };
                        stack.push((child_path, property, s));
                    }
                    Sub::Ref(reference) => {
                        if seen.insert(reference.to_owned())
                            && let Some(s) =
                                component_name(reference).and_then(|n| self.component(n))
                        {
                            stack.push((child_path, None, s));
                        }
                    }
                }
            }
        }
    }

    fn check_keywords_in(&mut self, schema: &'a Schema, side: &str, seen: &mut BTreeSet<String>) {
        let mut found: Vec<(String, Forbidden)> = Vec::new();
        self.walk(schema, seen, &mut |path, _, schema| {
            forbidden_keywords(schema, &mut |f| found.push((path.to_owned(), f)));
        });
        found.sort_by(|a, b| a.0.cmp(&b.0));
        for (path, f) in found {
            let place = if path.is_empty() {
                format!("the {side} schema")
            } else {
                format!("{side} property `{path}`")
            };
            let message = match f {
                Forbidden::Keyword(kw, instead) => format!(
                    "{place} uses `{kw}`, which changes the types progenitor generates; state the limit with `{instead}` instead."
                ),
                Forbidden::Format(fmt) => format!(
                    "{place} uses `format: {fmt}`, which makes typify generate a non-string type that rejects real values (Alibaba timestamps have no seconds); keep it `type: string` and say the format in the description."
                ),
            };
            self.problem(message);
        }
    }
}

/// The extensions map of `openapiv3`.
type Extensions = IndexMap<String, Value>;

enum Child<'s> {
    Property(&'s str),
    Items,
    Other,
}

/// A subschema: inline, or a reference still to resolve.
enum Sub<'s> {
    Inline(&'s Schema),
    Ref(&'s str),
}

impl<'s> From<&'s ReferenceOr<Schema>> for Sub<'s> {
    fn from(r: &'s ReferenceOr<Schema>) -> Self {
        match r {
            ReferenceOr::Item(s) => Sub::Inline(s),
            ReferenceOr::Reference { reference } => Sub::Ref(reference),
        }
    }
}

impl<'s> From<&'s ReferenceOr<Box<Schema>>> for Sub<'s> {
    fn from(r: &'s ReferenceOr<Box<Schema>>) -> Self {
        match r {
            ReferenceOr::Item(s) => Sub::Inline(s),
            ReferenceOr::Reference { reference } => Sub::Ref(reference),
        }
    }
}

/// The direct subschemas of a schema.
fn children(schema: &Schema) -> Vec<(Child<'_>, Sub<'_>)> {
    let mut out: Vec<(Child<'_>, Sub<'_>)> = Vec::new();
    let (properties, items, additional, combined, not) = match &schema.schema_kind {
        SchemaKind::Type(Type::Object(o)) => (
            Some(&o.properties),
            None,
            o.additional_properties.as_ref(),
            Vec::new(),
            None,
        ),
        SchemaKind::Type(Type::Array(a)) => (None, a.items.as_ref(), None, Vec::new(), None),
        SchemaKind::OneOf { one_of: l }
        | SchemaKind::AllOf { all_of: l }
        | SchemaKind::AnyOf { any_of: l } => (None, None, None, l.iter().collect(), None),
        SchemaKind::Not { not } => (None, None, None, Vec::new(), Some(&**not)),
        SchemaKind::Any(a) => (
            Some(&a.properties),
            a.items.as_ref(),
            a.additional_properties.as_ref(),
            a.one_of.iter().chain(&a.all_of).chain(&a.any_of).collect(),
            a.not.as_deref(),
        ),
        SchemaKind::Type(_) => (None, None, None, Vec::new(), None),
    };
    for (name, property) in properties.into_iter().flatten() {
        out.push((Child::Property(name), property.into()));
    }
    if let Some(items) = items {
        out.push((Child::Items, items.into()));
    }
    if let Some(AdditionalProperties::Schema(s)) = additional {
        out.push((Child::Other, (&**s).into()));
    }
    for s in combined.into_iter().chain(not) {
        out.push((Child::Other, s.into()));
    }
    out
}

/// Calls `report` for every forbidden keyword directly on `schema`.
fn forbidden_keywords(schema: &Schema, report: &mut dyn FnMut(Forbidden)) {
    let bad_format = |f: &str| {
        matches!(
            f,
            "date-time" | "date" | "time" | "uuid" | "ip" | "ipv4" | "ipv6"
        )
    };
    match &schema.schema_kind {
        SchemaKind::Type(Type::String(s)) => {
            if s.max_length.is_some() {
                report(Forbidden::Keyword("maxLength", "x-acs-max-length"));
            }
            if s.min_length.is_some() {
                report(Forbidden::Keyword("minLength", "x-acs-min-length"));
            }
            if s.pattern.is_some() {
                report(Forbidden::Keyword("pattern", "x-acs-pattern"));
            }
            match &s.format {
                VariantOrUnknownOrEmpty::Item(StringFormat::DateTime) => {
                    report(Forbidden::Format("date-time".into()));
                }
                VariantOrUnknownOrEmpty::Item(StringFormat::Date) => {
                    report(Forbidden::Format("date".into()));
                }
                VariantOrUnknownOrEmpty::Unknown(f) if bad_format(f) => {
                    report(Forbidden::Format(f.clone()));
                }
                _ => {}
            }
        }
        SchemaKind::Type(Type::Integer(i)) => {
            if i.minimum.is_some() {
                report(Forbidden::Keyword("minimum", "x-acs-minimum"));
            }
            if i.maximum.is_some() {
                report(Forbidden::Keyword("maximum", "x-acs-maximum"));
            }
        }
        SchemaKind::Type(Type::Number(n)) => {
            if n.minimum.is_some() {
                report(Forbidden::Keyword("minimum", "x-acs-minimum"));
            }
            if n.maximum.is_some() {
                report(Forbidden::Keyword("maximum", "x-acs-maximum"));
            }
        }
        SchemaKind::Any(a) => {
            let pairs = [
                (a.minimum.is_some(), "minimum", "x-acs-minimum"),
                (a.maximum.is_some(), "maximum", "x-acs-maximum"),
                (a.max_length.is_some(), "maxLength", "x-acs-max-length"),
                (a.min_length.is_some(), "minLength", "x-acs-min-length"),
                (a.pattern.is_some(), "pattern", "x-acs-pattern"),
            ];
            for (present, kw, instead) in pairs {
                if present {
                    report(Forbidden::Keyword(kw, instead));
                }
            }
            if let Some(f) = &a.format
                && bad_format(f)
            {
                report(Forbidden::Format(f.clone()));
            }
        }
        _ => {}
    }
}

fn object_properties(schema: &Schema) -> Option<&IndexMap<String, ReferenceOr<Box<Schema>>>> {
    match &schema.schema_kind {
        SchemaKind::Type(Type::Object(o)) => Some(&o.properties),
        SchemaKind::Any(a) if !a.properties.is_empty() => Some(&a.properties),
        _ => None,
    }
}

fn object_required(schema: &Schema) -> &[String] {
    match &schema.schema_kind {
        SchemaKind::Type(Type::Object(o)) => &o.required,
        SchemaKind::Any(a) => &a.required,
        _ => &[],
    }
}

fn single_json(content: &IndexMap<String, MediaType>) -> Option<&MediaType> {
    if content.len() == 1 {
        content.get("application/json")
    } else {
        None
    }
}

/// `Name` from `#/components/schemas/Name`.
pub fn component_name(reference: &str) -> Option<&str> {
    reference.strip_prefix("#/components/schemas/")
}

/// The workspace root: the parent of the xtask crate.
pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map_or_else(|| PathBuf::from("."), Path::to_path_buf)
}
