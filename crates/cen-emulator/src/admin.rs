//! The emulator's own endpoints under `/_emulator/`, a path the RPC API never uses (it only
//! serves `/`): health, reset, the inventory of network instances, fault rules and metrics.
//!
//! Errors answer `{"Code", "Message"}` in the API's field names.

use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post};
use serde_json::{Value, json};

use crate::emulator::{AddInstanceError, Emulator};
use crate::faults::{FaultDocument, FaultRule};
use crate::hooks::Instruments;
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

/// `POST /_emulator/reset`: back to the start-up state (no resources, start-up inventory and
/// fault rules).
async fn reset(
    State(Admin {
        emulator,
        instruments,
    }): State<Admin>,
) -> Response {
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
