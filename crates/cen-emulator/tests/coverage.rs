//! Which operations of the spec the emulator implements, probed through the generated stubs
//! (`cen_server::coverage`): every operation it leaves to the trait's default answers
//! `NotImplemented`. The snapshot is the list a reviewer sees change when an operation lands.

use std::sync::Arc;
use std::time::Duration;

use cen_emulator::store::Store;
use cen_emulator::{Emulator, EmulatorConfig};
use cen_server::ProductService;

const A: i64 = 1_234_567_890_123_456;

#[tokio::test]
async fn the_emulator_implements_these_operations() {
    let mut report = String::new();
    for service in services() {
        let meta = service.meta();
        let coverage = cen_server::coverage::probe(service.as_ref(), &A.to_string()).await;
        let implemented = coverage.iter().filter(|c| c.implemented).count();
        report.push_str(&format!(
            "{} {}: {implemented} of {} operations implemented\n",
            meta.product,
            meta.version,
            coverage.len()
        ));
        for c in &coverage {
            let mark = if c.implemented { "x" } else { " " };
            report.push_str(&format!("  [{mark}] {}\n", c.action));
        }
    }
    println!("{report}");
    insta::assert_snapshot!(report);
}

fn services() -> Vec<Arc<dyn ProductService>> {
    let config = EmulatorConfig::new(&[A], Duration::from_millis(0));
    let emulator = Arc::new(Emulator::new(config, Store::Memory).expect("in-memory store"));
    vec![
        cen_server::cbn::service(Arc::clone(&emulator)),
        cen_server::vpc::service(emulator),
    ]
}
