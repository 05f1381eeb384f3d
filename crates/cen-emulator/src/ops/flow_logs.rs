//! Flow logs of transit routers and attachments: CreateFlowlog, DescribeFlowlogs,
//! ModifyFlowLogAttribute, ActiveFlowLog, DeactiveFlowLog, DeleteFlowlog.
//!
//! The emulator keeps the configuration and its states; it writes no records to Log Service,
//! and it takes any project and logstore name as existing (emulator rule: the emulator has no
//! Log Service to ask).

use acs_rpc::error::ApiError;
use cen_server::cbn::errors as cbn;

use crate::api::cbn as t;
use crate::emulator::{Caller, Ctx, Emulator, minutes, new_id};
use crate::errors;
use crate::state::{FlowLog, Lifecycle, Resource, State};
use crate::validate::{self, PARAMETER_TAG, Page, given};

/// The aggregation intervals the API accepts, in seconds.
const INTERVALS: [i64; 2] = [60, 600];

impl<'a> Ctx<'a> {
    /// The caller's live flow log in a region (and CEN instance, when given).
    fn flow_log<'s>(
        &self,
        state: &'s State,
        caller: &Caller,
        (id, region, cen): (&str, &str, Option<&str>),
    ) -> Option<&'s FlowLog> {
        state.flow_logs.get(id).filter(|f| {
            f.owner == caller.uid
                && f.region_id == region
                && cen.is_none_or(|c| f.cen_id == c)
                && self.live(*f)
        })
    }
}

/// The codes of a flow-log change: unknown, and in a transition.
#[derive(Clone, Copy)]
struct ChangeCodes {
    not_found: fn() -> ApiError,
    busy: fn() -> ApiError,
}

/// The state change a flow-log write makes.
enum Change {
    Activate,
    Deactivate,
    Modify,
}

impl Emulator {
    /// CreateFlowlog: records the flows of a transit router (TransitRouterId) or of one of its
    /// attachments (TransitRouterAttachmentId) into a Log Service project and logstore; the
    /// flow log is `Creating` for the delay, then `Active`.
    ///
    /// ProjectName and LogStoreName are required, Interval is 60 or 600 (default 600), name,
    /// description and tags follow CreateTransitRouter's rules: `InvalidParameter` otherwise,
    /// saying which. A router the caller does not have in RegionId and CenId:
    /// `InvalidTransitRouterId.NotFound`; an attachment that is not the router's:
    /// `InvalidParameter`; the router or the attachment in a transition:
    /// `IncorrectStatus.TrFlowlog`. A ClientToken makes the call idempotent.
    pub fn create_flowlog(
        &self,
        caller: &Caller,
        request: t::CreateFlowlogRequest,
    ) -> Result<t::CreateFlowlogResponse, ApiError> {
        use cbn::create_flowlog as e;
        let project =
            validate::given_or(&request.project_name, e::invalid_parameter, "ProjectName")?;
        let logstore = validate::given_or(
            &request.log_store_name,
            e::invalid_parameter,
            "LogStoreName",
        )?;
        let interval = request.interval.unwrap_or(600);
        if !INTERVALS.contains(&interval) {
            return Err(errors::saying(
                e::invalid_parameter,
                "Interval is 60 or 600.",
            ));
        }
        validate::name(request.flow_log_name.as_deref())?;
        validate::description(request.description.as_deref())?;
        let tags = validate::tags_to_set(
            request.tag.iter().map(|t| (t.key.clone(), t.value.clone())),
            PARAMETER_TAG,
        )?;
        let router_id = validate::given_or(
            &request.transit_router_id,
            e::invalid_parameter,
            "TransitRouterId",
        )?;
        let attachment_id = given(&request.transit_router_attachment_id);
        let id = self.write_idempotent(
            caller,
            "CreateFlowlog",
            request.client_token.as_deref(),
            &request,
            |state, ctx| {
                let router = ctx
                    .router(state, caller, router_id)
                    .filter(|r| r.region_id == request.region_id && r.cen_id == request.cen_id)
                    .ok_or_else(e::invalid_transit_router_id_not_found)?;
                ctx.require_ready(router, e::incorrect_status_tr_flowlog)?;
                if let Some(attachment_id) = attachment_id {
                    let attachment = state
                        .tr_attachments
                        .get(attachment_id)
                        .filter(|a| a.transit_router_id == router.id && ctx.live(*a))
                        .ok_or_else(|| {
                            errors::saying(
                                e::invalid_parameter,
                                "TransitRouterAttachmentId is not an attachment of the router.",
                            )
                        })?;
                    ctx.require_ready(attachment, e::incorrect_status_tr_flowlog)?;
                }
                let flow_log = FlowLog {
                    id: new_id("flowlog-"),
                    cen_id: router.cen_id.clone(),
                    owner: caller.uid,
                    region_id: router.region_id.clone(),
                    transit_router_id: router.id.clone(),
                    attachment_id: attachment_id.map(str::to_owned),
                    name: request.flow_log_name.clone(),
                    description: request.description.clone(),
                    interval,
                    project: project.to_owned(),
                    logstore: logstore.to_owned(),
                    log_format: request.log_format_string.clone(),
                    active: true,
                    life: Lifecycle::started(ctx.now),
                    tags: tags.clone(),
                };
                let id = flow_log.id.clone();
                state.flow_logs.insert(flow_log);
                Ok(id)
            },
        )?;
        Ok(t::CreateFlowlogResponse {
            flow_log_id: Some(id),
            request_id: Some(caller.request_id.clone()),
            success: Some("true".into()),
        })
    }

    /// DescribeFlowlogs: the caller's flow logs in creation order, paged by PageNumber and
    /// PageSize (1 to 50, default 20; `InvalidParameter` otherwise; the three numbers of the
    /// answer are strings, as the service writes them). Every given filter must match: RegionId,
    /// CenId, FlowLogId, FlowLogName, Description, Interval, ProjectName, LogStoreName,
    /// Status, TransitRouterId, TransitRouterAttachmentId and Tag.N.
    pub fn describe_flowlogs(
        &self,
        caller: &Caller,
        request: t::DescribeFlowlogsRequest,
    ) -> Result<t::DescribeFlowlogsResponse, ApiError> {
        let page = Page::new(
            request.page_number,
            Some(request.page_size.unwrap_or(20)),
            50,
        )?;
        let tag_filters = validate::tag_filters(
            request.tag.iter().map(|t| (t.key.clone(), t.value.clone())),
            PARAMETER_TAG,
        )?;
        let status = request.status.as_ref().map(|s| s.as_str().to_owned());
        let (flow_log, total) = self.read(|state, ctx| {
            let keep = |f: &FlowLog| {
                validate::matches(&request.region_id, Some(f.region_id.as_str()))
                    && validate::matches(&request.cen_id, Some(f.cen_id.as_str()))
                    && validate::matches(&request.flow_log_id, Some(f.id.as_str()))
                    && validate::matches(&request.flow_log_name, f.name.as_deref())
                    && validate::matches(&request.description, f.description.as_deref())
                    && request.interval.is_none_or(|i| f.interval == i64::from(i))
                    && validate::matches(&request.project_name, Some(f.project.as_str()))
                    && validate::matches(&request.log_store_name, Some(f.logstore.as_str()))
                    && status.as_deref().is_none_or(|s| ctx.status(f) == s)
                    && validate::matches(
                        &request.transit_router_id,
                        Some(f.transit_router_id.as_str()),
                    )
                    && validate::matches(
                        &request.transit_router_attachment_id,
                        f.attachment_id.as_deref(),
                    )
                    && validate::tags_match(&f.tags, &tag_filters)
            };
            let (matched, total) = ctx.owned_page(
                state,
                &state.flow_logs,
                caller.uid,
                page,
                Some(&keep as &dyn Fn(&FlowLog) -> bool),
            );
            let items: Vec<_> = matched
                .into_iter()
                .map(|f| t::Flowlog {
                    cen_id: Some(f.cen_id.clone()),
                    creation_time: Some(minutes(f.life.created_at)),
                    description: f.description.clone(),
                    flow_log_id: Some(f.id.clone()),
                    flow_log_name: f.name.clone(),
                    flow_log_version: Some("3".into()),
                    interval: Some(f.interval),
                    log_format_string: f.log_format.clone(),
                    log_store_name: Some(f.logstore.clone()),
                    project_name: Some(f.project.clone()),
                    region_id: Some(f.region_id.clone()),
                    status: Some(ctx.status(f).into()),
                    tags: Some(t::FlowlogTags {
                        tag: f
                            .tags
                            .iter()
                            .map(|tag| t::Tag {
                                key: Some(tag.key.clone()),
                                value: Some(tag.value.clone()),
                            })
                            .collect(),
                    }),
                    transit_router_attachment_id: f.attachment_id.clone(),
                    transit_router_id: Some(f.transit_router_id.clone()),
                })
                .collect();
            (items, total)
        });
        Ok(t::DescribeFlowlogsResponse {
            flow_logs: Some(t::DescribeFlowlogsResponseFlowLogs { flow_log }),
            page_number: Some(page.number.to_string()),
            page_size: Some(page.size.to_string()),
            request_id: Some(caller.request_id.clone()),
            success: Some("true".into()),
            total_count: Some(total.to_string()),
        })
    }

    /// Applies an Active, Deactive or Modify to a flow log: unknown `InvalidFlowlogId.NotFound`,
    /// in a transition `IncorrectStatus.TrFlowlog`; the flow log is `Modifying` for the delay.
    fn change_flow_log(
        &self,
        caller: &Caller,
        (action, token, id, region, cen): (&str, Option<&str>, &str, &str, Option<&str>),
        request: &impl serde::Serialize,
        change: Change,
        codes: ChangeCodes,
        modify: impl FnOnce(&mut FlowLog),
    ) -> Result<(), ApiError> {
        let ChangeCodes { not_found, busy } = codes;
        self.write_idempotent(caller, action, token, request, |state, ctx| {
            let flow_log = ctx
                .flow_log(state, caller, (id, region, cen))
                .ok_or_else(not_found)?;
            ctx.require_ready(flow_log, busy)?;
            if let Some(mut f) = state.flow_logs.get_mut(id) {
                match change {
                    Change::Activate => f.active = true,
                    Change::Deactivate => f.active = false,
                    Change::Modify => modify(&mut f),
                }
                f.life.modified_at = Some(ctx.now);
            }
            Ok(())
        })
    }

    /// ModifyFlowLogAttribute: changes the name, description or Interval (60 or 600,
    /// `InvalidParameter` otherwise) of a flow log, which is `Modifying` for the delay and then
    /// as it was (Active or Inactive). Unknown: `InvalidFlowlogId.NotFound`; in a transition:
    /// `IncorrectStatus.TrFlowlog`.
    pub fn modify_flow_log_attribute(
        &self,
        caller: &Caller,
        request: t::ModifyFlowLogAttributeRequest,
    ) -> Result<t::ModifyFlowLogAttributeResponse, ApiError> {
        use cbn::modify_flow_log_attribute as e;
        validate::name(request.flow_log_name.as_deref())?;
        validate::description(request.description.as_deref())?;
        if request.interval.is_some_and(|i| !INTERVALS.contains(&i)) {
            return Err(errors::saying(
                e::invalid_parameter,
                "Interval is 60 or 600.",
            ));
        }
        self.change_flow_log(
            caller,
            (
                "ModifyFlowLogAttribute",
                request.client_token.as_deref(),
                &request.flow_log_id,
                &request.region_id,
                given(&request.cen_id),
            ),
            &request,
            Change::Modify,
            ChangeCodes {
                not_found: e::invalid_flowlog_id_not_found,
                busy: e::incorrect_status_tr_flowlog,
            },
            |f| {
                validate::overwrite(&mut f.name, &request.flow_log_name);
                validate::overwrite(&mut f.description, &request.description);
                if let Some(interval) = request.interval {
                    f.interval = interval;
                }
            },
        )?;
        Ok(t::ModifyFlowLogAttributeResponse {
            request_id: Some(caller.request_id.clone()),
            success: Some("true".into()),
        })
    }

    /// ActiveFlowLog: starts an `Inactive` (or `Active`) flow log collecting again; it is
    /// `Modifying` for the delay, then `Active`. Unknown: `InvalidFlowlogId.NotFound`; in a
    /// transition: `IncorrectStatus.TrFlowlog`.
    pub fn active_flow_log(
        &self,
        caller: &Caller,
        request: t::ActiveFlowLogRequest,
    ) -> Result<t::ActiveFlowLogResponse, ApiError> {
        use cbn::active_flow_log as e;
        self.change_flow_log(
            caller,
            (
                "ActiveFlowLog",
                request.client_token.as_deref(),
                &request.flow_log_id,
                &request.region_id,
                given(&request.cen_id),
            ),
            &request,
            Change::Activate,
            ChangeCodes {
                not_found: e::invalid_flowlog_id_not_found,
                busy: e::incorrect_status_tr_flowlog,
            },
            |_| {},
        )?;
        Ok(t::ActiveFlowLogResponse {
            request_id: Some(caller.request_id.clone()),
            success: Some("true".into()),
        })
    }

    /// DeactiveFlowLog: stops a flow log collecting; it is `Modifying` for the delay, then
    /// `Inactive`. Unknown: `InvalidFlowlogId.NotFound`; in a transition:
    /// `IncorrectStatus.TrFlowlog`.
    pub fn deactive_flow_log(
        &self,
        caller: &Caller,
        request: t::DeactiveFlowLogRequest,
    ) -> Result<t::DeactiveFlowLogResponse, ApiError> {
        use cbn::deactive_flow_log as e;
        self.change_flow_log(
            caller,
            (
                "DeactiveFlowLog",
                request.client_token.as_deref(),
                &request.flow_log_id,
                &request.region_id,
                given(&request.cen_id),
            ),
            &request,
            Change::Deactivate,
            ChangeCodes {
                not_found: e::invalid_flowlog_id_not_found,
                busy: e::incorrect_status_tr_flowlog,
            },
            |_| {},
        )?;
        Ok(t::DeactiveFlowLogResponse {
            request_id: Some(caller.request_id.clone()),
            success: Some("true".into()),
        })
    }

    /// DeleteFlowlog: starts deleting a flow log; it is `Deleting` for the delay and then gone,
    /// and no longer keeps its router or attachment from being deleted. Unknown:
    /// `InvalidFlowlogId.NotFound`; in a transition: `IncorrectStatus.TrFlowlog`.
    pub fn delete_flowlog(
        &self,
        caller: &Caller,
        request: t::DeleteFlowlogRequest,
    ) -> Result<t::DeleteFlowlogResponse, ApiError> {
        use cbn::delete_flowlog as e;
        self.write_idempotent(
            caller,
            "DeleteFlowlog",
            request.client_token.as_deref(),
            &request,
            |state, ctx| {
                let key = (
                    request.flow_log_id.as_str(),
                    request.region_id.as_str(),
                    given(&request.cen_id),
                );
                let flow_log = ctx
                    .flow_log(state, caller, key)
                    .ok_or_else(e::invalid_flowlog_id_not_found)?;
                ctx.require_ready(flow_log, e::incorrect_status_tr_flowlog)?;
                if let Some(mut f) = state.flow_logs.get_mut(&request.flow_log_id) {
                    f.life.deleting_at = Some(ctx.now);
                }
                state.delete_dependents(FlowLog::KIND, &request.flow_log_id, ctx.now);
                Ok(())
            },
        )?;
        Ok(t::DeleteFlowlogResponse {
            request_id: Some(caller.request_id.clone()),
            success: Some("true".into()),
        })
    }
}
