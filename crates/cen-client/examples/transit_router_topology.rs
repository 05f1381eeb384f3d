//! Builds a hub-and-spoke network on Enterprise Edition transit routers the way a Terraform module
//! would, prints the routes the hub learned, and tears everything down again.
//!
//! The topology: one CEN instance; a transit router in a hub region and one in a remote region;
//! two VPCs of the hub region attached to the hub router (the spokes), each through vSwitches in
//! one or more zones; a custom route table on the hub router with which both VPC attachments are
//! associated and from which they propagate their routes; an inter-region peer attachment from
//! the hub router to the remote one, associated and propagating in the same route table. Every
//! step waits for the resource to settle (`wait_until_*`) before the next one depends on it, and
//! the teardown deletes in dependency order, waiting for each resource to be gone. When a step
//! fails, what was already created is torn down before the error is returned; when the teardown
//! itself fails, the resources left behind are printed.
//!
//! Endpoint and credentials:
//!
//! - `CEN_ENDPOINT`: the endpoint, such as the emulator's `http://127.0.0.1:9000`; unset, the
//!   client talks to `https://cbn.aliyuncs.com`.
//! - Credentials come from the default chain: `ALIBABA_CLOUD_ACCESS_KEY_ID` /
//!   `ALIBABA_CLOUD_ACCESS_KEY_SECRET` (and `ALIBABA_CLOUD_SECURITY_TOKEN`), else the aliyun CLI
//!   profile in `~/.aliyun/config.json`.
//!
//! The network (defaults in brackets; the VPCs are the emulator's built-in ones, the vSwitch ids
//! are those of the emulator's inventory; replace them with real ones against Alibaba Cloud):
//!
//! - `TOPOLOGY_HUB_REGION` [`cn-hangzhou`] and `TOPOLOGY_REMOTE_REGION` [`cn-shanghai`].
//! - `TOPOLOGY_VPC_1` [`vpc-bp1emuhz00000000001`] and `TOPOLOGY_VPC_2` [`vpc-bp1emuhz00000000002`]:
//!   the two spoke VPCs, both in the hub region.
//! - `TOPOLOGY_VPC_1_VSWITCHES` [`cn-hangzhou-b:vsw-bp1emuhz00000000001b,cn-hangzhou-f:vsw-bp1emuhz00000000001f`]
//!   and `TOPOLOGY_VPC_2_VSWITCHES` [`cn-hangzhou-b:vsw-bp1emuhz00000000002b,cn-hangzhou-f:vsw-bp1emuhz00000000002f`]:
//!   the zone mappings of each VPC attachment, as comma-separated `zone:vSwitch` pairs.
//! - `TOPOLOGY_PEER_BANDWIDTH_MBPS` [`10`]: the bandwidth of the inter-region connection, billed
//!   by data transfer (no bandwidth plan needed).
//! - `TOPOLOGY_POLL_SECONDS` [`5`] and `TOPOLOGY_TIMEOUT_SECONDS` [`900`]: how often each waiter
//!   polls and how long it waits at most.
//!
//! Against the emulator:
//!
//! ```sh
//! cargo run -p cen-emulator -- --listen 127.0.0.1:9000 --delay-ms 500 &
//! CEN_ENDPOINT=http://127.0.0.1:9000 TOPOLOGY_POLL_SECONDS=1 \
//! ALIBABA_CLOUD_ACCESS_KEY_ID=LTAI5tEmulatorDefault1 ALIBABA_CLOUD_ACCESS_KEY_SECRET=emulator-secret-1 \
//! cargo run -p cen-client --example transit_router_topology
//! ```
//!
//! The emulator implements transit routers only once the issue "The emulator's resource layer,
//! and the Enterprise Edition transit router" lands. Until then it answers `NotImplemented`
//! (HTTP 501) to `CreateTransitRouter`, so a run creates the CEN instance, fails at the first
//! transit router, and deletes the CEN instance again.
//!
//! Against Alibaba Cloud the run creates billable resources (transit router connections and
//! inter-region traffic) for the few minutes it takes; leave `CEN_ENDPOINT` unset and set the
//! VPC and vSwitch variables to resources of your account.

use std::fmt;
use std::process::ExitCode;
use std::time::Duration;

use cen_client::cbn::{self, types};
use cen_client::waiter::Wait;
use cen_client::{Cen, Error};
use futures::TryStreamExt;

#[tokio::main]
async fn main() -> ExitCode {
    match run().await {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error}");
            ExitCode::FAILURE
        }
    }
}

async fn run() -> Result<(), Error> {
    let settings = Settings::from_env()?;
    let mut builder = Cen::builder();
    if let Ok(endpoint) = std::env::var("CEN_ENDPOINT") {
        builder = builder.endpoint(endpoint);
    }
    let cen = builder.build()?;
    let cbn = cen.cbn();

    let mut built = Topology::default();
    let mut applied = apply(cbn, &settings, &mut built).await;
    if applied.is_ok() {
        applied = print_routes(cbn, &built).await;
    }
    if applied.is_err() {
        eprintln!("the run failed; tearing down what was created");
    }
    let destroyed = destroy(cbn, &settings, &mut built).await;
    if let Err(error) = &destroyed {
        if applied.is_err() {
            eprintln!("the teardown failed too: {error}");
        }
        eprintln!("left behind:\n{built}");
    }
    applied.and(destroyed)
}

/// What the run was told by its environment.
struct Settings {
    hub_region: String,
    remote_region: String,
    spokes: Vec<Spoke>,
    peer_bandwidth_mbps: i32,
    poll: Duration,
    timeout: Duration,
}

/// A VPC to attach, with one vSwitch per zone the attachment uses.
struct Spoke {
    vpc_id: String,
    zone_mappings: Vec<types::ZoneMapping>,
}

impl Settings {
    fn from_env() -> Result<Self, Error> {
        let spoke = |n: u8, vswitches: &str| -> Result<Spoke, Error> {
            let defaults = ["vpc-bp1emuhz00000000001", "vpc-bp1emuhz00000000002"];
            Ok(Spoke {
                vpc_id: var(&format!("TOPOLOGY_VPC_{n}"), defaults[usize::from(n - 1)]),
                zone_mappings: zone_mappings(&var(
                    &format!("TOPOLOGY_VPC_{n}_VSWITCHES"),
                    vswitches,
                ))?,
            })
        };
        Ok(Self {
            hub_region: var("TOPOLOGY_HUB_REGION", "cn-hangzhou"),
            remote_region: var("TOPOLOGY_REMOTE_REGION", "cn-shanghai"),
            spokes: vec![
                spoke(
                    1,
                    "cn-hangzhou-b:vsw-bp1emuhz00000000001b,cn-hangzhou-f:vsw-bp1emuhz00000000001f",
                )?,
                spoke(
                    2,
                    "cn-hangzhou-b:vsw-bp1emuhz00000000002b,cn-hangzhou-f:vsw-bp1emuhz00000000002f",
                )?,
            ],
            peer_bandwidth_mbps: number("TOPOLOGY_PEER_BANDWIDTH_MBPS", 10)?,
            poll: Duration::from_secs(number("TOPOLOGY_POLL_SECONDS", 5)?),
            timeout: Duration::from_secs(number("TOPOLOGY_TIMEOUT_SECONDS", 900)?),
        })
    }

    /// A waiter with this run's poll interval and timeout.
    fn tune<'a>(&self, wait: Wait<'a>) -> Wait<'a> {
        wait.poll_interval(self.poll).timeout(self.timeout)
    }
}

fn var(name: &str, default: &str) -> String {
    std::env::var(name).unwrap_or_else(|_| default.to_owned())
}

fn number<T: std::str::FromStr>(name: &str, default: T) -> Result<T, Error> {
    match std::env::var(name) {
        Ok(text) => text
            .parse()
            .map_err(|_| Error::InvalidRequest(format!("{name} is not a number: {text:?}"))),
        Err(_) => Ok(default),
    }
}

/// `zone:vSwitch,zone:vSwitch` as the `ZoneMappings` of a VPC attachment.
fn zone_mappings(pairs: &str) -> Result<Vec<types::ZoneMapping>, Error> {
    pairs
        .split(',')
        .map(|pair| match pair.trim().split_once(':') {
            Some((zone, vswitch)) => Ok(types::ZoneMapping {
                zone_id: zone.to_owned(),
                v_switch_id: vswitch.to_owned(),
            }),
            None => Err(Error::InvalidRequest(format!(
                "{pair:?} is not a zone:vSwitch pair"
            ))),
        })
        .collect()
}

/// What has been created so far, so that it can be torn down again, in reverse.
#[derive(Default)]
struct Topology {
    cen_id: Option<String>,
    /// Hub first, then the remote router.
    routers: Vec<String>,
    vpc_attachments: Vec<String>,
    route_table: Option<String>,
    peer_attachment: Option<String>,
    /// Attachments associated with the route table.
    associations: Vec<String>,
    /// Attachments that propagate their routes into the route table.
    propagations: Vec<String>,
}

impl fmt::Display for Topology {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let route_table = self.route_table.as_deref().unwrap_or("-");
        for attachment in &self.propagations {
            writeln!(f, "  propagation of {attachment} into {route_table}")?;
        }
        for attachment in &self.associations {
            writeln!(f, "  association of {attachment} with {route_table}")?;
        }
        let ids = self
            .peer_attachment
            .iter()
            .chain(&self.vpc_attachments)
            .chain(&self.route_table)
            .chain(self.routers.iter().rev())
            .chain(&self.cen_id);
        for id in ids {
            writeln!(f, "  {id}")?;
        }
        Ok(())
    }
}

/// Creates the topology, step by step, recording each resource as soon as it exists.
async fn apply(cbn: &cbn::Client, s: &Settings, built: &mut Topology) -> Result<(), Error> {
    let created = cbn
        .create_cen()
        .name("hub-and-spoke")
        .description("created by the transit_router_topology example")
        .tag("created-by", "cen-client-example")
        .send()
        .await?;
    let cen_id = id(created.cen_id, "CreateCen", "CenId")?;
    built.cen_id = Some(cen_id.clone());
    s.tune(cbn.wait_until_cen_active(&cen_id)).await?;
    println!("CEN instance {cen_id} is Active");

    for region in [&s.hub_region, &s.remote_region] {
        let created = cbn
            .create_transit_router()
            .cen_id(&cen_id)
            .region_id(region)
            .transit_router_name(format!("{region}-router"))
            .send()
            .await?;
        let router = id(
            created.transit_router_id,
            "CreateTransitRouter",
            "TransitRouterId",
        )?;
        built.routers.push(router.clone());
        s.tune(cbn.wait_until_transit_router_active(&router))
            .await?;
        println!("transit router {router} ({region}) is Active");
    }
    let hub = built.routers[0].clone();
    let remote = built.routers[1].clone();

    for spoke in &s.spokes {
        let created = cbn
            .create_transit_router_vpc_attachment()
            .cen_id(&cen_id)
            .region_id(&s.hub_region)
            .transit_router_id(&hub)
            .vpc_id(&spoke.vpc_id)
            .set_zone_mappings(spoke.zone_mappings.clone())
            .transit_router_attachment_name(format!("spoke-{}", spoke.vpc_id))
            .send()
            .await?;
        let attachment = id(
            created.transit_router_attachment_id,
            "CreateTransitRouterVpcAttachment",
            "TransitRouterAttachmentId",
        )?;
        built.vpc_attachments.push(attachment.clone());
        s.tune(cbn.wait_until_transit_router_vpc_attachment_attached(&attachment))
            .await?;
        println!("VPC {} is attached as {attachment}", spoke.vpc_id);
    }

    let created = cbn
        .create_transit_router_route_table()
        .transit_router_id(&hub)
        .transit_router_route_table_name("spokes")
        .send()
        .await?;
    let route_table = id(
        created.transit_router_route_table_id,
        "CreateTransitRouterRouteTable",
        "TransitRouterRouteTableId",
    )?;
    built.route_table = Some(route_table.clone());
    s.tune(cbn.wait_until_transit_router_route_table_active(&route_table))
        .await?;
    println!("route table {route_table} is Active");

    for attachment in built.vpc_attachments.clone() {
        route_through(cbn, s, built, &attachment, &route_table).await?;
    }

    let created = cbn
        .create_transit_router_peer_attachment()
        .cen_id(&cen_id)
        .region_id(&s.hub_region)
        .transit_router_id(&hub)
        .peer_transit_router_id(&remote)
        .peer_transit_router_region_id(&s.remote_region)
        .bandwidth_type(types::BandwidthType::DataTransfer)
        .bandwidth(s.peer_bandwidth_mbps)
        .transit_router_attachment_name("hub-to-remote")
        .send()
        .await?;
    let peer = id(
        created.transit_router_attachment_id,
        "CreateTransitRouterPeerAttachment",
        "TransitRouterAttachmentId",
    )?;
    built.peer_attachment = Some(peer.clone());
    s.tune(cbn.wait_until_transit_router_peer_attachment_attached(&peer))
        .await?;
    println!("peer attachment {peer} ({hub} to {remote}) is Attached");
    route_through(cbn, s, built, &peer, &route_table).await
}

/// Associates `attachment` with the route table and lets it propagate its routes there.
async fn route_through(
    cbn: &cbn::Client,
    s: &Settings,
    built: &mut Topology,
    attachment: &str,
    route_table: &str,
) -> Result<(), Error> {
    cbn.associate_transit_router_attachment_with_route_table()
        .transit_router_attachment_id(attachment)
        .transit_router_route_table_id(route_table)
        .send()
        .await?;
    built.associations.push(attachment.to_owned());
    s.tune(cbn.wait_until_transit_router_route_table_association_active(attachment, route_table))
        .await?;

    cbn.enable_transit_router_route_table_propagation()
        .transit_router_attachment_id(attachment)
        .transit_router_route_table_id(route_table)
        .send()
        .await?;
    built.propagations.push(attachment.to_owned());
    s.tune(cbn.wait_until_transit_router_route_table_propagation_active(attachment, route_table))
        .await?;
    println!("{attachment} is associated with and propagates into {route_table}");
    Ok(())
}

/// Every route of the hub's route table, page by page.
async fn print_routes(cbn: &cbn::Client, built: &Topology) -> Result<(), Error> {
    let Some(route_table) = &built.route_table else {
        return Ok(());
    };
    println!("routes of {route_table}:");
    let mut routes = std::pin::pin!(
        cbn.list_transit_router_route_entries()
            .transit_router_route_table_id(route_table)
            .max_results(50)
            .into_paginator()
            .items()
    );
    while let Some(route) = routes.try_next().await? {
        let show = |value: Option<String>| value.unwrap_or_else(|| "-".to_owned());
        println!(
            "  {:<18} {:<10} {:<12} next hop {} ({})",
            show(route.transit_router_route_entry_destination_cidr_block),
            show(route.transit_router_route_entry_type),
            show(route.transit_router_route_entry_status),
            show(route.transit_router_route_entry_next_hop_id),
            show(route.transit_router_route_entry_next_hop_resource_id),
        );
    }
    Ok(())
}

/// Deletes what `built` records, dependents before what they depend on, waiting for each to be
/// gone; each resource leaves `built` once it is.
async fn destroy(cbn: &cbn::Client, s: &Settings, built: &mut Topology) -> Result<(), Error> {
    if let Some(route_table) = built.route_table.clone() {
        while let Some(attachment) = built.propagations.last().cloned() {
            cbn.disable_transit_router_route_table_propagation()
                .transit_router_attachment_id(&attachment)
                .transit_router_route_table_id(&route_table)
                .send()
                .await?;
            s.tune(
                cbn.wait_until_transit_router_route_table_propagation_deleted(
                    &attachment,
                    &route_table,
                ),
            )
            .await?;
            built.propagations.pop();
        }
        while let Some(attachment) = built.associations.last().cloned() {
            cbn.dissociate_transit_router_attachment_from_route_table()
                .transit_router_attachment_id(&attachment)
                .transit_router_route_table_id(&route_table)
                .send()
                .await?;
            s.tune(
                cbn.wait_until_transit_router_route_table_association_deleted(
                    &attachment,
                    &route_table,
                ),
            )
            .await?;
            built.associations.pop();
        }
    }
    if let Some(peer) = built.peer_attachment.clone() {
        cbn.delete_transit_router_peer_attachment()
            .transit_router_attachment_id(&peer)
            .send()
            .await?;
        s.tune(cbn.wait_until_transit_router_peer_attachment_deleted(&peer))
            .await?;
        built.peer_attachment = None;
        println!("deleted peer attachment {peer}");
    }
    if let Some(route_table) = built.route_table.clone() {
        cbn.delete_transit_router_route_table()
            .transit_router_route_table_id(&route_table)
            .send()
            .await?;
        s.tune(cbn.wait_until_transit_router_route_table_deleted(&route_table))
            .await?;
        built.route_table = None;
        println!("deleted route table {route_table}");
    }
    while let Some(attachment) = built.vpc_attachments.last().cloned() {
        cbn.delete_transit_router_vpc_attachment()
            .transit_router_attachment_id(&attachment)
            .send()
            .await?;
        s.tune(cbn.wait_until_transit_router_vpc_attachment_deleted(&attachment))
            .await?;
        built.vpc_attachments.pop();
        println!("deleted VPC attachment {attachment}");
    }
    while let Some(router) = built.routers.last().cloned() {
        cbn.delete_transit_router()
            .transit_router_id(&router)
            .send()
            .await?;
        s.tune(cbn.wait_until_transit_router_deleted(&router))
            .await?;
        built.routers.pop();
        println!("deleted transit router {router}");
    }
    if let Some(cen_id) = built.cen_id.clone() {
        cbn.delete_cen().cen_id(&cen_id).send().await?;
        s.tune(cbn.wait_until_cen_deleted(&cen_id)).await?;
        built.cen_id = None;
        println!("deleted CEN instance {cen_id}");
    }
    Ok(())
}

/// The id a create answered, or an error naming the field it lacked.
fn id(value: Option<String>, action: &str, field: &str) -> Result<String, Error> {
    value
        .filter(|v| !v.is_empty())
        .ok_or_else(|| Error::Decode {
            reason: format!("{action} answered without {field}"),
        })
}
