//! Over the router and its front door (signed requests, real parsing): parallel writes that
//! compete for one transit-router resource produce exactly one, never a duplicate or a
//! half-applied state, and the losers get the documented error.

mod support;

use std::collections::BTreeMap;
use std::sync::Arc;

use cen_emulator::Emulator;
use cen_emulator::store::Store;
use serde_json::Value;

use support::{Api, Format, Product, Signature, params};

/// How many calls race each time.
const RACERS: usize = 16;

const VPC: &str = "vpc-bp1emuhz00000000001";
const VSW_B: &str = "vsw-bp1emuhz00000000001b";

fn json(body: &str) -> Value {
    serde_json::from_str(body).unwrap_or_else(|e| panic!("{e}: {body}"))
}

fn memory() -> Api {
    Api::new(Arc::new(
        Emulator::new(support::config(0), Store::Memory).unwrap(),
    ))
}

/// An emulator on a fresh SQLite file (every answered write committed first), and the
/// directory to remove afterwards.
fn sqlite() -> (Api, std::path::PathBuf) {
    let dir = std::env::temp_dir().join(format!(
        "cen-emulator-tr-concurrency-{}-{}",
        std::process::id(),
        rand::random::<u32>()
    ));
    std::fs::create_dir_all(&dir).unwrap();
    let store = Store::open(&dir.join("state.db")).unwrap();
    let api = Api::new(Arc::new(Emulator::new(support::config(0), store).unwrap()));
    (api, dir)
}

async fn call(api: &Api, action: &str, p: Vec<(String, String)>) -> (u16, Value) {
    let reply = api
        .call(1, Product::Cbn, action, p, Format::Json, Signature::V3)
        .await;
    (reply.status, json(&reply.body))
}

async fn ok(api: &Api, action: &str, p: Vec<(String, String)>) -> Value {
    let (status, body) = call(api, action, p).await;
    assert_eq!(status, 200, "{action}: {body}");
    body
}

async fn new_cen(api: &Api) -> String {
    ok(api, "CreateCen", params(&[("Name", "race")])).await["CenId"]
        .as_str()
        .unwrap()
        .to_owned()
}

/// Sends `RACERS` copies of one call at once (each signed separately, from its own task) and
/// answers every (status, body), in the order the tasks were started.
async fn race(api: &Api, action: &'static str, p: Vec<(String, String)>) -> Vec<(u16, Value)> {
    let barrier = Arc::new(tokio::sync::Barrier::new(RACERS));
    let tasks: Vec<_> = (0..RACERS)
        .map(|_| {
            let (api, p, barrier) = (api.clone(), p.clone(), barrier.clone());
            tokio::spawn(async move {
                barrier.wait().await;
                call(&api, action, p).await
            })
        })
        .collect();
    let mut replies = Vec::new();
    for task in tasks {
        replies.push(task.await.unwrap());
    }
    replies
}

/// How many replies had each (status, Code): `200` for successes.
fn outcomes(replies: &[(u16, Value)]) -> BTreeMap<String, usize> {
    let mut counts = BTreeMap::new();
    for (status, body) in replies {
        let key = match status {
            200 => "200".to_owned(),
            _ => format!("{status} {}", body["Code"].as_str().unwrap_or("?")),
        };
        *counts.entry(key).or_insert(0) += 1;
    }
    counts
}

fn expect(replies: &[(u16, Value)], loser: &str) {
    let counts = outcomes(replies);
    let wanted = BTreeMap::from([("200".to_owned(), 1), (loser.to_owned(), RACERS - 1)]);
    assert_eq!(counts, wanted, "{replies:#?}");
}

/// The routers of a CEN instance.
async fn routers(api: &Api, cen: &str) -> Vec<Value> {
    let listed = ok(
        api,
        "ListTransitRouters",
        params(&[("CenId", cen), ("PageSize", "50")]),
    )
    .await;
    listed["TransitRouters"].as_array().unwrap().clone()
}

/// Checks that a router has exactly one route table of type System, and answers it.
async fn one_system_table(api: &Api, router: &str) -> String {
    let tables = ok(
        api,
        "ListTransitRouterRouteTables",
        params(&[
            ("TransitRouterId", router),
            ("TransitRouterRouteTableType", "System"),
            ("MaxResults", "100"),
        ]),
    )
    .await;
    let tables = tables["TransitRouterRouteTables"].as_array().unwrap();
    assert_eq!(tables.len(), 1, "System tables of {router}: {tables:#?}");
    tables[0]["TransitRouterRouteTableId"]
        .as_str()
        .unwrap()
        .to_owned()
}

/// The VPC attachments of the caller for one VPC.
async fn attachments_of(api: &Api, vpc: &str) -> Vec<Value> {
    let listed = ok(
        api,
        "ListTransitRouterVpcAttachments",
        params(&[("VpcId", vpc), ("MaxResults", "100")]),
    )
    .await;
    listed["TransitRouterAttachments"]
        .as_array()
        .unwrap()
        .clone()
}

async fn one_router_raced(api: &Api) {
    let cen = new_cen(api).await;
    let replies = race(
        api,
        "CreateTransitRouter",
        params(&[("CenId", &cen), ("RegionId", "cn-hangzhou")]),
    )
    .await;
    expect(&replies, "400 InstanceExist.TransitRouterInstance");
    let winner = replies
        .iter()
        .find(|(status, _)| *status == 200)
        .map(|(_, body)| body["TransitRouterId"].as_str().unwrap().to_owned())
        .unwrap();
    let listed = routers(api, &cen).await;
    assert_eq!(listed.len(), 1, "{listed:#?}");
    assert_eq!(listed[0]["TransitRouterId"], winner.as_str());
    one_system_table(api, &winner).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn parallel_create_transit_router_of_one_cen_and_region_makes_exactly_one() {
    one_router_raced(&memory()).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn parallel_create_transit_router_makes_exactly_one_with_sqlite() {
    let (api, dir) = sqlite();
    one_router_raced(&api).await;
    drop(api);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn parallel_create_transit_router_with_one_client_token_answers_one_router() {
    let api = memory();
    let cen = new_cen(&api).await;
    let replies = race(
        &api,
        "CreateTransitRouter",
        params(&[
            ("CenId", &cen),
            ("RegionId", "cn-shanghai"),
            ("ClientToken", "race-token-1"),
        ]),
    )
    .await;
    assert_eq!(
        outcomes(&replies),
        BTreeMap::from([("200".to_owned(), RACERS)]),
        "{replies:#?}"
    );
    let mut ids: Vec<&str> = replies
        .iter()
        .map(|(_, body)| body["TransitRouterId"].as_str().unwrap())
        .collect();
    ids.dedup();
    assert_eq!(ids.len(), 1, "one token, one router: {ids:?}");
    let listed = routers(&api, &cen).await;
    assert_eq!(listed.len(), 1, "{listed:#?}");
    one_system_table(&api, ids[0]).await;
}

async fn one_vpc_raced_onto_one_router(api: &Api) {
    let cen = new_cen(api).await;
    let router = ok(
        api,
        "CreateTransitRouter",
        params(&[("CenId", &cen), ("RegionId", "cn-hangzhou")]),
    )
    .await["TransitRouterId"]
        .as_str()
        .unwrap()
        .to_owned();
    let replies = race(
        api,
        "CreateTransitRouterVpcAttachment",
        params(&[
            ("TransitRouterId", &router),
            ("VpcId", VPC),
            ("ZoneMappings.1.ZoneId", "cn-hangzhou-b"),
            ("ZoneMappings.1.VSwitchId", VSW_B),
        ]),
    )
    .await;
    expect(&replies, "400 QuotaFull.ChildInstanceRelatedCen");
    let winner = replies
        .iter()
        .find(|(status, _)| *status == 200)
        .map(|(_, body)| {
            body["TransitRouterAttachmentId"]
                .as_str()
                .unwrap()
                .to_owned()
        })
        .unwrap();
    let listed = attachments_of(api, VPC).await;
    assert_eq!(listed.len(), 1, "{listed:#?}");
    assert_eq!(listed[0]["TransitRouterAttachmentId"], winner.as_str());
    assert_eq!(listed[0]["TransitRouterId"], router.as_str());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn parallel_vpc_attachments_of_one_vpc_make_exactly_one() {
    one_vpc_raced_onto_one_router(&memory()).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn parallel_vpc_attachments_of_one_vpc_make_exactly_one_with_sqlite() {
    let (api, dir) = sqlite();
    one_vpc_raced_onto_one_router(&api).await;
    drop(api);
    std::fs::remove_dir_all(&dir).unwrap();
}

/// An attachment naming only CenId and RegionId creates the router: racing ones create one
/// router with one System table and one attachment.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn parallel_vpc_attachments_that_create_the_router_make_one_router_and_one_attachment() {
    let api = memory();
    let cen = new_cen(&api).await;
    let replies = race(
        &api,
        "CreateTransitRouterVpcAttachment",
        params(&[
            ("CenId", &cen),
            ("RegionId", "cn-hangzhou"),
            ("VpcId", VPC),
            ("ZoneMappings.1.ZoneId", "cn-hangzhou-b"),
            ("ZoneMappings.1.VSwitchId", VSW_B),
        ]),
    )
    .await;
    expect(&replies, "400 QuotaFull.ChildInstanceRelatedCen");
    let listed = routers(&api, &cen).await;
    assert_eq!(listed.len(), 1, "{listed:#?}");
    let router = listed[0]["TransitRouterId"].as_str().unwrap();
    one_system_table(&api, router).await;
    let attachments = attachments_of(&api, VPC).await;
    assert_eq!(attachments.len(), 1, "{attachments:#?}");
    assert_eq!(attachments[0]["TransitRouterId"], router);
}

/// The same VPC raced onto the routers of several CEN instances: one CEN connection per VPC.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn parallel_vpc_attachments_of_one_vpc_to_several_cens_make_exactly_one() {
    let api = memory();
    let mut cens = Vec::new();
    for _ in 0..RACERS {
        cens.push(new_cen(&api).await);
    }
    let barrier = Arc::new(tokio::sync::Barrier::new(RACERS));
    let tasks: Vec<_> = cens
        .iter()
        .map(|cen| {
            let (api, barrier) = (api.clone(), barrier.clone());
            let p = params(&[
                ("CenId", cen),
                ("RegionId", "cn-hangzhou"),
                ("VpcId", VPC),
                ("ZoneMappings.1.ZoneId", "cn-hangzhou-b"),
                ("ZoneMappings.1.VSwitchId", VSW_B),
            ]);
            tokio::spawn(async move {
                barrier.wait().await;
                call(&api, "CreateTransitRouterVpcAttachment", p).await
            })
        })
        .collect();
    let mut replies = Vec::new();
    for task in tasks {
        replies.push(task.await.unwrap());
    }
    expect(&replies, "400 QuotaFull.ChildInstanceRelatedCen");
    let attachments = attachments_of(&api, VPC).await;
    assert_eq!(attachments.len(), 1, "{attachments:#?}");
    // Every router that was created on the way, winner's or not, is whole.
    for cen in &cens {
        for router in routers(&api, cen).await {
            one_system_table(&api, router["TransitRouterId"].as_str().unwrap()).await;
        }
    }
}
