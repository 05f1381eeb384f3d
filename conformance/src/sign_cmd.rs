//! `cen-conformance sign`: prints every intermediate value of a signature, for comparing with what
//! a real endpoint quotes back in `SignatureDoesNotMatch`.

use acs_rpc::encode::{canonical_query, form_decode, percent_encode};
use acs_rpc::sign::{v1, v3};
use thiserror::Error;

/// The signature scheme to compute.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Algorithm {
    /// HMAC-SHA1 over the sorted parameters.
    #[default]
    V1,
    /// `ACS3-HMAC-SHA256` over the canonical request.
    V3,
}

/// The inputs of `sign`.
#[derive(Debug, Clone, Default)]
pub struct SignInput {
    /// `GET` or `POST` (any method is signed as given).
    pub method: String,
    /// The AccessKey secret.
    pub secret: String,
    /// The scheme.
    pub algorithm: Algorithm,
    /// V1: added as `AccessKeyId` unless the parameters have one; V3: the `Credential` of the
    /// printed `Authorization` header.
    pub access_key_id: Option<String>,
    /// V3: request headers, `name:value`.
    pub headers: Vec<String>,
    /// The form body as sent (encoded). V1: its parameters are signed too; V3: its bytes are
    /// hashed.
    pub body: Option<String>,
    /// `name=value` pairs, decoded values: V1 every signed parameter, V3 the query.
    pub params: Vec<String>,
}

/// Why `sign` cannot run.
#[derive(Debug, Error, PartialEq, Eq)]
pub enum SignError {
    /// A parameter without `=`.
    #[error("parameter {0:?} is not name=value")]
    BadParam(String),
    /// A header without `:`.
    #[error("header {0:?} is not name:value")]
    BadHeader(String),
    /// A body that does not decode as a form.
    #[error("--body is not a valid form body: {0}")]
    BadBody(String),
}

fn split_params(params: &[String]) -> Result<Vec<(String, String)>, SignError> {
    params
        .iter()
        .map(|p| {
            p.split_once('=')
                .map(|(n, v)| (n.to_owned(), v.to_owned()))
                .ok_or_else(|| SignError::BadParam(p.clone()))
        })
        .collect()
}

/// Computes and renders the canonical form, string to sign and signature.
pub fn sign(input: &SignInput) -> Result<String, SignError> {
    let method = input.method.to_ascii_uppercase();
    let mut params = split_params(&input.params)?;
    let mut out = String::new();
    match input.algorithm {
        Algorithm::V1 => {
            if let Some(body) = &input.body {
                params.extend(form_decode(body).map_err(|e| SignError::BadBody(e.to_string()))?);
            }
            if let Some(id) = &input.access_key_id
                && !params.iter().any(|(n, _)| n == "AccessKeyId")
            {
                params.push(("AccessKeyId".to_owned(), id.clone()));
            }
            if params.iter().any(|(n, _)| n == "Signature") {
                out.push_str("note: the Signature parameter is not signed and was left out\n\n");
                params.retain(|(n, _)| n != "Signature");
            }
            let canonical = canonical_query(&params);
            let string_to_sign = v1::string_to_sign_from_canonical(&method, &canonical);
            let signature = v1::signature(&input.secret, &string_to_sign);
            out.push_str(&format!("canonicalized query string:\n{canonical}\n\n"));
            out.push_str(&format!("string to sign:\n{string_to_sign}\n\n"));
            out.push_str(&format!("signature:\n{signature}\n\n"));
            out.push_str(&format!(
                "as sent:\nSignature={}\n",
                percent_encode(&signature)
            ));
        }
        Algorithm::V3 => {
            let headers: Vec<(String, String)> = input
                .headers
                .iter()
                .map(|h| {
                    h.split_once(':')
                        .map(|(n, v)| (n.trim().to_ascii_lowercase(), v.to_owned()))
                        .ok_or_else(|| SignError::BadHeader(h.clone()))
                })
                .collect::<Result<_, _>>()?;
            let body = input.body.clone().unwrap_or_default().into_bytes();
            let canonical = v3::canonical_request(&v3::CanonicalInput {
                method: &method,
                path: "/",
                query: &params,
                headers: &headers,
                body: &body,
            });
            let string_to_sign = v3::string_to_sign(&canonical);
            let signature = v3::signature(&input.secret, &string_to_sign);
            out.push_str(&format!("canonical request:\n{canonical}\n\n"));
            out.push_str(&format!("string to sign:\n{string_to_sign}\n\n"));
            out.push_str(&format!("signature:\n{signature}\n"));
            let hashed = v3::hashed_payload(&body);
            if let Some((_, sent)) = headers.iter().find(|(n, _)| n == "x-acs-content-sha256")
                && !sent.trim().eq_ignore_ascii_case(&hashed)
            {
                out.push_str(&format!(
                    "\nwarning: x-acs-content-sha256 is {} but the body hashes to {hashed}\n",
                    sent.trim()
                ));
            }
            if let Some(id) = &input.access_key_id {
                out.push_str(&format!(
                    "\nauthorization:\n{}\n",
                    v3::authorization(id, &v3::signed_headers(&headers), &signature)
                ));
            }
        }
    }
    Ok(out)
}
