//! Over the router: concurrent writes lose nothing, and a SQLite store keeps the state across a
//! restart of the emulator.

mod support;

use std::sync::Arc;

use cen_emulator::Emulator;
use cen_emulator::store::Store;
use serde_json::Value;

use support::{Api, Format, ManualClock, Product, Signature, params};

fn json(body: &str) -> Value {
    serde_json::from_str(body).unwrap_or_else(|e| panic!("{e}: {body}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 8)]
async fn concurrent_create_cen_over_the_router() {
    let emulator = Emulator::new(support::config(0), Store::Memory).unwrap();
    let api = Api::new(Arc::new(emulator));
    let calls: Vec<_> = (0..32)
        .map(|i| {
            let api = api.clone();
            tokio::spawn(async move {
                let name = format!("c{i}");
                let reply = api
                    .call(
                        1,
                        Product::Cbn,
                        "CreateCen",
                        params(&[("Name", &name)]),
                        Format::Json,
                        Signature::V3,
                    )
                    .await;
                assert_eq!(reply.status, 200, "{}", reply.body);
                json(&reply.body)["CenId"].as_str().unwrap().to_owned()
            })
        })
        .collect();
    let mut ids = Vec::new();
    for call in calls {
        ids.push(call.await.unwrap());
    }
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), 32);
    let reply = api
        .call(
            1,
            Product::Cbn,
            "DescribeCens",
            params(&[("PageSize", "50")]),
            Format::Json,
            Signature::V3,
        )
        .await;
    let listed = json(&reply.body);
    assert_eq!(listed["TotalCount"], 32);
    let mut listed_ids: Vec<String> = listed["Cens"]["Cen"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["CenId"].as_str().unwrap().to_owned())
        .collect();
    listed_ids.sort();
    assert_eq!(listed_ids, ids);
}

#[tokio::test]
async fn sqlite_state_survives_a_restart() {
    let dir = std::env::temp_dir().join(format!(
        "cen-emulator-http-durability-{}-{}",
        std::process::id(),
        rand::random::<u32>()
    ));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("state.db");
    let clock = ManualClock::new();
    let open = || {
        let emulator = Emulator::new(support::config(1000), Store::open(&path).unwrap())
            .unwrap()
            .with_clock(clock.clock());
        Api::new(Arc::new(emulator))
    };
    let call = |api: Api, action: &'static str, p: Vec<(String, String)>| async move {
        let reply = api
            .call(1, Product::Cbn, action, p, Format::Json, Signature::V3)
            .await;
        assert_eq!(reply.status, 200, "{action}: {}", reply.body);
        json(&reply.body)
    };
    let api = open();
    let cen = call(api.clone(), "CreateCen", params(&[("Name", "kept")])).await["CenId"]
        .as_str()
        .unwrap()
        .to_owned();
    let bwp = call(
        api.clone(),
        "CreateCenBandwidthPackage",
        params(&[
            ("Bandwidth", "5"),
            ("GeographicRegionAId", "China"),
            ("GeographicRegionBId", "China"),
        ]),
    )
    .await["CenBandwidthPackageId"]
        .as_str()
        .unwrap()
        .to_owned();
    clock.advance(1000);
    call(
        api.clone(),
        "AttachCenChildInstance",
        params(&[
            ("CenId", &cen),
            ("ChildInstanceId", "vpc-bp1emuhz00000000001"),
            ("ChildInstanceRegionId", "cn-hangzhou"),
            ("ChildInstanceType", "VPC"),
        ]),
    )
    .await;
    drop(api);

    // The attachment was Attaching when the emulator stopped; it resumes the transition.
    let api = open();
    let cens = call(api.clone(), "DescribeCens", Vec::new()).await;
    assert_eq!(cens["TotalCount"], 1);
    assert_eq!(cens["Cens"]["Cen"][0]["CenId"], cen.as_str());
    assert_eq!(cens["Cens"]["Cen"][0]["Name"], "kept");
    assert_eq!(cens["Cens"]["Cen"][0]["Status"], "Active");
    let children = call(
        api.clone(),
        "DescribeCenAttachedChildInstances",
        params(&[("CenId", &cen)]),
    )
    .await;
    assert_eq!(
        children["ChildInstances"]["ChildInstance"][0]["Status"],
        "Attaching"
    );
    clock.advance(1000);
    let children = call(
        api.clone(),
        "DescribeCenAttachedChildInstances",
        params(&[("CenId", &cen)]),
    )
    .await;
    assert_eq!(
        children["ChildInstances"]["ChildInstance"][0]["Status"],
        "Attached"
    );
    let plans = call(api.clone(), "DescribeCenBandwidthPackages", Vec::new()).await;
    assert_eq!(
        plans["CenBandwidthPackages"]["CenBandwidthPackage"][0]["CenBandwidthPackageId"],
        bwp.as_str()
    );
    drop(api);
    std::fs::remove_dir_all(&dir).unwrap();
}
