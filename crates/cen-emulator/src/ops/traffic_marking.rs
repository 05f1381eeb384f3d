//! Traffic marking policies of transit routers and their traffic classification rules:
//! CreateTrafficMarkingPolicy, ListTrafficMarkingPolicies, UpdateTrafficMarkingPolicyAttribute,
//! DeleteTrafficMarkingPolicy, AddTrafficMatchRuleToTrafficMarkingPolicy,
//! ModifyTrafficMatchRuleToTrafficMarkingPolicy, RemoveTrafficMatchRuleFromTrafficMarkingPolicy,
//! and the deprecated, misspelled AddTraficMatchRuleToTrafficMarkingPolicy and
//! RemoveTraficMatchRuleFromTrafficMarkingPolicy, which run the same code.
//!
//! The emulator keeps the policies and rules with their states; it marks no packets.

use acs_rpc::error::ApiError;
use cen_server::cbn::errors as cbn;
use ipnet::IpNet;

use crate::api::cbn as t;
use crate::emulator::{Caller, Ctx, Emulator, new_id};
use crate::errors::saying;
use crate::resource::Sequenced;
use crate::state::{
    Lifecycle, Phase, Resource, State, Table, TrafficMarkingPolicy, TrafficMatch, TrafficMatchRule,
};
use crate::validate::{self, TokenPage, given};

/// The protocols a rule may match, as the API spells them, with the destination port the
/// protocol fixes (ICMP has none: `-1`); TCP and UDP take any ports.
const PROTOCOLS: &[(&str, Option<i32>)] = &[
    ("TCP", None),
    ("UDP", None),
    ("ICMP", Some(-1)),
    ("GRE", Some(1)),
    ("SSH", Some(22)),
    ("Telnet", Some(23)),
    ("HTTP", Some(80)),
    ("HTTPS", Some(443)),
    ("MS SQL", Some(1443)),
    ("Oracle", Some(1521)),
    ("Mysql", Some(3306)),
    ("RDP", Some(3389)),
    ("Postgre SQL", Some(5432)),
    ("Redis", Some(6379)),
];

/// How many rules one call may give.
const RULES_PER_CALL: usize = 50;

/// A rule of a request, checked.
#[derive(Clone)]
struct NewRule {
    name: Option<String>,
    description: Option<String>,
    matches: TrafficMatch,
}

/// Checks a port range: one or two ports, each `-1` (all) or 1 to 65535; of two, `-1` goes
/// with `-1` only and the first is not above the second.
fn port_range(ports: &[i32], bad: fn() -> ApiError, what: &str) -> Result<Vec<i32>, ApiError> {
    let valid = |p: &i32| *p == -1 || (1..=65535).contains(p);
    let ok = match ports {
        [] => true,
        [p] => valid(p),
        [a, b] => valid(a) && valid(b) && ((*a == -1) == (*b == -1)) && a <= b,
        _ => false,
    };
    if !ok {
        return Err(saying(
            bad,
            format!(
                "{what} is one or two ports, each -1 or 1 to 65535; -1 goes with -1 only and the first is not above the second."
            ),
        ));
    }
    Ok(ports.to_vec())
}

/// Checks a CIDR block of a rule.
fn cidr(value: Option<&str>, bad: fn() -> ApiError, what: &str) -> Result<Option<IpNet>, ApiError> {
    value
        .filter(|v| !v.is_empty())
        .map(|v| {
            v.parse::<IpNet>().map_err(|_| {
                saying(
                    bad,
                    format!("{what} {v} is not an IPv4 or IPv6 CIDR block."),
                )
            })
        })
        .transpose()
}

/// Checks one traffic classification rule (the codes are the ones CreateTrafficMarkingPolicy
/// documents; every operation that takes rules documents the same codes).
fn check_rule(rule: &t::TrafficMatchRule) -> Result<NewRule, ApiError> {
    use cbn::create_traffic_marking_policy as e;
    validate::name(rule.traffic_match_rule_name.as_deref())?;
    validate::description(rule.traffic_match_rule_description.as_deref())?;
    let protocol = match given(&rule.protocol) {
        None => None,
        Some(p) => Some(
            PROTOCOLS
                .iter()
                .find(|(name, _)| name.eq_ignore_ascii_case(p))
                .ok_or_else(|| {
                    saying(
                        e::illegal_param_protocol,
                        format!("Protocol {p} is not one the rules can match."),
                    )
                })?,
        ),
    };
    let src_ports = port_range(
        &rule.src_port_range,
        e::illegal_param_src_port_range,
        "SrcPortRange",
    )?;
    let dst_ports = port_range(
        &rule.dst_port_range,
        e::illegal_param_dst_port_range,
        "DstPortRange",
    )?;
    if let Some((name, Some(port))) = protocol
        && !dst_ports.is_empty()
        && dst_ports.iter().any(|p| p != port)
    {
        return Err(saying(
            e::illegal_param_dst_port_range,
            format!("The destination port of {name} is {port}."),
        ));
    }
    let src = cidr(
        rule.src_cidr.as_deref(),
        e::illegal_param_src_cidr,
        "SrcCidr",
    )?;
    let dst = cidr(
        rule.dst_cidr.as_deref(),
        e::illegal_param_dst_cidr,
        "DstCidr",
    )?;
    let v6 = |net: &IpNet| matches!(net, IpNet::V6(_));
    if let (Some(s), Some(d)) = (&src, &dst)
        && v6(s) != v6(d)
    {
        return Err(saying(
            e::attr_mismatching_src_cidr_dst_cidr,
            "SrcCidr and DstCidr are of different address families.",
        ));
    }
    let family = match given(&rule.address_family) {
        None => None,
        Some(f) if f.eq_ignore_ascii_case("IPv4") => Some("IPv4"),
        Some(f) if f.eq_ignore_ascii_case("IPv6") => Some("IPv6"),
        Some(f) => {
            return Err(saying(
                e::illegal_param_address_family,
                format!("AddressFamily {f} is not IPv4 or IPv6."),
            ));
        }
    };
    let any_v6 = src.as_ref().or(dst.as_ref()).map(v6);
    if let (Some(family), Some(is_v6)) = (family, any_v6)
        && (family == "IPv6") != is_v6
    {
        return Err(saying(
            e::attr_mismatching_cidr_address_family,
            format!("SrcCidr or DstCidr is not an {family} block."),
        ));
    }
    if protocol.is_some_and(|(name, _)| *name == "ICMP") && any_v6 == Some(true) {
        return Err(saying(
            e::attr_mismatching_cidr_protocol,
            "ICMP matches IPv4 packets only.",
        ));
    }
    if rule.match_dscp.is_some_and(|d| !(0..=63).contains(&d)) {
        return Err(saying(e::illegal_param_match_dscp, "MatchDscp is 0 to 63."));
    }
    Ok(NewRule {
        name: rule.traffic_match_rule_name.clone(),
        description: rule.traffic_match_rule_description.clone(),
        matches: TrafficMatch {
            protocol: protocol.map(|(name, _)| (*name).to_owned()),
            src_cidr: src.map(|n| n.to_string()),
            dst_cidr: dst.map(|n| n.to_string()),
            src_ports,
            dst_ports,
            match_dscp: rule.match_dscp,
            address_family: family.map(str::to_owned),
        },
    })
}

/// Checks the rules of a call: at most 50, each valid, no two matching the same packets
/// (`Duplicated.TrafficMatchRules`).
fn check_rules(rules: &[t::TrafficMatchRule], what: &str) -> Result<Vec<NewRule>, ApiError> {
    if rules.len() > RULES_PER_CALL {
        return Err(saying(
            crate::errors::invalid_parameter,
            format!("{what} holds at most {RULES_PER_CALL} rules."),
        ));
    }
    let mut out: Vec<NewRule> = Vec::new();
    for rule in rules {
        let rule = check_rule(rule)?;
        if out.iter().any(|r| r.matches == rule.matches) {
            return Err(saying(
                cbn::create_traffic_marking_policy::duplicated_traffic_match_rules,
                format!("Two rules of {what} match the same packets."),
            ));
        }
        out.push(rule);
    }
    Ok(out)
}

/// The rule of the deprecated operations' shape in the current one's (it has no AddressFamily).
fn from_trafic(rule: &t::TraficMatchRule) -> t::TrafficMatchRule {
    t::TrafficMatchRule {
        address_family: None,
        dst_cidr: rule.dst_cidr.clone(),
        dst_port_range: rule.dst_port_range.clone(),
        match_dscp: rule.match_dscp,
        protocol: rule.protocol.clone(),
        src_cidr: rule.src_cidr.clone(),
        src_port_range: rule.src_port_range.clone(),
        traffic_match_rule_description: rule.traffic_match_rule_description.clone(),
        traffic_match_rule_name: rule.traffic_match_rule_name.clone(),
    }
}

/// The codes a write to an existing policy (traffic marking or QoS) answers for the policy
/// itself: unknown, and not Active.
#[derive(Clone, Copy)]
pub(super) struct PolicyCodes {
    pub not_found: fn() -> ApiError,
    pub busy: fn() -> ApiError,
}

impl<'a> Ctx<'a> {
    /// The caller's live policy (traffic marking or QoS) with an id, `Active` (`busy`
    /// otherwise, saying what the `what` is doing).
    pub(super) fn ready_policy<'s, T: Resource<Key = String>>(
        &self,
        table: &'s Table<T>,
        caller: &Caller,
        id: &str,
        codes: PolicyCodes,
        what: &str,
    ) -> Result<&'s T, ApiError> {
        let policy = table
            .get(id)
            .filter(|p| p.owner() == Some(caller.uid) && self.live(*p))
            .ok_or_else(codes.not_found)?;
        self.require_ready_saying(policy, codes.busy, what)?;
        Ok(policy)
    }

    /// The caller's live traffic marking policy with an id, `Active` (`busy` otherwise).
    fn ready_marking_policy<'s>(
        &self,
        state: &'s State,
        caller: &Caller,
        id: &str,
        codes: PolicyCodes,
    ) -> Result<&'s TrafficMarkingPolicy, ApiError> {
        self.ready_policy(
            &state.traffic_marking_policies,
            caller,
            id,
            codes,
            "traffic marking policy",
        )
    }

    /// The live rules of a policy, in creation order.
    fn rules_of<'s>(
        &self,
        state: &'s State,
        policy_id: &'s str,
    ) -> impl Iterator<Item = &'s TrafficMatchRule> + use<'s, 'a> {
        let ctx = *self;
        state
            .traffic_match_rules
            .children_of(0, policy_id)
            .filter(move |r| ctx.live(*r))
    }

    /// Refuses a rule that matches what a live rule of the policy matches.
    fn check_new_rules(
        &self,
        state: &State,
        policy_id: &str,
        rules: &[NewRule],
        exists: fn() -> ApiError,
    ) -> Result<(), ApiError> {
        let existing: Vec<&TrafficMatch> = self
            .rules_of(state, policy_id)
            .filter(|r| self.phase(*r) != Phase::Deleting)
            .map(|r| &r.matches)
            .collect();
        if rules.iter().any(|r| existing.contains(&&r.matches)) {
            return Err(saying(
                exists,
                "A rule of the policy already matches the same packets.",
            ));
        }
        Ok(())
    }

    /// Adds checked rules to a policy; they are `Creating` for the delay.
    fn insert_rules(&self, state: &mut State, owner: i64, policy_id: &str, rules: Vec<NewRule>) {
        for rule in rules {
            state.traffic_match_rules.insert(TrafficMatchRule {
                id: new_id("tm-rule-"),
                policy_id: policy_id.to_owned(),
                owner,
                name: rule.name,
                description: rule.description,
                matches: rule.matches,
                life: Lifecycle::started(self.now),
            });
        }
    }

    /// Puts a policy whose rules changed in `Modifying` for the delay.
    fn touch_marking_policy(&self, state: &mut State, id: &str) {
        if let Some(mut policy) = state.traffic_marking_policies.get_mut(id) {
            policy.life.modified_at = Some(self.now);
        }
    }

    /// The answer for one policy, with its rules when `with_rules`.
    fn marking_policy_view(
        &self,
        state: &State,
        policy: &TrafficMarkingPolicy,
        with_rules: bool,
    ) -> t::TrafficMarkingPolicy {
        let rules = if with_rules {
            self.rules_of(state, &policy.id)
                .map(|r| t::TrafficMarkingPolicyRule {
                    address_family: r.matches.address_family.clone(),
                    dst_cidr: r.matches.dst_cidr.clone(),
                    dst_port_range: r.matches.dst_ports.clone(),
                    match_dscp: r.matches.match_dscp,
                    protocol: r.matches.protocol.clone(),
                    src_cidr: r.matches.src_cidr.clone(),
                    src_port_range: r.matches.src_ports.clone(),
                    traffic_match_rule_description: r.description.clone(),
                    traffic_match_rule_id: Some(r.id.clone()),
                    traffic_match_rule_name: r.name.clone(),
                    traffic_match_rule_status: Some(self.status(r).into()),
                })
                .collect()
        } else {
            Vec::new()
        };
        t::TrafficMarkingPolicy {
            marking_dscp: Some(policy.marking_dscp),
            priority: Some(policy.priority),
            traffic_marking_policy_description: policy.description.clone(),
            traffic_marking_policy_id: Some(policy.id.clone()),
            traffic_marking_policy_name: policy.name.clone(),
            traffic_marking_policy_status: Some(self.status(policy).into()),
            traffic_match_rules: rules,
            transit_router_id: Some(policy.transit_router_id.clone()),
        }
    }
}

/// What an add of rules asks for, from either spelling of the operation.
struct AddRules<'r> {
    action: &'static str,
    token: Option<&'r str>,
    policy_id: &'r str,
    rules: Vec<t::TrafficMatchRule>,
    dry_run: Option<bool>,
}

/// What a removal of rules asks for, from either spelling of the operation.
struct RemoveRules<'r> {
    action: &'static str,
    token: Option<&'r str>,
    policy_id: &'r str,
    rule_ids: &'r [String],
    dry_run: Option<bool>,
}

impl Emulator {
    /// CreateTrafficMarkingPolicy: creates a traffic marking policy on an `Active` transit
    /// router, with up to 50 traffic classification rules; the policy and its rules are
    /// `Creating` for the delay, then `Active`.
    ///
    /// Priority not 1 to 100:
    /// `IllegalParam.Priority`; MarkingDscp not 0 to 63: `IllegalParam.MarkingDscp`; a bad name
    /// or description `InvalidParameter`. Each rule: Protocol one of TCP, UDP, ICMP, GRE, SSH,
    /// Telnet, HTTP, HTTPS, MS SQL, Oracle, Mysql, RDP, Postgre SQL, Redis (any case;
    /// `IllegalParam.Protocol`), whose fixed destination port (ICMP -1, SSH 22, HTTP 80, ...)
    /// the DstPortRange must be when given; SrcPortRange and DstPortRange one or two ports, -1
    /// or 1 to 65535, -1 with -1 only, in order (`IllegalParam.SrcPortRange`,
    /// `IllegalParam.DstPortRange`); SrcCidr and DstCidr IPv4 or IPv6 blocks
    /// (`IllegalParam.SrcCidr`, `IllegalParam.DstCidr`) of one family
    /// (`AttrMismatching.SrcCidrDstCidr`) that AddressFamily (IPv4 or IPv6,
    /// `IllegalParam.AddressFamily`) names when given (`AttrMismatching.CidrAddressFamily`), and
    /// IPv4 for ICMP (`AttrMismatching.CidrProtocol`); MatchDscp 0 to 63
    /// (`IllegalParam.MatchDscp`); two rules matching the same packets:
    /// `Duplicated.TrafficMatchRules`. A router the caller does not have:
    /// `InvalidTransitRouterId.NotFound`; one that is not Active:
    /// `IncorrectStatus.TransitRouterInstance`; another policy of the router with the Priority
    /// or the MarkingDscp: `Duplicated.Priority`, `Duplicated.MarkingDscp`. `DryRun` answers
    /// `DryRunOperation`; a ClientToken makes the call idempotent. While the policy exists its
    /// router and CEN instance cannot be deleted (`OperationFailed.TrafficMarkingPolicyExist`).
    /// Emulator rule: two rules are the same when they match the same protocol, blocks, ports,
    /// DSCP value and address family, whatever their names; a call gives at most 50 rules
    /// (`InvalidParameter` beyond), and the router has no other limit on them.
    pub fn create_traffic_marking_policy(
        &self,
        caller: &Caller,
        request: t::CreateTrafficMarkingPolicyRequest,
    ) -> Result<t::CreateTrafficMarkingPolicyResponse, ApiError> {
        use cbn::create_traffic_marking_policy as e;
        if !(1..=100).contains(&request.priority) {
            return Err(saying(e::illegal_param_priority, "Priority is 1 to 100."));
        }
        if !(0..=63).contains(&request.marking_dscp) {
            return Err(saying(
                e::illegal_param_marking_dscp,
                "MarkingDscp is 0 to 63.",
            ));
        }
        validate::name(request.traffic_marking_policy_name.as_deref())?;
        validate::description(request.traffic_marking_policy_description.as_deref())?;
        let rules = check_rules(&request.traffic_match_rules, "TrafficMatchRules")?;
        let id = self.write_idempotent(
            caller,
            "CreateTrafficMarkingPolicy",
            request.client_token.as_deref(),
            &request,
            |state, ctx| {
                let router = ctx
                    .router(state, caller, &request.transit_router_id)
                    .ok_or_else(e::invalid_transit_router_id_not_found)?;
                ctx.require_ready(router, e::incorrect_status_transit_router_instance)?;
                let others: Vec<&TrafficMarkingPolicy> = state
                    .traffic_marking_policies
                    .children_of(0, &router.id)
                    .filter(|p| ctx.live(*p))
                    .collect();
                if others.iter().any(|p| p.priority == request.priority) {
                    return Err(saying(
                        e::duplicated_priority,
                        format!(
                            "Another traffic marking policy of the router has the priority {}.",
                            request.priority
                        ),
                    ));
                }
                if others
                    .iter()
                    .any(|p| p.marking_dscp == request.marking_dscp)
                {
                    return Err(saying(
                        e::duplicated_marking_dscp,
                        format!(
                            "Another traffic marking policy of the router marks with DSCP {}.",
                            request.marking_dscp
                        ),
                    ));
                }
                validate::dry_run(request.dry_run, e::dry_run_operation)?;
                let policy = TrafficMarkingPolicy {
                    id: new_id("tm-"),
                    transit_router_id: router.id.clone(),
                    cen_id: router.cen_id.clone(),
                    owner: caller.uid,
                    region_id: router.region_id.clone(),
                    name: request.traffic_marking_policy_name.clone(),
                    description: request.traffic_marking_policy_description.clone(),
                    priority: request.priority,
                    marking_dscp: request.marking_dscp,
                    life: Lifecycle::started(ctx.now),
                };
                let id = policy.id.clone();
                state.traffic_marking_policies.insert(policy);
                ctx.insert_rules(state, caller.uid, &id, rules.clone());
                Ok(id)
            },
        )?;
        Ok(t::CreateTrafficMarkingPolicyResponse {
            request_id: Some(caller.request_id.clone()),
            traffic_marking_policy_id: Some(id),
        })
    }

    /// ListTrafficMarkingPolicies: the caller's traffic marking policies in creation order,
    /// paged by MaxResults (1 to 100, default 20) and NextToken (`InvalidParameter` otherwise).
    /// TransitRouterId or TrafficMarkingPolicyId must be given (`InvalidParameter`); every given
    /// filter must match: those two, TrafficMarkingPolicyName and
    /// TrafficMarkingPolicyDescription. The rules (TrafficMatchRules, with their ids and
    /// statuses) are listed only when TrafficMarkingPolicyId is given. Unknown ids answer an
    /// empty list.
    pub fn list_traffic_marking_policies(
        &self,
        caller: &Caller,
        request: t::ListTrafficMarkingPoliciesRequest,
    ) -> Result<t::ListTrafficMarkingPoliciesResponse, ApiError> {
        use cbn::list_traffic_marking_policies as e;
        let page = TokenPage::standard(
            request.max_results,
            request.next_token.as_deref(),
            e::invalid_parameter,
        )?;
        let router = given(&request.transit_router_id);
        let id = given(&request.traffic_marking_policy_id);
        validate::one_given(
            &[router, id],
            e::invalid_parameter,
            "TransitRouterId or TrafficMarkingPolicyId",
        )?;
        let (items, next_token, total) = self.read(|state, ctx| {
            let table = &state.traffic_marking_policies;
            let candidates = table.by_key_or_parent(id, 0, router).unwrap_or_default();
            let keep = |p: &&TrafficMarkingPolicy| {
                p.owner == caller.uid
                    && ctx.live(*p)
                    && router.is_none_or(|r| p.transit_router_id == r)
                    && validate::matches(&request.traffic_marking_policy_name, p.name.as_deref())
                    && validate::matches(
                        &request.traffic_marking_policy_description,
                        p.description.as_deref(),
                    )
            };
            let (found, next, total) =
                page.slice(candidates.into_iter().filter(keep).sequenced(table));
            let items: Vec<_> = found
                .into_iter()
                .map(|p| ctx.marking_policy_view(state, p, id.is_some()))
                .collect();
            (items, next, total)
        });
        Ok(t::ListTrafficMarkingPoliciesResponse {
            max_results: Some(page.max_results()),
            next_token,
            request_id: Some(caller.request_id.clone()),
            total_count: Some(total),
            traffic_marking_policies: items,
        })
    }

    /// UpdateTrafficMarkingPolicyAttribute: changes the name or description of an `Active`
    /// traffic marking policy, adds the rules of AddTrafficMatchRules (checked as
    /// CreateTrafficMarkingPolicy checks them) and removes the rules that match exactly what an
    /// entry of DeleteTrafficMatchRules describes; the policy is `Modifying` for the delay,
    /// added rules `Creating` and removed ones `Deleting`.
    ///
    /// Unknown: `InvalidTrafficMarkingPolicyId.NotFound`; not Active:
    /// `IncorrectStatus.TrafficMarkingPolicy`; an added rule that a rule of the policy already
    /// matches: `InstanceExist.TrafficMatchRules`; an entry of DeleteTrafficMatchRules that no
    /// rule of the policy matches: `InvalidParameter`. `DryRun` answers `DryRunOperation`.
    pub fn update_traffic_marking_policy_attribute(
        &self,
        caller: &Caller,
        request: t::UpdateTrafficMarkingPolicyAttributeRequest,
    ) -> Result<t::UpdateTrafficMarkingPolicyAttributeResponse, ApiError> {
        use cbn::update_traffic_marking_policy_attribute as e;
        validate::name(request.traffic_marking_policy_name.as_deref())?;
        validate::description(request.traffic_marking_policy_description.as_deref())?;
        let added = check_rules(&request.add_traffic_match_rules, "AddTrafficMatchRules")?;
        let deleted = check_rules(
            &request.delete_traffic_match_rules,
            "DeleteTrafficMatchRules",
        )?;
        let id = request.traffic_marking_policy_id.as_str();
        self.write_idempotent(
            caller,
            "UpdateTrafficMarkingPolicyAttribute",
            request.client_token.as_deref(),
            &request,
            |state, ctx| {
                let codes = PolicyCodes {
                    not_found: e::invalid_traffic_marking_policy_id_not_found,
                    busy: e::incorrect_status_traffic_marking_policy,
                };
                ctx.ready_marking_policy(state, caller, id, codes)?;
                ctx.check_new_rules(state, id, &added, e::instance_exist_traffic_match_rules)?;
                let mut gone = Vec::new();
                for (n, rule) in deleted.iter().enumerate() {
                    let found = ctx
                        .rules_of(state, id)
                        .find(|r| ctx.phase(*r) == Phase::Ready && r.matches == rule.matches)
                        .ok_or_else(|| {
                            saying(
                                e::invalid_parameter,
                                format!(
                                    "DeleteTrafficMatchRules.{} matches no Active rule of the policy.",
                                    n + 1
                                ),
                            )
                        })?;
                    gone.push(found.id.clone());
                }
                validate::dry_run(request.dry_run, e::dry_run_operation)?;
                for rule_id in gone {
                    if let Some(mut rule) = state.traffic_match_rules.get_mut(&rule_id) {
                        rule.life.deleting_at = Some(ctx.now);
                    }
                }
                ctx.insert_rules(state, caller.uid, id, added.clone());
                if let Some(mut policy) = state.traffic_marking_policies.get_mut(id) {
                    validate::overwrite(&mut policy.name, &request.traffic_marking_policy_name);
                    validate::overwrite(&mut policy.description, &request.traffic_marking_policy_description);
                    policy.life.modified_at = Some(ctx.now);
                }
                Ok(())
            },
        )?;
        Ok(t::UpdateTrafficMarkingPolicyAttributeResponse {
            request_id: Some(caller.request_id.clone()),
        })
    }

    /// DeleteTrafficMarkingPolicy: starts deleting an `Active` traffic marking policy; it is
    /// `Deleting` for the delay and then gone. Unknown: `InvalidTrafficMarkingPolicyId.NotFound`;
    /// not Active: `IncorrectStatus.TrafficMarkingPolicy`; with rules (even deleting ones)
    /// and without `Force`: `AssociationExist.TransitQosRuleExist`; with `Force` the rules go
    /// with it (`Deleting` with it). `DryRun` answers `DryRunOperation`.
    pub fn delete_traffic_marking_policy(
        &self,
        caller: &Caller,
        request: t::DeleteTrafficMarkingPolicyRequest,
    ) -> Result<t::DeleteTrafficMarkingPolicyResponse, ApiError> {
        use cbn::delete_traffic_marking_policy as e;
        let id = request.traffic_marking_policy_id.as_str();
        let force = request.force == Some(true);
        self.write_idempotent(
            caller,
            "DeleteTrafficMarkingPolicy",
            request.client_token.as_deref(),
            &request,
            |state, ctx| {
                let codes = PolicyCodes {
                    not_found: e::invalid_traffic_marking_policy_id_not_found,
                    busy: e::incorrect_status_traffic_marking_policy,
                };
                let policy = ctx.ready_marking_policy(state, caller, id, codes)?;
                if let Some(error) = ctx.blocker(state, policy, force) {
                    return Err(error);
                }
                validate::dry_run(request.dry_run, e::dry_run_operation)?;
                if force {
                    state.force_dependents(TrafficMarkingPolicy::KIND, id, ctx.now);
                }
                if let Some(mut policy) = state.traffic_marking_policies.get_mut(id) {
                    policy.life.deleting_at = Some(ctx.now);
                }
                state.delete_dependents(TrafficMarkingPolicy::KIND, id, ctx.now);
                Ok(())
            },
        )?;
        Ok(t::DeleteTrafficMarkingPolicyResponse {
            request_id: Some(caller.request_id.clone()),
        })
    }

    /// Adds rules to a policy for both spellings of the operation: no rule
    /// `MissingParam.TrafficMatchRules`,
    /// each rule checked as CreateTrafficMarkingPolicy checks them; unknown policy
    /// `InvalidTrafficMarkingPolicyId.NotFound`, not Active
    /// `IncorrectStatus.TrafficMarkingPolicy`, a rule that one of the policy already matches
    /// `InstanceExist.TrafficMatchRules`.
    fn add_traffic_match_rules(
        &self,
        caller: &Caller,
        add: AddRules<'_>,
        request: &impl serde::Serialize,
    ) -> Result<(), ApiError> {
        use cbn::add_traffic_match_rule_to_traffic_marking_policy as e;
        if add.rules.is_empty() {
            return Err(e::missing_param_traffic_match_rules());
        }
        let rules = check_rules(&add.rules, "TrafficMatchRules")?;
        self.write_idempotent(caller, add.action, add.token, request, |state, ctx| {
            let codes = PolicyCodes {
                not_found: e::invalid_traffic_marking_policy_id_not_found,
                busy: e::incorrect_status_traffic_marking_policy,
            };
            ctx.ready_marking_policy(state, caller, add.policy_id, codes)?;
            ctx.check_new_rules(
                state,
                add.policy_id,
                &rules,
                e::instance_exist_traffic_match_rules,
            )?;
            validate::dry_run(add.dry_run, e::dry_run_operation)?;
            ctx.insert_rules(state, caller.uid, add.policy_id, rules.clone());
            ctx.touch_marking_policy(state, add.policy_id);
            Ok(())
        })
    }

    /// AddTrafficMatchRuleToTrafficMarkingPolicy: adds up to 50 traffic classification rules
    /// (checked as CreateTrafficMarkingPolicy checks them) to an `Active` traffic marking policy;
    /// the rules are `Creating` and the policy `Modifying` for the delay.
    /// No rule: `MissingParam.TrafficMatchRules`; unknown policy:
    /// `InvalidTrafficMarkingPolicyId.NotFound`; not Active:
    /// `IncorrectStatus.TrafficMarkingPolicy`; a rule that one of the policy already matches:
    /// `InstanceExist.TrafficMatchRules`. `DryRun` answers `DryRunOperation`.
    pub fn add_traffic_match_rule_to_traffic_marking_policy(
        &self,
        caller: &Caller,
        request: t::AddTrafficMatchRuleToTrafficMarkingPolicyRequest,
    ) -> Result<t::AddTrafficMatchRuleToTrafficMarkingPolicyResponse, ApiError> {
        let add = AddRules {
            action: "AddTrafficMatchRuleToTrafficMarkingPolicy",
            token: request.client_token.as_deref(),
            policy_id: &request.traffic_marking_policy_id,
            rules: request.traffic_match_rules.clone(),
            dry_run: request.dry_run,
        };
        self.add_traffic_match_rules(caller, add, &request)?;
        Ok(t::AddTrafficMatchRuleToTrafficMarkingPolicyResponse {
            request_id: Some(caller.request_id.clone()),
        })
    }

    /// AddTraficMatchRuleToTrafficMarkingPolicy: the deprecated spelling of
    /// AddTrafficMatchRuleToTrafficMarkingPolicy, with the same behaviour and codes; its rules
    /// have no AddressFamily.
    pub fn add_trafic_match_rule_to_traffic_marking_policy(
        &self,
        caller: &Caller,
        request: t::AddTraficMatchRuleToTrafficMarkingPolicyRequest,
    ) -> Result<t::AddTraficMatchRuleToTrafficMarkingPolicyResponse, ApiError> {
        let add = AddRules {
            action: "AddTraficMatchRuleToTrafficMarkingPolicy",
            token: request.client_token.as_deref(),
            policy_id: &request.traffic_marking_policy_id,
            rules: request
                .traffic_match_rules
                .iter()
                .map(from_trafic)
                .collect(),
            dry_run: request.dry_run,
        };
        self.add_traffic_match_rules(caller, add, &request)?;
        Ok(t::AddTraficMatchRuleToTrafficMarkingPolicyResponse {
            request_id: Some(caller.request_id.clone()),
        })
    }

    /// ModifyTrafficMatchRuleToTrafficMarkingPolicy: changes the name or description of a
    /// traffic classification rule of an `Active` policy, at once (a rule has no Modifying
    /// status). Unknown policy: `InvalidTrafficMarkingPolicyId.NotFound`; not Active:
    /// `IncorrectStatus.TrafficMarkingPolicy`; a TrafficMatchRuleId that is not a rule of the
    /// policy, or a bad name or description: `InvalidParameter`. `DryRun` answers
    /// `DryRunOperation`.
    pub fn modify_traffic_match_rule_to_traffic_marking_policy(
        &self,
        caller: &Caller,
        request: t::ModifyTrafficMatchRuleToTrafficMarkingPolicyRequest,
    ) -> Result<t::ModifyTrafficMatchRuleToTrafficMarkingPolicyResponse, ApiError> {
        use cbn::modify_traffic_match_rule_to_traffic_marking_policy as e;
        validate::name(request.traffic_match_rule_name.as_deref())?;
        validate::description(request.traffic_match_rule_description.as_deref())?;
        let policy_id = request.traffic_marking_policy_id.as_str();
        let rule_id = request.traffic_match_rule_id.as_str();
        self.write_idempotent(
            caller,
            "ModifyTrafficMatchRuleToTrafficMarkingPolicy",
            request.client_token.as_deref(),
            &request,
            |state, ctx| {
                let codes = PolicyCodes {
                    not_found: e::invalid_traffic_marking_policy_id_not_found,
                    busy: e::incorrect_status_traffic_marking_policy,
                };
                ctx.ready_marking_policy(state, caller, policy_id, codes)?;
                if !ctx.rules_of(state, policy_id).any(|r| r.id == rule_id) {
                    return Err(saying(
                        e::invalid_parameter,
                        format!("{rule_id} is not a traffic classification rule of the policy."),
                    ));
                }
                validate::dry_run(request.dry_run, e::dry_run_operation)?;
                if let Some(mut rule) = state.traffic_match_rules.get_mut(rule_id) {
                    validate::overwrite(&mut rule.name, &request.traffic_match_rule_name);
                    validate::overwrite(
                        &mut rule.description,
                        &request.traffic_match_rule_description,
                    );
                }
                Ok(())
            },
        )?;
        Ok(t::ModifyTrafficMatchRuleToTrafficMarkingPolicyResponse {
            request_id: Some(caller.request_id.clone()),
        })
    }

    /// Removes rules from a policy for both spellings of the operation.
    fn remove_traffic_match_rules(
        &self,
        caller: &Caller,
        remove: RemoveRules<'_>,
        request: &impl serde::Serialize,
    ) -> Result<(), ApiError> {
        use cbn::remove_traffic_match_rule_from_traffic_marking_policy as e;
        self.write_idempotent(
            caller,
            remove.action,
            remove.token,
            request,
            |state, ctx| {
                let codes = PolicyCodes {
                    not_found: e::invalid_traffic_marking_policy_id_not_found,
                    busy: e::incorrect_status_traffic_marking_policy,
                };
                ctx.ready_marking_policy(state, caller, remove.policy_id, codes)?;
                for rule_id in remove.rule_ids {
                    if !ctx
                        .rules_of(state, remove.policy_id)
                        .any(|r| r.id == *rule_id && ctx.phase(r) != Phase::Deleting)
                    {
                        return Err(saying(
                            e::illegal_param_traffic_marking_rule_ids,
                            format!(
                                "{rule_id} is not a traffic classification rule of the policy."
                            ),
                        ));
                    }
                }
                validate::dry_run(remove.dry_run, e::dry_run_operation)?;
                if remove.rule_ids.is_empty() {
                    return Ok(());
                }
                for rule_id in remove.rule_ids {
                    if let Some(mut rule) = state.traffic_match_rules.get_mut(rule_id) {
                        rule.life.deleting_at = Some(ctx.now);
                    }
                }
                ctx.touch_marking_policy(state, remove.policy_id);
                Ok(())
            },
        )
    }

    /// RemoveTrafficMatchRuleFromTrafficMarkingPolicy: starts deleting the rules
    /// TrafficMarkRuleIds names from an `Active` policy; they are `Deleting` and the policy
    /// `Modifying` for the delay. No id: nothing happens. Unknown policy:
    /// `InvalidTrafficMarkingPolicyId.NotFound`; not Active:
    /// `IncorrectStatus.TrafficMarkingPolicy`; an id that is not a rule of the policy (or one
    /// already deleting): `IllegalParam.TrafficMarkingRuleIds`. `DryRun` answers
    /// `DryRunOperation`.
    pub fn remove_traffic_match_rule_from_traffic_marking_policy(
        &self,
        caller: &Caller,
        request: t::RemoveTrafficMatchRuleFromTrafficMarkingPolicyRequest,
    ) -> Result<t::RemoveTrafficMatchRuleFromTrafficMarkingPolicyResponse, ApiError> {
        let remove = RemoveRules {
            action: "RemoveTrafficMatchRuleFromTrafficMarkingPolicy",
            token: request.client_token.as_deref(),
            policy_id: &request.traffic_marking_policy_id,
            rule_ids: &request.traffic_mark_rule_ids,
            dry_run: request.dry_run,
        };
        self.remove_traffic_match_rules(caller, remove, &request)?;
        Ok(t::RemoveTrafficMatchRuleFromTrafficMarkingPolicyResponse {
            request_id: Some(caller.request_id.clone()),
        })
    }

    /// RemoveTraficMatchRuleFromTrafficMarkingPolicy: the deprecated spelling of
    /// RemoveTrafficMatchRuleFromTrafficMarkingPolicy, with the same behaviour and codes.
    pub fn remove_trafic_match_rule_from_traffic_marking_policy(
        &self,
        caller: &Caller,
        request: t::RemoveTraficMatchRuleFromTrafficMarkingPolicyRequest,
    ) -> Result<t::RemoveTraficMatchRuleFromTrafficMarkingPolicyResponse, ApiError> {
        let remove = RemoveRules {
            action: "RemoveTraficMatchRuleFromTrafficMarkingPolicy",
            token: request.client_token.as_deref(),
            policy_id: &request.traffic_marking_policy_id,
            rule_ids: &request.traffic_mark_rule_ids,
            dry_run: request.dry_run,
        };
        self.remove_traffic_match_rules(caller, remove, &request)?;
        Ok(t::RemoveTraficMatchRuleFromTrafficMarkingPolicyResponse {
            request_id: Some(caller.request_id.clone()),
        })
    }
}
