//! The one error type of the client.

use acs_rpc::credentials::CredentialsError;
use acs_rpc::error::ApiError;

use crate::generated::{cbn, sts, vpc};

/// Everything a call can fail with.
///
/// The service's own refusals are [`Error::Api`], with the HTTP status, `Code`, `Message`,
/// `RequestId` and `Recommend` of the error body, whether that body was JSON or XML. A failure to
/// reach the service is [`Error::Transport`], kept apart so callers can tell "the service said no"
/// from "the service was not reached".
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The service answered with an error envelope. Boxed to keep `Result<_, Error>` small.
    #[error(transparent)]
    Api(Box<ApiError>),
    /// The request never got an answer: DNS, connection, TLS or timeout.
    #[error("transport error: {0}")]
    Transport(#[source] reqwest::Error),
    /// The request could not be built from the given values; nothing was sent.
    #[error("invalid request: {0}")]
    InvalidRequest(String),
    /// No credentials could be found; the message names every source tried.
    #[error(transparent)]
    Credentials(#[from] CredentialsError),
    /// The service answered with something that is neither the documented response nor an error
    /// envelope, such as a proxy's HTML page.
    #[error("unexpected HTTP {status} response: {snippet}")]
    UnexpectedResponse {
        /// The HTTP status.
        status: u16,
        /// The start of the body, for diagnosis.
        snippet: String,
    },
    /// A success response whose body does not match the documented shape.
    #[error("could not decode the response body: {reason}")]
    Decode {
        /// What the decoder objected to.
        reason: String,
    },
    /// A required parameter was not set; nothing was sent.
    #[error("{operation} needs the parameter {parameter}; nothing was sent")]
    MissingParameter {
        /// The action.
        operation: &'static str,
        /// The wire name of the parameter.
        parameter: &'static str,
    },
    /// A waiter saw the resource reach a status from which the wanted one cannot follow.
    #[error("{what} reached the failure status {status}")]
    WaiterFailure {
        /// The waiter and the resource.
        what: String,
        /// The status seen.
        status: String,
    },
    /// A waiter gave up before the resource reached the wanted state.
    #[error("timed out after {waited_secs} s waiting for {what}")]
    WaitTimeout {
        /// What was being waited for, in words.
        what: String,
        /// How long the waiter polled.
        waited_secs: u64,
    },
}

impl From<ApiError> for Error {
    fn from(error: ApiError) -> Self {
        Error::Api(Box::new(error))
    }
}

impl Error {
    /// The Alibaba error code, when the service answered with one.
    pub fn code(&self) -> Option<&str> {
        self.api().map(|api| api.code.as_str())
    }

    /// The service's `Message`, when it answered with an error envelope.
    pub fn message(&self) -> Option<&str> {
        self.api().map(|api| api.message.as_str())
    }

    /// The `RequestId` of the failed call, to quote to Alibaba's support.
    pub fn request_id(&self) -> Option<&str> {
        self.api().and_then(|api| api.request_id.as_deref())
    }

    /// The HTTP status of the error answer.
    pub fn status(&self) -> Option<u16> {
        match self {
            Error::Api(api) => Some(api.status),
            Error::UnexpectedResponse { status, .. } => Some(*status),
            _ => None,
        }
    }

    /// The envelope the service answered with, if it did.
    pub fn api(&self) -> Option<&ApiError> {
        match self {
            Error::Api(api) => Some(api),
            _ => None,
        }
    }

    /// Whether the service asked to slow down (`Throttling*` codes, HTTP 429). The client has
    /// already retried these as its policy allows.
    pub fn is_throttling(&self) -> bool {
        self.api().is_some_and(ApiError::is_throttling) || self.status() == Some(429)
    }

    /// Whether the error says the resource does not exist, as the Terraform provider decides it:
    /// HTTP 404, or a code such as `InvalidTransitRouterId.NotFound`, `Instance.Notfound`,
    /// `InstanceNotExist.*` or `ResourceNotFound.*`. Alibaba's not-found codes are not uniform
    /// (`ParameterCenInstanceId`, `IllegalParam.*`), so list operations, which answer an empty
    /// list for an unknown id, are the dependable way to learn that something is gone.
    pub fn is_not_found(&self) -> bool {
        let Some(api) = self.api() else { return false };
        let code = api.code.to_ascii_lowercase();
        api.status == 404
            || code.contains("notfound")
            || code.starts_with("instancenotexist")
            || code.starts_with("resourcenotfound")
    }
}

/// Turns the generated clients' errors into [`Error`]; one impl per product because each has its
/// own generated copy of the error schema.
macro_rules! from_generated {
    ($product:ident) => {
        impl From<progenitor_client::Error<$product::types::ApiError>> for Error {
            fn from(error: progenitor_client::Error<$product::types::ApiError>) -> Self {
                use progenitor_client::Error as E;
                match error {
                    E::ErrorResponse(response) => {
                        let status = response.status().as_u16();
                        let body = response.into_inner();
                        Error::Api(Box::new(ApiError {
                            status,
                            request_id: body.request_id,
                            host_id: body.host_id,
                            code: body.code.unwrap_or_default(),
                            message: body.message.unwrap_or_default(),
                            recommend: body.recommend,
                        }))
                    }
                    E::CommunicationError(e) | E::ResponseBodyError(e) | E::InvalidUpgrade(e) => {
                        Error::Transport(e)
                    }
                    E::InvalidRequest(reason) | E::Custom(reason) => Error::InvalidRequest(reason),
                    E::InvalidResponsePayload(bytes, e) => Error::Decode {
                        reason: format!("{e} (body starts {:?})", snippet(&bytes)),
                    },
                    E::UnexpectedResponse(response) => Error::UnexpectedResponse {
                        status: response.status().as_u16(),
                        snippet: String::new(),
                    },
                }
            }
        }
    };
}

from_generated!(cbn);
from_generated!(vpc);
from_generated!(sts);

/// The first characters of a body, enough to recognise it in a log without flooding it.
pub(crate) fn snippet(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).chars().take(200).collect()
}
