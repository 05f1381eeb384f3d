//! Alibaba's error envelope, in JSON and XML, for reading and for rendering.
//!
//! The client reads it out of failed responses; the server stubs and the emulator render it, so
//! both directions live together and round-trip.

use std::borrow::Cow;
use std::fmt;

use quick_xml::escape::resolve_predefined_entity;
use quick_xml::events::Event;
use serde::Serialize;
use serde_json::Value;

/// An error answered by an Alibaba endpoint (or by the emulator pretending to be one).
#[derive(Clone, PartialEq, Eq)]
pub struct ApiError {
    /// The HTTP status of the response.
    pub status: u16,
    /// The `RequestId`, which Alibaba support asks for.
    pub request_id: Option<String>,
    /// The `HostId`, the endpoint host that answered.
    pub host_id: Option<String>,
    /// The error code, such as `InvalidCenId.NotFound`.
    pub code: String,
    /// The human-readable message.
    pub message: String,
    /// A troubleshooting URL.
    pub recommend: Option<String>,
}

/// The JSON envelope in Alibaba's field order.
#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct JsonEnvelope<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    request_id: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    host_id: Option<&'a str>,
    code: &'a str,
    message: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    recommend: Option<&'a str>,
}

/// The XML declaration Alibaba puts in front of every XML body.
pub const XML_DECLARATION: &str = "<?xml version='1.0' encoding='UTF-8'?>";

impl ApiError {
    /// Creates an error without request id, host id or recommendation.
    pub fn new(status: u16, code: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            status,
            request_id: None,
            host_id: None,
            code: code.into(),
            message: message.into(),
            recommend: None,
        }
    }

    /// Reads a JSON error body, or returns `None` if the body is not one.
    ///
    /// A body counts as an error when it is an object with a non-empty `Code`; the lower-case
    /// spellings (`code`, `message`, `requestId`, ...) that some gateways use are accepted too.
    pub fn from_json(status: u16, bytes: &[u8]) -> Option<Self> {
        let value: Value = serde_json::from_slice(bytes).ok()?;
        let object = value.as_object()?;
        let field = |upper: &str, lower: &str| -> Option<String> {
            match object.get(upper).or_else(|| object.get(lower))? {
                Value::String(s) => Some(s.clone()),
                Value::Number(n) => Some(n.to_string()),
                _ => None,
            }
        };
        let code = field("Code", "code").filter(|c| !c.is_empty())?;
        Some(Self {
            status,
            request_id: field("RequestId", "requestId"),
            host_id: field("HostId", "hostId"),
            code,
            message: field("Message", "message").unwrap_or_default(),
            recommend: field("Recommend", "recommend"),
        })
    }

    /// Reads an XML error body (root `<Error>`), or returns `None` if the body is not one.
    ///
    /// Entities, character references and CDATA sections are resolved, and surrounding
    /// whitespace is trimmed so pretty-printed bodies read the same as compact ones.
    pub fn from_xml(status: u16, bytes: &[u8]) -> Option<Self> {
        let text = std::str::from_utf8(bytes).ok()?;
        let mut reader = quick_xml::Reader::from_str(text);
        let mut depth = 0_usize;
        let mut current: Option<usize> = None;
        let mut fields: [Option<String>; 5] = Default::default();
        const NAMES: [&[u8]; 5] = [b"RequestId", b"HostId", b"Code", b"Message", b"Recommend"];
        loop {
            match reader.read_event().ok()? {
                Event::Start(start) => {
                    depth += 1;
                    if depth == 1 && start.name().as_ref() != b"Error" {
                        return None;
                    }
                    if depth == 2 {
                        current = NAMES.iter().position(|n| *n == start.name().as_ref());
                        if let Some(i) = current {
                            fields[i] = Some(String::new());
                        }
                    }
                }
                Event::Empty(empty) => {
                    if depth == 0 && empty.name().as_ref() != b"Error" {
                        return None;
                    }
                    if depth == 1
                        && let Some(i) = NAMES.iter().position(|n| *n == empty.name().as_ref())
                    {
                        fields[i] = Some(String::new());
                    }
                }
                Event::End(_) => {
                    if depth == 2 {
                        current = None;
                    }
                    depth = depth.checked_sub(1)?;
                }
                Event::Text(t) => {
                    if let Some(field) = current.and_then(|i| fields[i].as_mut()) {
                        field.push_str(&t.decode().ok()?);
                    }
                }
                Event::CData(t) => {
                    if let Some(field) = current.and_then(|i| fields[i].as_mut()) {
                        field.push_str(&t.decode().ok()?);
                    }
                }
                Event::GeneralRef(r) => {
                    if let Some(field) = current.and_then(|i| fields[i].as_mut()) {
                        match r.resolve_char_ref().ok()? {
                            Some(c) => field.push(c),
                            None => field.push_str(resolve_predefined_entity(&r.decode().ok()?)?),
                        }
                    }
                }
                // A body cut off inside an element is not a complete envelope.
                Event::Eof if depth == 0 => break,
                Event::Eof => return None,
                Event::Decl(_) | Event::PI(_) | Event::Comment(_) | Event::DocType(_) => {}
            }
        }
        let [request_id, host_id, code, message, recommend] =
            fields.map(|f| f.map(|s| s.trim().to_owned()));
        let code = code.filter(|c| !c.is_empty())?;
        Some(Self {
            status,
            request_id,
            host_id,
            code,
            message: message.unwrap_or_default(),
            recommend,
        })
    }

    /// Reads an error body in whichever format it is, trusting the content type first and
    /// sniffing the first non-blank byte otherwise (gateways sometimes mislabel bodies).
    pub fn from_body(status: u16, content_type: Option<&str>, bytes: &[u8]) -> Option<Self> {
        let content_type = content_type.unwrap_or_default().to_ascii_lowercase();
        let first = bytes.iter().copied().find(|b| !b.is_ascii_whitespace());
        let json_first = if content_type.contains("json") {
            true
        } else if content_type.contains("xml") {
            false
        } else {
            first != Some(b'<')
        };
        if json_first {
            Self::from_json(status, bytes).or_else(|| Self::from_xml(status, bytes))
        } else {
            Self::from_xml(status, bytes).or_else(|| Self::from_json(status, bytes))
        }
    }

    /// Renders the JSON envelope with fields in Alibaba's order, omitting absent ones.
    pub fn to_json(&self) -> String {
        let envelope = JsonEnvelope {
            request_id: self.request_id.as_deref(),
            host_id: self.host_id.as_deref(),
            code: &self.code,
            message: &self.message,
            recommend: self.recommend.as_deref(),
        };
        // Serializing plain strings cannot fail; fall back to a minimal body rather than panic.
        serde_json::to_string(&envelope).unwrap_or_else(|_| String::from("{}"))
    }

    /// Renders the XML envelope as Alibaba does: declaration, compact `<Error>`, `Recommend` in
    /// CDATA, absent fields omitted.
    pub fn to_xml(&self) -> String {
        let mut out = String::from(XML_DECLARATION);
        out.push_str("<Error>");
        let mut element = |name: &str, value: &str| {
            out.push('<');
            out.push_str(name);
            out.push('>');
            out.push_str(&escape_text(value));
            out.push_str("</");
            out.push_str(name);
            out.push('>');
        };
        if let Some(id) = &self.request_id {
            element("RequestId", id);
        }
        if let Some(host) = &self.host_id {
            element("HostId", host);
        }
        element("Code", &self.code);
        element("Message", &self.message);
        if let Some(recommend) = &self.recommend {
            out.push_str("<Recommend><![CDATA[");
            // A literal `]]>` would end the section early, so split it across two sections.
            out.push_str(&recommend.replace("]]>", "]]]]><![CDATA[>"));
            out.push_str("]]></Recommend>");
        }
        out.push_str("</Error>");
        out
    }

    /// Whether the error is flow control, which callers retry after a pause.
    pub fn is_throttling(&self) -> bool {
        self.code.starts_with("Throttling")
    }

    /// The message with any `SecurityToken` value blanked out.
    ///
    /// `SignatureDoesNotMatch` quotes the server's string to sign, which contains the STS token
    /// of the caller, so `Display` and `Debug` show this form instead of the raw message.
    pub fn redacted_message(&self) -> Cow<'_, str> {
        redact_security_token(&self.message)
    }
}

/// Whether XML 1.0 can carry `c` at all: it forbids the control characters other than tab, LF
/// and CR, the surrogates (which a Rust `char` never is) and U+FFFE and U+FFFF, even as
/// character references.
pub fn xml_allows(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | ' '..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..)
}

/// Escapes text for an XML element so that a parser reads back the same string.
///
/// `&`, `<` and `>` become entities, and CR becomes `&#13;` because parsers turn a literal CR
/// into LF. A character XML 1.0 cannot carry becomes U+FFFD: the front door refuses such
/// characters in requests, so this only guards text from elsewhere (a configuration file),
/// keeping every document well-formed.
pub fn escape_text(value: &str) -> Cow<'_, str> {
    if !value.contains(['&', '<', '>', '\r']) && value.chars().all(xml_allows) {
        return Cow::Borrowed(value);
    }
    let mut out = String::with_capacity(value.len() + 8);
    for c in value.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '\r' => out.push_str("&#13;"),
            c if !xml_allows(c) => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

/// Blanks the value of `SecurityToken` in a query string, a form body or a string to sign.
///
/// Handles the plain form (`SecurityToken=..&`), the encoded form inside a V1 string to sign
/// (`SecurityToken%3D..%26`) and the header line of a V3 canonical request
/// (`x-acs-security-token:..`), so secrets do not reach logs through diagnostics.
pub fn redact_security_token(text: &str) -> Cow<'_, str> {
    const PATTERNS: [(&str, &str); 3] = [
        ("SecurityToken=", "&"),
        ("SecurityToken%3D", "%26"),
        ("x-acs-security-token:", "\n"),
    ];
    if !PATTERNS.iter().any(|(p, _)| text.contains(p)) {
        return Cow::Borrowed(text);
    }
    let mut out = text.to_owned();
    for (prefix, end) in PATTERNS {
        let mut from = 0;
        while let Some(found) = out[from..].find(prefix) {
            let start = from + found + prefix.len();
            let stop = out[start..].find(end).map_or(out.len(), |i| start + i);
            out.replace_range(start..stop, "***");
            from = start + 3;
        }
    }
    Cow::Owned(out)
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}: {} (HTTP {}",
            self.code,
            self.redacted_message(),
            self.status
        )?;
        if let Some(id) = &self.request_id {
            write!(f, ", RequestId {id}")?;
        }
        f.write_str(")")
    }
}

impl fmt::Debug for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ApiError")
            .field("status", &self.status)
            .field("request_id", &self.request_id)
            .field("host_id", &self.host_id)
            .field("code", &self.code)
            .field("message", &self.redacted_message())
            .field("recommend", &self.recommend)
            .finish()
    }
}

impl std::error::Error for ApiError {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redacts_tokens_in_both_forms() {
        assert_eq!(
            redact_security_token("a=1&SecurityToken=abc%2Bd&b=2"),
            "a=1&SecurityToken=***&b=2"
        );
        assert_eq!(
            redact_security_token("GET&%2F&A%3D1%26SecurityToken%3Dxy%252Bz%26T%3D2"),
            "GET&%2F&A%3D1%26SecurityToken%3D***%26T%3D2"
        );
        assert_eq!(
            redact_security_token("SecurityToken=tail"),
            "SecurityToken=***"
        );
        assert_eq!(redact_security_token("nothing here"), "nothing here");
    }

    #[test]
    fn display_hides_the_token_quoted_by_signature_errors() {
        let e = ApiError::new(
            400,
            "SignatureDoesNotMatch",
            "Specified signature is not matched with our calculation. server string to sign is:GET&%2F&SecurityToken%3Dsecret-token%26Timestamp%3D1",
        );
        assert!(!e.to_string().contains("secret-token"));
        assert!(!format!("{e:?}").contains("secret-token"));
    }

    #[test]
    fn throttling_is_recognised_by_prefix() {
        assert!(ApiError::new(400, "Throttling.User", "").is_throttling());
        assert!(ApiError::new(400, "Throttling", "").is_throttling());
        assert!(!ApiError::new(400, "InvalidParameter", "").is_throttling());
    }
}
