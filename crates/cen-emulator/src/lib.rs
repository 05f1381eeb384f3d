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
pub mod geo;
pub mod inventory;
mod ops;
#[macro_use]
pub mod resource;
mod service;
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

/// The whole HTTP application: the protocol front door serving Cbn and Vpc from the emulator and
/// STS with the roles and OIDC providers of `identities`, with the admin endpoints beside it. The
/// front door accepts the accounts' keys and the temporary keys STS issues.
pub fn app_with_identities(
    emulator: std::sync::Arc<Emulator>,
    identities: &config::Identities,
) -> axum::Router {
    let (sts, keys) = sts::Sts::new(std::sync::Arc::clone(&emulator), identities);
    cen_server::FrontDoor::builder()
        .product(cen_server::cbn::service(std::sync::Arc::clone(&emulator)))
        .product(cen_server::vpc::service(std::sync::Arc::clone(&emulator)))
        .product(cen_server::sts::service(sts))
        .keys(keys)
        .build()
        .router()
        .merge(admin::router(emulator))
}
