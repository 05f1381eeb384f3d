//! `cen-loadgen`: drives a CEN endpoint with signed requests at a chosen concurrency and reports
//! requests per second and latency percentiles.
//!
//! Every request goes through `cen-client`, so it is flattened, signed (V3 by default) and decoded
//! exactly as a user's would be; the figures include the client's own cost.
//!
//! ```sh
//! cargo run --release -p cen-loadgen -- --endpoint http://127.0.0.1:9000 \
//!     --operation describe-cens --concurrency 16 --requests 20000
//! ```

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use cen_client::{Cen, Credentials, RetryPolicy, SignatureVersion};
use clap::{Parser, ValueEnum};

/// The operation to drive.
#[derive(Clone, Copy, Debug, ValueEnum)]
enum Operation {
    /// `DescribeCens` with the default page: a read.
    DescribeCens,
    /// `CreateCen` with a name and two tags: a write, each with its own idempotence token.
    CreateCen,
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
    /// Requests in flight at once.
    #[arg(long, default_value_t = 8)]
    concurrency: usize,
    /// Requests in all.
    #[arg(long, default_value_t = 5000)]
    requests: u64,
    /// Signature scheme.
    #[arg(long, value_enum, default_value = "v3")]
    signature: Signature,
    /// Print the report as one JSON object instead of text.
    #[arg(long)]
    json: bool,
}

/// What one run measured.
struct Report {
    sent: u64,
    failed: u64,
    elapsed: Duration,
    latencies: Vec<Duration>,
}

impl Report {
    fn percentile(&self, p: f64) -> Duration {
        if self.latencies.is_empty() {
            return Duration::ZERO;
        }
        let rank = ((p / 100.0) * (self.latencies.len() as f64 - 1.0)).round() as usize;
        self.latencies[rank.min(self.latencies.len() - 1)]
    }
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
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
    let report = run(&cen, &args).await;
    print(&args, &report);
    if report.failed > 0 && report.failed == report.sent {
        return Err(
            "every request failed; is the endpoint up and are the credentials right?".into(),
        );
    }
    Ok(())
}

async fn run(cen: &Cen, args: &Args) -> Report {
    let next = Arc::new(AtomicU64::new(0));
    let failed = Arc::new(AtomicU64::new(0));
    let started = Instant::now();
    let mut workers = Vec::new();
    for _ in 0..args.concurrency.max(1) {
        let (cen, next, failed) = (cen.clone(), next.clone(), failed.clone());
        let (operation, total) = (args.operation, args.requests);
        workers.push(tokio::spawn(async move {
            let mut latencies = Vec::new();
            while next.fetch_add(1, Ordering::Relaxed) < total {
                let began = Instant::now();
                let ok = call(&cen, operation).await;
                latencies.push(began.elapsed());
                if let Err(error) = ok
                    && failed.fetch_add(1, Ordering::Relaxed) == 0
                {
                    eprintln!("first failure: {error}");
                }
            }
            latencies
        }));
    }
    let mut latencies = Vec::new();
    for worker in workers {
        latencies.extend(worker.await.unwrap_or_default());
    }
    let elapsed = started.elapsed();
    latencies.sort_unstable();
    Report {
        sent: latencies.len() as u64,
        failed: failed.load(Ordering::Relaxed),
        elapsed,
        latencies,
    }
}

async fn call(cen: &Cen, operation: Operation) -> Result<(), cen_client::Error> {
    match operation {
        Operation::DescribeCens => {
            cen.cbn().describe_cens().send().await?;
        }
        Operation::CreateCen => {
            cen.cbn()
                .create_cen()
                .name("loadgen")
                .description("created by cen-loadgen")
                .send()
                .await?;
        }
    }
    Ok(())
}

fn print(args: &Args, report: &Report) {
    let rps = report.sent as f64 / report.elapsed.as_secs_f64().max(f64::EPSILON);
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    if args.json {
        let value = serde_json::json!({
            "operation": format!("{:?}", args.operation),
            "concurrency": args.concurrency,
            "requests": report.sent,
            "failed": report.failed,
            "seconds": report.elapsed.as_secs_f64(),
            "requests_per_second": rps,
            "p50_ms": ms(report.percentile(50.0)),
            "p99_ms": ms(report.percentile(99.0)),
            "max_ms": ms(report.percentile(100.0)),
        });
        println!("{value}");
    } else {
        println!(
            "{:?} concurrency={} requests={} failed={} in {:.2}s: {:.0} req/s, p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms",
            args.operation,
            args.concurrency,
            report.sent,
            report.failed,
            report.elapsed.as_secs_f64(),
            rps,
            ms(report.percentile(50.0)),
            ms(report.percentile(99.0)),
            ms(report.percentile(100.0)),
        );
    }
}
