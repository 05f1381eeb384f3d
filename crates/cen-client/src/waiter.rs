//! Polling until an asynchronous change has taken effect.
//!
//! CEN creates, attaches and modifies in the background: `CreateCen` answers with an ID while the
//! instance is still `Creating`. A [`Waiter`] polls `DescribeCens` until the instance reports the
//! wanted status, or gives up after a timeout.

use std::time::{Duration, Instant};

use crate::Error;
use crate::generated::cbn::{self, types};

/// How long and how often to poll.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Waiter {
    /// Give up after this long.
    pub timeout: Duration,
    /// Wait this long between two polls.
    pub interval: Duration,
}

impl Default for Waiter {
    /// Five minutes at one poll every two seconds: CEN creation usually takes seconds.
    fn default() -> Self {
        Self {
            timeout: Duration::from_secs(300),
            interval: Duration::from_secs(2),
        }
    }
}

/// One CEN instance as `DescribeCens` lists it.
pub type Cen = types::DescribeCensResponseCensCenItem;

impl Waiter {
    /// Polls until the CEN instance `cen_id` has `status` (for example `Active`), and returns it
    /// as last described.
    ///
    /// An instance that is not listed yet is polled again, since listings can lag behind creation;
    /// a service error ends the wait at once.
    pub async fn cen_status(
        &self,
        client: &cbn::Client,
        cen_id: &str,
        status: &str,
    ) -> Result<Cen, Error> {
        let started = Instant::now();
        let mut last_seen: Option<String> = None;
        loop {
            let filter = types::DescribeCensRequestFilterItem {
                key: Some("CenId".to_owned()),
                value: vec![cen_id.to_owned()],
            };
            let page = client
                .describe_cens()
                .body_map(|body| body.filter(vec![filter]))
                .send()
                .await?
                .into_inner();
            let found = page
                .cens
                .into_iter()
                .flat_map(|cens| cens.cen)
                .find(|cen| cen.cen_id.as_deref() == Some(cen_id));
            if let Some(cen) = found {
                if cen.status.as_deref() == Some(status) {
                    return Ok(cen);
                }
                last_seen.clone_from(&cen.status);
            }
            if started.elapsed() + self.interval > self.timeout {
                let last = last_seen.as_deref().unwrap_or("not listed");
                return Err(Error::WaitTimeout {
                    what: format!("CEN {cen_id} to become {status} (last seen: {last})"),
                    waited_secs: started.elapsed().as_secs(),
                });
            }
            tokio::time::sleep(self.interval).await;
        }
    }
}
