//! The endpoint's shared network instances (`${VpcHangzhou}`, ...): pools of interchangeable
//! instances, each member held by one case at a time.
//!
//! Every case owns the CEN instances and bandwidth plans it creates, but the VPCs, VBRs and route
//! tables it attaches belong to the account: a VPC has one CEN connection at a time, and a route
//! table's entries are seen by every case using it. So each endpoint variable naming an instance
//! is a pool (`--var VpcHangzhou=vpc-a,vpc-b`; one value is a pool of one), and a flow case takes
//! a free member of every pool it names before its first step, keeping them to its end: cases
//! never share an instance, and as many run at once as the pools have members. (Taking them
//! later, at the first step naming one, would let a case wait in the middle of its steps, while a
//! resource it checks in transition finishes its transition.)
//!
//! Pools of the same length that one case names are taken at the same position, so that a VPC
//! and its route table (`VpcHangzhou`, `VpcHangzhouRouteTable`) listed in the same order stay
//! together.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::{Mutex, PoisonError};

use tokio::sync::Notify;

/// Whether an endpoint variable names an instance (a pool) rather than a plain value: account
/// UIDs (`PrimaryUid`, `SecondaryUid`) and address blocks (`VpcHangzhouCidr`, which two VPCs may
/// share) are shared freely.
pub fn is_instance(name: &str) -> bool {
    !name.ends_with("Uid") && !name.ends_with("Cidr")
}

/// Parses `NAME=VALUE[,VALUE...]` (`--var`): a comma-separated list is a pool; an account UID
/// takes one value.
pub fn parse_variable(arg: &str) -> Result<(String, Vec<String>), String> {
    let Some((name, values)) = arg.split_once('=').filter(|(n, _)| !n.is_empty()) else {
        return Err(format!("--var {arg:?}: expected NAME=VALUE"));
    };
    let members: Vec<String> = values.split(',').map(str::to_owned).collect();
    if members.iter().any(String::is_empty) {
        return Err(format!("--var {arg:?}: an empty value"));
    }
    let distinct: HashSet<&String> = members.iter().collect();
    if distinct.len() != members.len() {
        return Err(format!("--var {arg:?}: a value is listed twice"));
    }
    if members.len() > 1 && !is_instance(name) {
        return Err(format!("--var {arg:?}: an account UID takes one value"));
    }
    Ok((name.to_owned(), members))
}

/// The pools of an endpoint and which members cases hold.
#[derive(Debug, Default)]
pub struct Pools {
    pools: HashMap<String, Vec<String>>,
    /// The members held, by value (a value listed in two pools is still one instance).
    held: Mutex<HashSet<String>>,
    /// Woken whenever members are given back.
    released: Notify,
}

/// The members a case holds, given back when dropped.
#[derive(Debug)]
pub struct Held<'a> {
    pools: &'a Pools,
    bindings: Vec<(String, String)>,
}

impl Held<'_> {
    /// Each pool taken and the member the case has: the value of its `${Name}`.
    pub fn bindings(&self) -> &[(String, String)] {
        &self.bindings
    }
}

impl Drop for Held<'_> {
    fn drop(&mut self) {
        let mut held = self.pools.lock();
        for (_, value) in &self.bindings {
            held.remove(value);
        }
        drop(held);
        self.pools.released.notify_waiters();
    }
}

impl Pools {
    /// Pools from endpoint variables; those that are not instances are left out.
    pub fn new<'a>(variables: impl IntoIterator<Item = &'a (String, Vec<String>)>) -> Self {
        Self {
            pools: variables
                .into_iter()
                .filter(|(name, members)| is_instance(name) && !members.is_empty())
                .cloned()
                .collect(),
            ..Self::default()
        }
    }

    /// The number of members of a pool (zero for a name that is not one).
    pub fn size(&self, name: &str) -> usize {
        self.pools.get(name).map_or(0, Vec::len)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashSet<String>> {
        self.held.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Waits until a member of every named pool is free and takes them all at once (names
    /// without a pool are ignored). Taking all or nothing means no case holds one instance while
    /// waiting for another, so cases never wait for each other in a circle.
    pub async fn take(&self, names: &[String]) -> Held<'_> {
        loop {
            let released = self.released.notified();
            tokio::pin!(released);
            // Registered before looking, so a release between the look and the wait is not missed.
            released.as_mut().enable();
            {
                let mut held = self.lock();
                if let Some(bindings) = choose(&self.pools, names, &held) {
                    held.extend(bindings.iter().map(|(_, v)| v.clone()));
                    return Held {
                        pools: self,
                        bindings,
                    };
                }
            }
            released.await;
        }
    }
}

/// A free member of each named pool, pools of one length at one position, or `None` if some pool
/// has none free.
fn choose(
    pools: &HashMap<String, Vec<String>>,
    names: &[String],
    held: &HashSet<String>,
) -> Option<Vec<(String, String)>> {
    let mut by_length: BTreeMap<usize, Vec<&String>> = BTreeMap::new();
    for name in names {
        if let Some(members) = pools.get(name) {
            let group = by_length.entry(members.len()).or_default();
            if !group.contains(&name) {
                group.push(name);
            }
        }
    }
    let mut taken: HashSet<&str> = HashSet::new();
    let mut bindings = Vec::new();
    for (length, group) in by_length {
        let at = (0..length).find(|&i| {
            let values: Vec<&str> = group.iter().map(|n| pools[*n][i].as_str()).collect();
            let distinct: HashSet<&str> = values.iter().copied().collect();
            distinct.len() == values.len()
                && values
                    .iter()
                    .all(|v| !held.contains(*v) && !taken.contains(v))
        })?;
        for name in group {
            let value = pools[name][at].as_str();
            taken.insert(value);
            bindings.push((name.clone(), value.to_owned()));
        }
    }
    bindings.sort();
    Some(bindings)
}

/// Which cases may start: at most two per member of each pool they name run at once (one using
/// a member while the next prepares), so that cases waiting for one pool do not fill every slot
/// of the run while others could proceed.
#[derive(Debug, Default)]
pub struct Admission {
    running: HashMap<String, usize>,
}

impl Admission {
    /// Cases that may run at once per member of a pool.
    const PER_MEMBER: usize = 2;

    /// Whether a case naming these pools may start now.
    pub fn may_start(&self, pools: &Pools, names: &[String]) -> bool {
        names.iter().all(|n| {
            self.running.get(n).copied().unwrap_or(0) < Self::PER_MEMBER * pools.size(n).max(1)
        })
    }

    /// A case naming these pools started.
    pub fn start(&mut self, names: &[String]) {
        for name in names {
            *self.running.entry(name.clone()).or_default() += 1;
        }
    }

    /// A case naming these pools ended.
    pub fn end(&mut self, names: &[String]) {
        for name in names {
            if let Some(n) = self.running.get_mut(name) {
                *n = n.saturating_sub(1);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;
    use std::time::Duration;

    use super::*;

    fn pools(spec: &[(&str, &[&str])]) -> Pools {
        let variables: Vec<(String, Vec<String>)> = spec
            .iter()
            .map(|(n, m)| ((*n).to_owned(), m.iter().map(|v| (*v).to_owned()).collect()))
            .collect();
        Pools::new(&variables)
    }

    fn names(names: &[&str]) -> Vec<String> {
        names.iter().map(|n| (*n).to_owned()).collect()
    }

    fn pair(name: &str, value: &str) -> (String, String) {
        (name.to_owned(), value.to_owned())
    }

    #[test]
    fn variables_parse_as_pools() {
        assert_eq!(
            parse_variable("VpcHangzhou=vpc-a,vpc-b"),
            Ok(("VpcHangzhou".to_owned(), names(&["vpc-a", "vpc-b"])))
        );
        assert_eq!(
            parse_variable("PrimaryUid=123"),
            Ok(("PrimaryUid".to_owned(), names(&["123"])))
        );
        for bad in [
            "VpcHangzhou",
            "=vpc-a",
            "VpcHangzhou=",
            "VpcHangzhou=vpc-a,,vpc-b",
            "VpcHangzhou=vpc-a,vpc-a",
            "PrimaryUid=1,2",
        ] {
            assert!(parse_variable(bad).is_err(), "{bad}");
        }
    }

    #[tokio::test]
    async fn cases_take_distinct_members_and_give_them_back() {
        let pools = pools(&[("Vpc", &["vpc-a", "vpc-b"]), ("PrimaryUid", &["1"])]);
        let first = pools.take(&names(&["Vpc", "PrimaryUid"])).await;
        let second = pools.take(&names(&["Vpc"])).await;
        assert_eq!(first.bindings(), [pair("Vpc", "vpc-a")]);
        assert_eq!(second.bindings(), [pair("Vpc", "vpc-b")]);
        drop(first);
        let third = pools.take(&names(&["Vpc"])).await;
        assert_eq!(third.bindings(), [pair("Vpc", "vpc-a")]);
    }

    #[tokio::test]
    async fn a_case_waits_for_a_member_to_be_given_back() {
        let pools = Arc::new(pools(&[("Vpc", &["vpc-a"])]));
        let first = pools.take(&names(&["Vpc"])).await;
        let waiting = tokio::spawn({
            let pools = Arc::clone(&pools);
            async move { pools.take(&names(&["Vpc"])).await.bindings().to_vec() }
        });
        tokio::time::sleep(Duration::from_millis(50)).await;
        assert!(!waiting.is_finished(), "took a member another case holds");
        drop(first);
        let bindings = tokio::time::timeout(Duration::from_secs(5), waiting)
            .await
            .expect("woken when the member is given back")
            .expect("the task ends");
        assert_eq!(bindings, [pair("Vpc", "vpc-a")]);
    }

    #[test]
    fn pools_of_one_length_are_taken_at_one_position() {
        let spec: &[(&str, &[&str])] = &[
            ("Vpc", &["vpc-a", "vpc-b"]),
            ("VpcRouteTable", &["vtb-a", "vtb-b"]),
            ("Other", &["vpc-x"]),
        ];
        let pools = pools(spec);
        let mut held = HashSet::from(["vpc-a".to_owned()]);
        let both = names(&["VpcRouteTable", "Vpc", "Other"]);
        assert_eq!(
            choose(&pools.pools, &both, &held),
            Some(vec![
                pair("Other", "vpc-x"),
                pair("Vpc", "vpc-b"),
                pair("VpcRouteTable", "vtb-b"),
            ])
        );
        // vtb-b is held, so no position has both free, though vtb-a and vpc-b are.
        held = HashSet::from(["vpc-a".to_owned(), "vtb-b".to_owned()]);
        assert_eq!(choose(&pools.pools, &both, &held), None);
        // Names without a pool are ignored; nothing to take is taken at once.
        assert_eq!(
            choose(&pools.pools, &names(&["Unknown"]), &held),
            Some(vec![])
        );
    }

    #[test]
    fn a_value_in_two_pools_is_one_instance() {
        let pools = pools(&[("A", &["vpc-a"]), ("B", &["vpc-a", "vpc-b"])]);
        let held = HashSet::new();
        assert_eq!(
            choose(&pools.pools, &names(&["A", "B"]), &held),
            Some(vec![pair("A", "vpc-a"), pair("B", "vpc-b")])
        );
        let held = HashSet::from(["vpc-a".to_owned()]);
        assert_eq!(choose(&pools.pools, &names(&["A"]), &held), None);
    }

    #[test]
    fn admission_allows_two_cases_per_member() {
        let pools = pools(&[("Vpc", &["vpc-a", "vpc-b"]), ("Vbr", &["vbr-a"])]);
        let mut admission = Admission::default();
        let vpc = names(&["Vpc"]);
        for _ in 0..4 {
            assert!(admission.may_start(&pools, &vpc));
            admission.start(&vpc);
        }
        assert!(!admission.may_start(&pools, &vpc));
        assert!(admission.may_start(&pools, &names(&["Vbr"])));
        assert!(!admission.may_start(&pools, &names(&["Vbr", "Vpc"])));
        admission.end(&vpc);
        assert!(admission.may_start(&pools, &vpc));
    }
}
