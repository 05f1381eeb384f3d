//! The emulator's own endpoints under `/_emulator/`, a path the RPC API never uses (it only
//! serves `/`): health, reset, the inventory of network instances, fault rules and metrics.
//!
//! Errors answer `{"Code", "Message"}` in the API's field names.

use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::Uri;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post};
use serde_json::{Value, json};

use crate::emulator::{AddInstanceError, Emulator};
use crate::faults::{FaultDocument, FaultRule};
use crate::hooks::Instruments;
use crate::snapshot::{SnapshotError, StateDocument};

/// The `?account=UID` of the state and reset endpoints: `Ok(None)` without it, an answer to
/// send back when it is not a number.
fn account_of(uri: &Uri) -> Result<Option<i64>, Response> {
    let params = acs_rpc::encode::form_decode(uri.query().unwrap_or_default()).unwrap_or_default();
    params
        .iter()
        .find(|(name, _)| name == "account")
        .map(|(_, value)| {
            value.parse().map_err(|_| {
                error(
                    StatusCode::BAD_REQUEST,
                    "InvalidState",
                    "account must be an account UID (a number).",
                )
            })
        })
        .transpose()
}
use crate::inventory::{InventoryDocument, NetworkInstance};

/// A JSON response.
fn json_response(status: StatusCode, body: &Value) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, "application/json")],
        body.to_string(),
    )
        .into_response()
}

/// A JSON error in the API's field names.
fn error(status: StatusCode, code: &str, message: &str) -> Response {
    json_response(status, &json!({"Code": code, "Message": message}))
}

/// `GET /_emulator/health`: the process serves.
async fn health() -> Response {
    json_response(StatusCode::OK, &json!({"Status": "ok"}))
}

/// What the admin endpoints work on.
#[derive(Clone)]
struct Admin {
    emulator: Arc<Emulator>,
    instruments: Arc<Instruments>,
}

/// A snapshot error as an admin answer: the caller's mistake is 400, the store's failure 500.
fn snapshot_error(e: &SnapshotError) -> Response {
    match e {
        SnapshotError::Store(store) => {
            tracing::error!(error = %store, "could not store a state");
            error(
                StatusCode::INTERNAL_SERVER_ERROR,
                "InternalError",
                &store.to_string(),
            )
        }
        other => error(StatusCode::BAD_REQUEST, "InvalidState", &other.to_string()),
    }
}

/// `GET /_emulator/state[?account=UID]`: the state, or one account's records, as a snapshot.
async fn export_state(State(Admin { emulator, .. }): State<Admin>, uri: Uri) -> Response {
    let account = match account_of(&uri) {
        Ok(account) => account,
        Err(answer) => return answer,
    };
    let document = emulator.export_state(account);
    json_response(
        StatusCode::OK,
        &serde_json::to_value(document).unwrap_or_default(),
    )
}

/// `PUT /_emulator/state`: replaces the state with a snapshot, which resets return to.
async fn import_state(State(Admin { emulator, .. }): State<Admin>, body: Bytes) -> Response {
    let document: StateDocument = match serde_json::from_slice(&body) {
        Ok(d) => d,
        Err(e) => return error(StatusCode::BAD_REQUEST, "InvalidState", &e.to_string()),
    };
    match emulator.import_state(document) {
        Ok(()) => json_response(StatusCode::OK, &json!({"Status": "imported"})),
        Err(e) => snapshot_error(&e),
    }
}

/// `POST /_emulator/reset[?account=UID]`: back to the baseline (the last imported snapshot, or
/// no resources) with the start-up inventory and fault rules; with `account`, only that
/// account's records go back to the baseline, and the fault rules stay.
async fn reset(
    State(Admin {
        emulator,
        instruments,
    }): State<Admin>,
    uri: Uri,
) -> Response {
    let account = match account_of(&uri) {
        Ok(account) => account,
        Err(answer) => return answer,
    };
    if let Some(account) = account {
        return match emulator.reset_account(account) {
            Ok(()) => json_response(
                StatusCode::OK,
                &json!({"Status": "reset", "Account": account}),
            ),
            Err(e) => snapshot_error(&e),
        };
    }
    if let Err(e) = instruments
        .faults
        .replace(instruments.startup_faults.clone())
    {
        // The start-up rules were valid when the process started, and products do not change.
        tracing::error!(error = %e, "could not restore the start-up fault rules");
    }
    match emulator.reset() {
        Ok(()) => json_response(StatusCode::OK, &json!({"Status": "reset"})),
        Err(e) => {
            tracing::error!(error = %e, "reset failed");
            error(
                StatusCode::INTERNAL_SERVER_ERROR,
                "InternalError",
                &e.to_string(),
            )
        }
    }
}

/// `GET /_emulator/inventory`: `{"Instances": [...], "Regions": [{"RegionId", "Zones"}]}`: the
/// network instances, and the regions CEN serves with the zones transit routers can use there.
async fn inventory(State(Admin { emulator, .. }): State<Admin>) -> Response {
    let document = InventoryDocument {
        instances: emulator.inventory(),
        prefix_lists: emulator.config().prefix_lists.clone(),
    };
    let mut value = serde_json::to_value(document).unwrap_or_default();
    let regions: Vec<serde_json::Value> = crate::geo::AREAS
        .iter()
        .flat_map(|area| area.regions())
        .map(|region| serde_json::json!({"RegionId": region, "Zones": crate::geo::zones(region)}))
        .collect();
    if let Some(object) = value.as_object_mut() {
        object.insert("Regions".into(), regions.into());
    }
    json_response(StatusCode::OK, &value)
}

/// `POST /_emulator/inventory`: adds one instance given in the shape of the listing.
async fn add_instance(State(Admin { emulator, .. }): State<Admin>, body: Bytes) -> Response {
    let instance: NetworkInstance = match serde_json::from_slice(&body) {
        Ok(i) => i,
        Err(e) => return error(StatusCode::BAD_REQUEST, "InvalidInventory", &e.to_string()),
    };
    match emulator.add_instance(instance) {
        Ok(added) => json_response(
            StatusCode::OK,
            &serde_json::to_value(added).unwrap_or_default(),
        ),
        Err(AddInstanceError::Invalid(e)) => {
            error(StatusCode::BAD_REQUEST, "InvalidInventory", &e.to_string())
        }
        Err(AddInstanceError::Store(e)) => {
            tracing::error!(error = %e, "could not store an inventory change");
            error(
                StatusCode::INTERNAL_SERVER_ERROR,
                "InternalError",
                &e.to_string(),
            )
        }
    }
}

/// `GET /_emulator/metrics`: the OpenMetrics text Prometheus scrapes.
async fn metrics(State(admin): State<Admin>) -> Response {
    (
        StatusCode::OK,
        [(header::CONTENT_TYPE, crate::metrics::CONTENT_TYPE)],
        admin.instruments.metrics.render(&admin.emulator),
    )
        .into_response()
}

/// The fault document with each rule's id and count.
fn fault_document(document: &FaultDocument) -> Response {
    json_response(
        StatusCode::OK,
        &serde_json::to_value(document).unwrap_or_default(),
    )
}

/// `GET /_emulator/faults`: `{"Seed", "Faults": [...]}`, each rule with its `Id` and `Injected`
/// count.
async fn faults(State(admin): State<Admin>) -> Response {
    fault_document(&admin.instruments.faults.snapshot())
}

/// `PUT /_emulator/faults`: replaces the seed and every rule with a document's.
async fn replace_faults(State(admin): State<Admin>, body: Bytes) -> Response {
    let document: FaultDocument = match serde_json::from_slice(&body) {
        Ok(d) => d,
        Err(e) => return error(StatusCode::BAD_REQUEST, "InvalidFault", &e.to_string()),
    };
    match admin.instruments.faults.replace(document) {
        Ok(document) => fault_document(&document),
        Err(e) => error(StatusCode::BAD_REQUEST, "InvalidFault", &e.to_string()),
    }
}

/// `POST /_emulator/faults`: adds one rule after the others; answers it with its `Id`.
async fn add_fault(State(admin): State<Admin>, body: Bytes) -> Response {
    let rule: FaultRule = match serde_json::from_slice(&body) {
        Ok(r) => r,
        Err(e) => return error(StatusCode::BAD_REQUEST, "InvalidFault", &e.to_string()),
    };
    match admin.instruments.faults.add(rule) {
        Ok(rule) => json_response(
            StatusCode::OK,
            &serde_json::to_value(rule).unwrap_or_default(),
        ),
        Err(e) => error(StatusCode::BAD_REQUEST, "InvalidFault", &e.to_string()),
    }
}

/// `DELETE /_emulator/faults`: removes every rule (the seed stays).
async fn clear_faults(State(admin): State<Admin>) -> Response {
    let seed = admin.instruments.faults.snapshot().seed;
    match admin.instruments.faults.replace(FaultDocument {
        seed,
        faults: Vec::new(),
    }) {
        Ok(document) => fault_document(&document),
        Err(e) => error(StatusCode::BAD_REQUEST, "InvalidFault", &e.to_string()),
    }
}

/// `DELETE /_emulator/faults/{id}`: removes one rule.
async fn remove_fault(State(admin): State<Admin>, Path(id): Path<u64>) -> Response {
    if admin.instruments.faults.remove(id) {
        fault_document(&admin.instruments.faults.snapshot())
    } else {
        error(
            StatusCode::NOT_FOUND,
            "InvalidFault.NotFound",
            &format!("There is no fault rule {id}."),
        )
    }
}

/// The admin router, to merge with the front door's.
pub fn router(emulator: Arc<Emulator>, instruments: Arc<Instruments>) -> Router {
    Router::new()
        .route("/_emulator/health", get(health))
        .route("/_emulator/reset", post(reset))
        .route("/_emulator/inventory", get(inventory).post(add_instance))
        .route("/_emulator/metrics", get(metrics))
        .route("/_emulator/state", get(export_state).put(import_state))
        .route(
            "/_emulator/faults",
            get(faults)
                .put(replace_faults)
                .post(add_fault)
                .delete(clear_faults),
        )
        .route("/_emulator/faults/{id}", delete(remove_fault))
        .with_state(Admin {
            emulator,
            instruments,
        })
}
