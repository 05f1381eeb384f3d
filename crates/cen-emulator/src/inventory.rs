//! The network instances (VPCs, VBRs, CCN instances) that CEN attaches.
//!
//! The real service finds them in the Vpc and Smart Access Gateway products; the emulator keeps a
//! built-in inventory (or one loaded with `--inventory`), plus instances added at run time through
//! `POST /_emulator/inventory`. Each instance carries route tables, from which CEN learns routes.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::geo::Area;

/// The kind of a network instance, spelled as the API spells it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum InstanceType {
    /// A virtual private cloud.
    #[serde(rename = "VPC")]
    Vpc,
    /// A virtual border router (Express Connect).
    #[serde(rename = "VBR")]
    Vbr,
    /// A Cloud Connect Network instance.
    #[serde(rename = "CCN")]
    Ccn,
    /// An IPsec-VPN connection (transit-router attachments only).
    #[serde(rename = "VPN")]
    Vpn,
    /// An Express Connect Router (transit-router attachments only; global, with a home region).
    #[serde(rename = "ECR")]
    Ecr,
}

impl InstanceType {
    /// The wire spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Vpc => "VPC",
            Self::Vbr => "VBR",
            Self::Ccn => "CCN",
            Self::Vpn => "VPN",
            Self::Ecr => "ECR",
        }
    }

    /// Parses the wire spelling exactly (the API is case-sensitive here).
    pub fn parse(value: &str) -> Option<Self> {
        match value {
            "VPC" => Some(Self::Vpc),
            "VBR" => Some(Self::Vbr),
            "CCN" => Some(Self::Ccn),
            "VPN" => Some(Self::Vpn),
            "ECR" => Some(Self::Ecr),
            _ => None,
        }
    }

    /// The id prefix of instances of this kind.
    pub fn id_prefix(self) -> &'static str {
        match self {
            Self::Vpc => "vpc-",
            Self::Vbr => "vbr-",
            Self::Ccn => "ccn-",
            Self::Vpn => "vco-",
            Self::Ecr => "ecr-",
        }
    }
}

impl fmt::Display for InstanceType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One route of an instance's route table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct RouteEntry {
    /// The destination, an IPv4 CIDR block.
    pub destination_cidr_block: String,
    /// The next hop type: `local` for system routes, `Instance`, `HaVip`, `RouterInterface`,
    /// `NatGateway`, `PhysicalConnection`, ...
    pub next_hop_type: String,
    /// The next hop id (empty for system routes).
    #[serde(default)]
    pub next_hop_id: String,
    /// `System`, `Custom` or `BGP`.
    pub route_type: String,
}

impl RouteEntry {
    /// Whether PublishRouteEntries and WithdrawPublishedRouteEntries may change this route:
    /// custom routes whose next hop is an ECS instance, a HaVip or a router interface.
    pub fn is_operational(&self) -> bool {
        self.route_type == "Custom"
            && matches!(
                self.next_hop_type.as_str(),
                "Instance" | "HaVip" | "RouterInterface"
            )
    }

    /// Whether CEN learns the route without being asked: system and BGP routes always are.
    pub fn published_by_default(&self) -> bool {
        self.route_type != "Custom"
    }
}

/// A route table of an instance.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct RouteTable {
    /// The route table id (`vtb-...`).
    pub route_table_id: String,
    /// Its routes.
    #[serde(default)]
    pub route_entries: Vec<RouteEntry>,
}

/// A vSwitch of a VPC: where a transit-router VPC attachment places its network interface.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct VSwitch {
    /// The vSwitch id (`vsw-...`).
    #[serde(rename = "VSwitchId")]
    pub v_switch_id: String,
    /// Its zone, one of the region's.
    pub zone_id: String,
    /// Its IPv4 block, inside one of the VPC's.
    pub cidr_block: String,
    /// The elastic network interfaces in it (what multicast groups take as sources and
    /// members); when absent, two are derived.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub network_interfaces: Vec<NetworkInterface>,
}

/// An elastic network interface (ENI) of a vSwitch.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct NetworkInterface {
    /// The ENI id (`eni-...`).
    pub network_interface_id: String,
    /// Its primary private IPv4 address, inside the vSwitch's block.
    pub primary_ip_address: String,
    /// A display name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub network_interface_name: Option<String>,
    /// A description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

/// A network instance CEN can attach.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct NetworkInstance {
    /// The instance id (`vpc-...`, `vbr-...`, `ccn-...`).
    pub instance_id: String,
    /// The kind of instance.
    pub instance_type: InstanceType,
    /// The region it lives in.
    pub region_id: String,
    /// The UID of the account owning it.
    pub owner_id: i64,
    /// Its IPv4 CIDR blocks (the first is the primary block of a VPC).
    #[serde(default)]
    pub cidr_blocks: Vec<String>,
    /// A display name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Its route tables; when absent, one is derived from the CIDR blocks.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub route_tables: Vec<RouteTable>,
    /// The vSwitches of a VPC; when absent, one /24 of the primary block is derived in each of
    /// the region's first two zones.
    #[serde(default, rename = "VSwitches", skip_serializing_if = "Vec::is_empty")]
    pub v_switches: Vec<VSwitch>,
}

/// A prefix list of the Vpc product (`pl-...`): CIDR blocks that a transit-router route table
/// can take as routes (CreateTransitRouterPrefixListAssociation).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct PrefixList {
    /// The prefix list id (`pl-...`).
    pub prefix_list_id: String,
    /// The region it lives in.
    pub region_id: String,
    /// The UID of the account owning it.
    pub owner_id: i64,
    /// A display name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Its entries: IPv4 or IPv6 blocks, each given as its network address.
    #[serde(default)]
    pub entries: Vec<String>,
}

impl PrefixList {
    /// Checks an entry of the inventory file.
    pub fn normalize(self) -> Result<Self, InventoryError> {
        if self.prefix_list_id.len() <= 3 || !self.prefix_list_id.starts_with("pl-") {
            return Err(InventoryError("PrefixListId must start with pl-".into()));
        }
        if Area::of_region(&self.region_id).is_none() {
            return Err(InventoryError(format!(
                "RegionId {} is not a region that CEN serves",
                self.region_id
            )));
        }
        if self.owner_id <= 0 {
            return Err(InventoryError(
                "OwnerId must be a positive account UID".into(),
            ));
        }
        let block = |e: &String| e.parse::<ipnet::IpNet>().ok().filter(|n| n.trunc() == *n);
        if let Some(bad) = self.entries.iter().find(|e| block(e).is_none()) {
            return Err(InventoryError(format!(
                "Entries item {bad} is not a CIDR block given as its network address"
            )));
        }
        Ok(self)
    }
}

/// The `{"Instances": [...], "PrefixLists": [...]}` document of `--inventory` and
/// `GET /_emulator/inventory`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct InventoryDocument {
    /// The instances.
    #[serde(default)]
    pub instances: Vec<NetworkInstance>,
    /// The prefix lists (none when absent).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub prefix_lists: Vec<PrefixList>,
}

/// Why an inventory entry was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct InventoryError(pub String);

/// Whether a string is an IPv4 CIDR block such as `10.0.0.0/16`.
pub fn is_ipv4_cidr(value: &str) -> bool {
    let Some((address, prefix)) = value.split_once('/') else {
        return false;
    };
    let prefix_ok = !prefix.is_empty()
        && prefix.len() <= 2
        && prefix.bytes().all(|b| b.is_ascii_digit())
        && prefix.parse::<u8>().is_ok_and(|p| p <= 32);
    prefix_ok && address.parse::<std::net::Ipv4Addr>().is_ok()
}

impl NetworkInstance {
    /// Checks an entry and fills in a derived route table when none is given.
    pub fn normalize(mut self) -> Result<Self, InventoryError> {
        let prefix = self.instance_type.id_prefix();
        let suffix = self.instance_id.strip_prefix(prefix).unwrap_or_default();
        if suffix.is_empty()
            || !suffix
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        {
            return Err(InventoryError(format!(
                "InstanceId must be {prefix} followed by lower-case letters and digits"
            )));
        }
        if Area::of_region(&self.region_id).is_none() {
            return Err(InventoryError(format!(
                "RegionId {} is not a region that CEN serves",
                self.region_id
            )));
        }
        if self.owner_id <= 0 {
            return Err(InventoryError(
                "OwnerId must be a positive account UID".into(),
            ));
        }
        if let Some(bad) = self.cidr_blocks.iter().find(|c| !is_ipv4_cidr(c)) {
            return Err(InventoryError(format!(
                "CidrBlocks entry {bad} is not an IPv4 CIDR block"
            )));
        }
        for table in &self.route_tables {
            if table.route_table_id.is_empty() {
                return Err(InventoryError("RouteTableId must not be empty".into()));
            }
            if let Some(bad) = table
                .route_entries
                .iter()
                .find(|r| !is_ipv4_cidr(&r.destination_cidr_block))
            {
                return Err(InventoryError(format!(
                    "DestinationCidrBlock {} is not an IPv4 CIDR block",
                    bad.destination_cidr_block
                )));
            }
        }
        if self.route_tables.is_empty() {
            self.route_tables = vec![derived_route_table(
                &self.instance_id,
                self.instance_type,
                &self.cidr_blocks,
            )];
        }
        if self.instance_type != InstanceType::Vpc && !self.v_switches.is_empty() {
            return Err(InventoryError("only a VPC has VSwitches".into()));
        }
        let zones = crate::geo::zones(&self.region_id);
        for vsw in &self.v_switches {
            let inside = vsw.cidr_block.parse::<ipnet::Ipv4Net>().is_ok_and(|net| {
                self.cidr_blocks
                    .iter()
                    .filter_map(|c| c.parse::<ipnet::Ipv4Net>().ok())
                    .any(|block| block.contains(&net))
            });
            if !vsw.v_switch_id.starts_with("vsw-") || vsw.v_switch_id.len() < 5 {
                return Err(InventoryError("VSwitchId must start with vsw-".into()));
            }
            if !zones.contains(&vsw.zone_id) {
                return Err(InventoryError(format!(
                    "ZoneId {} is not a zone of {}",
                    vsw.zone_id, self.region_id
                )));
            }
            if !inside {
                return Err(InventoryError(format!(
                    "CidrBlock {} of {} is not inside the VPC's CidrBlocks",
                    vsw.cidr_block, vsw.v_switch_id
                )));
            }
            for eni in &vsw.network_interfaces {
                let in_block = vsw.cidr_block.parse::<ipnet::Ipv4Net>().is_ok_and(|net| {
                    eni.primary_ip_address
                        .parse::<std::net::Ipv4Addr>()
                        .is_ok_and(|ip| net.contains(&ip))
                });
                if !eni.network_interface_id.starts_with("eni-") || !in_block {
                    return Err(InventoryError(format!(
                        "NetworkInterface {} of {} needs an eni- id and a PrimaryIpAddress in {}",
                        eni.network_interface_id, vsw.v_switch_id, vsw.cidr_block
                    )));
                }
            }
        }
        for vsw in &mut self.v_switches {
            if vsw.network_interfaces.is_empty() {
                vsw.network_interfaces = derived_network_interfaces(vsw);
            }
        }
        if self.v_switches.is_empty() {
            self.v_switches = derived_v_switches(
                &self.instance_id,
                self.instance_type,
                &self.region_id,
                &self.cidr_blocks,
            );
        }
        Ok(self)
    }

    /// Finds a vSwitch by id.
    pub fn v_switch(&self, id: &str) -> Option<&VSwitch> {
        self.v_switches.iter().find(|v| v.v_switch_id == id)
    }

    /// Finds an ENI by id, with its vSwitch.
    pub fn network_interface(&self, id: &str) -> Option<(&VSwitch, &NetworkInterface)> {
        self.v_switches.iter().find_map(|v| {
            v.network_interfaces
                .iter()
                .find(|e| e.network_interface_id == id)
                .map(|e| (v, e))
        })
    }

    /// Finds a route table by id.
    pub fn route_table(&self, id: &str) -> Option<&RouteTable> {
        self.route_tables.iter().find(|t| t.route_table_id == id)
    }
}

/// The vSwitches the emulator gives a VPC that came without any: the second and third /24 of
/// its primary block (or the block itself when it is smaller), in the region's first two zones,
/// named after the VPC and the zone's letter.
fn derived_v_switches(
    id: &str,
    kind: InstanceType,
    region: &str,
    cidrs: &[String],
) -> Vec<VSwitch> {
    let Some(primary) = cidrs.first().and_then(|c| c.parse::<ipnet::Ipv4Net>().ok()) else {
        return Vec::new();
    };
    if kind != InstanceType::Vpc {
        return Vec::new();
    }
    let suffix = id.split_once('-').map_or(id, |(_, s)| s);
    let blocks: Vec<ipnet::Ipv4Net> = match primary.subnets(24.max(primary.prefix_len())) {
        Ok(subnets) if primary.prefix_len() < 24 => subnets.skip(1).take(2).collect(),
        _ => vec![primary],
    };
    crate::geo::zones(region)
        .into_iter()
        .zip(blocks)
        .map(|(zone, block)| {
            let mut vsw = VSwitch {
                v_switch_id: format!("vsw-{suffix}{}", zone.chars().last().unwrap_or('a')),
                zone_id: zone,
                cidr_block: block.to_string(),
                network_interfaces: Vec::new(),
            };
            vsw.network_interfaces = derived_network_interfaces(&vsw);
            vsw
        })
        .collect()
}

/// The ENIs the emulator gives a vSwitch that came without any: two, named after the vSwitch
/// (`eni-<its suffix>1` and `2`), at the tenth and eleventh addresses of its block.
fn derived_network_interfaces(vsw: &VSwitch) -> Vec<NetworkInterface> {
    let suffix = vsw.v_switch_id.trim_start_matches("vsw-");
    let Ok(block) = vsw.cidr_block.parse::<ipnet::Ipv4Net>() else {
        return Vec::new();
    };
    block
        .hosts()
        .skip(9)
        .take(2)
        .zip(1..)
        .map(|(ip, n)| NetworkInterface {
            network_interface_id: format!("eni-{suffix}{n}"),
            primary_ip_address: ip.to_string(),
            network_interface_name: Some(format!("emulator-eni-{n}")),
            description: None,
        })
        .collect()
}

/// The route table the emulator gives an instance that came without one: a system route per
/// CIDR block for a VPC, a BGP route per block (the networks behind it) for a VBR or CCN.
fn derived_route_table(id: &str, kind: InstanceType, cidrs: &[String]) -> RouteTable {
    let suffix = id.split_once('-').map_or(id, |(_, s)| s);
    let (next_hop_type, route_type) = match kind {
        InstanceType::Vpc => ("local", "System"),
        InstanceType::Vbr => ("PhysicalConnection", "BGP"),
        InstanceType::Ccn => ("SmartAccessGateway", "BGP"),
        InstanceType::Vpn => ("VpnGateway", "BGP"),
        InstanceType::Ecr => ("ECR", "BGP"),
    };
    RouteTable {
        route_table_id: format!("vtb-{suffix}"),
        route_entries: cidrs
            .iter()
            .map(|c| RouteEntry {
                destination_cidr_block: c.clone(),
                next_hop_type: next_hop_type.into(),
                next_hop_id: String::new(),
                route_type: route_type.into(),
            })
            .collect(),
    }
}

fn route(cidr: &str, next_hop_type: &str, next_hop_id: &str, route_type: &str) -> RouteEntry {
    RouteEntry {
        destination_cidr_block: cidr.into(),
        next_hop_type: next_hop_type.into(),
        next_hop_id: next_hop_id.into(),
        route_type: route_type.into(),
    }
}

fn instance(
    id: &str,
    kind: InstanceType,
    region: &str,
    owner: i64,
    cidrs: &[&str],
    extra_routes: Vec<RouteEntry>,
) -> NetworkInstance {
    let cidr_blocks: Vec<String> = cidrs.iter().map(|c| (*c).to_owned()).collect();
    let mut table = derived_route_table(id, kind, &cidr_blocks);
    let v_switches = derived_v_switches(id, kind, region, &cidr_blocks);
    table.route_entries.extend(extra_routes);
    NetworkInstance {
        instance_id: id.into(),
        instance_type: kind,
        region_id: region.into(),
        owner_id: owner,
        cidr_blocks,
        name: Some(format!("emulator-{}", kind.as_str().to_ascii_lowercase())),
        route_tables: vec![table],
        v_switches,
    }
}

/// How many interchangeable copies the built-in inventory has of the instances that many flows
/// attach (the first account's two hangzhou VPCs, its shanghai VPC and its hangzhou VBR, the
/// second account's hangzhou VPC), the original included: a VPC has one CEN connection at a time, so a test suite
/// running flows in parallel gives each its own copy.
pub const POOL_SIZE: usize = 8;

/// The id of copy `n` (1 to [`POOL_SIZE`] - 1) of a pooled instance: the original's id with its
/// third-to-last digit set to `n` (`vpc-bp1emuhz00000000001` -> `vpc-bp1emuhz00000000301`).
pub fn pool_copy_id(original: &str, n: usize) -> String {
    let at = original.len() - 3;
    format!("{}{n}{}", &original[..at], &original[at + 1..])
}

/// The first account's first hangzhou VPC (or a copy): a custom route to an ECS instance
/// (publishable) and one to a NAT gateway (not publishable).
fn vpc_hangzhou(owner: i64, id: &str) -> NetworkInstance {
    instance(
        id,
        InstanceType::Vpc,
        "cn-hangzhou",
        owner,
        &["172.16.0.0/16"],
        vec![
            route("10.100.0.0/16", "Instance", "i-bp1emu0000000001", "Custom"),
            route("0.0.0.0/0", "NatGateway", "ngw-bp1emu000000001", "Custom"),
        ],
    )
}

/// The first account's second hangzhou VPC (or a copy), whose block is the shanghai VPC's.
fn vpc_hangzhou2(owner: i64, id: &str) -> NetworkInstance {
    instance(
        id,
        InstanceType::Vpc,
        "cn-hangzhou",
        owner,
        &["192.168.0.0/16"],
        vec![],
    )
}

/// The first account's hangzhou VBR (or a copy).
fn vbr_hangzhou(owner: i64, id: &str) -> NetworkInstance {
    instance(
        id,
        InstanceType::Vbr,
        "cn-hangzhou",
        owner,
        &["10.200.0.0/16"],
        vec![],
    )
}

/// The first account's shanghai VPC (or a copy): a custom route to a HaVip.
fn vpc_shanghai(owner: i64, id: &str) -> NetworkInstance {
    instance(
        id,
        InstanceType::Vpc,
        "cn-shanghai",
        owner,
        &["192.168.0.0/16"],
        vec![route(
            "10.101.0.0/16",
            "HaVip",
            "havip-uf6emu00000001",
            "Custom",
        )],
    )
}

/// The second account's hangzhou VPC (or a copy).
fn secondary_vpc_hangzhou(owner: i64, id: &str) -> NetworkInstance {
    instance(
        id,
        InstanceType::Vpc,
        "cn-hangzhou",
        owner,
        &["172.20.0.0/16"],
        vec![],
    )
}

/// The built-in inventory for the configured accounts: a set for the first account in six
/// regions of all four areas, and a smaller set for the second account (for cross-account flows),
/// then the copies of the pooled instances ([`POOL_SIZE`], [`pool_copy_id`]).
///
/// `vpc-bp1emuhz00000000002` (cn-hangzhou) and `vpc-uf6emush00000000001` (cn-shanghai) both
/// bring 192.168.0.0/16, so attaching both to one CEN instance shows a route conflict.
pub fn default_inventory(owners: &[i64]) -> Vec<NetworkInstance> {
    use InstanceType::{Ccn, Ecr, Vbr, Vpc, Vpn};
    let mut out = Vec::new();
    if let Some(&a) = owners.first() {
        out.extend([
            vpc_hangzhou(a, "vpc-bp1emuhz00000000001"),
            vpc_hangzhou2(a, "vpc-bp1emuhz00000000002"),
            vpc_shanghai(a, "vpc-uf6emush00000000001"),
            instance(
                "vpc-2zeemubj00000000001",
                Vpc,
                "cn-beijing",
                a,
                &["10.10.0.0/16"],
                vec![],
            ),
            instance(
                "vpc-rj9emuus00000000001",
                Vpc,
                "us-west-1",
                a,
                &["10.20.0.0/16"],
                vec![],
            ),
            instance(
                "vpc-gw8emueu00000000001",
                Vpc,
                "eu-central-1",
                a,
                &["10.30.0.0/16"],
                vec![],
            ),
            instance(
                "vpc-t4nemusg00000000001",
                Vpc,
                "ap-southeast-1",
                a,
                &["10.40.0.0/16"],
                vec![],
            ),
            vbr_hangzhou(a, "vbr-bp1emuhz00000000001"),
            instance(
                "vbr-uf6emush00000000001",
                Vbr,
                "cn-shanghai",
                a,
                &["10.201.0.0/16"],
                vec![],
            ),
            instance(
                "ccn-emush000000000001",
                Ccn,
                "cn-shanghai",
                a,
                &["10.250.0.0/16"],
                vec![],
            ),
            instance(
                "vco-bp1emuhz00000000001",
                Vpn,
                "cn-hangzhou",
                a,
                &["10.220.0.0/16"],
                vec![],
            ),
            instance(
                "ecr-emuhz00000000000001",
                Ecr,
                "cn-hangzhou",
                a,
                &["10.230.0.0/16"],
                vec![],
            ),
        ]);
        for n in 1..POOL_SIZE {
            out.push(vpc_hangzhou(a, &pool_copy_id("vpc-bp1emuhz00000000001", n)));
            out.push(vpc_shanghai(a, &pool_copy_id("vpc-uf6emush00000000001", n)));
            out.push(vpc_hangzhou2(
                a,
                &pool_copy_id("vpc-bp1emuhz00000000002", n),
            ));
            out.push(vbr_hangzhou(a, &pool_copy_id("vbr-bp1emuhz00000000001", n)));
        }
    }
    if let Some(&b) = owners.get(1) {
        out.extend([
            secondary_vpc_hangzhou(b, "vpc-bp1emuhzb0000000001"),
            instance(
                "vpc-rj9emuusb0000000001",
                Vpc,
                "us-west-1",
                b,
                &["172.21.0.0/16"],
                vec![],
            ),
            instance(
                "vbr-bp1emuhzb0000000001",
                Vbr,
                "cn-hangzhou",
                b,
                &["10.210.0.0/16"],
                vec![],
            ),
            instance(
                "vco-bp1emuhzb0000000001",
                Vpn,
                "cn-hangzhou",
                b,
                &["10.221.0.0/16"],
                vec![],
            ),
            instance(
                "ecr-emuhzb0000000000001",
                Ecr,
                "cn-hangzhou",
                b,
                &["10.231.0.0/16"],
                vec![],
            ),
        ]);
        for n in 1..POOL_SIZE {
            out.push(secondary_vpc_hangzhou(
                b,
                &pool_copy_id("vpc-bp1emuhzb0000000001", n),
            ));
        }
    }
    out
}

fn prefix_list(id: &str, region: &str, owner: i64, entries: &[&str]) -> PrefixList {
    PrefixList {
        prefix_list_id: id.into(),
        region_id: region.into(),
        owner_id: owner,
        name: Some("emulator-prefix-list".into()),
        entries: entries.iter().map(|e| (*e).to_owned()).collect(),
    }
}

/// The built-in prefix lists for the configured accounts: two of the first account in
/// cn-hangzhou (the second overlaps nothing of the inventory, the first holds two blocks of the
/// on-premises range 10.60.0.0/16), one of it in cn-shanghai, and one of the second account in
/// cn-hangzhou (for a prefix list shared across accounts).
pub fn default_prefix_lists(owners: &[i64]) -> Vec<PrefixList> {
    let mut out = Vec::new();
    if let Some(&a) = owners.first() {
        out.extend([
            prefix_list(
                "pl-bp1emuhz000000000001",
                "cn-hangzhou",
                a,
                &["10.60.0.0/24", "10.60.1.0/24"],
            ),
            prefix_list(
                "pl-bp1emuhz000000000002",
                "cn-hangzhou",
                a,
                &["10.61.0.0/16"],
            ),
            prefix_list(
                "pl-uf6emush000000000001",
                "cn-shanghai",
                a,
                &["10.62.0.0/16"],
            ),
        ]);
    }
    if let Some(&b) = owners.get(1) {
        out.push(prefix_list(
            "pl-bp1emuhzb00000000001",
            "cn-hangzhou",
            b,
            &["10.63.0.0/16"],
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cidr_blocks_are_checked() {
        assert!(is_ipv4_cidr("10.0.0.0/8"));
        assert!(is_ipv4_cidr("0.0.0.0/0"));
        assert!(!is_ipv4_cidr("10.0.0.0/33"));
        assert!(!is_ipv4_cidr("10.0.0/8"));
        assert!(!is_ipv4_cidr("10.0.0.0"));
        assert!(!is_ipv4_cidr("10.0.0.0/+8"));
    }

    #[test]
    fn default_inventory_is_valid_and_has_a_conflicting_pair() {
        let inventory = default_inventory(&[1, 2]);
        for i in &inventory {
            assert_eq!(i.clone().normalize().as_ref(), Ok(i), "{}", i.instance_id);
        }
        let with_192: Vec<_> = inventory
            .iter()
            .filter(|i| i.cidr_blocks.iter().any(|c| c == "192.168.0.0/16"))
            .collect();
        // The second hangzhou VPC and the shanghai one, each with its copies.
        assert_eq!(with_192.len(), 2 * POOL_SIZE);
        assert!(inventory.iter().any(|i| i.owner_id == 2));
        let ids: std::collections::HashSet<&str> =
            inventory.iter().map(|i| i.instance_id.as_str()).collect();
        assert_eq!(ids.len(), inventory.len(), "an id is used twice");
        for list in default_prefix_lists(&[1, 2]) {
            assert_eq!(list.clone().normalize().as_ref(), Ok(&list));
        }
    }

    #[test]
    fn pooled_instances_have_identical_copies() {
        let inventory = default_inventory(&[1, 2]);
        let find = |id: &str| {
            inventory
                .iter()
                .find(|i| i.instance_id == id)
                .unwrap_or_else(|| panic!("{id} is not in the inventory"))
        };
        // The copy's own ids (instance, route table, vSwitches, ENIs) differ only in that digit.
        let as_original = |copy: &NetworkInstance, original: &str, n: usize| {
            let json = serde_json::to_string(copy).unwrap();
            let suffix = |id: &str| id.split_once('-').unwrap().1.to_owned();
            let json = json.replace(&suffix(&pool_copy_id(original, n)), &suffix(original));
            serde_json::from_str::<NetworkInstance>(&json).unwrap()
        };
        assert_eq!(
            pool_copy_id("vpc-bp1emuhz00000000001", 3),
            "vpc-bp1emuhz00000000301"
        );
        for original in [
            "vpc-bp1emuhz00000000001",
            "vpc-uf6emush00000000001",
            "vpc-bp1emuhzb0000000001",
            "vpc-bp1emuhz00000000002",
            "vbr-bp1emuhz00000000001",
        ] {
            for n in 1..POOL_SIZE {
                let copy = find(&pool_copy_id(original, n));
                assert_eq!(&as_original(copy, original, n), find(original), "copy {n}");
            }
        }
        assert!(
            !find("vpc-bp1emuhz00000000001").route_tables[0]
                .route_entries
                .is_empty()
        );
    }

    #[test]
    fn the_inventory_file_declares_prefix_lists() {
        let json = r#"{"Instances": [], "PrefixLists": [{"PrefixListId": "pl-x1", "RegionId": "cn-hangzhou", "OwnerId": 7, "Entries": ["10.9.0.0/24", "fd00::/64"]}]}"#;
        let document: InventoryDocument = serde_json::from_str(json).unwrap();
        let list = document.prefix_lists[0].clone().normalize().unwrap();
        assert_eq!(list.entries.len(), 2);
        let mut bad = list.clone();
        bad.entries = vec!["10.9.0.1/24".into()];
        assert!(bad.normalize().is_err());
        let mut bad = list.clone();
        bad.prefix_list_id = "vpc-x".into();
        assert!(bad.normalize().is_err());
        let mut bad = list;
        bad.region_id = "nowhere-1".into();
        assert!(bad.normalize().is_err());
        let empty: InventoryDocument = serde_json::from_str(r#"{"Instances": []}"#).unwrap();
        assert!(empty.prefix_lists.is_empty());
    }

    #[test]
    fn normalize_rejects_bad_entries_and_derives_route_tables() {
        let json = r#"{"InstanceId":"vpc-abc123","InstanceType":"VPC","RegionId":"cn-hangzhou","OwnerId":7,"CidrBlocks":["10.9.0.0/16"]}"#;
        let i: NetworkInstance = serde_json::from_str(json).unwrap();
        let i = i.normalize().unwrap();
        assert_eq!(i.route_tables[0].route_table_id, "vtb-abc123");
        assert_eq!(i.route_tables[0].route_entries[0].route_type, "System");

        let mut bad = i.clone();
        bad.region_id = "nowhere-1".into();
        assert!(bad.normalize().is_err());
        let mut bad = i.clone();
        bad.instance_id = "vbr-abc".into();
        assert!(bad.normalize().is_err());
        let mut bad = i;
        bad.cidr_blocks = vec!["nope".into()];
        assert!(bad.normalize().is_err());
    }

    #[test]
    fn vswitches_get_two_enis_unless_given_and_given_ones_are_checked() {
        let json = r#"{"InstanceId":"vpc-abc123","InstanceType":"VPC","RegionId":"cn-hangzhou","OwnerId":7,"CidrBlocks":["10.9.0.0/16"],
            "VSwitches":[{"VSwitchId":"vsw-x","ZoneId":"cn-hangzhou-b","CidrBlock":"10.9.8.0/24"},
                         {"VSwitchId":"vsw-y","ZoneId":"cn-hangzhou-f","CidrBlock":"10.9.9.0/24",
                          "NetworkInterfaces":[{"NetworkInterfaceId":"eni-mine","PrimaryIpAddress":"10.9.9.99"}]}]}"#;
        let i: NetworkInstance = serde_json::from_str(json).unwrap();
        let i = i.normalize().unwrap();
        let ids = |v: &VSwitch| -> Vec<(String, String)> {
            v.network_interfaces
                .iter()
                .map(|e| (e.network_interface_id.clone(), e.primary_ip_address.clone()))
                .collect()
        };
        assert_eq!(
            ids(&i.v_switches[0]),
            [
                ("eni-x1".to_owned(), "10.9.8.10".to_owned()),
                ("eni-x2".to_owned(), "10.9.8.11".to_owned())
            ]
        );
        assert_eq!(
            ids(&i.v_switches[1]),
            [("eni-mine".to_owned(), "10.9.9.99".to_owned())]
        );
        assert_eq!(
            i.network_interface("eni-x2")
                .map(|(v, _)| v.v_switch_id.as_str()),
            Some("vsw-x")
        );
        let mut bad = i;
        bad.v_switches[1].network_interfaces[0].primary_ip_address = "10.9.8.99".into();
        assert!(bad.normalize().is_err());
    }
}
