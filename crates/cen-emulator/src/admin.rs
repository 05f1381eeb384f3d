//! The emulator's own endpoints under `/_emulator/`, a path the RPC API never uses (it only
//! serves `/`): health, reset, and the inventory of network instances.

use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde_json::{Value, json};

use crate::emulator::{AddInstanceError, Emulator};
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

/// `POST /_emulator/reset`: back to the start-up state (no resources, start-up inventory).
async fn reset(State(emulator): State<Arc<Emulator>>) -> Response {
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
async fn inventory(State(emulator): State<Arc<Emulator>>) -> Response {
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
async fn add_instance(State(emulator): State<Arc<Emulator>>, body: Bytes) -> Response {
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

/// The admin router, to merge with the front door's.
pub fn router(emulator: Arc<Emulator>) -> Router {
    Router::new()
        .route("/_emulator/health", get(health))
        .route("/_emulator/reset", post(reset))
        .route("/_emulator/inventory", get(inventory).post(add_instance))
        .with_state(emulator)
}
