//! A typed async client for Alibaba Cloud's Cloud Enterprise Network.
//!
//! Every operation of the spec is a method of [`cbn::Client`] or [`vpc::Client`] returning a
//! builder: one setter per parameter (taking `&str`, `String`, numbers, typed values), `send()`
//! answering the operation's output or one [`Error`], `into_paginator()` on the operations that
//! page, and `wait_until_*` methods for the asynchronous ones. All of it is generated from `spec/`
//! by `cargo xtask codegen`. This crate adds what makes the calls speak Alibaba's RPC protocol:
//! parameters written as `Tag.1.Key=..`, signed (V3 by default, V1 on request), retried on
//! throttling and transient failures with a fresh signature each time, and error bodies decoded
//! from JSON or XML.
//!
//! ```no_run
//! # async fn run() -> Result<(), cen_client::Error> {
//! let cen = cen_client::Cen::builder().build()?; // credentials from the default chain
//! let created = cen.cbn().create_cen().name("my-network").tag("env", "prod").send().await?;
//! let cen_id = created.cen_id.expect("CreateCen answers the new CenId");
//! cen.cbn().wait_until_cen_active(&cen_id).await?;
//! # Ok(()) }
//! ```

mod config;
pub mod credentials;
mod error;
#[allow(missing_docs)]
pub mod generated;
mod hooks;
pub mod pagination;
mod retry;
mod transport;
pub mod waiter;
pub mod wire;

pub use acs_rpc::credentials::{Credentials, CredentialsError, Secret};
pub use acs_rpc::sign::{HttpMethod, Placement, SignatureVersion, SigningContext};
pub use config::{Cen, ClientBuilder, ClientContext, SigningSource};
pub use error::Error;
pub use generated::{cbn, sts, vpc};
pub use retry::RetryPolicy;

/// The README's Rust examples, compiled as doctests so they keep working as written.
#[doc = include_str!("../../../README.md")]
#[cfg(doctest)]
pub struct ReadmeDoctests;
