//! The conformance harness: golden cases as data (`cases/<family>/<id>.yaml`, format in
//! `README.md`) and a runner that replays them against the project's signer and against any CEN
//! endpoint.
//!
//! Expectations come from outside the project (Alibaba's documentation, official SDK captures,
//! recordings of the real service), never from running this project's own code.

pub mod case;
pub mod cli;
pub mod coverage;
pub mod diff;
pub mod endpoint;
pub mod exchange;
pub mod flow;
pub mod instances;
pub mod record;
pub mod runner;
pub mod shape;
pub mod sign_cmd;
pub mod signing;
pub mod subset;
pub mod summary;
pub mod throttle;
