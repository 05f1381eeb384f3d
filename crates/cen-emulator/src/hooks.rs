//! The emulator's hooks in the front door: fault rules decide about each verified call, and
//! every answer is counted for the metrics.

use std::sync::Arc;

use acs_rpc::meta::ProductMeta;
use cen_server::hooks::{Answered, Call, Hooks, Outcome, Plan};

use crate::faults::{FaultDocument, FaultError, Faults};
use crate::metrics::Metrics;

/// Fault injection and metrics, shared with the admin endpoints.
#[derive(Debug)]
pub struct Instruments {
    /// The products the front door serves, to find a call's documented errors.
    pub products: Vec<&'static ProductMeta>,
    /// The fault rules.
    pub faults: Faults,
    /// The fault rules the process started with, which a reset brings back.
    pub startup_faults: FaultDocument,
    /// The counters.
    pub metrics: Metrics,
}

impl Instruments {
    /// The start-up fault rules and zeroed counters, for these products.
    ///
    /// # Errors
    ///
    /// A rule that cannot apply to these products.
    pub fn new(
        products: Vec<&'static ProductMeta>,
        startup_faults: FaultDocument,
    ) -> Result<Self, FaultError> {
        let faults = Faults::new(products.clone());
        faults.replace(startup_faults.clone())?;
        Ok(Self {
            faults,
            startup_faults,
            products,
            metrics: Metrics::default(),
        })
    }
}

/// The front door's view of [`Instruments`].
#[derive(Debug, Clone)]
pub struct EmulatorHooks(pub Arc<Instruments>);

impl Hooks for EmulatorHooks {
    fn before_call(&self, call: &Call<'_>) -> Option<Plan> {
        let meta = self.0.products.iter().find(|p| p.product == call.product)?;
        let plan = self.0.faults.plan(call, meta)?;
        let fault = match &plan.outcome {
            Some(Outcome::Error(error)) => error.code.as_str(),
            Some(Outcome::CloseConnection) => "CloseConnection",
            None => "Latency",
        };
        self.0.metrics.injected(call.action, fault);
        Some(plan)
    }

    fn after_response(&self, answered: &Answered<'_>) {
        self.0.metrics.answered(
            answered.product,
            answered.action,
            answered.code,
            answered.status,
            answered.latency,
        );
    }
}
