//! What the front door learned about a request, handed to the operation that serves it.

use std::fmt;

/// The response format a caller asked for with the `Format` parameter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Format {
    /// `application/json`, the default for CEN and VPC.
    #[default]
    Json,
    /// `text/xml`, with the `<{Action}Response>` root.
    Xml,
}

impl Format {
    /// Parses a `Format` value case-insensitively, because SDKs send both `JSON` and `json`.
    ///
    /// An absent or empty value means JSON; anything other than JSON or XML is `None`, which the
    /// front door answers with `InvalidParameter.Format`.
    pub fn parse(value: Option<&str>) -> Option<Self> {
        match value {
            None | Some("") => Some(Self::Json),
            Some(v) if v.eq_ignore_ascii_case("JSON") => Some(Self::Json),
            Some(v) if v.eq_ignore_ascii_case("XML") => Some(Self::Xml),
            Some(_) => None,
        }
    }
}

/// The verified facts of one request: who called, which operation, and how to answer.
#[derive(Clone, PartialEq, Eq)]
pub struct RequestContext {
    /// A fresh id in Alibaba's shape (upper-case UUID), also sent as `x-acs-request-id`.
    pub request_id: String,
    /// The product code, `Cbn`, `Vpc` or `Sts`.
    pub product: &'static str,
    /// The `Action`, already known to be an operation of the product.
    pub action: String,
    /// The response format.
    pub format: Format,
    /// The AccessKey id the signature was verified with; empty for an anonymous call (an
    /// operation marked `x-acs-auth: anonymous`, sent unsigned).
    pub access_key_id: String,
    /// The UID of the account owning the AccessKey (for an STS key, the account of the assumed
    /// role); empty for an anonymous call.
    pub caller_uid: String,
    /// The STS token sent with the request, if any.
    pub security_token: Option<String>,
    /// The common `RegionId` parameter, if given (it also stays among the parameters).
    pub region_id: Option<String>,
    /// The endpoint host of the product, used as `HostId` in errors.
    pub host_id: &'static str,
}

impl fmt::Debug for RequestContext {
    /// Shows everything but the security token, which is a credential.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RequestContext")
            .field("request_id", &self.request_id)
            .field("product", &self.product)
            .field("action", &self.action)
            .field("format", &self.format)
            .field("access_key_id", &self.access_key_id)
            .field("caller_uid", &self.caller_uid)
            .field(
                "security_token",
                &self.security_token.as_ref().map(|_| "***"),
            )
            .field("region_id", &self.region_id)
            .field("host_id", &self.host_id)
            .finish()
    }
}
