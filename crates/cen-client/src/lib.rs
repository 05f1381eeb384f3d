//! A typed async client for Alibaba Cloud's Cloud Enterprise Network.
//!
//! The operation methods, request builders and response types are generated from `spec/` by
//! `cargo xtask codegen` (see [`cbn`] and [`vpc`]). This crate adds what makes them speak Alibaba's
//! RPC protocol: every call is flattened into `Tag.1.Key=..` parameters, signed (V3 by default, V1 on
//! request), retried on throttling and transient failures with a fresh signature each time, and its
//! error body decoded into one typed [`Error`].
//!
//! ```no_run
//! # async fn run() -> Result<(), cen_client::Error> {
//! let cen = cen_client::Cen::builder().build()?; // credentials from the environment or ~/.aliyun
//! let created = cen.cbn().create_cen().body_map(|b| b.name("my-network".to_owned())).send().await?;
//! println!("created {:?}", created.into_inner().cen_id);
//! # Ok(()) }
//! ```

mod config;
mod error;
#[allow(missing_docs)]
pub mod generated;
mod hooks;
pub mod pagination;
mod retry;
pub mod waiter;

pub use acs_rpc::credentials::{Credentials, CredentialsError, Secret};
pub use acs_rpc::sign::{HttpMethod, Placement, SignatureVersion, SigningContext};
pub use config::{Cen, ClientBuilder, ClientContext, SigningSource};
pub use error::Error;
pub use generated::{cbn, vpc};
pub use retry::RetryPolicy;

/// The README's Rust examples, compiled as doctests so they keep working as written.
#[doc = include_str!("../../../README.md")]
#[cfg(doctest)]
pub struct ReadmeDoctests;
