//! A test harness: an in-memory emulator with a manual clock and the default inventory.

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::{Duration, UNIX_EPOCH};

use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::api::{cbn as t, vpc as v};
use crate::emulator::{Caller, Emulator, EmulatorConfig};
use crate::store::Store;

/// The first account, owner of most of the inventory.
pub const A: i64 = 1_234_567_890_123_456;
/// The second account, for cross-account flows.
pub const B: i64 = 6_543_210_987_654_321;

/// The transition delay of the harness.
pub const DELAY_MS: i64 = 1000;

/// Builds a typed request from its wire-named JSON, as the decoded parameters would be.
#[track_caller]
pub fn req<T: DeserializeOwned>(value: Value) -> T {
    serde_json::from_value(value).expect("request JSON matches its type")
}

/// An emulator with a clock that only moves when told.
pub struct Harness {
    pub emulator: Emulator,
    clock: Arc<AtomicI64>,
    requests: AtomicI64,
}

impl Harness {
    pub fn new() -> Self {
        Self::with_tr_service_closed(Vec::new())
    }

    /// A harness whose accounts in `closed` start without the transit-router service.
    pub fn with_tr_service_closed(closed: Vec<i64>) -> Self {
        let clock = Arc::new(AtomicI64::new(1_700_000_000_000));
        let config = EmulatorConfig {
            tr_service_closed: closed,
            ..EmulatorConfig::new(
                &[A, B],
                Duration::from_millis(u64::try_from(DELAY_MS).unwrap()),
            )
        };
        let reader = Arc::clone(&clock);
        let emulator = Emulator::new(config, Store::Memory)
            .unwrap()
            .with_clock(Arc::new(move || {
                UNIX_EPOCH
                    + Duration::from_millis(u64::try_from(reader.load(Ordering::SeqCst)).unwrap())
            }));
        Self {
            emulator,
            clock,
            requests: AtomicI64::new(0),
        }
    }

    /// A caller with a fresh request id.
    pub fn caller(&self, uid: i64) -> Caller {
        let n = self.requests.fetch_add(1, Ordering::SeqCst);
        Caller::new(uid, format!("REQ-{n}"))
    }

    /// Moves the clock past every pending transition.
    pub fn advance(&self) {
        self.clock.fetch_add(DELAY_MS, Ordering::SeqCst);
    }

    #[track_caller]
    pub fn create_cen(&self, uid: i64, body: Value) -> String {
        self.emulator
            .create_cen(&self.caller(uid), req(body))
            .unwrap()
            .cen_id
            .unwrap()
    }

    /// Creates a CEN instance and waits until it is Active.
    #[track_caller]
    pub fn active_cen(&self, uid: i64) -> String {
        let id = self.create_cen(uid, serde_json::json!({}));
        self.advance();
        id
    }

    #[track_caller]
    pub fn describe_cens(&self, uid: i64, body: Value) -> Vec<t::Cen> {
        let mut body = body;
        body.as_object_mut()
            .unwrap()
            .entry("PageSize")
            .or_insert(50.into());
        self.emulator
            .describe_cens(&self.caller(uid), req(body))
            .unwrap()
            .cens
            .unwrap()
            .cen
    }

    #[track_caller]
    pub fn attach(&self, uid: i64, cen: &str, child: &str, kind: &str, region: &str) {
        self.emulator
            .attach_cen_child_instance(
                &self.caller(uid),
                req(serde_json::json!({"CenId": cen, "ChildInstanceId": child, "ChildInstanceType": kind, "ChildInstanceRegionId": region})),
            )
            .unwrap();
    }

    #[track_caller]
    pub fn detach(&self, uid: i64, cen: &str, child: &str, kind: &str, region: &str) {
        self.emulator
            .detach_cen_child_instance(
                &self.caller(uid),
                req(serde_json::json!({"CenId": cen, "ChildInstanceId": child, "ChildInstanceType": kind, "ChildInstanceRegionId": region})),
            )
            .unwrap();
    }

    #[track_caller]
    pub fn create_bwp(&self, uid: i64, body: Value) -> String {
        self.emulator
            .create_cen_bandwidth_package(&self.caller(uid), req(body))
            .unwrap()
            .cen_bandwidth_package_id
            .unwrap()
    }

    #[track_caller]
    pub fn associate(&self, uid: i64, cen: &str, bwp: &str) {
        self.emulator
            .associate_cen_bandwidth_package(
                &self.caller(uid),
                req(serde_json::json!({"CenId": cen, "CenBandwidthPackageId": bwp})),
            )
            .unwrap();
    }

    #[track_caller]
    pub fn grant(
        &self,
        owner: i64,
        cen: &str,
        cen_owner: i64,
        child: &str,
        kind: &str,
        region: &str,
    ) {
        let _: v::GrantInstanceToCenResponse = self
            .emulator
            .grant_instance_to_cen(
                &self.caller(owner),
                req(serde_json::json!({"CenId": cen, "CenOwnerId": cen_owner, "InstanceId": child, "InstanceType": kind, "RegionId": region})),
            )
            .unwrap();
    }
}
