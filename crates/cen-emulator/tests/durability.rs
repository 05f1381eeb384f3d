//! Durability of the `cen-emulator` binary with `--data`: under a write load of transit-router
//! operations from several concurrent clients, `kill -9` loses no answered write and leaves
//! nothing half-applied.
//!
//! The load (through `cen-client`, signed as a user's calls are): four writers each create, in a
//! loop, a CEN instance, its transit router, a custom route table and a blackhole route in it,
//! and delete every second route again; a fifth connects the account's VPCs to routers that the
//! attachments create (CenId and RegionId only). Once enough writes were answered the process
//! gets SIGKILL, and the emulator is started again on the same file. Every id answered with 200
//! before the kill must be listed afterwards (and every answered delete must be gone), every
//! router must have exactly one System route table, and every record's parent must exist.

use std::collections::{BTreeMap, BTreeSet};
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdout, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use cen_client::{Cen, Credentials, RetryPolicy};
use serde_json::Value;

/// Writes answered before the kill (at least; the kill lands while more are in flight).
const WRITES_BEFORE_KILL: usize = 300;

/// Writers of the CEN / router / table / route loop.
const WRITERS: usize = 4;

/// The first default account's VPCs: id, region, one of its vSwitches and that vSwitch's zone.
const VPCS: [(&str, &str, &str, &str); 7] = [
    (
        "vpc-bp1emuhz00000000001",
        "cn-hangzhou",
        "vsw-bp1emuhz00000000001b",
        "cn-hangzhou-b",
    ),
    (
        "vpc-bp1emuhz00000000002",
        "cn-hangzhou",
        "vsw-bp1emuhz00000000002b",
        "cn-hangzhou-b",
    ),
    (
        "vpc-uf6emush00000000001",
        "cn-shanghai",
        "vsw-uf6emush00000000001a",
        "cn-shanghai-a",
    ),
    (
        "vpc-2zeemubj00000000001",
        "cn-beijing",
        "vsw-2zeemubj00000000001a",
        "cn-beijing-a",
    ),
    (
        "vpc-rj9emuus00000000001",
        "us-west-1",
        "vsw-rj9emuus00000000001a",
        "us-west-1a",
    ),
    (
        "vpc-gw8emueu00000000001",
        "eu-central-1",
        "vsw-gw8emueu00000000001a",
        "eu-central-1a",
    ),
    (
        "vpc-t4nemusg00000000001",
        "ap-southeast-1",
        "vsw-t4nemusg00000000001a",
        "ap-southeast-1a",
    ),
];

/// The region of the writers' routers.
const REGION: &str = "cn-hangzhou";

/// A running `cen-emulator --data FILE`; dropping it kills the process.
struct Emulator {
    child: Child,
    url: String,
    _stdout: BufReader<ChildStdout>,
}

impl Emulator {
    fn start(data: &Path, log: &Path) -> Self {
        let log_file = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(log)
            .unwrap_or_else(|e| panic!("cannot open {}: {e}", log.display()));
        let mut child = Command::new(env!("CARGO_BIN_EXE_cen-emulator"))
            .args(["--listen", "127.0.0.1:0", "--delay-ms", "0", "--data"])
            .arg(data)
            .env("RUST_LOG", "warn")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(log_file)
            .spawn()
            .expect("cannot start the cen-emulator binary");
        let mut stdout = BufReader::new(child.stdout.take().expect("piped stdout"));
        let (sender, receiver) = std::sync::mpsc::channel();
        let reader = std::thread::spawn(move || {
            let mut line = String::new();
            let read = stdout.read_line(&mut line).map(|_| line);
            let _ = sender.send(read);
            stdout
        });
        let line = match receiver.recv_timeout(Duration::from_secs(30)) {
            Ok(Ok(line)) => line,
            other => {
                let _ = child.kill();
                panic!(
                    "the emulator did not say where it listens ({other:?}); its log:\n{}",
                    std::fs::read_to_string(log).unwrap_or_default()
                );
            }
        };
        let url = line
            .trim()
            .strip_prefix("listening on ")
            .unwrap_or_else(|| panic!("unexpected first line {line:?}"))
            .to_owned();
        Self {
            child,
            url,
            _stdout: reader.join().expect("the stdout reader panicked"),
        }
    }

    /// A client of the first default account that never retries: a call either reached the
    /// emulator and was answered, or it failed.
    fn client(&self) -> Cen {
        Cen::builder()
            .endpoint(&self.url)
            .credentials(Credentials::new(
                "LTAI5tEmulatorDefault1",
                "emulator-secret-1",
            ))
            .retry(RetryPolicy::none())
            .timeout(Duration::from_secs(10))
            .build()
            .unwrap()
    }

    /// SIGKILL, as `kill -9`.
    fn kill(mut self) {
        self.child.kill().expect("SIGKILL the emulator");
        self.child.wait().expect("reap the emulator");
    }
}

impl Drop for Emulator {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// What the writers were answered with 200, before the kill.
#[derive(Debug, Default)]
struct Answered {
    cens: BTreeSet<String>,
    /// Router id -> CEN id.
    routers: BTreeMap<String, String>,
    /// Custom route table id -> router id.
    tables: BTreeMap<String, String>,
    /// Route entry id -> route table id.
    routes: BTreeMap<String, String>,
    /// Route entries whose delete was answered.
    deleted_routes: BTreeSet<String>,
    /// Routes whose delete was sent: one in flight at the kill may have been committed without
    /// its answer arriving, so such a route may or may not be there afterwards.
    deleting_routes: BTreeSet<String>,
    /// VPC attachment id -> (CEN id, VPC id).
    attachments: BTreeMap<String, (String, String)>,
}

type Shared = Arc<(Mutex<Answered>, AtomicUsize)>;

fn answered(shared: &Shared, record: impl FnOnce(&mut Answered)) {
    record(&mut shared.0.lock().unwrap());
    shared.1.fetch_add(1, Ordering::SeqCst);
}

/// One writer: CEN, router, custom table, route, and every second route deleted again, until a
/// call fails (the kill).
async fn writer(cen: Cen, shared: Shared, w: usize) -> Result<(), cen_client::Error> {
    let cbn = cen.cbn();
    let mut previous_route: Option<(String, String)> = None;
    for i in 0.. {
        let cen_id = cbn
            .create_cen()
            .name(format!("durable-{w}-{i}"))
            .send()
            .await?
            .cen_id
            .unwrap();
        answered(&shared, |a| {
            a.cens.insert(cen_id.clone());
        });
        let router = cbn
            .create_transit_router()
            .cen_id(&cen_id)
            .region_id(REGION)
            .send()
            .await?
            .transit_router_id
            .unwrap();
        answered(&shared, |a| {
            a.routers.insert(router.clone(), cen_id.clone());
        });
        let table = cbn
            .create_transit_router_route_table()
            .transit_router_id(&router)
            .send()
            .await?
            .transit_router_route_table_id
            .unwrap();
        answered(&shared, |a| {
            a.tables.insert(table.clone(), router.clone());
        });
        let route = cbn
            .create_transit_router_route_entry()
            .transit_router_route_table_id(&table)
            .transit_router_route_entry_destination_cidr_block(format!("10.{w}.{}.0/24", i % 256))
            .transit_router_route_entry_next_hop_type("BlackHole")
            .send()
            .await?
            .transit_router_route_entry_id
            .unwrap();
        answered(&shared, |a| {
            a.routes.insert(route.clone(), table.clone());
        });
        if i % 2 == 1
            && let Some((old, _)) = previous_route.take()
        {
            // Noted before sending, and not counted as an answered write.
            shared.0.lock().unwrap().deleting_routes.insert(old.clone());
            cbn.delete_transit_router_route_entry()
                .transit_router_route_entry_id(&old)
                .send()
                .await?;
            answered(&shared, |a| {
                a.deleted_routes.insert(old.clone());
            });
        }
        previous_route = Some((route, table));
    }
    Ok(())
}

/// Connects each VPC of the account to a router that the attachment creates.
async fn attacher(cen: Cen, shared: Shared) -> Result<(), cen_client::Error> {
    let cbn = cen.cbn();
    for (vpc, region, vsw, zone) in VPCS {
        let cen_id = cbn
            .create_cen()
            .name(format!("durable-{vpc}"))
            .send()
            .await?
            .cen_id
            .unwrap();
        answered(&shared, |a| {
            a.cens.insert(cen_id.clone());
        });
        let attachment = cbn
            .create_transit_router_vpc_attachment()
            .cen_id(&cen_id)
            .region_id(region)
            .vpc_id(vpc)
            .zone_mappings(cen_client::cbn::types::ZoneMapping {
                v_switch_id: vsw.to_owned(),
                zone_id: zone.to_owned(),
            })
            .send()
            .await?
            .transit_router_attachment_id
            .unwrap();
        answered(&shared, |a| {
            a.attachments
                .insert(attachment.clone(), (cen_id.clone(), vpc.to_owned()));
        });
    }
    Ok(())
}

fn value<T: serde::Serialize>(item: &T) -> Value {
    serde_json::to_value(item).unwrap()
}

fn text(item: &Value, field: &str) -> String {
    item[field]
        .as_str()
        .unwrap_or_else(|| panic!("no {field} in {item}"))
        .to_owned()
}

fn temp_dir() -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!(
        "durability-{}-{}",
        std::process::id(),
        rand::random::<u32>()
    ));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn kill_9_under_a_transit_router_write_load_loses_no_answered_write() {
    let dir = temp_dir();
    let (data, log) = (dir.join("state.sqlite"), dir.join("emulator.log"));
    let emulator = Emulator::start(&data, &log);
    let shared: Shared = Arc::default();
    let mut tasks = Vec::new();
    for w in 0..WRITERS {
        tasks.push(tokio::spawn(writer(emulator.client(), shared.clone(), w)));
    }
    tasks.push(tokio::spawn(attacher(emulator.client(), shared.clone())));

    let started = Instant::now();
    while shared.1.load(Ordering::SeqCst) < WRITES_BEFORE_KILL {
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "only {} writes answered in 30 s; the emulator's log:\n{}",
            shared.1.load(Ordering::SeqCst),
            std::fs::read_to_string(&log).unwrap_or_default()
        );
        if let Some(w) = tasks[..WRITERS].iter().position(|t| t.is_finished()) {
            let outcome = tasks.swap_remove(w).await.unwrap();
            panic!("writer {w} stopped before the kill: {outcome:?}");
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    emulator.kill();
    let mut failures = 0;
    for task in tasks {
        // Every writer stops at its first failed call: the connection the kill broke.
        if let Err(error) = task.await.unwrap() {
            assert!(
                error.code().is_none(),
                "a writer got an API error instead of a broken connection: {error}"
            );
            failures += 1;
        }
    }
    assert!(failures >= WRITERS, "the loop writers all end at the kill");
    let answered = std::mem::take(&mut *shared.0.lock().unwrap());
    println!(
        "answered before the kill: {} CEN instances, {} routers, {} tables, {} routes ({} deleted), {} VPC attachments",
        answered.cens.len(),
        answered.routers.len(),
        answered.tables.len(),
        answered.routes.len(),
        answered.deleted_routes.len(),
        answered.attachments.len()
    );

    let emulator = Emulator::start(&data, &log);
    let cen = emulator.client();
    let cbn = cen.cbn();

    // CEN instances.
    let cens: BTreeSet<String> = cbn
        .describe_cens()
        .page_size(50)
        .into_paginator()
        .collect_all()
        .await
        .unwrap()
        .iter()
        .map(|c| text(&value(c), "CenId"))
        .collect();
    let lost: Vec<_> = answered.cens.difference(&cens).collect();
    assert!(lost.is_empty(), "CEN instances lost: {lost:?}");

    // Routers, in every region the load used; each of a listed CEN instance.
    let mut regions: BTreeSet<&str> = VPCS.iter().map(|v| v.1).collect();
    regions.insert(REGION);
    let mut routers: BTreeMap<String, String> = BTreeMap::new();
    for region in regions {
        for router in cbn
            .list_transit_routers()
            .region_id(region)
            .page_size(50)
            .into_paginator()
            .collect_all()
            .await
            .unwrap()
        {
            let router = value(&router);
            assert_eq!(router["Status"], "Active", "{router}");
            routers.insert(text(&router, "TransitRouterId"), text(&router, "CenId"));
        }
    }
    for (router, cen_id) in &answered.routers {
        assert_eq!(routers.get(router), Some(cen_id), "router {router} lost");
    }
    for (router, cen_id) in &routers {
        assert!(
            cens.contains(cen_id),
            "router {router} of a lost CEN {cen_id}"
        );
    }

    // Route tables: one System table per router, every answered custom table on its router.
    let mut system_tables: BTreeMap<String, usize> = BTreeMap::new();
    let mut custom_tables: BTreeMap<String, String> = BTreeMap::new();
    for table in cbn
        .list_transit_router_route_tables()
        .max_results(100)
        .into_paginator()
        .collect_all()
        .await
        .unwrap()
    {
        let table = value(&table);
        let (id, router) = (
            text(&table, "TransitRouterRouteTableId"),
            text(&table, "TransitRouterId"),
        );
        assert!(routers.contains_key(&router), "table {id} of a lost router");
        match table["TransitRouterRouteTableType"].as_str() {
            Some("System") => *system_tables.entry(router).or_insert(0) += 1,
            Some("Custom") => {
                custom_tables.insert(id, router);
            }
            other => panic!("table type {other:?}: {table}"),
        }
    }
    for router in routers.keys() {
        assert_eq!(
            system_tables.get(router),
            Some(&1),
            "router {router} must have exactly one System route table"
        );
    }
    for (table, router) in &answered.tables {
        assert_eq!(custom_tables.get(table), Some(router), "table {table} lost");
    }

    // Routes: every answered one in its table, every answered delete gone.
    let mut routes: BTreeMap<String, String> = BTreeMap::new();
    for table in custom_tables.keys() {
        for route in cbn
            .list_transit_router_route_entries()
            .transit_router_route_table_id(table)
            .max_results(100)
            .into_paginator()
            .collect_all()
            .await
            .unwrap()
        {
            routes.insert(
                text(&value(&route), "TransitRouterRouteEntryId"),
                table.clone(),
            );
        }
    }
    for (route, table) in &answered.routes {
        if answered.deleted_routes.contains(route) {
            assert!(!routes.contains_key(route), "deleted route {route} is back");
        } else if answered.deleting_routes.contains(route) {
            // Its delete was in flight at the kill: committed or not, both are whole states.
        } else {
            assert_eq!(routes.get(route), Some(table), "route {route} lost");
        }
    }

    // VPC attachments: every answered one, on a listed router of its CEN, one per VPC.
    let mut vpcs_seen = BTreeSet::new();
    let mut attachments = BTreeMap::new();
    for attachment in cbn
        .list_transit_router_vpc_attachments()
        .max_results(100)
        .into_paginator()
        .collect_all()
        .await
        .unwrap()
    {
        let attachment = value(&attachment);
        let (id, vpc) = (
            text(&attachment, "TransitRouterAttachmentId"),
            text(&attachment, "VpcId"),
        );
        let router = text(&attachment, "TransitRouterId");
        assert!(
            routers.contains_key(&router),
            "attachment {id} on a lost router {router}"
        );
        assert!(vpcs_seen.insert(vpc.clone()), "two attachments of {vpc}");
        attachments.insert(id, (text(&attachment, "CenId"), vpc));
    }
    for (attachment, place) in &answered.attachments {
        assert_eq!(
            attachments.get(attachment),
            Some(place),
            "VPC attachment {attachment} lost"
        );
    }

    drop(emulator);
    std::fs::remove_dir_all(&dir).unwrap();
}
