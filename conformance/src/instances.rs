//! The endpoint's shared network instances (`${VpcHangzhou}`, ...) held by one case at a time.
//!
//! Every case owns the CEN instances and bandwidth plans it creates, but the VPCs, VBRs and route
//! tables it attaches exist once per account: a VPC has one CEN connection at a time, and a route
//! table's entries are seen by every case using it. A flow case takes all of its instances at its
//! first step that names one and keeps them to its end, so its preamble (creating and waiting for
//! its own CEN instance) overlaps another case's use of them.

use std::collections::HashMap;
use std::sync::Arc;

use tokio::sync::{Mutex, OwnedMutexGuard};

/// One lock per shared instance.
#[derive(Debug, Default)]
pub struct InstanceLocks {
    locks: HashMap<String, Arc<Mutex<()>>>,
}

/// The instances a case holds, released when dropped.
#[derive(Debug)]
pub struct Held(#[allow(dead_code)] Vec<OwnedMutexGuard<()>>);

impl InstanceLocks {
    /// Locks for these instance names.
    pub fn new<'a>(names: impl IntoIterator<Item = &'a str>) -> Self {
        Self {
            locks: names
                .into_iter()
                .map(|n| (n.to_owned(), Arc::new(Mutex::new(()))))
                .collect(),
        }
    }

    /// Waits for every named instance and holds them. They are taken in sorted order, the same
    /// for every case, so two cases never wait for each other (tokio's lock is first come, first
    /// served). Names without a lock are ignored.
    pub async fn hold(&self, names: &[String]) -> Held {
        let mut names: Vec<&String> = names.iter().collect();
        names.sort();
        names.dedup();
        let mut guards = Vec::with_capacity(names.len());
        for name in names {
            if let Some(lock) = self.locks.get(name) {
                guards.push(Arc::clone(lock).lock_owned().await);
            }
        }
        Held(guards)
    }
}
