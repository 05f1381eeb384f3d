//! The rule that an operation answers only the errors it documents.
//!
//! Each generated service passes every error an implementation returns through [`checked`]:
//! a code the operation documents in the spec's `x-acs-errors`, or the product documents in its
//! `x-acs-common-errors`, goes out with the documented status and message; one of the
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

/// Lets `error` through, with the status and message `action` documents for its code, if the
/// operation or the product documents the code, or unchanged if it is one of [`COMMON`];
/// otherwise answers an `InternalError` that names the undocumented code.
pub fn checked(product: &ProductMeta, action: &str, error: ApiError) -> ApiError {
    if let Some(documented) = product.documented_error(action, &error.code) {
        return documented_answer(action, documented, error);
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

/// A documented code, answered as the operation documents it: its status always, and its
/// message unless the reference leaves the message empty or gives a template (`%s`) that only
/// the implementation can fill in. An implementation's own wording of a documented message is
/// logged, so its detail still helps whoever reads the emulator's log.
fn documented_answer(action: &str, documented: &DocumentedError, mut error: ApiError) -> ApiError {
    error.status = documented.status;
    let fixed = !documented.message.is_empty() && !documented.message.contains('%');
    if error.message.is_empty() || (fixed && error.message != documented.message) {
        if !error.message.is_empty() {
            tracing::debug!(
                action,
                code = %error.code,
                detail = %error.message,
                "answering the documented message"
            );
        }
        documented.message.clone_into(&mut error.message);
    }
    error
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answer(documented: &'static str, given: &str) -> ApiError {
        let documented = DocumentedError {
            status: 400,
            code: "IllegalParam.Priority",
            message: documented,
        };
        documented_answer(
            "CreateTrafficMarkingPolicy",
            &documented,
            ApiError::new(409, "IllegalParam.Priority", given),
        )
    }

    #[test]
    fn a_documented_message_replaces_the_implementations_wording() {
        let error = answer("Priority is illegal.", "Priority is 1 to 100.");
        assert_eq!(
            (error.status, error.message.as_str()),
            (400, "Priority is illegal.")
        );
    }

    #[test]
    fn the_implementation_words_what_the_reference_leaves_open() {
        assert_eq!(
            answer("", "Priority is 1 to 100.").message,
            "Priority is 1 to 100."
        );
        assert_eq!(
            answer("%s", "Priority is 1 to 100.").message,
            "Priority is 1 to 100."
        );
        assert_eq!(
            answer("Priority is illegal.", "").message,
            "Priority is illegal."
        );
    }
}
