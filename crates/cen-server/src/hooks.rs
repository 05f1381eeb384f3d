//! Hooks around the calls the front door makes: a server that embeds the front door can delay,
//! answer or drop a call before the product sees it (fault injection), and observe every
//! answer (metrics).
//!
//! Both hooks run on the request's task, so they must be quick and must not block.

use std::time::Duration;

use acs_rpc::error::ApiError;

/// A verified call the front door is about to hand to its product.
#[derive(Debug, Clone, Copy)]
pub struct Call<'a> {
    /// The product code, `Cbn`, `Vpc` or `Sts`.
    pub product: &'static str,
    /// The operation.
    pub action: &'a str,
    /// The calling account's UID (empty for an anonymous operation).
    pub caller_uid: &'a str,
    /// The operation's parameters, without the protocol's own.
    pub params: &'a [(String, String)],
}

/// What happens to a call instead of, or before, the product serving it.
#[derive(Debug, Clone, Default)]
pub struct Plan {
    /// A pause before anything else.
    pub delay: Duration,
    /// What replaces the product's answer; `None` lets the product serve the call.
    pub outcome: Option<Outcome>,
}

/// An answer that replaces the product's.
#[derive(Debug, Clone)]
pub enum Outcome {
    /// This error, rendered like any other in the caller's format.
    Error(ApiError),
    /// The connection closes without a complete response, as a broken network would.
    CloseConnection,
}

/// One answered request, for observers.
#[derive(Debug, Clone, Copy)]
pub struct Answered<'a> {
    /// The product, when the request got that far.
    pub product: Option<&'static str>,
    /// The action, when the request named one.
    pub action: Option<&'a str>,
    /// The HTTP status (0 when the connection was closed on purpose).
    pub status: u16,
    /// The error code, for an error.
    pub code: Option<&'a str>,
    /// How long the request took in the front door.
    pub latency: Duration,
}

/// Hooks a server installs with [`crate::FrontDoorBuilder::hooks`].
pub trait Hooks: Send + Sync {
    /// Decides what happens to a verified call before its product sees it; `None` (the
    /// default) lets it through untouched.
    fn before_call(&self, call: &Call<'_>) -> Option<Plan> {
        let _ = call;
        None
    }

    /// Sees every answer, after it is rendered.
    fn after_response(&self, answered: &Answered<'_>) {
        let _ = answered;
    }
}

/// The hooks of a front door built without any: they change and observe nothing.
#[derive(Debug, Default, Clone, Copy)]
pub struct NoHooks;

impl Hooks for NoHooks {}
