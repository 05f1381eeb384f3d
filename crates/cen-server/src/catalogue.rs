//! The rule that an operation answers only the errors it documents.
//!
//! Each generated service passes every error an implementation returns through [`checked`]:
//! a code the operation documents in the spec's `x-acs-errors`, or the product documents in its
//! `x-acs-common-errors`, goes out with the documented status; one of the
//! protocol-level codes any operation may answer ([`COMMON`]) goes out as it is; any other code
//! is a defect of the implementation, logged and answered as `InternalError` (HTTP 500) naming
//! it, so that a test or a user sees it at once instead of a code the real service never sends.

use acs_rpc::error::ApiError;
use acs_rpc::meta::{DocumentedError, ProductMeta};

/// Codes every operation may answer, with the status and message Alibaba's gateway gives them:
/// the gateway's parameter checks, throttling, overload, internal failures, this project's
/// `NotImplemented`, and `IdempotenceParam.NotMatch` for an operation that takes a `ClientToken`
/// (the CEN-wide error table of the 2019 reference).
pub const COMMON: &[DocumentedError] = &[
    DocumentedError {
        status: 400,
        code: "MissingParameter",
        message: "The input parameter that is mandatory for processing this request is not supplied.",
    },
    DocumentedError {
        status: 400,
        code: "InvalidParameter",
        message: "The specified parameter is not valid.",
    },
    DocumentedError {
        status: 400,
        code: "Throttling",
        message: "Request was denied due to request throttling.",
    },
    DocumentedError {
        status: 400,
        code: "Throttling.User",
        message: "Request was denied due to user flow control.",
    },
    DocumentedError {
        status: 503,
        code: "ServiceUnavailable",
        message: "The request has failed due to a temporary failure of the server.",
    },
    DocumentedError {
        status: 500,
        code: "InternalError",
        message: crate::frontdoor::INTERNAL_ERROR_MESSAGE,
    },
    DocumentedError {
        status: 501,
        code: crate::frontdoor::errors::NOT_IMPLEMENTED,
        message: "The operation is not implemented by this server.",
    },
];

/// Lets `error` through, with the status `action` documents for its code (and the documented
/// message when the error has none), if the operation or the product documents the code, or
/// unchanged if it is one of [`COMMON`]; otherwise answers an `InternalError` that names the
/// undocumented code.
pub fn checked(product: &ProductMeta, action: &str, error: ApiError) -> ApiError {
    if let Some(documented) = product.documented_error(action, &error.code) {
        // The status is the documented one; the message stays the implementation's when it
        // has one, since documented messages are sometimes templates (`The parameter %s is
        // illegal.`) that the implementation fills in.
        let mut error = error;
        error.status = documented.status;
        if error.message.is_empty() {
            documented.message.clone_into(&mut error.message);
        }
        return error;
    }
    let takes_token = product
        .operation(action)
        .is_some_and(|op| op.client_token.is_some());
    let idempotence = takes_token && error.code == "IdempotenceParam.NotMatch";
    if COMMON.iter().any(|c| c.code == error.code) || idempotence {
        return error;
    }
    tracing::error!(
        action,
        code = %error.code,
        "the implementation answered an error code the operation does not document"
    );
    ApiError::new(
        500,
        "InternalError",
        format!(
            "The server answered {action} with the code {}, which {action} does not document.",
            error.code
        ),
    )
}
