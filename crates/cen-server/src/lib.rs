//! The server side of Alibaba Cloud's RPC protocol for CEN and the CEN operations of VPC.
//!
//! The hand-written protocol front door ([`frontdoor::FrontDoor`]) decodes parameters, verifies
//! V1 and V3 signatures, rejects replays and renders responses; the generated product stubs
//! implement [`service::ProductService`] and never see a protocol parameter.

pub mod auth;
pub mod catalogue;
pub mod context;
pub mod coverage;
pub mod decode;
pub mod frontdoor;
pub mod generated;
pub mod hooks;
pub mod render;
pub mod service;

pub use auth::{Account, KeyStore, NonceCache, SecurityTokenError, StaticKeyStore};
pub use context::{Format, RequestContext};
pub use frontdoor::{FrontDoor, FrontDoorBuilder};
pub use generated::{cbn, sts, vpc};
pub use service::{BoxFuture, ProductService};
