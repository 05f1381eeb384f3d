//! The Alibaba Cloud RPC protocol, shared by the client, the server stubs, the emulator and the
//! conformance harness so that signing and verification can never drift apart.
//!
//! Every step of canonicalization and signing is a public function of its own, because the
//! conformance harness and the `sign` debugging command print the intermediate values.

pub mod credentials;
pub mod encode;
pub mod error;
pub mod flat;
pub mod meta;
pub mod params;
pub mod sign;
pub mod time;

pub use credentials::{Credentials, CredentialsError, Secret};
pub use error::ApiError;
pub use params::Params;
pub use sign::{
    HttpMethod, Placement, RpcRequest, SignatureVersion, SigningContext, WireRequest, sign_v1,
    sign_v3,
};
