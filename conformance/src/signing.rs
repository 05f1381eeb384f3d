//! Family 1: the project's signer against golden canonical forms, strings to sign, signatures
//! and wire requests.

use std::borrow::Cow;

use acs_rpc::sign::{SigningTrace, sign_v1_traced, sign_v3_traced};
use acs_rpc::{Credentials, HttpMethod, Placement, RpcRequest, SigningContext};

use crate::case::{
    Case, CredentialsSpec, Expect, FormatSpec, PlacementSpec, SignatureKind, SigningExpect,
};
use crate::diff::Failure;

/// Renders what a signing case compares, one item per block, so a mismatch reads as a line diff.
fn render(
    canonical: &str,
    string_to_sign: &str,
    signature: &str,
    method: &str,
    path_and_query: &str,
    headers: &[(String, String)],
    body: &str,
) -> String {
    let mut headers: Vec<&(String, String)> = headers.iter().collect();
    headers.sort();
    let mut out = String::new();
    out.push_str("canonical:\n");
    for line in canonical.split('\n') {
        out.push_str("  ");
        out.push_str(line);
        out.push('\n');
    }
    out.push_str("string to sign:\n");
    for line in string_to_sign.split('\n') {
        out.push_str("  ");
        out.push_str(line);
        out.push('\n');
    }
    out.push_str(&format!("signature: {signature}\n"));
    out.push_str(&format!("wire: {method} {path_and_query}\n"));
    for (name, value) in headers {
        out.push_str(&format!("  {name}: {value}\n"));
    }
    out.push_str(&format!("  body: {body}\n"));
    out
}

fn render_expected(expect: &SigningExpect) -> String {
    render(
        &expect.canonical,
        &expect.string_to_sign,
        &expect.signature,
        &expect.wire.method,
        &expect.wire.path_and_query,
        &expect.wire.headers.0,
        &expect.wire.body,
    )
}

fn render_trace(trace: &SigningTrace) -> String {
    render(
        &trace.canonical,
        &trace.string_to_sign,
        &trace.signature,
        trace.wire.method.as_str(),
        &trace.wire.path_and_query,
        &trace.wire.headers,
        &String::from_utf8_lossy(&trace.wire.body),
    )
}

/// Signs the case's request with the project's signer.
///
/// # Panics
///
/// Never for a case that passed [`crate::case::parse_case`], which guarantees every field used.
pub fn sign_case(case: &Case) -> SigningTrace {
    let req = &case.request;
    let Some(CredentialsSpec::Inline {
        access_key_id,
        access_key_secret,
        security_token,
    }) = &req.credentials
    else {
        unreachable!("validated: signing cases have inline credentials")
    };
    let mut creds = Credentials::new(access_key_id.as_str(), access_key_secret.as_str());
    if let Some(token) = security_token {
        creds = creds.with_security_token(token.as_str());
    }
    let rpc = RpcRequest {
        method: match req.method.as_deref() {
            Some("GET") => HttpMethod::Get,
            _ => HttpMethod::Post,
        },
        host: req.host.as_deref().unwrap_or_default().into(),
        action: case.operation.as_str().into(),
        version: req.version.as_deref().unwrap_or_default().into(),
        format: match case.format {
            FormatSpec::Xml => "XML",
            _ => "JSON",
        }
        .into(),
        params: Cow::Owned(req.params.0.clone().into()),
        placement: match req.placement {
            PlacementSpec::Body => Placement::Body,
            _ => Placement::Query,
        },
    };
    let ctx = SigningContext::new(
        req.timestamp.clone().unwrap_or_default(),
        req.nonce.clone().unwrap_or_default(),
    );
    match req.signature {
        SignatureKind::V1 => sign_v1_traced(&rpc, &creds, &ctx),
        _ => sign_v3_traced(&rpc, &creds, &ctx),
    }
}

/// Runs a signing case: `Ok` when every byte matches, else a failure with a line diff.
pub fn check_signing(case: &Case) -> Result<(), Failure> {
    let Expect::Signing(expect) = &case.expect else {
        return Err(Failure::message("not a signing case"));
    };
    let expected = render_expected(expect);
    let actual = render_trace(&sign_case(case));
    Failure::compare("the signer differs from the golden", &expected, &actual)
}
