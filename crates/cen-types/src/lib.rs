//! The request and response types of Cbn (2017-09-12) and the CEN operations of Vpc
//! (2016-04-28), generated from `spec/` by `cargo xtask codegen`.
//!
//! The client (`cen-client`) and the server stubs (`cen-server`) both use these types, so what
//! one serializes the other reads, and neither depends on the other's HTTP stack.
//! [`operations`] describes what the types cannot carry: JSON-style parameters, idempotence
//! tokens, pagination and each operation's documented errors; [`shapes`] describes each
//! operation's success response as JSON ([`shape`]), for checking a server against the spec.

mod generated;
pub mod shape;

pub use generated::{cbn, operations, shapes, sts, vpc};
