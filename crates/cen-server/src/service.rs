//! The interface between the front door and the operations of one product.

use std::future::Future;
use std::pin::Pin;

use acs_rpc::error::ApiError;
use acs_rpc::meta::ProductMeta;

use crate::context::RequestContext;
use crate::decode::Field;

/// A boxed, sendable future, the return type of [`ProductService::call`].
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// One product's operations, implemented by generated code that decodes the parameters into typed
/// requests and calls the emulator.
///
/// The front door knows nothing of individual operations: it routes by `Version` to a product,
/// checks the `Action` against [`ProductMeta::operations`], verifies the caller, and hands over
/// the remaining parameters.
pub trait ProductService: Send + Sync + 'static {
    /// The product's code, version, endpoint and operations.
    fn meta(&self) -> &'static ProductMeta;

    /// The wire shape of an operation's parameters, from the spec (the generated services know
    /// it; a hand-written product may answer `None`).
    fn request_fields(&self, action: &str) -> Option<&'static [Field]> {
        let _ = action;
        None
    }

    /// Serves one verified request.
    ///
    /// `params` are the decoded parameters from query and form body in wire order, without the
    /// protocol parameters (`Action`, `Version`, `Format`, `AccessKeyId`, `Signature*`,
    /// `Timestamp`, `SecurityToken`) but with everything else, `RegionId` included. `Ok` is the
    /// response object (the front door sets `RequestId` and renders it as JSON or XML); `Err` is
    /// rendered as the error envelope, with `RequestId`, `HostId` and `Recommend` filled in.
    fn call<'a>(
        &'a self,
        ctx: &'a RequestContext,
        params: Vec<(String, String)>,
    ) -> BoxFuture<'a, Result<serde_json::Value, ApiError>>;
}
