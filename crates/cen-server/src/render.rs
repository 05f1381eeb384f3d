//! Responses as Alibaba's gateway writes them: JSON or XML success bodies and the error envelope.

use acs_rpc::encode::percent_encode;
use acs_rpc::error::{ApiError, XML_DECLARATION, escape_text};
use axum::body::Body;
use http::header::{CONTENT_TYPE, HeaderValue};
use http::{Response, StatusCode};
use serde_json::Value;

use crate::context::Format;

/// The content type of JSON bodies, spelled as Alibaba's gateway spells it.
pub const JSON_CONTENT_TYPE: &str = "application/json;charset=utf-8";
/// The content type of XML bodies.
pub const XML_CONTENT_TYPE: &str = "text/xml;charset=utf-8";
/// The header repeating the `RequestId` of every response.
pub const REQUEST_ID_HEADER: &str = "x-acs-request-id";

/// Renders a successful result.
///
/// JSON: the object with `RequestId` set to `request_id` (replacing any value the operation put
/// there, so the body always agrees with the `x-acs-request-id` header). XML: the declaration and
/// `<{Action}Response>` built by [`json_to_xml`]. A result that is not an object cannot carry a
/// `RequestId`, so it is replaced by an object holding only the `RequestId` (the front door
/// reports such results as `InternalError` before they get here).
pub fn render_success(
    format: Format,
    action: &str,
    request_id: &str,
    body: Value,
) -> Response<Body> {
    let mut object = match body {
        Value::Object(map) => map,
        _ => serde_json::Map::new(),
    };
    object.insert("RequestId".to_owned(), Value::String(request_id.to_owned()));
    let body = Value::Object(object);
    let (content_type, text) = match format {
        Format::Json => (JSON_CONTENT_TYPE, body.to_string()),
        Format::Xml => {
            let mut text = String::from(XML_DECLARATION);
            text.push_str(&json_to_xml(&format!("{action}Response"), &body));
            (XML_CONTENT_TYPE, text)
        }
    };
    response(StatusCode::OK, content_type, Some(request_id), text)
}

/// Renders the error envelope with the error's status and an `x-acs-request-id` header.
///
/// The error is rendered as given: the front door fills `request_id`, `host_id` and `recommend`
/// (see [`recommend_url`]) before calling this. An error without a request id gets no header.
/// A status that is not a valid HTTP status becomes 500.
pub fn render_error(format: Format, error: &ApiError) -> Response<Body> {
    let status = StatusCode::from_u16(error.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let (content_type, text) = match format {
        Format::Json => (JSON_CONTENT_TYPE, error.to_json()),
        Format::Xml => (XML_CONTENT_TYPE, error.to_xml()),
    };
    response(status, content_type, error.request_id.as_deref(), text)
}

/// The troubleshooting URL Alibaba puts in `Recommend`.
pub fn recommend_url(code: &str, product: &str, request_id: &str) -> String {
    format!(
        "https://api.aliyun.com/troubleshoot?q={}&product={}&requestId={}",
        percent_encode(code),
        percent_encode(product),
        percent_encode(request_id)
    )
}

fn response(
    status: StatusCode,
    content_type: &'static str,
    request_id: Option<&str>,
    text: String,
) -> Response<Body> {
    let mut response = Response::new(Body::from(text));
    *response.status_mut() = status;
    let headers = response.headers_mut();
    headers.insert(CONTENT_TYPE, HeaderValue::from_static(content_type));
    // Request ids are generated ASCII; a value that is not a valid header is left out, not fatal.
    if let Some(value) = request_id.and_then(|id| HeaderValue::from_str(id).ok()) {
        headers.insert(REQUEST_ID_HEADER, value);
    }
    response
}

/// Converts JSON to Alibaba's XML, without the declaration and without pretty-printing.
///
/// An object becomes `<root>` holding one element per member; an array under a name becomes that
/// element repeated (so `{"Cens":{"Cen":[a,b]}}` is `<Cens><Cen>a</Cen><Cen>b</Cen></Cens>` and
/// an empty list leaves `<Cens></Cens>`); strings are escaped, numbers and booleans written as
/// text, and `null` omitted. Members keep the order of the JSON object.
pub fn json_to_xml(root: &str, value: &Value) -> String {
    let mut out = String::new();
    write_element(&mut out, root, value);
    out
}

fn write_element(out: &mut String, name: &str, value: &Value) {
    match value {
        Value::Null => {}
        // Arrays have no element of their own: each item is an element named after the key.
        Value::Array(items) => {
            for item in items {
                write_element(out, name, item);
            }
        }
        Value::Object(members) => {
            open(out, name);
            for (key, member) in members {
                write_element(out, key, member);
            }
            close(out, name);
        }
        Value::String(s) => {
            open(out, name);
            out.push_str(&escape_text(s));
            close(out, name);
        }
        Value::Bool(b) => {
            open(out, name);
            out.push_str(if *b { "true" } else { "false" });
            close(out, name);
        }
        Value::Number(n) => {
            open(out, name);
            out.push_str(&n.to_string());
            close(out, name);
        }
    }
}

fn open(out: &mut String, name: &str) {
    out.push('<');
    out.push_str(name);
    out.push('>');
}

fn close(out: &mut String, name: &str) {
    out.push_str("</");
    out.push_str(name);
    out.push('>');
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn lists_repeat_their_item_element() {
        let value =
            json!({"Cens": {"Cen": [{"CenId": "cen-1"}, {"CenId": "cen-2"}]}, "TotalCount": 2});
        assert_eq!(
            json_to_xml("R", &value),
            "<R><Cens><Cen><CenId>cen-1</CenId></Cen><Cen><CenId>cen-2</CenId></Cen></Cens><TotalCount>2</TotalCount></R>"
        );
    }

    #[test]
    fn empty_lists_leave_the_wrapper_and_nulls_vanish() {
        let value =
            json!({"Cens": {"Cen": []}, "Gone": null, "Ok": true, "Ids": {"Id": ["a", null, "b"]}});
        assert_eq!(
            json_to_xml("R", &value),
            "<R><Cens></Cens><Ids><Id>a</Id><Id>b</Id></Ids><Ok>true</Ok></R>"
        );
    }

    #[test]
    fn text_is_escaped() {
        assert_eq!(
            json_to_xml("R", &json!({"D": "a<b & c>d \"q\""})),
            "<R><D>a&lt;b &amp; c&gt;d \"q\"</D></R>"
        );
    }

    #[test]
    fn recommend_url_names_code_product_and_request() {
        assert_eq!(
            recommend_url("InvalidCenId.NotFound", "Cbn", "ABC-1"),
            "https://api.aliyun.com/troubleshoot?q=InvalidCenId.NotFound&product=Cbn&requestId=ABC-1"
        );
    }
}
