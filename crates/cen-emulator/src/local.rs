//! An emulator inside a Rust test: on a free loopback port, optionally seeded and with fault
//! rules, stopped when dropped.
//!
//! ```no_run
//! # async fn example() -> Result<(), Box<dyn std::error::Error>> {
//! use cen_emulator::local::LocalEmulator;
//!
//! let emulator = LocalEmulator::builder()
//!     .faults(serde_json::from_str(
//!         r#"{"Faults": [{"Action": "CreateCen", "Error": "Throttling.User", "Times": 1}]}"#,
//!     )?)
//!     .start()
//!     .await?;
//! // With the `client` feature: a client signed as the first default account.
//! let cen = emulator.client();
//! let created = cen.cbn().create_cen().name("test").send().await?; // retried once
//! assert!(created.cen_id.is_some());
//! # Ok(())
//! # }
//! ```

use std::sync::Arc;
use std::time::Duration;

use crate::config::{AccountSpec, Identities, default_identities};
use crate::faults::{FaultDocument, FaultError};
use crate::snapshot::{SnapshotError, StateDocument};
use crate::store::{Store, StoreError};
use crate::{Emulator, EmulatorConfig};

/// Why an embedded emulator did not start.
#[derive(Debug, thiserror::Error)]
pub enum LocalError {
    /// The emulator could not be built.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The seed snapshot could not be imported.
    #[error("the seed: {0}")]
    Seed(#[from] SnapshotError),
    /// A fault rule cannot apply.
    #[error("the fault rules: {0}")]
    Faults(#[from] FaultError),
    /// No loopback port could be bound.
    #[error("binding a loopback port: {0}")]
    Bind(#[from] std::io::Error),
}

/// Settings of an embedded emulator; [`LocalEmulator::builder`] starts one.
#[derive(Debug, Clone)]
pub struct LocalEmulatorBuilder {
    delay: Duration,
    identities: Identities,
    seed: Option<StateDocument>,
    faults: FaultDocument,
}

impl LocalEmulatorBuilder {
    /// How long asynchronous transitions last (default 0: every change is immediate).
    pub fn delay(mut self, delay: Duration) -> Self {
        self.delay = delay;
        self
    }

    /// The accounts, roles and OIDC providers (default: the documented default ones).
    pub fn identities(mut self, identities: Identities) -> Self {
        self.identities = identities;
        self
    }

    /// A state snapshot to start from, which `/_emulator/reset` returns to.
    pub fn seed(mut self, seed: StateDocument) -> Self {
        self.seed = Some(seed);
        self
    }

    /// Fault rules to start with.
    pub fn faults(mut self, faults: FaultDocument) -> Self {
        self.faults = faults;
        self
    }

    /// Starts the emulator on a free loopback port, on the current Tokio runtime.
    ///
    /// # Errors
    ///
    /// A seed or fault rule that cannot apply, or no port to bind.
    pub async fn start(self) -> Result<LocalEmulator, LocalError> {
        let uids = crate::config::uids(&self.identities.accounts);
        let emulator = Emulator::new(
            EmulatorConfig {
                tr_service_closed: crate::config::tr_service_closed(&self.identities.accounts),
                ..EmulatorConfig::new(&uids, self.delay)
            },
            Store::Memory,
        )?;
        if let Some(seed) = self.seed {
            emulator.import_state(seed)?;
        }
        let emulator = Arc::new(emulator);
        let app = crate::app_with_faults(Arc::clone(&emulator), &self.identities, self.faults)?;
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let url = format!("http://{}", listener.local_addr()?);
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        tokio::spawn(async move {
            let served = axum::serve(listener, app)
                .with_graceful_shutdown(async {
                    let _ = stopped.await;
                })
                .await;
            if let Err(e) = served {
                tracing::error!(error = %e, "the embedded emulator stopped serving");
            }
        });
        Ok(LocalEmulator {
            url,
            emulator,
            accounts: self.identities.accounts,
            _stop: stop,
        })
    }
}

/// An emulator serving on loopback until dropped.
#[derive(Debug)]
pub struct LocalEmulator {
    url: String,
    emulator: Arc<Emulator>,
    accounts: Vec<AccountSpec>,
    /// Dropping it ends the server task.
    _stop: tokio::sync::oneshot::Sender<()>,
}

impl LocalEmulator {
    /// Settings with the defaults: no delay, the default accounts, no seed, no fault rules.
    pub fn builder() -> LocalEmulatorBuilder {
        LocalEmulatorBuilder {
            delay: Duration::ZERO,
            identities: default_identities(),
            seed: None,
            faults: FaultDocument::default(),
        }
    }

    /// Starts one with the defaults.
    ///
    /// # Errors
    ///
    /// No port to bind.
    pub async fn start() -> Result<Self, LocalError> {
        Self::builder().start().await
    }

    /// The base URL, `http://127.0.0.1:<port>`, for any SDK's endpoint.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The emulator itself, to export or import state without HTTP.
    pub fn emulator(&self) -> &Arc<Emulator> {
        &self.emulator
    }

    /// The accounts it accepts, in the order they were given.
    pub fn accounts(&self) -> &[AccountSpec] {
        &self.accounts
    }

    /// A client signed as the first account.
    #[cfg(feature = "client")]
    pub fn client(&self) -> cen_client::Cen {
        self.client_as(0)
    }

    /// A client signed as the account at `index` of [`LocalEmulator::accounts`], with quick
    /// retries (a few milliseconds apart) so injected faults do not slow tests down.
    ///
    /// # Panics
    ///
    /// If there is no account at `index`.
    #[cfg(feature = "client")]
    pub fn client_as(&self, index: usize) -> cen_client::Cen {
        let account = &self.accounts[index];
        cen_client::Cen::builder()
            .endpoint(&self.url)
            .credentials(cen_client::Credentials::new(
                account.access_key_id.clone(),
                account.secret.clone(),
            ))
            .retry(
                cen_client::RetryPolicy::default()
                    .backoff_between(Duration::from_millis(5), Duration::from_millis(50)),
            )
            .build()
            .expect("a loopback endpoint and static credentials make a valid client")
    }
}
