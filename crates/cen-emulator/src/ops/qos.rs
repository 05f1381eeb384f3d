//! Inter-region QoS: CreateCenInterRegionTrafficQosPolicy, ListCenInterRegionTrafficQosPolicies,
//! UpdateCenInterRegionTrafficQosPolicyAttribute, DeleteCenInterRegionTrafficQosPolicy,
//! CreateCenInterRegionTrafficQosQueue, ListCenInterRegionTrafficQosQueues,
//! UpdateCenInterRegionTrafficQosQueueAttribute, DeleteCenInterRegionTrafficQosQueue.
//!
//! A policy schedules the outbound traffic of one peer attachment of its transit router into
//! queues by DSCP value; each queue is given a share of the attachment's bandwidth, in Mbit/s
//! or in percent as the policy's mode says. The default queue of a policy is not a record
//! (emulator rule: it is listed nowhere, so it cannot be named to delete it): it takes the
//! packets no queue matches, with the bandwidth the queues leave. The emulator keeps the
//! configuration and its states; it schedules no traffic, and it does not require a traffic
//! marking policy on the router first (emulator rule: no documented code refuses its absence).

use acs_rpc::error::ApiError;
use cen_server::cbn::errors as cbn;

use crate::api::cbn as t;
use crate::emulator::{Caller, Ctx, Emulator, new_id};
use crate::errors::{self, saying};
use crate::ops::traffic_marking::PolicyCodes;
use crate::resource::Sequenced;
use crate::state::{
    AttachmentKind, GuaranteeMode, Lifecycle, QosPolicy, QosQueue, Resource, State,
};
use crate::validate::{self, TokenPage, given};

/// How many queues CreateCenInterRegionTrafficQosPolicy creates with the policy at most.
const QUEUES_WITH_POLICY: usize = 3;

/// The codes a queue's share and DSCP values are checked with (the same codes in every
/// operation that documents them).
#[derive(Clone, Copy)]
struct ShareCodes {
    mismatch: fn() -> ApiError,
    missing_bandwidth: fn() -> ApiError,
    missing_percent: fn() -> ApiError,
    bad_bandwidth: fn() -> ApiError,
    bad_percent: fn() -> ApiError,
    exceeded: fn() -> ApiError,
    duplicated: fn() -> ApiError,
}

/// CreateCenInterRegionTrafficQosQueue's codes, which the other operations document too.
const SHARE: ShareCodes = {
    use cbn::create_cen_inter_region_traffic_qos_queue as e;
    ShareCodes {
        mismatch: e::illegal_param_bandwidth_guarantee_mode_mismatch,
        missing_bandwidth: e::missing_param_bandwidth,
        missing_percent: e::missing_param_remain_bandwidth_percent,
        bad_bandwidth: e::illegal_param_bandwidth,
        bad_percent: e::illegal_param_remain_bandwidth_percent,
        exceeded: e::illegal_param_attachment_bandwidth_exceed,
        duplicated: e::duplicated_dscps,
    }
};

/// Reads a queue's share in the policy's mode: `byBandwidth` takes Bandwidth (Mbit/s, at least
/// 1), `byBandwidthPercent` RemainBandwidthPercent (1 to 100); the other one given is a
/// mismatch. `required` is false for an update, which may change neither.
fn share(
    mode: GuaranteeMode,
    bandwidth: Option<&str>,
    percent: Option<&str>,
    required: bool,
) -> Result<Option<i64>, ApiError> {
    let (value, other, missing, bad, range, what) = match mode {
        GuaranteeMode::Bandwidth => (
            bandwidth,
            percent,
            SHARE.missing_bandwidth,
            SHARE.bad_bandwidth,
            1..=i64::MAX,
            "Bandwidth is a whole number of Mbit/s, at least 1.",
        ),
        GuaranteeMode::Percent => (
            percent,
            bandwidth,
            SHARE.missing_percent,
            SHARE.bad_percent,
            1..=100,
            "RemainBandwidthPercent is a whole number from 1 to 100.",
        ),
    };
    if other.is_some() {
        return Err(saying(
            SHARE.mismatch,
            format!(
                "The policy allocates {}; give {} only.",
                mode.word(),
                match mode {
                    GuaranteeMode::Bandwidth => "Bandwidth",
                    GuaranteeMode::Percent => "RemainBandwidthPercent",
                }
            ),
        ));
    }
    match value {
        None if required => Err(missing()),
        None => Ok(None),
        Some(v) => v
            .trim()
            .parse::<i64>()
            .ok()
            .filter(|n| range.contains(n))
            .map(Some)
            .ok_or_else(|| saying(bad, what)),
    }
}

/// Checks the DSCP values of a queue: at least one, at most `max`, each 0 to 63, none twice
/// and none that `taken` holds.
fn dscps(values: &[i32], max: usize, taken: &[i32]) -> Result<Vec<i32>, ApiError> {
    if values.is_empty() || values.len() > max {
        return Err(saying(
            errors::invalid_parameter,
            format!("A queue matches 1 to {max} DSCP values."),
        ));
    }
    if let Some(bad) = values.iter().find(|d| !(0..=63).contains(*d)) {
        return Err(saying(
            errors::invalid_parameter,
            format!("The DSCP value {bad} is not 0 to 63."),
        ));
    }
    for (i, d) in values.iter().enumerate() {
        if values[..i].contains(d) || taken.contains(d) {
            return Err(saying(
                SHARE.duplicated,
                format!("The DSCP value {d} is matched by another queue of the policy."),
            ));
        }
    }
    Ok(values.to_vec())
}

/// Checks that the shares of a policy's queues fit: percentages at most 100 in all, bandwidths
/// at most the attachment's bandwidth.
fn fits(mode: GuaranteeMode, total: i64, attachment_bandwidth: i64) -> Result<(), ApiError> {
    match mode {
        GuaranteeMode::Percent if total > 100 => Err(saying(
            SHARE.bad_percent,
            format!("The queues of the policy would have {total}% of the bandwidth; at most 100%."),
        )),
        GuaranteeMode::Bandwidth if total > attachment_bandwidth => Err(saying(
            SHARE.exceeded,
            format!(
                "The queues of the policy would have {total} Mbit/s; the inter-region connection has {attachment_bandwidth} Mbit/s."
            ),
        )),
        _ => Ok(()),
    }
}

/// A number of Mbit/s as the API writes it (`2.5`, `10`).
fn mbps(value: f64) -> String {
    let text = format!("{value:.2}");
    text.trim_end_matches('0').trim_end_matches('.').to_owned()
}

impl<'a> Ctx<'a> {
    /// The bandwidth (Mbit/s) of the attachment a policy schedules.
    fn attachment_bandwidth(&self, state: &State, attachment_id: &str) -> i64 {
        state
            .tr_attachments
            .get(attachment_id)
            .and_then(|a| a.peer.as_ref())
            .map_or(0, |p| i64::from(p.bandwidth))
    }

    /// The live queues of a policy, in creation order.
    fn queues_of<'s>(
        &self,
        state: &'s State,
        policy_id: &'s str,
    ) -> impl Iterator<Item = &'s QosQueue> + use<'s, 'a> {
        let ctx = *self;
        state
            .qos_queues
            .children_of(0, policy_id)
            .filter(move |q| ctx.live(*q))
    }

    /// The DSCP values and the total share of a policy's live queues but `except`.
    fn queue_totals(
        &self,
        state: &State,
        policy_id: &str,
        except: Option<&str>,
    ) -> (Vec<i32>, i64) {
        let mut taken = Vec::new();
        let mut total = 0;
        for queue in self
            .queues_of(state, policy_id)
            .filter(|q| Some(q.id.as_str()) != except)
        {
            taken.extend(&queue.dscps);
            total += queue.share;
        }
        (taken, total)
    }

    /// The caller's live QoS policy with an id, `Active` (`busy` otherwise).
    fn ready_qos_policy<'s>(
        &self,
        state: &'s State,
        caller: &Caller,
        id: &str,
        codes: PolicyCodes,
    ) -> Result<&'s QosPolicy, ApiError> {
        self.ready_policy(&state.qos_policies, caller, id, codes, "QoS policy")
    }

    /// The caller's live queue with an id whose policy is `Active`.
    fn queue_of_ready_policy<'s>(
        &self,
        state: &'s State,
        caller: &Caller,
        id: &str,
        codes: PolicyCodes,
    ) -> Result<(&'s QosQueue, &'s QosPolicy), ApiError> {
        let queue = state
            .qos_queues
            .get(id)
            .filter(|q| q.owner == caller.uid && self.live(*q))
            .ok_or_else(codes.not_found)?;
        let policy = self.ready_qos_policy(state, caller, &queue.policy_id, codes)?;
        Ok((queue, policy))
    }

    /// The bandwidth a queue gets: its Mbit/s, or its percentage of the attachment's.
    fn effective(&self, state: &State, queue: &QosQueue, mode: GuaranteeMode) -> f64 {
        match mode {
            GuaranteeMode::Bandwidth => queue.share as f64,
            GuaranteeMode::Percent => {
                self.attachment_bandwidth(state, &queue.attachment_id) as f64 * queue.share as f64
                    / 100.0
            }
        }
    }

    /// Starts a policy's change of queues: it is `Modifying` for the delay.
    fn touch_qos_policy(&self, state: &mut State, id: &str) {
        if let Some(mut policy) = state.qos_policies.get_mut(id) {
            policy.life.modified_at = Some(self.now);
        }
    }
}

/// A queue's share in the answer's two fields, by mode.
fn share_fields(mode: GuaranteeMode, share: i64) -> (Option<String>, Option<i32>) {
    match mode {
        GuaranteeMode::Bandwidth => (Some(share.to_string()), None),
        GuaranteeMode::Percent => (None, i32::try_from(share).ok()),
    }
}

impl Emulator {
    /// CreateCenInterRegionTrafficQosPolicy: creates a QoS policy for the outbound traffic of a
    /// peer attachment of an `Active` transit router, with up to three queues; the policy and
    /// its queues are `Creating` for the delay, then `Active`.
    ///
    /// BandwidthGuaranteeMode `byBandwidthPercent` (default) or `byBandwidth` (another word:
    /// `IllegalParam.BandwidthGuaranteeMode`, from the request decoder, or from this check for a
    /// typed caller that passes one); more than three queues:
    /// `InvalidParamSize.TrafficQosQueues`; each queue's share as the mode says (a percentage
    /// 1 to 100 or a bandwidth of at least 1 Mbit/s: `MissingParam.RemainBandwidthPercent`,
    /// `MissingParam.Bandwidth`, `IllegalParam.RemainBandwidthPercent`, `IllegalParam.Bandwidth`,
    /// the other one given `IllegalParam.BandwidthGuaranteeModeMismatch`), 1 to 60 DSCP values
    /// 0 to 63 (`InvalidParameter`), no DSCP value in two queues (`Duplicated.Dscps`); the
    /// percentages at most 100 in all (`IllegalParam.RemainBandwidthPercent`), the bandwidths at
    /// most the attachment's (`IllegalParam.AttachmentBandwidthExceed`). A router the caller
    /// does not have: `InvalidTransitRouterId.NotFound`; not Active:
    /// `IncorrectStatus.TransitRouterInstance`; an attachment that is not a peer attachment of
    /// the router: `IllegalParam.TransitRouterAttachmentId`; not Attached:
    /// `IncorrectStatus.TransitRouterAttachment`; one that has a policy:
    /// `AssociationExist.TrafficQos`. `DryRun` answers `DryRunOperation`; a ClientToken makes
    /// the call idempotent. While the policy exists its router cannot be deleted
    /// (`OperationFailed.TrafficQosPolicyExist`) nor its attachment without `Force`
    /// (`OperationFailed.TrafficQosExist`; with `Force` the policy and its queues go with it).
    /// Emulator rule: the default queue is not a record and is listed nowhere (so it cannot be
    /// named to delete it); it takes the packets no queue matches, with the bandwidth the queues
    /// leave. Emulator rule: no traffic marking policy is required on the router first, since
    /// no documented code refuses its absence.
    pub fn create_cen_inter_region_traffic_qos_policy(
        &self,
        caller: &Caller,
        request: t::CreateCenInterRegionTrafficQosPolicyRequest,
    ) -> Result<t::CreateCenInterRegionTrafficQosPolicyResponse, ApiError> {
        use cbn::create_cen_inter_region_traffic_qos_policy as e;
        use t::CreateCenInterRegionTrafficQosPolicyRequestBandwidthGuaranteeMode as Mode;
        let mode = match &request.bandwidth_guarantee_mode {
            None | Some(Mode::ByBandwidthPercent) => GuaranteeMode::Percent,
            Some(Mode::ByBandwidth) => GuaranteeMode::Bandwidth,
            Some(other) => {
                return Err(saying(
                    e::illegal_param_bandwidth_guarantee_mode,
                    format!(
                        "BandwidthGuaranteeMode {other} is not byBandwidth or byBandwidthPercent."
                    ),
                ));
            }
        };
        validate::name(request.traffic_qos_policy_name.as_deref())?;
        validate::description(request.traffic_qos_policy_description.as_deref())?;
        if request.traffic_qos_queues.len() > QUEUES_WITH_POLICY {
            return Err(saying(
                e::invalid_param_size_traffic_qos_queues,
                format!("A policy is created with at most {QUEUES_WITH_POLICY} queues."),
            ));
        }
        let mut queues = Vec::new();
        let mut taken = Vec::new();
        for queue in &request.traffic_qos_queues {
            validate::name(queue.qos_queue_name.as_deref())?;
            validate::description(queue.qos_queue_description.as_deref())?;
            let values = dscps(&queue.dscps, 60, &taken)?;
            taken.extend(&values);
            let share = share(
                mode,
                given(&queue.bandwidth),
                given(&queue.remain_bandwidth_percent),
                true,
            )?
            .unwrap_or_default();
            queues.push((queue, values, share));
        }
        let total: i64 = queues.iter().map(|(_, _, s)| s).sum();
        let id = self.write_idempotent(
            caller,
            "CreateCenInterRegionTrafficQosPolicy",
            request.client_token.as_deref(),
            &request,
            |state, ctx| {
                let router = ctx
                    .router(state, caller, &request.transit_router_id)
                    .ok_or_else(e::invalid_transit_router_id_not_found)?;
                ctx.require_ready(router, e::incorrect_status_transit_router_instance)?;
                let attachment = ctx
                    .tr_attachment(
                        state,
                        caller,
                        AttachmentKind::Peer,
                        &request.transit_router_attachment_id,
                    )
                    .filter(|a| a.transit_router_id == router.id)
                    .ok_or_else(|| {
                        saying(
                            e::illegal_param_transit_router_attachment_id,
                            "TransitRouterAttachmentId is not an inter-region connection of the router.",
                        )
                    })?;
                ctx.require_ready(attachment, e::incorrect_status_transit_router_attachment)?;
                if state
                    .qos_policies
                    .children_of(QosPolicy::OF_ATTACHMENT, &attachment.id)
                    .any(|p| ctx.live(p))
                {
                    return Err(e::association_exist_traffic_qos());
                }
                fits(
                    mode,
                    total,
                    ctx.attachment_bandwidth(state, &attachment.id),
                )?;
                validate::dry_run(request.dry_run, e::dry_run_operation)?;
                let policy = QosPolicy {
                    id: new_id("qos-"),
                    transit_router_id: router.id.clone(),
                    attachment_id: attachment.id.clone(),
                    owner: caller.uid,
                    region_id: router.region_id.clone(),
                    name: request.traffic_qos_policy_name.clone(),
                    description: request.traffic_qos_policy_description.clone(),
                    mode,
                    life: Lifecycle::started(ctx.now),
                };
                for (queue, values, share) in &queues {
                    state.qos_queues.insert(QosQueue {
                        id: new_id("qos-queue-"),
                        policy_id: policy.id.clone(),
                        transit_router_id: policy.transit_router_id.clone(),
                        attachment_id: policy.attachment_id.clone(),
                        owner: caller.uid,
                        name: queue.qos_queue_name.clone(),
                        description: queue.qos_queue_description.clone(),
                        dscps: values.clone(),
                        share: *share,
                        life: Lifecycle::started(ctx.now),
                    });
                }
                let id = policy.id.clone();
                state.qos_policies.insert(policy);
                Ok(id)
            },
        )?;
        Ok(t::CreateCenInterRegionTrafficQosPolicyResponse {
            request_id: Some(caller.request_id.clone()),
            traffic_qos_policy_id: Some(id),
        })
    }

    /// ListCenInterRegionTrafficQosPolicies: the caller's QoS policies in creation order, paged
    /// by MaxResults (1 to 100, default 20) and NextToken (`InvalidParameter` otherwise).
    /// TransitRouterId or TrafficQosPolicyId must be given (`InvalidParameter`); every given
    /// filter must match: those two, TransitRouterAttachmentId, TrafficQosPolicyName and
    /// TrafficQosPolicyDescription. The queues (without the default queue) are listed only when
    /// TrafficQosPolicyId is given. Unknown ids answer an empty list.
    pub fn list_cen_inter_region_traffic_qos_policies(
        &self,
        caller: &Caller,
        request: t::ListCenInterRegionTrafficQosPoliciesRequest,
    ) -> Result<t::ListCenInterRegionTrafficQosPoliciesResponse, ApiError> {
        use cbn::list_cen_inter_region_traffic_qos_policies as e;
        let page = TokenPage::standard(
            request.max_results,
            request.next_token.as_deref(),
            e::invalid_parameter,
        )?;
        let router = given(&request.transit_router_id);
        let id = given(&request.traffic_qos_policy_id);
        validate::one_given(
            &[router, id],
            e::invalid_parameter,
            "TransitRouterId or TrafficQosPolicyId",
        )?;
        let (items, next_token, total) = self.read(|state, ctx| {
            let table = &state.qos_policies;
            let candidates = table.by_key_or_parent(id, 0, router).unwrap_or_default();
            let keep = |p: &&QosPolicy| {
                p.owner == caller.uid
                    && ctx.live(*p)
                    && router.is_none_or(|r| p.transit_router_id == r)
                    && validate::matches(
                        &request.transit_router_attachment_id,
                        Some(p.attachment_id.as_str()),
                    )
                    && validate::matches(&request.traffic_qos_policy_name, p.name.as_deref())
                    && validate::matches(
                        &request.traffic_qos_policy_description,
                        p.description.as_deref(),
                    )
            };
            let (found, next, total) =
                page.slice(candidates.into_iter().filter(keep).sequenced(table));
            let items: Vec<_> = found
                .into_iter()
                .map(|p| {
                    let queues = if id.is_some() {
                        ctx.queues_of(state, &p.id)
                            .map(|q| {
                                let (bandwidth, percent) = share_fields(p.mode, q.share);
                                t::TrafficQosPolicyQueue {
                                    bandwidth,
                                    dscps: q.dscps.clone(),
                                    effective_bandwidth: Some(mbps(
                                        ctx.effective(state, q, p.mode),
                                    )),
                                    qos_queue_description: q.description.clone(),
                                    qos_queue_id: Some(q.id.clone()),
                                    qos_queue_name: q.name.clone(),
                                    remain_bandwidth_percent: percent,
                                }
                            })
                            .collect()
                    } else {
                        Vec::new()
                    };
                    t::CenInterRegionTrafficQosPolicy {
                        bandwidth_guarantee_mode: Some(p.mode.word().into()),
                        traffic_qos_policy_description: p.description.clone(),
                        traffic_qos_policy_id: Some(p.id.clone()),
                        traffic_qos_policy_name: p.name.clone(),
                        traffic_qos_policy_status: Some(ctx.status(p).into()),
                        traffic_qos_queues: queues,
                        transit_router_attachment_id: Some(p.attachment_id.clone()),
                        transit_router_id: Some(p.transit_router_id.clone()),
                    }
                })
                .collect();
            (items, next, total)
        });
        Ok(t::ListCenInterRegionTrafficQosPoliciesResponse {
            max_results: Some(page.max_results()),
            next_token,
            request_id: Some(caller.request_id.clone()),
            total_count: Some(total),
            traffic_qos_policies: items,
        })
    }

    /// UpdateCenInterRegionTrafficQosPolicyAttribute: changes the name or description of an
    /// `Active` QoS policy, at once. Unknown: `InvalidTrafficQosPolicyId.NotFound`; not Active:
    /// `IncorrectStatus.TrafficQosPolicy`; a bad name or description: `InvalidParameter`.
    /// `DryRun` answers `DryRunOperation`.
    pub fn update_cen_inter_region_traffic_qos_policy_attribute(
        &self,
        caller: &Caller,
        request: t::UpdateCenInterRegionTrafficQosPolicyAttributeRequest,
    ) -> Result<t::UpdateCenInterRegionTrafficQosPolicyAttributeResponse, ApiError> {
        use cbn::update_cen_inter_region_traffic_qos_policy_attribute as e;
        validate::name(request.traffic_qos_policy_name.as_deref())?;
        validate::description(request.traffic_qos_policy_description.as_deref())?;
        let id = request.traffic_qos_policy_id.as_str();
        self.write_idempotent(
            caller,
            "UpdateCenInterRegionTrafficQosPolicyAttribute",
            request.client_token.as_deref(),
            &request,
            |state, ctx| {
                let codes = PolicyCodes {
                    not_found: e::invalid_traffic_qos_policy_id_not_found,
                    busy: e::incorrect_status_traffic_qos_policy,
                };
                ctx.ready_qos_policy(state, caller, id, codes)?;
                validate::dry_run(request.dry_run, e::dry_run_operation)?;
                if let Some(mut policy) = state.qos_policies.get_mut(id) {
                    validate::overwrite(&mut policy.name, &request.traffic_qos_policy_name);
                    validate::overwrite(
                        &mut policy.description,
                        &request.traffic_qos_policy_description,
                    );
                }
                Ok(())
            },
        )?;
        Ok(t::UpdateCenInterRegionTrafficQosPolicyAttributeResponse {
            request_id: Some(caller.request_id.clone()),
        })
    }

    /// DeleteCenInterRegionTrafficQosPolicy: starts deleting an `Active` QoS policy with its
    /// default queue; it is `Deleting` for the delay and then gone. Unknown:
    /// `InvalidTransitQosId.NotFound`; not Active: `IncorrectStatus.TrafficQosPolicy`; with
    /// queues besides the default one (even deleting ones):
    /// `AssociationExist.TransitQosQueueExist`. `DryRun` answers `DryRunOperation`.
    pub fn delete_cen_inter_region_traffic_qos_policy(
        &self,
        caller: &Caller,
        request: t::DeleteCenInterRegionTrafficQosPolicyRequest,
    ) -> Result<t::DeleteCenInterRegionTrafficQosPolicyResponse, ApiError> {
        use cbn::delete_cen_inter_region_traffic_qos_policy as e;
        let id = request.traffic_qos_policy_id.as_str();
        self.write_idempotent(
            caller,
            "DeleteCenInterRegionTrafficQosPolicy",
            request.client_token.as_deref(),
            &request,
            |state, ctx| {
                let codes = PolicyCodes {
                    not_found: e::invalid_transit_qos_id_not_found,
                    busy: e::incorrect_status_traffic_qos_policy,
                };
                let policy = ctx.ready_qos_policy(state, caller, id, codes)?;
                if let Some(error) = ctx.blocker(state, policy, false) {
                    return Err(error);
                }
                validate::dry_run(request.dry_run, e::dry_run_operation)?;
                if let Some(mut policy) = state.qos_policies.get_mut(id) {
                    policy.life.deleting_at = Some(ctx.now);
                }
                state.delete_dependents(QosPolicy::KIND, id, ctx.now);
                Ok(())
            },
        )?;
        Ok(t::DeleteCenInterRegionTrafficQosPolicyResponse {
            request_id: Some(caller.request_id.clone()),
        })
    }

    /// CreateCenInterRegionTrafficQosQueue: adds a queue to an `Active` QoS policy; the queue is
    /// `Creating` and the policy `Modifying` for the delay. Unknown policy:
    /// `InvalidTrafficQosPolicyId.NotFound`; not Active: `IncorrectStatus.TrafficQosPolicy`; a
    /// bad name `InvalidName`, description `InvalidDescription`; 1 to 20 DSCP values 0 to 63
    /// (`InvalidParameter`) that no other queue of the policy matches (`Duplicated.Dscps`); the
    /// share as the policy's mode says (codes as in CreateCenInterRegionTrafficQosPolicy), and
    /// with the other queues' at most 100% (`IllegalParam.RemainBandwidthPercent`) or the
    /// attachment's bandwidth (`IllegalParam.AttachmentBandwidthExceed`). `DryRun` answers
    /// `DryRunOperation`.
    pub fn create_cen_inter_region_traffic_qos_queue(
        &self,
        caller: &Caller,
        request: t::CreateCenInterRegionTrafficQosQueueRequest,
    ) -> Result<t::CreateCenInterRegionTrafficQosQueueResponse, ApiError> {
        use cbn::create_cen_inter_region_traffic_qos_queue as e;
        validate::name(request.qos_queue_name.as_deref()).map_err(|_| e::invalid_name())?;
        validate::description(request.qos_queue_description.as_deref())
            .map_err(|_| e::invalid_description())?;
        let bandwidth = request.bandwidth.map(|b| b.to_string());
        let policy_id = request.traffic_qos_policy_id.as_str();
        let id = self.write_idempotent(
            caller,
            "CreateCenInterRegionTrafficQosQueue",
            request.client_token.as_deref(),
            &request,
            |state, ctx| {
                let codes = PolicyCodes {
                    not_found: e::invalid_traffic_qos_policy_id_not_found,
                    busy: e::incorrect_status_traffic_qos_policy,
                };
                let policy = ctx.ready_qos_policy(state, caller, policy_id, codes)?;
                let (taken, total) = ctx.queue_totals(state, policy_id, None);
                let values = dscps(&request.dscps, 20, &taken)?;
                let share = share(
                    policy.mode,
                    bandwidth.as_deref(),
                    given(&request.remain_bandwidth_percent),
                    true,
                )?
                .unwrap_or_default();
                fits(
                    policy.mode,
                    total + share,
                    ctx.attachment_bandwidth(state, &policy.attachment_id),
                )?;
                validate::dry_run(request.dry_run, e::dry_run_operation)?;
                let queue = QosQueue {
                    id: new_id("qos-queue-"),
                    policy_id: policy.id.clone(),
                    transit_router_id: policy.transit_router_id.clone(),
                    attachment_id: policy.attachment_id.clone(),
                    owner: caller.uid,
                    name: request.qos_queue_name.clone(),
                    description: request.qos_queue_description.clone(),
                    dscps: values,
                    share,
                    life: Lifecycle::started(ctx.now),
                };
                let id = queue.id.clone();
                state.qos_queues.insert(queue);
                ctx.touch_qos_policy(state, policy_id);
                Ok(id)
            },
        )?;
        Ok(t::CreateCenInterRegionTrafficQosQueueResponse {
            qos_queue_id: Some(id),
            request_id: Some(caller.request_id.clone()),
        })
    }

    /// ListCenInterRegionTrafficQosQueues: the caller's queues (not the default queues) in
    /// creation order, paged by MaxResults (1 to 100, default 20) and NextToken
    /// (`InvalidParameter` otherwise). TransitRouterId, TrafficQosPolicyId or TrafficQosQueueId
    /// must be given (`InvalidParameter`); every given filter must match: those,
    /// TransitRouterAttachmentId, TrafficQosQueueName, TrafficQosQueueDescription and
    /// EffectiveBandwidthFilter (Gte, Lte in Mbit/s, against the queue's bandwidth or its
    /// percentage of the attachment's). Unknown ids answer an empty list.
    pub fn list_cen_inter_region_traffic_qos_queues(
        &self,
        caller: &Caller,
        request: t::ListCenInterRegionTrafficQosQueuesRequest,
    ) -> Result<t::ListCenInterRegionTrafficQosQueuesResponse, ApiError> {
        use cbn::list_cen_inter_region_traffic_qos_queues as e;
        let page = TokenPage::standard(
            request.max_results,
            request.next_token.as_deref(),
            e::invalid_parameter,
        )?;
        let router = given(&request.transit_router_id);
        let policy_id = given(&request.traffic_qos_policy_id);
        let id = given(&request.traffic_qos_queue_id);
        validate::one_given(
            &[router, policy_id, id],
            e::invalid_parameter,
            "TransitRouterId, TrafficQosPolicyId or TrafficQosQueueId",
        )?;
        let filter = request
            .effective_bandwidth_filter
            .clone()
            .unwrap_or_default();
        let (items, next_token) = self.read(|state, ctx| {
            let table = &state.qos_queues;
            let candidates = table
                .by_key_or_parent(id, 0, policy_id)
                .unwrap_or_else(|| table.owned_by(caller.uid).collect());
            let mode = |q: &QosQueue| {
                state
                    .qos_policies
                    .get(&q.policy_id)
                    .map_or(GuaranteeMode::Percent, |p| p.mode)
            };
            let keep = |q: &&QosQueue| {
                let effective = ctx.effective(state, q, mode(q));
                q.owner == caller.uid
                    && ctx.live(*q)
                    && router.is_none_or(|r| q.transit_router_id == r)
                    && policy_id.is_none_or(|p| q.policy_id == p)
                    && validate::matches(
                        &request.transit_router_attachment_id,
                        Some(q.attachment_id.as_str()),
                    )
                    && validate::matches(&request.traffic_qos_queue_name, q.name.as_deref())
                    && validate::matches(
                        &request.traffic_qos_queue_description,
                        q.description.as_deref(),
                    )
                    && filter.gte.is_none_or(|g| effective >= g as f64)
                    && filter.lte.is_none_or(|l| effective <= l as f64)
            };
            let (found, next, _) = page.slice(candidates.into_iter().filter(keep).sequenced(table));
            let items: Vec<_> = found
                .into_iter()
                .map(|q| {
                    let (bandwidth, percent) = share_fields(mode(q), q.share);
                    t::CenInterRegionTrafficQosQueue {
                        bandwidth,
                        dscps: q.dscps.clone(),
                        effective_bandwidth: Some(mbps(ctx.effective(state, q, mode(q)))),
                        remain_bandwidth_percent: percent,
                        status: Some(ctx.status(q).into()),
                        traffic_qos_policy_id: Some(q.policy_id.clone()),
                        traffic_qos_queue_description: q.description.clone(),
                        traffic_qos_queue_id: Some(q.id.clone()),
                        traffic_qos_queue_name: q.name.clone(),
                        transit_router_attachment_id: Some(q.attachment_id.clone()),
                        transit_router_id: Some(q.transit_router_id.clone()),
                    }
                })
                .collect();
            (items, next)
        });
        Ok(t::ListCenInterRegionTrafficQosQueuesResponse {
            next_token,
            request_id: Some(caller.request_id.clone()),
            traffic_qos_queues: items,
        })
    }

    /// UpdateCenInterRegionTrafficQosQueueAttribute: changes the name, description, DSCP values
    /// or share of a queue of an `Active` policy, at once. Unknown:
    /// `InvalidTrafficQosQueueId.NotFound`; its policy not Active:
    /// `IncorrectStatus.TrafficQosPolicy`; a bad name or description `InvalidParameter`; DSCP
    /// values and share checked as CreateCenInterRegionTrafficQosQueue checks them, against the
    /// policy's other queues (`Duplicated.Dscps`, `IllegalParam.BandwidthGuaranteeModeMismatch`,
    /// `IllegalParam.Bandwidth`, `IllegalParam.RemainBandwidthPercent`,
    /// `IllegalParam.AttachmentBandwidthExceed`). `DryRun` answers `DryRunOperation`.
    pub fn update_cen_inter_region_traffic_qos_queue_attribute(
        &self,
        caller: &Caller,
        request: t::UpdateCenInterRegionTrafficQosQueueAttributeRequest,
    ) -> Result<t::UpdateCenInterRegionTrafficQosQueueAttributeResponse, ApiError> {
        use cbn::update_cen_inter_region_traffic_qos_queue_attribute as e;
        validate::name(request.qos_queue_name.as_deref())?;
        validate::description(request.qos_queue_description.as_deref())?;
        let bandwidth = request.bandwidth.map(|b| b.to_string());
        let id = request.qos_queue_id.as_str();
        self.write_idempotent(
            caller,
            "UpdateCenInterRegionTrafficQosQueueAttribute",
            request.client_token.as_deref(),
            &request,
            |state, ctx| {
                let codes = PolicyCodes {
                    not_found: e::invalid_traffic_qos_queue_id_not_found,
                    busy: e::incorrect_status_traffic_qos_policy,
                };
                let (queue, policy) = ctx.queue_of_ready_policy(state, caller, id, codes)?;
                let (taken, total) = ctx.queue_totals(state, &policy.id, Some(id));
                let values = if request.dscps.is_empty() {
                    queue.dscps.clone()
                } else {
                    dscps(&request.dscps, 20, &taken)?
                };
                let share = share(
                    policy.mode,
                    bandwidth.as_deref(),
                    given(&request.remain_bandwidth_percent),
                    false,
                )?
                .unwrap_or(queue.share);
                fits(
                    policy.mode,
                    total + share,
                    ctx.attachment_bandwidth(state, &policy.attachment_id),
                )?;
                validate::dry_run(request.dry_run, e::dry_run_operation)?;
                if let Some(mut queue) = state.qos_queues.get_mut(id) {
                    validate::overwrite(&mut queue.name, &request.qos_queue_name);
                    validate::overwrite(&mut queue.description, &request.qos_queue_description);
                    queue.dscps = values;
                    queue.share = share;
                }
                Ok(())
            },
        )?;
        Ok(t::UpdateCenInterRegionTrafficQosQueueAttributeResponse {
            request_id: Some(caller.request_id.clone()),
        })
    }

    /// DeleteCenInterRegionTrafficQosQueue: starts deleting a queue of an `Active` policy; the
    /// queue is `Deleting` and the policy `Modifying` for the delay, then the queue is gone and
    /// its DSCP values go to the default queue. Unknown: `InvalidTrafficQosQueueId.NotFound`;
    /// its policy not Active: `IncorrectStatus.TrafficQosPolicy`. `DryRun` answers
    /// `DryRunOperation`.
    pub fn delete_cen_inter_region_traffic_qos_queue(
        &self,
        caller: &Caller,
        request: t::DeleteCenInterRegionTrafficQosQueueRequest,
    ) -> Result<t::DeleteCenInterRegionTrafficQosQueueResponse, ApiError> {
        use cbn::delete_cen_inter_region_traffic_qos_queue as e;
        let id = request.qos_queue_id.as_str();
        self.write_idempotent(
            caller,
            "DeleteCenInterRegionTrafficQosQueue",
            request.client_token.as_deref(),
            &request,
            |state, ctx| {
                let codes = PolicyCodes {
                    not_found: e::invalid_traffic_qos_queue_id_not_found,
                    busy: e::incorrect_status_traffic_qos_policy,
                };
                let (_, policy) = ctx.queue_of_ready_policy(state, caller, id, codes)?;
                let policy_id = policy.id.clone();
                validate::dry_run(request.dry_run, e::dry_run_operation)?;
                if let Some(mut queue) = state.qos_queues.get_mut(id) {
                    queue.life.deleting_at = Some(ctx.now);
                }
                ctx.touch_qos_policy(state, &policy_id);
                Ok(())
            },
        )?;
        Ok(t::DeleteCenInterRegionTrafficQosQueueResponse {
            request_id: Some(caller.request_id.clone()),
        })
    }
}
