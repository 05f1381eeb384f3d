//! A static description of products and operations, filled by generated tables elsewhere.
//!
//! The client, the server stubs and the conformance harness all need the same facts (which
//! parameters are JSON strings, which one is the idempotency token, how to page, which errors
//! are documented), so they are described once here and generated from the spec.

/// How an operation pages through its results.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Pagination {
    /// The dotted path of the item list in the response, such as `Cens.Cen`.
    pub items: &'static str,
    /// The request and response field carrying the next-page token, when the operation pages by
    /// token rather than by `PageNumber`.
    pub next_token: Option<&'static str>,
}

/// An error an operation is documented to return.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DocumentedError {
    /// The HTTP status.
    pub status: u16,
    /// The error code, spelled exactly as Alibaba spells it (misspellings included).
    pub code: &'static str,
    /// The documented message.
    pub message: &'static str,
}

/// The protocol-relevant facts of one operation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OperationMeta {
    /// The `Action` name, such as `CreateCen`.
    pub action: &'static str,
    /// Parameters typed `Json`, sent as one JSON string instead of being flattened.
    pub json_params: &'static [&'static str],
    /// The idempotency parameter, usually `ClientToken`, which a client fills once per logical
    /// call so that retries are safe.
    pub client_token: Option<&'static str>,
    /// How the operation pages, if it does.
    pub pagination: Option<Pagination>,
    /// The operation's documented errors.
    pub errors: &'static [DocumentedError],
    /// Whether the official SDKs send the operation without an AccessKey or a signature
    /// (`x-acs-auth: anonymous`, as STS's `AssumeRoleWithOIDC`, whose OIDC token is the proof).
    pub anonymous: bool,
}

/// A product (one API version at one endpoint) and its operations.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ProductMeta {
    /// The product code, such as `Cbn`.
    pub product: &'static str,
    /// The API version, such as `2017-09-12`.
    pub version: &'static str,
    /// The default endpoint URL, such as `https://cbn.aliyuncs.com`.
    pub endpoint: &'static str,
    /// Every operation of the product.
    pub operations: &'static [OperationMeta],
    /// The product-wide error table: codes any operation may answer.
    pub common_errors: &'static [DocumentedError],
}

impl ProductMeta {
    /// Looks an operation up by its exact `Action` name, as the gateway does.
    /// The endpoint's host (`cbn.aliyuncs.com`), which the service reports as `HostId`.
    pub fn host(&self) -> &'static str {
        let rest = self
            .endpoint
            .split_once("://")
            .map_or(self.endpoint, |(_, rest)| rest);
        rest.split('/').next().unwrap_or(rest)
    }

    pub fn operation(&self, action: &str) -> Option<&OperationMeta> {
        self.operations.iter().find(|op| op.action == action)
    }

    /// How `action` documents `code`: its own error table first, then the product-wide one.
    pub fn documented_error(&self, action: &str, code: &str) -> Option<&DocumentedError> {
        self.operation(action)
            .and_then(|op| op.error(code))
            .or_else(|| self.common_errors.iter().find(|e| e.code == code))
    }
}

impl OperationMeta {
    /// Looks a documented error up by code, so a server can answer with the documented status.
    pub fn error(&self, code: &str) -> Option<&DocumentedError> {
        self.errors.iter().find(|e| e.code == code)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const CBN: ProductMeta = ProductMeta {
        product: "Cbn",
        version: "2017-09-12",
        endpoint: "https://cbn.aliyuncs.com",
        operations: &[OperationMeta {
            action: "DescribeCens",
            json_params: &[],
            client_token: None,
            pagination: Some(Pagination {
                items: "Cens.Cen",
                next_token: None,
            }),
            errors: &[DocumentedError {
                status: 400,
                code: "InvalidFilterKey.NotFound",
                message: "Specified filter key is not found.",
            }],
            anonymous: false,
        }],
        common_errors: &[],
    };

    #[test]
    fn host_is_the_endpoint_without_scheme_or_path() {
        assert_eq!(CBN.host(), "cbn.aliyuncs.com");
    }

    #[test]
    fn finds_operations_and_errors() {
        let op = CBN.operation("DescribeCens").unwrap();
        assert_eq!(op.pagination.unwrap().items, "Cens.Cen");
        assert_eq!(op.error("InvalidFilterKey.NotFound").unwrap().status, 400);
        assert!(CBN.operation("describecens").is_none());
    }
}
