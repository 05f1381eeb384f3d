//! A stateful emulator of Alibaba Cloud's Cloud Enterprise Network (Cbn 2017-09-12) and of the
//! three CEN operations of Vpc (2016-04-28), served on loopback behind the protocol front door of
//! `cen-server`.
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
pub mod resource;
mod service;
pub mod state;
pub mod store;
pub mod validate;

#[cfg(test)]
mod testing;

pub use emulator::{Caller, Clock, Emulator, EmulatorConfig};

/// The typed requests and responses shared with the client and the server stubs.
pub mod api {
    pub use cen_types::{cbn, vpc};
}

/// The whole HTTP application: the protocol front door serving Cbn and Vpc from the emulator,
/// with the admin endpoints beside it.
pub fn app(emulator: std::sync::Arc<Emulator>, accounts: &[config::AccountSpec]) -> axum::Router {
    let keys = cen_server::StaticKeyStore::new(
        accounts
            .iter()
            .map(|a| {
                let account = cen_server::Account::new(
                    a.access_key_id.clone(),
                    a.secret.clone(),
                    a.uid.to_string(),
                );
                if a.enabled {
                    account
                } else {
                    account.disabled()
                }
            })
            .collect(),
    );
    cen_server::FrontDoor::builder()
        .product(cen_server::cbn::service(std::sync::Arc::clone(&emulator)))
        .product(cen_server::vpc::service(std::sync::Arc::clone(&emulator)))
        .keys(std::sync::Arc::new(keys))
        .build()
        .router()
        .merge(admin::router(emulator))
}
