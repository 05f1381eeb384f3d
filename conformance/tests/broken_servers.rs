//! The harness catches what is wrong: the in-process emulator's router, wrapped in a middleware
//! that breaks one thing in its answers, is served on 127.0.0.1 and the runner (the code
//! `cen-conformance run` uses) is pointed at it. Each fault must fail the run, the report must
//! name the case that catches it, and the diff must show the expected line and the actual one.
//! A control run through the same wrapper, with no fault, passes the same cases.
//!
//! The faults of a success body's shape (a bare array wrapped, a member of the wrong type, a
//! member the API does not have) are caught by the shape check every case gets; no case lists
//! them. `tests/broken_servers/` holds the cases only these tests run: a plain read of a newer
//! operation, whose lists are bare arrays.
//!
//! The faults of the newer operations' behaviour (a `NextToken` dropped, a dry run answered with
//! success, a deleted resource still listed) are a table, `NEWER_FAULTS`: each is caught by a
//! shipped flow case of the operations family.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use acs_rpc::Credentials;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::{Next, from_fn_with_state};
use axum::response::Response;
use cen_conformance::case::{load_built_in, load_dir};
use cen_conformance::endpoint::{AbortOnDrop, CredentialSet, Endpoint, EndpointKind};
use cen_conformance::runner::{FormatSelection, RunOptions, plan, run};
use serde_json::{Map, Value, json};

/// One thing a broken server gets wrong.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Fault {
    /// Nothing: the emulator as it is.
    None,
    /// `<Wrong>` instead of `<DescribeCensResponse>`.
    WrongXmlRoot,
    /// `"Cens": [..]` instead of `"Cens": {"Cen": [..]}`.
    UnwrappedList,
    /// `InvalidParam` instead of `InvalidParameter`.
    WrongCode,
    /// 403 instead of 400.
    WrongStatus,
    /// A request whose signature does not match is served as if it did.
    AcceptsBadSignature,
    /// `TotalCount` left out.
    DropsTotalCount,
    /// `"TotalCount": "0"` instead of `"TotalCount": 0`.
    NumberAsString,
    /// `"TransitRouters": {"TransitRouter": [..]}` instead of the bare `"TransitRouters": [..]`.
    WrappedBareArray,
    /// `"RequestId": 1` instead of a string, in every success body.
    RequestIdAsNumber,
    /// A `Debug` member the API does not have, in every success body, JSON or XML.
    ExtraField,
    /// Every other request answered 429 `Throttling.User` with `Retry-After: 0`: what a real
    /// endpoint's rate limit does, which the runner retries there (and only there).
    ThrottlesEveryOther,
    /// `NextToken` left out of every answer, so a paged list seems to end at its first page.
    DropsNextToken,
    /// A passing dry run (the `DryRunOperation` error) answered 200 as if the write had been done.
    DryRunSucceeds,
    /// A transit router CIDR block, once listed by `ListTransitRouterCidr`, listed after its
    /// deletion too.
    ListsDeletedCidr,
}

/// What the middleware of one server knows: its fault and the CIDR blocks it has listed.
#[derive(Clone)]
struct Broken {
    fault: Fault,
    listed: Arc<Mutex<Vec<Value>>>,
}

/// Requests seen by [`Fault::ThrottlesEveryOther`] servers.
static THROTTLE_COUNTER: AtomicUsize = AtomicUsize::new(0);

fn edit_json(text: &str, edit: impl FnOnce(&mut Map<String, Value>)) -> String {
    match serde_json::from_str::<Value>(text) {
        Ok(Value::Object(mut map)) => {
            edit(&mut map);
            Value::Object(map).to_string()
        }
        _ => text.to_owned(),
    }
}

/// Adds the CIDR blocks listed before and missing from this `CidrLists` back to it, and
/// remembers every block listed.
fn keep_listed(listed: &Mutex<Vec<Value>>, map: &mut Map<String, Value>) {
    let Some(Value::Array(blocks)) = map.get_mut("CidrLists") else {
        return;
    };
    let id = |block: &Value| block.get("TransitRouterCidrId").cloned();
    let mut listed = listed
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    for block in listed.iter() {
        if !blocks.iter().any(|b| id(b) == id(block)) {
            blocks.push(block.clone());
        }
    }
    listed.clone_from(blocks);
}

async fn break_response(
    State(Broken { fault, listed }): State<Broken>,
    request: Request,
    next: Next,
) -> Response {
    if fault == Fault::ThrottlesEveryOther
        && THROTTLE_COUNTER
            .fetch_add(1, Ordering::SeqCst)
            .is_multiple_of(2)
    {
        let body = json!({
            "RequestId": "00000000-0000-4000-8000-000000000000",
            "Code": "Throttling.User",
            "Message": "Request was denied due to user flow control."
        });
        return Response::builder()
            .status(StatusCode::TOO_MANY_REQUESTS)
            .header(header::CONTENT_TYPE, "application/json;charset=utf-8")
            .header(header::RETRY_AFTER, "0")
            .body(Body::from(body.to_string()))
            .unwrap_or_default();
    }
    let response = next.run(request).await;
    let (mut parts, body) = response.into_parts();
    let bytes = axum::body::to_bytes(body, usize::MAX)
        .await
        .unwrap_or_default();
    let mut text = String::from_utf8_lossy(&bytes).into_owned();
    match fault {
        Fault::None | Fault::ThrottlesEveryOther => {}
        Fault::WrongXmlRoot => {
            text = text
                .replace("<DescribeCensResponse>", "<Wrong>")
                .replace("</DescribeCensResponse>", "</Wrong>");
        }
        Fault::UnwrappedList => {
            text = edit_json(&text, |map| {
                if let Some(Value::Object(wrapper)) = map.get("Cens").cloned() {
                    let list = wrapper.get("Cen").cloned().unwrap_or(json!([]));
                    map.insert("Cens".to_owned(), list);
                }
            });
        }
        Fault::WrongCode => {
            text = edit_json(&text, |map| {
                if map.get("Code") == Some(&json!("InvalidParameter")) {
                    map.insert("Code".to_owned(), json!("InvalidParam"));
                }
            });
        }
        Fault::WrongStatus => {
            if parts.status == StatusCode::BAD_REQUEST {
                parts.status = StatusCode::FORBIDDEN;
            }
        }
        Fault::AcceptsBadSignature => {
            if text.contains("SignatureDoesNotMatch") {
                parts.status = StatusCode::OK;
                parts.headers.insert(
                    header::CONTENT_TYPE,
                    HeaderValue::from_static("application/json;charset=utf-8"),
                );
                text = json!({
                    "RequestId": "00000000-0000-4000-8000-000000000000",
                    "Cens": {"Cen": []},
                    "TotalCount": 0,
                    "PageNumber": 1,
                    "PageSize": 10
                })
                .to_string();
            }
        }
        Fault::DropsTotalCount => {
            text = edit_json(&text, |map| {
                map.remove("TotalCount");
            });
        }
        Fault::NumberAsString => {
            text = edit_json(&text, |map| {
                if let Some(Value::Number(n)) = map.get("TotalCount").cloned() {
                    map.insert("TotalCount".to_owned(), Value::String(n.to_string()));
                }
            });
        }
        Fault::WrappedBareArray => {
            text = edit_json(&text, |map| {
                if let Some(list @ Value::Array(_)) = map.get("TransitRouters").cloned() {
                    map.insert("TransitRouters".to_owned(), json!({"TransitRouter": list}));
                }
            });
        }
        Fault::RequestIdAsNumber if parts.status.is_success() => {
            text = edit_json(&text, |map| {
                if map.contains_key("RequestId") {
                    map.insert("RequestId".to_owned(), json!(1));
                }
            });
        }
        Fault::ExtraField if parts.status.is_success() => {
            text = edit_json(&text, |map| {
                map.insert("Debug".to_owned(), json!(true));
            });
            if let Some(end) = text.rfind("</") {
                text.insert_str(end, "<Debug>true</Debug>");
            }
        }
        Fault::RequestIdAsNumber | Fault::ExtraField => {}
        Fault::DropsNextToken => {
            text = edit_json(&text, |map| {
                map.remove("NextToken");
            });
        }
        Fault::DryRunSucceeds => {
            text = edit_json(&text, |map| {
                if map.get("Code") == Some(&json!("DryRunOperation")) {
                    parts.status = StatusCode::OK;
                    map.retain(|name, _| name == "RequestId");
                }
            });
        }
        Fault::ListsDeletedCidr if parts.status.is_success() => {
            text = edit_json(&text, |map| keep_listed(&listed, map));
        }
        Fault::ListsDeletedCidr => {}
    }
    parts.headers.remove(header::CONTENT_LENGTH);
    Response::from_parts(parts, Body::from(text))
}

/// The in-process emulator (as `endpoint::start_in_process` builds it) behind the fault, on a
/// loopback port, as an emulator endpoint (writes allowed) with the default accounts, endpoint
/// variables and poll interval.
async fn serve(fault: Fault, kind: EndpointKind) -> Endpoint {
    use cen_emulator::config::{default_accounts, uids};
    use cen_emulator::store::Store;
    use cen_emulator::{Emulator, EmulatorConfig};

    let accounts = default_accounts();
    let uids = uids(&accounts);
    let emulator = Emulator::new(
        EmulatorConfig::new(&uids, std::time::Duration::from_millis(200)),
        Store::Memory,
    )
    .expect("the emulator starts");
    let app = cen_emulator::app(Arc::new(emulator), &accounts).layer(from_fn_with_state(
        Broken {
            fault,
            listed: Arc::default(),
        },
        break_response,
    ));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind loopback");
    let address = listener.local_addr().expect("local address");
    let server = tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    let credential = |i: usize| {
        accounts
            .get(i)
            .map(|a| Credentials::new(a.access_key_id.as_str(), a.secret.as_str()))
    };
    Endpoint::new(
        &format!("http://{address}"),
        kind,
        CredentialSet {
            primary: credential(0),
            secondary: credential(1),
            disabled: None,
        },
    )
    .expect("valid URL")
    .as_in_process(&uids)
    .with_guard(Box::new(AbortOnDrop(server)))
}

/// Runs the cases whose name contains `filter` against a server with `fault`; returns whether
/// the run failed and its output.
async fn run_against(fault: Fault, filter: &str) -> (usize, usize, String) {
    run_against_as(fault, EndpointKind::Emulator, filter).await
}

/// [`run_against`] with the server presented as `kind` of endpoint.
async fn run_against_as(fault: Fault, kind: EndpointKind, filter: &str) -> (usize, usize, String) {
    let mut cases = load_built_in().expect("cases load");
    let own = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/broken_servers");
    cases.extend(load_dir(std::path::Path::new(own)).expect("the tests' own cases load"));
    let options = RunOptions {
        filter: Some(filter.to_owned()),
        formats: FormatSelection::Both,
        ..RunOptions::default()
    };
    let planned = plan(&cases, &options);
    assert!(!planned.is_empty(), "no case matches {filter:?}");
    let endpoint = serve(fault, kind).await;
    let mut out = Vec::new();
    let report = run(&planned, Some(&endpoint), "no endpoint", &options, &mut out)
        .await
        .expect("run");
    (
        report.failed(),
        planned.len(),
        String::from_utf8(out).expect("UTF-8 output"),
    )
}

/// Asserts that the fault fails the run, that `case` is reported as failing, and that its diff
/// shows `expected` (`-`) and `actual` (`+`).
#[track_caller]
fn assert_caught(failed: usize, text: &str, case: &str, expected: &str, actual: &str) {
    let diff = report_of(failed, text, case);
    // A flow case names its step before the summary.
    assert!(
        diff.contains("the response differs") && diff.contains("    --- expected"),
        "no diff under {case}:\n{text}"
    );
    assert!(
        diff.contains(&format!("    - {expected}\n")),
        "the diff of {case} lacks `- {expected}`:\n{diff}"
    );
    assert!(
        diff.contains(&format!("    + {actual}\n")),
        "the diff of {case} lacks `+ {actual}`:\n{diff}"
    );
}

/// The indented report under `FAIL case` in `text`, the output of a run in which `failed` cases
/// failed; fails the test when the run passed or the case is not reported.
#[track_caller]
fn report_of(failed: usize, text: &str, case: &str) -> String {
    assert!(failed > 0, "the fault went unnoticed:\n{text}");
    let report = text
        .split(&format!("FAIL {case}\n"))
        .nth(1)
        .unwrap_or_else(|| panic!("{case} is not reported:\n{text}"));
    let mut lines: String = report
        .lines()
        .take_while(|l| l.starts_with("    "))
        .collect::<Vec<_>>()
        .join("\n");
    lines.push('\n');
    lines
}

/// The cases the faults are caught by, all passing against the emulator itself.
const CATCHERS: &[&str] = &[
    "malformed/plus-and-encoded-utf8-accepted[xml]",
    "malformed/mistyped-integer-word[json]",
    "malformed/missing-required-parameter[json]",
    "auth/signature-mismatch-tampered-v1[json]",
    "malformed/plus-and-encoded-utf8-accepted[json]",
    "malformed/long-value-in-query-accepted[json]",
    "newer/list-transit-routers",
    "malformed/long-value-in-query-accepted[xml]",
    "operations/list-transit-router-route-tables-next-token[json]",
    "operations/create-transit-router-cidr-dry-run[json]",
    "operations/delete-transit-router-cidr[json]",
];

#[tokio::test(flavor = "multi_thread")]
async fn the_catching_cases_pass_through_the_wrapper_without_a_fault() {
    for case in CATCHERS {
        let (failed, planned, text) = run_against(Fault::None, case).await;
        assert_eq!(failed, 0, "{text}");
        assert_eq!(planned, 1, "{case} selects one case:\n{text}");
        assert!(text.contains(&format!("ok {case}\n")), "{text}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_wrong_xml_root_is_caught() {
    let case = "malformed/plus-and-encoded-utf8-accepted[xml]";
    let (failed, _, text) = run_against(Fault::WrongXmlRoot, case).await;
    assert_caught(
        failed,
        &text,
        case,
        "xml root: DescribeCensResponse",
        "xml root: Wrong",
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_list_without_its_wrapper_is_caught() {
    let case = "malformed/plus-and-encoded-utf8-accepted[json]";
    let (failed, _, text) = run_against(Fault::UnwrappedList, case).await;
    assert_caught(failed, &text, case, "type Cens: object", "type Cens: array");
    assert_caught(
        failed,
        &text,
        case,
        "type Cens.Cen: array",
        "type Cens.Cen: (absent)",
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_wrong_error_code_is_caught() {
    let case = "malformed/mistyped-integer-word[json]";
    let (failed, _, text) = run_against(Fault::WrongCode, case).await;
    assert_caught(
        failed,
        &text,
        case,
        "code: InvalidParameter",
        "code: InvalidParam",
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_wrong_status_is_caught() {
    let case = "malformed/missing-required-parameter[json]";
    let (failed, _, text) = run_against(Fault::WrongStatus, case).await;
    assert_caught(failed, &text, case, "status: 400", "status: 403");
    // The whole malformed family notices it too.
    let (failed, planned, text) = run_against(Fault::WrongStatus, "malformed/").await;
    assert!(
        failed * 2 > planned,
        "{failed} of {planned} failed:\n{text}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_server_accepting_a_bad_signature_is_caught() {
    let case = "auth/signature-mismatch-tampered-v1[json]";
    let (failed, _, text) = run_against(Fault::AcceptsBadSignature, case).await;
    assert_caught(failed, &text, case, "status: 400", "status: 200");
    assert_caught(
        failed,
        &text,
        case,
        "code: SignatureDoesNotMatch",
        "code: (none)",
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_missing_field_is_caught() {
    let case = "malformed/plus-and-encoded-utf8-accepted[json]";
    let (failed, _, text) = run_against(Fault::DropsTotalCount, case).await;
    assert_caught(
        failed,
        &text,
        case,
        "field TotalCount: present",
        "field TotalCount: absent",
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_number_sent_as_a_string_is_caught() {
    let case = "malformed/long-value-in-query-accepted[json]";
    let (failed, _, text) = run_against(Fault::NumberAsString, case).await;
    assert_caught(
        failed,
        &text,
        case,
        "type TotalCount: integer",
        "type TotalCount: string",
    );
}

/// Asserts that the fault fails the run, that `case` is reported as failing, and that the shape
/// check names `problem` under it.
#[track_caller]
fn assert_shape_caught(failed: usize, text: &str, case: &str, action: &str, problem: &str) {
    let report = report_of(failed, text, case);
    assert!(
        report.contains(&format!(
            "    the response does not have the shape of {action}Response in the spec"
        )),
        "no shape failure under {case}:\n{report}"
    );
    assert!(
        report.contains(&format!("      {problem}\n")),
        "the shape failure of {case} lacks `{problem}`:\n{report}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_bare_array_in_a_wrapper_is_caught() {
    let case = "newer/list-transit-routers";
    let (failed, _, text) = run_against(Fault::WrappedBareArray, case).await;
    assert_shape_caught(
        failed,
        &text,
        case,
        "ListTransitRouters",
        "TransitRouters: expected array, got object",
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_member_of_the_wrong_type_is_caught() {
    let case = "malformed/long-value-in-query-accepted[json]";
    let (failed, _, text) = run_against(Fault::RequestIdAsNumber, case).await;
    assert_shape_caught(
        failed,
        &text,
        case,
        "DescribeCens",
        "RequestId: expected string, got number",
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_member_the_api_does_not_have_is_caught_in_both_formats() {
    for case in [
        "malformed/long-value-in-query-accepted[json]",
        "malformed/long-value-in-query-accepted[xml]",
    ] {
        let (failed, _, text) = run_against(Fault::ExtraField, case).await;
        assert_shape_caught(failed, &text, case, "DescribeCens", "Debug: not in the API");
    }
    // Every case of the auth family that expects a success notices it too.
    let (failed, planned, text) = run_against(Fault::ExtraField, "auth/accept-").await;
    assert_eq!(failed, planned, "{text}");
}

#[tokio::test(flavor = "multi_thread")]
async fn throttling_is_retried_against_a_real_endpoint_only() {
    // Against an `--endpoint` every throttled request is tried again, freshly signed.
    let (failed, planned, text) = run_against_as(
        Fault::ThrottlesEveryOther,
        EndpointKind::Remote,
        "auth/accept-v1",
    )
    .await;
    assert_eq!(failed, 0, "{text}");
    assert!(
        planned > 1 && text.contains(&format!("{planned} passed")),
        "{text}"
    );
    // An emulator that throttles is reported as it is.
    let (failed, _, text) = run_against(Fault::ThrottlesEveryOther, "auth/accept-v1").await;
    assert!(failed > 0, "{text}");
    assert!(text.contains("Throttling.User"), "{text}");
}

/// How a case reports a fault: lines of its diff, or words of its report.
enum Caught {
    /// The `-` expected and `+` actual lines of the response's diff.
    Diff(&'static str, &'static str),
    /// A fragment of the report, for a step that waited in vain.
    Says(&'static str),
}

/// The faults of the newer operations' answers, each with the shipped case that catches it.
const NEWER_FAULTS: &[(Fault, &str, Caught)] = &[
    (
        Fault::DropsNextToken,
        "operations/list-transit-router-route-tables-next-token[json]",
        Caught::Diff("field NextToken: present", "field NextToken: absent"),
    ),
    (
        Fault::DryRunSucceeds,
        "operations/create-transit-router-cidr-dry-run[json]",
        Caught::Diff("code: DryRunOperation", "code: (none)"),
    ),
    (
        Fault::DryRunSucceeds,
        "operations/create-transit-router-cidr-dry-run[json]",
        Caught::Diff("status: 400", "status: 200"),
    ),
    (
        Fault::ListsDeletedCidr,
        "operations/delete-transit-router-cidr[json]",
        Caught::Says(
            "gave up after 5000 ms waiting for CidrLists.0.TransitRouterCidrId = (absent); it is cidr-",
        ),
    ),
];

#[tokio::test(flavor = "multi_thread")]
async fn the_newer_operations_faults_are_caught() {
    for (fault, case, caught) in NEWER_FAULTS {
        let (failed, _, text) = run_against(*fault, case).await;
        match caught {
            Caught::Diff(expected, actual) => {
                assert_caught(failed, &text, case, expected, actual);
            }
            Caught::Says(words) => {
                let report = report_of(failed, &text, case);
                assert!(
                    report.contains(words),
                    "the report of {case} under {fault:?} lacks `{words}`:\n{report}"
                );
            }
        }
    }
}
