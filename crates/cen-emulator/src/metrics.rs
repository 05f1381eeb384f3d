//! What `/_emulator/metrics` shows, in the OpenMetrics text format that Prometheus scrapes:
//! requests by product, action and code, their latency by action, injected faults, and the
//! stored resources by kind.

use std::sync::Arc;
use std::time::Duration;

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::registry::Registry;

use crate::emulator::Emulator;

/// The content type of [`Metrics::render`]'s text.
pub const CONTENT_TYPE: &str = "application/openmetrics-text; version=1.0.0; charset=utf-8";

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RequestLabels {
    product: String,
    action: String,
    /// The error code, or `Success`.
    code: String,
    status: u16,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct ActionLabels {
    action: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct FaultLabels {
    action: String,
    /// The injected error code, `CloseConnection` or `Latency`.
    fault: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct KindLabels {
    kind: String,
}

type LatencyFamily = Family<ActionLabels, Histogram, fn() -> Histogram>;

/// The emulator's counters; cheap to update from any request task.
#[derive(Debug)]
pub struct Metrics {
    registry: Registry,
    requests: Family<RequestLabels, Counter>,
    latency: LatencyFamily,
    faults: Family<FaultLabels, Counter>,
    resources: Family<KindLabels, Gauge>,
}

/// Latency buckets from 0.5 ms to about 8 s, doubling.
fn latency_histogram() -> Histogram {
    Histogram::new(exponential_buckets(0.0005, 2.0, 15))
}

impl Default for Metrics {
    fn default() -> Self {
        let mut registry = Registry::with_prefix("cen_emulator");
        let requests = Family::<RequestLabels, Counter>::default();
        let latency: LatencyFamily = Family::new_with_constructor(latency_histogram);
        let faults = Family::<FaultLabels, Counter>::default();
        let resources = Family::<KindLabels, Gauge>::default();
        registry.register(
            "requests",
            "API requests answered, by product, action, code and HTTP status",
            requests.clone(),
        );
        registry.register(
            "request_duration_seconds",
            "Time from receiving an API request to answering it, by action",
            latency.clone(),
        );
        registry.register(
            "injected_faults",
            "Faults injected by the fault rules, by action and fault",
            faults.clone(),
        );
        registry.register(
            "resources",
            "Stored resources by kind, those being deleted included",
            resources.clone(),
        );
        Self {
            registry,
            requests,
            latency,
            faults,
            resources,
        }
    }
}

impl Metrics {
    /// Counts one answered request; one the front door refused before knowing the action is
    /// counted under the action `-`.
    pub fn answered(
        &self,
        product: Option<&str>,
        action: Option<&str>,
        code: Option<&str>,
        status: u16,
        latency: Duration,
    ) {
        let action = action.unwrap_or("-").to_owned();
        self.requests
            .get_or_create(&RequestLabels {
                product: product.unwrap_or("-").to_owned(),
                action: action.clone(),
                code: code.unwrap_or("Success").to_owned(),
                status,
            })
            .inc();
        self.latency
            .get_or_create(&ActionLabels { action })
            .observe(latency.as_secs_f64());
    }

    /// Counts one injected fault.
    pub fn injected(&self, action: &str, fault: &str) {
        self.faults
            .get_or_create(&FaultLabels {
                action: action.to_owned(),
                fault: fault.to_owned(),
            })
            .inc();
    }

    /// The text a scrape gets, with the resource counts read now.
    pub fn render(&self, emulator: &Arc<Emulator>) -> String {
        for (kind, count) in emulator.resource_counts() {
            self.resources
                .get_or_create(&KindLabels {
                    kind: kind.to_owned(),
                })
                .set(i64::try_from(count).unwrap_or(i64::MAX));
        }
        let mut out = String::new();
        // Writing into a String cannot fail.
        let _ = prometheus_client::encoding::text::encode(&mut out, &self.registry);
        out
    }
}
