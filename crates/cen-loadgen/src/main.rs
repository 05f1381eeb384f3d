//! `cen-loadgen`: drives a CEN endpoint with signed requests at a chosen concurrency and reports
//! requests per second and latency percentiles.
//!
//! Every request goes through `cen-client`, so it is flattened, signed (V3 by default) and decoded
//! exactly as a user's would be; the figures include the client's own cost.
//!
//! Before the timed part it can fill the account (`--seed N` CEN instances, `--seed-routers N`
//! transit routers spread over CEN instances, one per region per instance), and it prepares what
//! the transit-router operations need (a CEN instance, its router, a custom route table), waiting
//! for each to be Active. Only the operation itself is timed.
//!
//! ```sh
//! cargo run --release -p cen-loadgen -- --endpoint http://127.0.0.1:9000 \
//!     --operation describe-cens --concurrency 16 --requests 20000
//! cargo run --release -p cen-loadgen -- --endpoint http://127.0.0.1:9000 \
//!     --seed 100000 --operation describe-cens --concurrency 50 --requests 20000
//! cargo run --release -p cen-loadgen -- --endpoint http://127.0.0.1:9000 \
//!     --seed-routers 10000 --operation list-transit-routers --concurrency 50 --requests 20000
//! ```

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use cen_client::{Cen, Credentials, RetryPolicy, SignatureVersion};
use clap::{Parser, ValueEnum};

/// The operation to drive.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum Operation {
    /// `DescribeCens` with the default page: a read.
    DescribeCens,
    /// `DescribeCens` with `Filter.1.Key=CenId` naming a prepared CEN instance: the call that
    /// `wait_until_cen_active` (and the Terraform provider) polls.
    DescribeCensById,
    /// `CreateCen` with a name and a description: a write, each with its own idempotence token.
    CreateCen,
    /// `ListTransitRouters` with the `CenId` of a prepared CEN instance that has one router: a
    /// read through the routers of one CEN instance.
    ListTransitRouters,
    /// `ListTransitRouters` with `RegionId=cn-hangzhou` (the prepared router's region), the
    /// first page: a read over all of the caller's routers in a region.
    ListTransitRoutersByRegion,
    /// `CreateTransitRouterRouteEntry`: a blackhole route with a destination of its own
    /// (`10.x.y.z/32`, from the request's number) in a prepared custom route table: a write.
    CreateTransitRouterRouteEntry,
}

impl Operation {
    /// The API action, for the report.
    fn action(self) -> &'static str {
        match self {
            Self::DescribeCens => "DescribeCens",
            Self::DescribeCensById => "DescribeCens(Filter CenId)",
            Self::CreateCen => "CreateCen",
            Self::ListTransitRouters => "ListTransitRouters(CenId)",
            Self::ListTransitRoutersByRegion => "ListTransitRouters(RegionId)",
            Self::CreateTransitRouterRouteEntry => "CreateTransitRouterRouteEntry",
        }
    }

    /// Whether the operation needs a prepared CEN instance.
    fn needs_cen(self) -> bool {
        self == Self::DescribeCensById || self.needs_router()
    }

    /// Whether the operation needs a prepared CEN instance and transit router.
    fn needs_router(self) -> bool {
        matches!(
            self,
            Self::ListTransitRouters
                | Self::ListTransitRoutersByRegion
                | Self::CreateTransitRouterRouteEntry
        )
    }
}

#[derive(Clone, Copy, Debug, ValueEnum)]
enum Signature {
    V1,
    V3,
}

/// Load generator for a CEN endpoint.
#[derive(Debug, Parser)]
#[command(version)]
struct Args {
    /// Base URL of the endpoint.
    #[arg(long, default_value = "http://127.0.0.1:9000")]
    endpoint: String,
    /// AccessKey id (default: ALIBABA_CLOUD_ACCESS_KEY_ID, else the emulator's first default account).
    #[arg(
        long,
        env = "ALIBABA_CLOUD_ACCESS_KEY_ID",
        default_value = "LTAI5tEmulatorDefault1"
    )]
    access_key_id: String,
    /// AccessKey secret (default: ALIBABA_CLOUD_ACCESS_KEY_SECRET, else the emulator's first default account).
    #[arg(
        long,
        env = "ALIBABA_CLOUD_ACCESS_KEY_SECRET",
        default_value = "emulator-secret-1",
        hide_env_values = true,
        hide_default_value = true
    )]
    access_key_secret: String,
    /// Which operation to send.
    #[arg(long, value_enum, default_value = "describe-cens")]
    operation: Operation,
    /// Requests in flight at once (also while seeding).
    #[arg(long, default_value_t = 8)]
    concurrency: usize,
    /// Requests in all.
    #[arg(long, default_value_t = 5000)]
    requests: u64,
    /// Send at this many requests per second in all (request n is due n/RATE seconds after the
    /// start, sent by whichever task is free) instead of as fast as the tasks can. The report
    /// then also gives how late the sends were (p99 lag): when it grows, the tasks could not keep
    /// the rate. Without it every task sends its next request as soon as the last one is
    /// answered (a closed loop at saturation, where latency is concurrency / throughput).
    #[arg(long)]
    rate: Option<f64>,
    /// Before measuring, create this many CEN instances of the caller (CreateCen), untimed.
    #[arg(long, default_value_t = 0)]
    seed: u64,
    /// Before measuring, create this many transit routers of the caller, untimed: one per region
    /// per CEN instance, over the eight regions of `SEED_REGIONS`, on as many new CEN instances
    /// as that takes.
    #[arg(long, default_value_t = 0)]
    seed_routers: u64,
    /// Signature scheme.
    #[arg(long, value_enum, default_value = "v3")]
    signature: Signature,
    /// Print the report as one JSON object instead of text.
    #[arg(long)]
    json: bool,
}

/// The regions `--seed-routers` spreads routers over (CEN regions of three areas).
const SEED_REGIONS: [&str; 8] = [
    "cn-hangzhou",
    "cn-shanghai",
    "cn-beijing",
    "cn-shenzhen",
    "cn-qingdao",
    "cn-zhangjiakou",
    "us-west-1",
    "eu-central-1",
];

/// The region of the prepared transit router.
const ROUTER_REGION: &str = "cn-hangzhou";

/// What the timed operation works on, prepared before the clock starts.
#[derive(Debug, Default)]
struct Prepared {
    cen_id: String,
    router_id: String,
    route_table_id: String,
}

/// One unit of work: a timed call, or a seeding call.
#[derive(Clone)]
enum Job {
    /// The measured operation.
    Measure(Operation, Arc<Prepared>),
    /// CreateCen; the ids are kept.
    SeedCen,
    /// CreateTransitRouter number `i` over these CEN instances.
    SeedRouter(Arc<Vec<String>>),
}

/// What one run measured.
struct Report {
    sent: u64,
    failed: u64,
    elapsed: Duration,
    latencies: Vec<Duration>,
    /// With `--rate`: how late each request was sent after it was due, sorted.
    lags: Vec<Duration>,
    /// The ids the calls answered (the seeding CreateCen calls).
    ids: Vec<String>,
}

impl Report {
    fn percentile(&self, p: f64) -> Duration {
        percentile(&self.latencies, p)
    }

    fn requests_per_second(&self) -> f64 {
        self.sent as f64 / self.elapsed.as_secs_f64().max(f64::EPSILON)
    }
}

/// The `p`th percentile of sorted durations (zero for none).
fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let rank = ((p / 100.0) * (sorted.len() as f64 - 1.0)).round() as usize;
    sorted[rank.min(sorted.len() - 1)]
}

type Failure = Box<dyn std::error::Error + Send + Sync>;

#[tokio::main]
async fn main() -> Result<(), Failure> {
    let args = Args::parse();
    let cen = Cen::builder()
        .endpoint(&args.endpoint)
        .credentials(Credentials::new(
            &args.access_key_id,
            args.access_key_secret.as_str(),
        ))
        .signature_version(match args.signature {
            Signature::V1 => SignatureVersion::V1,
            Signature::V3 => SignatureVersion::V3,
        })
        // A load test measures the service, not the client's patience.
        .retry(RetryPolicy::none())
        .build()?;
    seed(&cen, &args).await?;
    let prepared = Arc::new(prepare(&cen, args.operation).await?);
    let report = run(
        &cen,
        Job::Measure(args.operation, prepared),
        args.concurrency,
        args.requests,
        args.rate,
    )
    .await;
    print(&args, &report);
    if report.failed > 0 && report.failed == report.sent {
        return Err(
            "every request failed; is the endpoint up and are the credentials right?".into(),
        );
    }
    Ok(())
}

/// `--seed` and `--seed-routers`: fills the caller's account before the timed part.
async fn seed(cen: &Cen, args: &Args) -> Result<(), Failure> {
    if args.seed > 0 {
        let report = run(cen, Job::SeedCen, args.concurrency, args.seed, None).await;
        check_seed("CEN instances", &report)?;
    }
    if args.seed_routers > 0 {
        let per_cen = SEED_REGIONS.len() as u64;
        let cens = run(
            cen,
            Job::SeedCen,
            args.concurrency,
            args.seed_routers.div_ceil(per_cen),
            None,
        )
        .await;
        check_seed("CEN instances for the routers", &cens)?;
        let routers = run(
            cen,
            Job::SeedRouter(Arc::new(cens.ids)),
            args.concurrency,
            args.seed_routers,
            None,
        )
        .await;
        check_seed("transit routers", &routers)?;
    }
    Ok(())
}

fn check_seed(what: &str, report: &Report) -> Result<(), Failure> {
    eprintln!(
        "seeded {} {what} in {:.1}s ({:.0} req/s)",
        report.sent - report.failed,
        report.elapsed.as_secs_f64(),
        report.requests_per_second()
    );
    if report.failed > 0 {
        return Err(format!("{} of the seeding calls failed", report.failed).into());
    }
    Ok(())
}

/// Creates what the operation works on and waits until it is Active: a CEN instance, its
/// transit router in [`ROUTER_REGION`], and for the route entries a custom route table.
async fn prepare(cen: &Cen, operation: Operation) -> Result<Prepared, Failure> {
    let mut prepared = Prepared::default();
    if !operation.needs_cen() {
        return Ok(prepared);
    }
    let started = Instant::now();
    let (timeout, poll) = (Duration::from_secs(120), Duration::from_millis(50));
    let cbn = cen.cbn();
    prepared.cen_id = cbn
        .create_cen()
        .name("loadgen-prepared")
        .send()
        .await?
        .cen_id
        .ok_or("CreateCen answered no CenId")?;
    cbn.wait_until_cen_active(&prepared.cen_id)
        .timeout(timeout)
        .poll_interval(poll)
        .await?;
    if !operation.needs_router() {
        eprintln!(
            "prepared {} in {:.2}s",
            prepared.cen_id,
            started.elapsed().as_secs_f64()
        );
        return Ok(prepared);
    }
    prepared.router_id = cbn
        .create_transit_router()
        .cen_id(&prepared.cen_id)
        .region_id(ROUTER_REGION)
        .transit_router_name("loadgen-prepared")
        .send()
        .await?
        .transit_router_id
        .ok_or("CreateTransitRouter answered no TransitRouterId")?;
    cbn.wait_until_transit_router_active(&prepared.router_id)
        .timeout(timeout)
        .poll_interval(poll)
        .await?;
    if operation == Operation::CreateTransitRouterRouteEntry {
        prepared.route_table_id = cbn
            .create_transit_router_route_table()
            .transit_router_id(&prepared.router_id)
            .transit_router_route_table_name("loadgen-prepared")
            .send()
            .await?
            .transit_router_route_table_id
            .ok_or("CreateTransitRouterRouteTable answered no TransitRouterRouteTableId")?;
        cbn.wait_until_transit_router_route_table_active(&prepared.route_table_id)
            .timeout(timeout)
            .poll_interval(poll)
            .await?;
    }
    eprintln!(
        "prepared {} / {} / {} in {:.2}s",
        prepared.cen_id,
        prepared.router_id,
        if prepared.route_table_id.is_empty() {
            "-"
        } else {
            &prepared.route_table_id
        },
        started.elapsed().as_secs_f64()
    );
    Ok(prepared)
}

/// Sends `total` calls of `job` from `concurrency` tasks, as fast as they can or at `rate`
/// requests per second in all.
async fn run(cen: &Cen, job: Job, concurrency: usize, total: u64, rate: Option<f64>) -> Report {
    let next = Arc::new(AtomicU64::new(0));
    let failed = Arc::new(AtomicU64::new(0));
    let ids = Arc::new(Mutex::new(Vec::new()));
    let started = Instant::now();
    let mut workers = Vec::new();
    for _ in 0..concurrency.max(1) {
        let (cen, next, failed, ids, job) = (
            cen.clone(),
            next.clone(),
            failed.clone(),
            ids.clone(),
            job.clone(),
        );
        workers.push(tokio::spawn(async move {
            let (mut latencies, mut lags) = (Vec::new(), Vec::new());
            loop {
                let n = next.fetch_add(1, Ordering::Relaxed);
                if n >= total {
                    break;
                }
                if let Some(rate) = rate {
                    let due = started + Duration::from_secs_f64(n as f64 / rate);
                    tokio::time::sleep_until(due.into()).await;
                    lags.push(due.elapsed());
                }
                let began = Instant::now();
                let outcome = call(&cen, &job, n).await;
                latencies.push(began.elapsed());
                match outcome {
                    Ok(Some(id)) => ids.lock().unwrap_or_else(|e| e.into_inner()).push(id),
                    Ok(None) => {}
                    Err(error) => {
                        if failed.fetch_add(1, Ordering::Relaxed) == 0 {
                            eprintln!("first failure: {error}");
                        }
                    }
                }
            }
            (latencies, lags)
        }));
    }
    let (mut latencies, mut lags) = (Vec::new(), Vec::new());
    for worker in workers {
        let (l, g) = worker.await.unwrap_or_default();
        latencies.extend(l);
        lags.extend(g);
    }
    let elapsed = started.elapsed();
    latencies.sort_unstable();
    lags.sort_unstable();
    let ids = std::mem::take(&mut *ids.lock().unwrap_or_else(|e| e.into_inner()));
    Report {
        sent: latencies.len() as u64,
        failed: failed.load(Ordering::Relaxed),
        elapsed,
        latencies,
        lags,
        ids,
    }
}

/// The destination of route number `n`: a /32 of 10.0.0.0/8, unique for 2^24 routes.
fn route_destination(n: u64) -> String {
    let n = n % (1 << 24);
    format!("10.{}.{}.{}/32", (n >> 16) & 255, (n >> 8) & 255, n & 255)
}

/// The CEN instance and region of seeded router number `n`.
fn seed_router_place(cens: &[String], n: u64) -> Option<(&str, &str)> {
    let per_cen = SEED_REGIONS.len() as u64;
    let cen = cens.get(usize::try_from(n / per_cen).ok()?)?;
    Some((cen, SEED_REGIONS[(n % per_cen) as usize]))
}

async fn call(cen: &Cen, job: &Job, n: u64) -> Result<Option<String>, Failure> {
    let cbn = cen.cbn();
    match job {
        Job::Measure(Operation::DescribeCens, _) => {
            cbn.describe_cens().send().await?;
        }
        Job::Measure(Operation::DescribeCensById, prepared) => {
            let listed = cbn
                .describe_cens()
                .filter(cen_client::cbn::types::CenFilter {
                    key: Some("CenId".into()),
                    value: vec![prepared.cen_id.clone()],
                })
                .send()
                .await?;
            if listed.total_count != Some(1) {
                return Err(format!(
                    "DescribeCens Filter CenId={} counted {:?}, not 1",
                    prepared.cen_id, listed.total_count
                )
                .into());
            }
        }
        Job::Measure(Operation::CreateCen, _) => {
            cbn.create_cen()
                .name("loadgen")
                .description("created by cen-loadgen")
                .send()
                .await?;
        }
        Job::Measure(Operation::ListTransitRouters, prepared) => {
            let listed = cbn
                .list_transit_routers()
                .cen_id(&prepared.cen_id)
                .send()
                .await?;
            if listed.transit_routers.len() != 1 {
                return Err(format!(
                    "ListTransitRouters CenId={} listed {} routers, not 1",
                    prepared.cen_id,
                    listed.transit_routers.len()
                )
                .into());
            }
        }
        Job::Measure(Operation::ListTransitRoutersByRegion, _) => {
            let listed = cbn
                .list_transit_routers()
                .region_id(ROUTER_REGION)
                .send()
                .await?;
            if listed.transit_routers.is_empty() {
                return Err(
                    format!("ListTransitRouters RegionId={ROUTER_REGION} listed none").into(),
                );
            }
        }
        Job::Measure(Operation::CreateTransitRouterRouteEntry, prepared) => {
            cbn.create_transit_router_route_entry()
                .transit_router_route_table_id(&prepared.route_table_id)
                .transit_router_route_entry_destination_cidr_block(route_destination(n))
                .transit_router_route_entry_next_hop_type("BlackHole")
                .send()
                .await?;
        }
        Job::SeedCen => {
            let created = cbn.create_cen().name("loadgen-seed").send().await?;
            return Ok(created.cen_id);
        }
        Job::SeedRouter(cens) => {
            let (cen_id, region) =
                seed_router_place(cens, n).ok_or("fewer seeded CEN instances than routers")?;
            // A CEN instance is Creating for the emulator's delay: retry until it is Active.
            let deadline = Instant::now() + Duration::from_secs(120);
            loop {
                let created = cbn
                    .create_transit_router()
                    .cen_id(cen_id)
                    .region_id(region)
                    .send()
                    .await;
                match created {
                    Err(e)
                        if e.code() == Some("InvalidOperation.CenInstanceStatus")
                            && Instant::now() < deadline =>
                    {
                        tokio::time::sleep(Duration::from_millis(50)).await;
                    }
                    other => return Ok(other?.transit_router_id),
                }
            }
        }
    }
    Ok(None)
}

fn print(args: &Args, report: &Report) {
    let rps = report.requests_per_second();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    if args.json {
        let value = serde_json::json!({
            "operation": args.operation.action(),
            "concurrency": args.concurrency,
            "rate": args.rate,
            "seed": args.seed,
            "seed_routers": args.seed_routers,
            "requests": report.sent,
            "failed": report.failed,
            "seconds": report.elapsed.as_secs_f64(),
            "requests_per_second": rps,
            "p50_ms": ms(report.percentile(50.0)),
            "p99_ms": ms(report.percentile(99.0)),
            "max_ms": ms(report.percentile(100.0)),
            "lag_p99_ms": args.rate.map(|_| ms(percentile(&report.lags, 99.0))),
        });
        println!("{value}");
    } else {
        println!(
            "{} concurrency={} rate={} seed={} seed_routers={} requests={} failed={} in {:.2}s: {:.0} req/s, p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms",
            args.operation.action(),
            args.concurrency,
            args.rate.map_or("max".to_owned(), |r| format!("{r}/s")),
            args.seed,
            args.seed_routers,
            report.sent,
            report.failed,
            report.elapsed.as_secs_f64(),
            rps,
            ms(report.percentile(50.0)),
            ms(report.percentile(99.0)),
            ms(report.percentile(100.0)),
        );
        if args.rate.is_some() {
            println!(
                "  sends after they were due: p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms",
                ms(percentile(&report.lags, 50.0)),
                ms(percentile(&report.lags, 99.0)),
                ms(percentile(&report.lags, 100.0)),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn route_destinations_are_unique_host_blocks() {
        assert_eq!(route_destination(0), "10.0.0.0/32");
        assert_eq!(route_destination(257), "10.0.1.1/32");
        assert_eq!(route_destination((1 << 24) - 1), "10.255.255.255/32");
        let mut seen: Vec<String> = (0..70_000).map(route_destination).collect();
        seen.sort();
        seen.dedup();
        assert_eq!(seen.len(), 70_000);
    }

    #[test]
    fn seeded_routers_take_one_region_per_cen_instance() {
        let cens: Vec<String> = vec!["cen-a".into(), "cen-b".into()];
        assert_eq!(seed_router_place(&cens, 0), Some(("cen-a", "cn-hangzhou")));
        assert_eq!(seed_router_place(&cens, 7), Some(("cen-a", "eu-central-1")));
        assert_eq!(seed_router_place(&cens, 8), Some(("cen-b", "cn-hangzhou")));
        assert_eq!(seed_router_place(&cens, 16), None);
        let mut places: Vec<_> = (0..16)
            .filter_map(|n| seed_router_place(&cens, n))
            .collect();
        places.sort();
        places.dedup();
        assert_eq!(places.len(), 16);
    }

    /// An emulator on loopback (`--delay-ms 0`, default accounts and inventory), and its URL.
    async fn emulator() -> String {
        use cen_emulator::config::{default_accounts, uids};
        let accounts = default_accounts();
        let uids = uids(&accounts);
        let config = cen_emulator::EmulatorConfig::new(&uids, Duration::ZERO);
        let emulator =
            cen_emulator::Emulator::new(config, cen_emulator::store::Store::Memory).unwrap();
        let app = cen_emulator::app(Arc::new(emulator), &accounts);
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, app).await });
        url
    }

    /// Every operation, with both seeds, answers without a failure against the emulator.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn every_operation_runs_against_the_emulator() {
        let endpoint = emulator().await;
        for operation in Operation::value_variants() {
            let name = operation.to_possible_value().unwrap().get_name().to_owned();
            let args = Args::try_parse_from([
                "cen-loadgen",
                "--endpoint",
                &endpoint,
                // Explicit, so that ALIBABA_CLOUD_* in the environment cannot change them.
                "--access-key-id",
                "LTAI5tEmulatorDefault1",
                "--access-key-secret",
                "emulator-secret-1",
                "--operation",
                &name,
                "--seed",
                "20",
                "--seed-routers",
                "20",
                "--concurrency",
                "4",
                "--requests",
                "40",
            ])
            .unwrap();
            let cen = Cen::builder()
                .endpoint(&args.endpoint)
                .credentials(Credentials::new(
                    &args.access_key_id,
                    args.access_key_secret.as_str(),
                ))
                .retry(RetryPolicy::none())
                .build()
                .unwrap();
            seed(&cen, &args).await.unwrap();
            let prepared = Arc::new(prepare(&cen, args.operation).await.unwrap());
            let report = run(&cen, Job::Measure(*operation, prepared), 4, 40, None).await;
            assert_eq!((report.sent, report.failed), (40, 0), "{name}");
        }
    }

    #[test]
    fn the_options_parse() {
        let args = Args::try_parse_from([
            "cen-loadgen",
            "--operation",
            "create-transit-router-route-entry",
            "--seed",
            "100",
            "--seed-routers",
            "10",
        ])
        .unwrap();
        assert_eq!(args.operation, Operation::CreateTransitRouterRouteEntry);
        assert_eq!((args.seed, args.seed_routers), (100, 10));
    }
}
