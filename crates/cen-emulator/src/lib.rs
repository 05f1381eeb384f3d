//! A stateful emulator of Alibaba Cloud's Cloud Enterprise Network (Cbn 2017-09-12), of the
//! three CEN operations of Vpc (2016-04-28) and of STS (2015-04-01, [`sts`]), served on loopback
//! behind the protocol front door of `cen-server`.
//!
//! The domain layer ([`Emulator`]) takes typed requests and answers typed responses or
//! [`acs_rpc::ApiError`]s; the generated server traits delegate to it one method per operation.
//! State lives in memory or, with `--data`, in a SQLite file written durably before each answer.

pub mod admin;
pub mod config;
pub mod emulator;
pub mod errors;
pub mod faults;
pub mod geo;
pub mod hooks;
pub mod inventory;
pub mod local;
pub mod metrics;
mod ops;
#[macro_use]
pub mod resource;
mod service;
pub mod snapshot;
pub mod state;
pub mod store;
pub mod sts;
pub mod validate;

#[cfg(test)]
mod testing;

pub use emulator::{Caller, Clock, Emulator, EmulatorConfig};

/// The typed requests and responses shared with the client and the server stubs.
pub mod api {
    pub use cen_types::{cbn, sts, vpc};
}

/// The whole HTTP application for these accounts, without any role: see [`app_with_identities`].
pub fn app(emulator: std::sync::Arc<Emulator>, accounts: &[config::AccountSpec]) -> axum::Router {
    app_with_identities(
        emulator,
        &config::Identities {
            accounts: accounts.to_vec(),
            ..config::Identities::default()
        },
    )
}

/// The whole HTTP application, without fault rules: see [`app_with_faults`].
pub fn app_with_identities(
    emulator: std::sync::Arc<Emulator>,
    identities: &config::Identities,
) -> axum::Router {
    app_with_faults(emulator, identities, faults::FaultDocument::default())
        .expect("an empty fault document is valid")
}

/// The whole HTTP application: the protocol front door serving Cbn and Vpc from the emulator and
/// STS with the roles and OIDC providers of `identities`, with the fault rules of `faults` and
/// the admin endpoints beside it. The front door accepts the accounts' keys and the temporary
/// keys STS issues.
///
/// # Errors
///
/// A fault rule that cannot apply (see [`faults::FaultError`]).
pub fn app_with_faults(
    emulator: std::sync::Arc<Emulator>,
    identities: &config::Identities,
    faults: faults::FaultDocument,
) -> Result<axum::Router, faults::FaultError> {
    use std::sync::Arc;
    let (sts, keys) = sts::Sts::new(Arc::clone(&emulator), identities);
    let cbn = cen_server::cbn::service(Arc::clone(&emulator));
    let vpc = cen_server::vpc::service(Arc::clone(&emulator));
    let sts = cen_server::sts::service(sts);
    let instruments = Arc::new(hooks::Instruments::new(
        vec![cbn.meta(), vpc.meta(), sts.meta()],
        faults,
    )?);
    Ok(cen_server::FrontDoor::builder()
        .product(cbn)
        .product(vpc)
        .product(sts)
        .keys(keys)
        .hooks(Arc::new(hooks::EmulatorHooks(Arc::clone(&instruments))))
        .build()
        .router()
        .merge(admin::router(emulator, instruments)))
}
