//! Error envelopes: reading JSON and XML bodies, and rendering them back.

use std::path::PathBuf;

use acs_rpc::ApiError;
use rstest::rstest;
use serde::Deserialize;

#[derive(Deserialize)]
struct Expected {
    status: u16,
    request_id: Option<String>,
    host_id: Option<String>,
    code: String,
    message: String,
    recommend: Option<String>,
}

#[derive(Deserialize)]
struct Case {
    status: u16,
    content_type: Option<String>,
    body: String,
    expected: Option<Expected>,
    to_json: Option<String>,
    to_xml: Option<String>,
}

#[rstest]
fn api_error_fixtures(#[files("tests/fixtures/api_error/*.json")] path: PathBuf) {
    let case: Case = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    let parsed = ApiError::from_body(
        case.status,
        case.content_type.as_deref(),
        case.body.as_bytes(),
    );
    let Some(expected) = case.expected else {
        assert_eq!(parsed, None);
        return;
    };
    let expected = ApiError {
        status: expected.status,
        request_id: expected.request_id,
        host_id: expected.host_id,
        code: expected.code,
        message: expected.message,
        recommend: expected.recommend,
    };
    assert_eq!(parsed.as_ref(), Some(&expected));
    if let Some(json) = case.to_json {
        assert_eq!(expected.to_json(), json);
        assert_eq!(
            ApiError::from_json(expected.status, json.as_bytes()),
            Some(expected.clone())
        );
    }
    if let Some(xml) = case.to_xml {
        assert_eq!(expected.to_xml(), xml);
        assert_eq!(
            ApiError::from_xml(expected.status, xml.as_bytes()),
            Some(expected.clone())
        );
    }
}

#[test]
fn display_names_code_message_status_and_request_id() {
    let mut e = ApiError::new(
        404,
        "InvalidCenId.NotFound",
        "The specified CenId is not found.",
    );
    assert_eq!(
        e.to_string(),
        "InvalidCenId.NotFound: The specified CenId is not found. (HTTP 404)"
    );
    e.request_id = Some("R-1".into());
    assert_eq!(
        e.to_string(),
        "InvalidCenId.NotFound: The specified CenId is not found. (HTTP 404, RequestId R-1)"
    );
    let boxed: Box<dyn std::error::Error> = Box::new(e);
    assert!(boxed.to_string().contains("R-1"));
}

#[test]
fn never_panics_on_arbitrary_bytes() {
    let inputs: [&[u8]; 8] = [
        b"\xff\xfe<Error>",
        b"<Error><Code>&unknown;</Code></Error>",
        b"<Error><Code>&#0;</Code></Error>",
        b"<Error></Wrong>",
        b"</Error>",
        b"{\"Code\": 5}",
        b"[1,2,3]",
        b"<Error><Code><![CDATA[x",
    ];
    for input in inputs {
        let _ = ApiError::from_body(400, None, input);
        let _ = ApiError::from_json(400, input);
        let _ = ApiError::from_xml(400, input);
    }
    assert_eq!(
        ApiError::from_json(400, b"{\"Code\": 5}").map(|e| e.code),
        Some("5".to_owned())
    );
}
