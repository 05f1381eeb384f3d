//! State snapshots as a team uses them: build a topology once, export it, start each test from
//! it (seeded at start-up or imported), reset back to it, whole or one account at a time.

mod network;

use cen_client::Cen;
use cen_emulator::local::LocalEmulator;
use cen_emulator::snapshot::StateDocument;
use serde_json::{Value, json};

/// An admin request whose answer is JSON.
async fn admin(method: reqwest::Method, url: &str, body: Option<Value>) -> (u16, Value) {
    let (status, text) = network::admin(method, url, body).await;
    (status, serde_json::from_str(&text).unwrap())
}

async fn export(emulator: &LocalEmulator, query: &str) -> Value {
    let url = format!("{}/_emulator/state{query}", emulator.url());
    let (status, body) = admin(reqwest::Method::GET, &url, None).await;
    assert_eq!(status, 200, "{body}");
    body
}

async fn cen_names(cen: &Cen) -> Vec<String> {
    let listed = cen.cbn().describe_cens().send().await.unwrap();
    let mut names: Vec<String> = listed
        .cens
        .map(|c| c.cen)
        .unwrap_or_default()
        .into_iter()
        .filter_map(|c| c.name)
        .collect();
    names.sort();
    names
}

/// A CEN with a tag and a transit router with a custom route table, in account 1.
async fn topology(cen: &Cen) {
    let cen_id = cen
        .cbn()
        .create_cen()
        .name("hub")
        .tag("env", "test")
        .send()
        .await
        .unwrap()
        .cen_id
        .unwrap();
    let router = cen
        .cbn()
        .create_transit_router()
        .cen_id(&cen_id)
        .region_id("cn-hangzhou")
        .send()
        .await
        .unwrap();
    cen.cbn()
        .create_transit_router_route_table()
        .transit_router_id(router.transit_router_id.unwrap())
        .send()
        .await
        .unwrap();
}

#[tokio::test(flavor = "multi_thread")]
async fn a_snapshot_seeds_a_fresh_emulator_and_exports_the_same() {
    let original = LocalEmulator::start().await.unwrap();
    topology(&original.client()).await;
    let exported = export(&original, "").await;
    assert_eq!(exported["Version"], 1);
    assert_eq!(exported["Tables"]["cen"].as_array().unwrap().len(), 1);
    assert_eq!(
        exported["Tables"]["tr_route_table"]
            .as_array()
            .unwrap()
            .len(),
        2
    );

    let document: StateDocument = serde_json::from_value(exported.clone()).unwrap();
    let seeded = LocalEmulator::builder()
        .seed(document)
        .start()
        .await
        .unwrap();
    assert_eq!(export(&seeded, "").await, exported);
    assert_eq!(cen_names(&seeded.client()).await, ["hub"]);
}

#[tokio::test(flavor = "multi_thread")]
async fn reset_returns_to_the_imported_snapshot_whole_or_per_account() {
    let emulator = LocalEmulator::start().await.unwrap();
    let (first, second) = (emulator.client(), emulator.client_as(1));
    topology(&first).await;
    let snapshot = export(&emulator, "").await;
    let url = emulator.url().to_owned();
    let (status, body) = admin(
        reqwest::Method::PUT,
        &format!("{url}/_emulator/state"),
        Some(snapshot),
    )
    .await;
    assert_eq!(status, 200, "{body}");

    first
        .cbn()
        .create_cen()
        .name("later-1")
        .send()
        .await
        .unwrap();
    second
        .cbn()
        .create_cen()
        .name("later-2")
        .send()
        .await
        .unwrap();
    let second_uid = emulator.accounts()[1].uid;
    let only_second = export(&emulator, &format!("?account={second_uid}")).await;
    assert_eq!(only_second["Account"], second_uid);
    assert_eq!(only_second["Tables"]["cen"][0]["name"], "later-2");
    assert_eq!(only_second["Tables"]["transit_router"], json!([]));

    // One account back to the snapshot: the other keeps what it did since.
    let (status, body) = admin(
        reqwest::Method::POST,
        &format!("{url}/_emulator/reset?account={second_uid}"),
        None,
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(cen_names(&second).await, Vec::<String>::new());
    assert_eq!(cen_names(&first).await, ["hub", "later-1"]);

    // The whole state back to the snapshot.
    let (status, _) = admin(
        reqwest::Method::POST,
        &format!("{url}/_emulator/reset"),
        None,
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(cen_names(&first).await, ["hub"]);
}

#[tokio::test(flavor = "multi_thread")]
async fn snapshots_that_cannot_apply_are_refused_saying_why() {
    let emulator = LocalEmulator::start().await.unwrap();
    topology(&emulator.client()).await;
    let good = export(&emulator, "").await;
    let mut bad_record = good.clone();
    bad_record["Tables"]["cen"][0]["id"] = json!(42);
    let mut forbidden = good.clone();
    forbidden["Tables"]["cen"][0]["name"] = json!("a\u{1}b");
    let mut twice = good.clone();
    let cen = good["Tables"]["cen"][0].clone();
    twice["Tables"]["cen"] = json!([cen.clone(), cen]);
    for (document, says) in [
        (json!({"Version": 2, "Tables": {}}), "version 2"),
        (
            json!({"Version": 1, "Tables": {"cens": []}}),
            "cens is not a kind",
        ),
        (
            json!({"Version": 1, "Tables": {"cen": {}}}),
            "cen is not an array",
        ),
        (bad_record, "cen[0]"),
        (forbidden, "cen[0].name contains a character"),
        (twice, "cen[1]: another record has the same key"),
        (json!({"Version": 1}), "missing field"),
    ] {
        let (status, body) = admin(
            reqwest::Method::PUT,
            &format!("{}/_emulator/state", emulator.url()),
            Some(document),
        )
        .await;
        assert_eq!(status, 400, "{body}");
        assert_eq!(body["Code"], "InvalidState");
        let message = body["Message"].as_str().unwrap();
        assert!(message.contains(says), "{message} does not say {says}");
    }
    // Nothing changed.
    assert_eq!(export(&emulator, "").await, good);
}
