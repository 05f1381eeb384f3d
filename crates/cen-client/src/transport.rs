//! How a generated builder's call reaches the service: its flat parameters go through the same
//! signing, retrying and tracing as progenitor's calls ([`crate::hooks::execute_call`]), and the
//! answer is decoded into the operation's output or one [`Error`].

use acs_rpc::error::ApiError;
use reqwest::header::CONTENT_TYPE;
use serde::de::DeserializeOwned;

use crate::config::ClientContext;
use crate::error::{Error, snippet};
use crate::hooks::{Call, CallError, execute_call};
use crate::wire::Params;

/// Sends `action` with `params` to `baseurl` and decodes the output.
pub(crate) async fn send<T: DeserializeOwned>(
    context: &ClientContext,
    http: &reqwest::Client,
    baseurl: &str,
    action: &'static str,
    params: Params,
) -> Result<T, Error> {
    let call = Call::new(baseurl, action, params.into_params()).map_err(Error::InvalidRequest)?;
    let response = execute_call(context, http, &call)
        .await
        .map_err(|error| match error {
            CallError::Transport(e) => Error::Transport(e),
            CallError::Credentials(e) => Error::Credentials(e),
            CallError::Refused(reason) => Error::InvalidRequest(reason),
        })?;
    let status = response.status().as_u16();
    let content_type = response
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let bytes = response.bytes().await.map_err(Error::Transport)?;
    if (200..300).contains(&status) {
        return serde_json::from_slice(&bytes).map_err(|e| Error::Decode {
            reason: format!("{e} (body starts {:?})", snippet(&bytes)),
        });
    }
    match ApiError::from_body(status, content_type.as_deref(), &bytes) {
        Some(error) => Err(Error::from(error)),
        None => Err(Error::UnexpectedResponse {
            status,
            snippet: snippet(&bytes),
        }),
    }
}
