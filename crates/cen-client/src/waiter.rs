//! Polling until an asynchronous change has taken effect.
//!
//! Most CEN writes finish in the background: `CreateTransitRouter` answers with an id while the
//! router is still `Creating`. Every such operation names, in the spec's `x-acs-waiters`, the
//! List or Describe operation that observes the resource and the statuses that end the wait; the
//! generated `wait_until_*` methods build a [`Wait`] from those facts, and awaiting it polls.
//!
//! The semantics follow the Terraform provider, which is what most automation against CEN does:
//! a resource that is not listed yet, or is in any status other than the wanted ones, is polled
//! again; a failure status or a service error ends the wait at once; a delete is complete when
//! the resource is no longer listed.

use std::future::{Future, IntoFuture};
use std::pin::Pin;
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::Error;

/// What ends a wait.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Condition {
    /// The matching item's status (at `path`) is one of `success`; one of `failure` is an error.
    Status {
        /// The dotted path of the status inside the item, one segment per element.
        path: &'static [&'static str],
        /// The statuses that end the wait.
        success: &'static [&'static str],
        /// The statuses that end the wait with [`Error::WaiterFailure`].
        failure: &'static [&'static str],
    },
    /// No item matches any more.
    Gone,
    /// An item matches, whatever its status.
    Present,
}

/// How a successful wait ended.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Waited {
    /// The matching item as last listed, in its wire form; `None` after a delete.
    pub item: Option<Value>,
    /// The status it reached, for status waiters.
    pub status: Option<String>,
    /// How many times the observing operation was called.
    pub polls: u32,
}

impl Waited {
    /// The item decoded into its type from the spec, such as `types::TransitRouter` for a
    /// transit-router waiter; `None` after a delete.
    pub fn item_as<T: serde::de::DeserializeOwned>(&self) -> Option<Result<T, Error>> {
        self.item.as_ref().map(|item| {
            serde_json::from_value(item.clone()).map_err(|e| Error::Decode {
                reason: e.to_string(),
            })
        })
    }
}

type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;
type Fetch<'a> = Box<dyn Fn() -> BoxFuture<'a, Result<Vec<Value>, Error>> + Send + Sync + 'a>;

/// A wait, ready to be awaited: `client.wait_until_transit_router_active(id).timeout(..).await`.
#[must_use = "a wait does nothing until it is awaited"]
pub struct Wait<'a> {
    what: &'static str,
    matches: Vec<(&'static str, String)>,
    condition: Condition,
    fetch: Fetch<'a>,
    timeout: Duration,
    interval: Duration,
}

impl std::fmt::Debug for Wait<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Wait")
            .field("what", &self.what)
            .field("matches", &self.matches)
            .field("condition", &self.condition)
            .field("timeout", &self.timeout)
            .field("interval", &self.interval)
            .finish_non_exhaustive()
    }
}

impl<'a> Wait<'a> {
    /// A wait for `what` (a waiter's name): `fetch` lists the items of the observing operation,
    /// `matches` says which item is the resource (field name, expected value).
    pub fn new<F, Fut>(
        what: &'static str,
        matches: Vec<(&'static str, String)>,
        condition: Condition,
        fetch: F,
    ) -> Self
    where
        F: Fn() -> Fut + Send + Sync + 'a,
        Fut: Future<Output = Result<Vec<Value>, Error>> + Send + 'a,
    {
        Self {
            what,
            matches,
            condition,
            fetch: Box::new(move || Box::pin(fetch())),
            timeout: Duration::from_secs(300),
            interval: Duration::from_secs(5),
        }
    }

    /// Gives up after this long with [`Error::WaitTimeout`] (default 5 minutes).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Waits this long between two polls (default 5 seconds, as the Terraform provider).
    pub fn poll_interval(mut self, interval: Duration) -> Self {
        self.interval = interval;
        self
    }

    async fn run(self) -> Result<Waited, Error> {
        let started = Instant::now();
        let mut polls = 0;
        loop {
            polls += 1;
            let items = (self.fetch)().await?;
            let found = items.into_iter().find(|item| {
                self.matches
                    .iter()
                    .all(|(field, value)| item.get(field).and_then(Value::as_str) == Some(value))
            });
            let last_seen = match (self.condition, found) {
                (Condition::Gone, None) => {
                    return Ok(Waited {
                        item: None,
                        status: None,
                        polls,
                    });
                }
                (Condition::Gone, Some(item)) => status_at(&item, &["Status"]),
                (Condition::Present, Some(item)) => {
                    let status = status_at(&item, &["Status"]);
                    return Ok(Waited {
                        item: Some(item),
                        status,
                        polls,
                    });
                }
                (Condition::Present, None) => None,
                (Condition::Status { .. }, None) => None,
                (
                    Condition::Status {
                        path,
                        success,
                        failure,
                    },
                    Some(item),
                ) => {
                    let status = status_at(&item, path);
                    if let Some(s) = status.as_deref() {
                        if success.contains(&s) {
                            return Ok(Waited {
                                item: Some(item),
                                status,
                                polls,
                            });
                        }
                        if failure.contains(&s) {
                            return Err(Error::WaiterFailure {
                                what: self.describe(),
                                status: s.to_owned(),
                            });
                        }
                    }
                    status
                }
            };
            if started.elapsed() + self.interval > self.timeout {
                let last = last_seen.as_deref().unwrap_or("not listed");
                return Err(Error::WaitTimeout {
                    what: format!("{} (last seen: {last})", self.describe()),
                    waited_secs: started.elapsed().as_secs(),
                });
            }
            tokio::time::sleep(self.interval).await;
        }
    }

    fn describe(&self) -> String {
        let ids: Vec<&str> = self.matches.iter().map(|(_, v)| v.as_str()).collect();
        format!("{} of {}", self.what, ids.join(", "))
    }
}

impl<'a> IntoFuture for Wait<'a> {
    type Output = Result<Waited, Error>;
    type IntoFuture = BoxFuture<'a, Result<Waited, Error>>;

    fn into_future(self) -> Self::IntoFuture {
        Box::pin(self.run())
    }
}

fn status_at(item: &Value, path: &[&str]) -> Option<String> {
    let mut value = item;
    for segment in path {
        value = value.get(segment)?;
    }
    value.as_str().map(str::to_owned)
}

/// The list at `path` in a response, for observing operations that do not page.
pub fn items_at(response: &Value, path: &[&str]) -> Vec<Value> {
    let mut value = response;
    for segment in path {
        match value.get(segment) {
            Some(v) => value = v,
            None => return Vec::new(),
        }
    }
    value.as_array().cloned().unwrap_or_default()
}
