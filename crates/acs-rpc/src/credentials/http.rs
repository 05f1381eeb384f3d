//! The one HTTP exchange providers need, as a trait the client implements with its own stack.
//!
//! This crate is the protocol and stays free of any HTTP library; `cen-client` implements
//! [`HttpClient`] with reqwest, and tests implement it with a function.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

/// A request to a credentials endpoint (STS, the ECS metadata service, a credentials URI).
#[derive(Clone, PartialEq, Eq)]
pub struct HttpRequest {
    /// `GET`, `POST` or `PUT`.
    pub method: &'static str,
    /// The full URL, query included.
    pub url: String,
    /// Header names in lower case, with their values.
    pub headers: Vec<(String, String)>,
    /// The body; empty for none.
    pub body: Vec<u8>,
    /// A bound on the whole exchange, where the official libraries set one (the metadata service
    /// answers within a second or not at all).
    pub timeout: Option<Duration>,
}

impl HttpRequest {
    /// A `method` request to `url` without headers or body.
    pub fn new(method: &'static str, url: impl Into<String>) -> Self {
        Self {
            method,
            url: url.into(),
            headers: Vec::new(),
            body: Vec::new(),
            timeout: None,
        }
    }

    /// The value of a header, by lower-case name.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
}

impl fmt::Debug for HttpRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The query, headers and body may carry tokens and signatures: show where it goes only.
        let target = self.url.split(['?', '#']).next().unwrap_or_default();
        f.debug_struct("HttpRequest")
            .field("method", &self.method)
            .field("url", &target)
            .finish_non_exhaustive()
    }
}

/// The answer to an [`HttpRequest`].
#[derive(Clone, PartialEq, Eq)]
pub struct HttpResponse {
    /// The HTTP status.
    pub status: u16,
    /// The `Content-Type` header, when there was one.
    pub content_type: Option<String>,
    /// The body.
    pub body: Vec<u8>,
}

impl fmt::Debug for HttpResponse {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The body of a successful answer is a secret.
        f.debug_struct("HttpResponse")
            .field("status", &self.status)
            .field("content_type", &self.content_type)
            .finish_non_exhaustive()
    }
}

/// The future of one exchange: boxed so [`HttpClient`] stays object-safe.
pub type HttpFuture<'a> = Pin<Box<dyn Future<Output = Result<HttpResponse, String>> + Send + 'a>>;

/// Sends one request and reads the whole answer.
///
/// An `Err` is a transport failure (no answer at all), in words that never quote the request.
pub trait HttpClient: Send + Sync + fmt::Debug {
    /// Sends the request.
    fn send(&self, request: HttpRequest) -> HttpFuture<'_>;
}

/// An HTTP client shared by every provider of a chain.
pub type SharedHttpClient = Arc<dyn HttpClient>;
