//! Cross-account grants for transit routers, called by the owner of the network instance:
//! GrantInstanceToTransitRouter, ModifyGrantInstanceToTransitRouter,
//! RevokeInstanceFromTransitRouter, DescribeGrantRulesToResource.
//!
//! They share the grant records of Vpc GrantInstanceToCen: a grant lets the CEN owner attach
//! the instance to the CEN instance, in the Basic Edition or to a transit router, and says who
//! pays for a transit-router attachment.

use acs_rpc::error::ApiError;
use cen_server::cbn::errors as cbn;

use crate::api::cbn as t;
use crate::emulator::{Caller, Ctx, Emulator, minutes};
use crate::errors;
use crate::inventory::{InstanceType, NetworkInstance};
use crate::resource::Sequenced;
use crate::state::{Grant, Resource, State};
use crate::validate::TokenPage;

/// The inventory type of a grant's InstanceType (`ExpressConnect` is a VBR); the emulator's
/// inventory has no VPN connections or ECRs.
fn instance_type(kind: &t::GrantInstanceType) -> Option<InstanceType> {
    match kind {
        t::GrantInstanceType::Vpc => Some(InstanceType::Vpc),
        t::GrantInstanceType::ExpressConnect => Some(InstanceType::Vbr),
        _ => None,
    }
}

/// Reads OrderType: `PayByCenOwner` or `PayByResourceOwner`.
fn order_type(value: &str, bad: fn() -> ApiError) -> Result<String, ApiError> {
    match value {
        "PayByCenOwner" | "PayByResourceOwner" => Ok(value.to_owned()),
        other => Err(errors::saying(
            bad,
            format!("OrderType {other} is not valid."),
        )),
    }
}

impl<'a> Ctx<'a> {
    /// The caller's instance of a grant call, of the named type (and region, when given).
    fn granted_instance<'s>(
        &self,
        state: &'s State,
        caller: &Caller,
        (id, kind, region): (&str, &t::GrantInstanceType, Option<&str>),
        bad: fn() -> ApiError,
    ) -> Result<&'s NetworkInstance, ApiError>
    where
        'a: 's,
    {
        let wanted = instance_type(kind).ok_or_else(|| {
            errors::saying(
                bad,
                format!("InstanceType {} is not served.", kind.as_str()),
            )
        })?;
        self.instance(state, id)
            .filter(|i| {
                i.owner_id == caller.uid
                    && i.instance_type == wanted
                    && region.is_none_or(|r| r.is_empty() || i.region_id == r)
            })
            .ok_or_else(|| {
                errors::saying(
                    bad,
                    format!("You have no {} instance {id} there.", kind.as_str()),
                )
            })
    }
}

impl Emulator {
    /// GrantInstanceToTransitRouter: the owner of a VPC or VBR (`ExpressConnect`) lets a CEN
    /// instance of another account (CenId, CenOwnerId) connect it to its transit routers, with
    /// who pays (OrderType, default `PayByCenOwner`). Granting again updates the payer.
    ///
    /// Every mistake is `InvalidParameter`, with a message that says which: an instance that is
    /// not the caller's, of that type, in RegionId; an InstanceType the emulator does not serve
    /// (VPN, ECR); a bad OrderType; a CEN instance that exists but is not CenOwnerId's.
    pub fn grant_instance_to_transit_router(
        &self,
        caller: &Caller,
        request: t::GrantInstanceToTransitRouterRequest,
    ) -> Result<t::GrantInstanceToTransitRouterResponse, ApiError> {
        use cbn::grant_instance_to_transit_router as e;
        let payer = request
            .order_type
            .as_ref()
            .map(|o| order_type(o.as_str(), e::invalid_parameter))
            .transpose()?
            .unwrap_or_else(|| "PayByCenOwner".into());
        self.write(|state, ctx| {
            let instance = ctx.granted_instance(
                state,
                caller,
                (
                    &request.instance_id,
                    &request.instance_type,
                    request.region_id.as_deref(),
                ),
                e::invalid_parameter,
            )?;
            if state
                .cens
                .get(&request.cen_id)
                .is_some_and(|c| c.owner != request.cen_owner_id && ctx.live(c))
            {
                return Err(errors::saying(
                    e::invalid_parameter,
                    format!(
                        "{} is not a CEN instance of account {}.",
                        request.cen_id, request.cen_owner_id
                    ),
                ));
            }
            let grant = Grant {
                cen_id: request.cen_id.clone(),
                cen_owner: request.cen_owner_id,
                instance_id: instance.instance_id.clone(),
                instance_type: instance.instance_type,
                region_id: instance.region_id.clone(),
                owner: caller.uid,
                created_at: ctx.now,
                order_type: Some(payer.clone()),
            };
            if let Some(mut existing) = state.grants.get_mut(&grant.key()) {
                existing.order_type = grant.order_type;
                return Ok(());
            }
            state.grants.insert(grant);
            Ok(())
        })?;
        Ok(t::GrantInstanceToTransitRouterResponse {
            request_id: Some(caller.request_id.clone()),
        })
    }

    /// ModifyGrantInstanceToTransitRouter: changes who pays for the attachments of a granted
    /// instance. A grant that does not exist, or a bad OrderType: `InvalidParameter`, saying so.
    /// A ClientToken makes the call idempotent.
    pub fn modify_grant_instance_to_transit_router(
        &self,
        caller: &Caller,
        request: t::ModifyGrantInstanceToTransitRouterRequest,
    ) -> Result<t::ModifyGrantInstanceToTransitRouterResponse, ApiError> {
        use cbn::modify_grant_instance_to_transit_router as e;
        let payer = order_type(&request.order_type, e::invalid_parameter)?;
        self.write_idempotent(
            caller,
            "ModifyGrantInstanceToTransitRouter",
            request.client_token.as_deref(),
            &request,
            |state, _ctx| {
                let key = state
                    .grants
                    .iter()
                    .find(|g| {
                        g.owner == caller.uid
                            && g.cen_id == request.cen_id
                            && g.instance_id == request.instance_id
                    })
                    .map(Grant::key)
                    .ok_or_else(|| {
                        errors::saying(
                            e::invalid_parameter,
                            format!(
                                "{} is not granted to {}.",
                                request.instance_id, request.cen_id
                            ),
                        )
                    })?;
                if let Some(mut grant) = state.grants.get_mut(&key) {
                    grant.order_type = Some(payer.clone());
                }
                Ok(())
            },
        )?;
        Ok(t::ModifyGrantInstanceToTransitRouterResponse {
            request_id: Some(caller.request_id.clone()),
        })
    }

    /// RevokeInstanceFromTransitRouter: withdraws a grant; revoking one that does not exist
    /// succeeds. While the instance is connected to a transit router (or attached in the Basic
    /// Edition) of that CEN instance: `InvalidParameter`, saying so; the instance errors are
    /// GrantInstanceToTransitRouter's.
    pub fn revoke_instance_from_transit_router(
        &self,
        caller: &Caller,
        request: t::RevokeInstanceFromTransitRouterRequest,
    ) -> Result<t::RevokeInstanceFromTransitRouterResponse, ApiError> {
        use cbn::revoke_instance_from_transit_router as e;
        self.write(|state, ctx| {
            let instance = ctx.granted_instance(
                state,
                caller,
                (
                    &request.instance_id,
                    &request.instance_type,
                    request.region_id.as_deref(),
                ),
                e::invalid_parameter,
            )?;
            let attached = ctx.tr_attached_to(state, &instance.instance_id, &request.cen_id)
                || ctx
                    .attachment_of(state, &instance.instance_id)
                    .is_some_and(|a| a.cen_id == request.cen_id);
            if attached {
                return Err(errors::saying(
                    e::invalid_parameter,
                    format!(
                        "{} is still attached to {}; detach it first.",
                        instance.instance_id, request.cen_id
                    ),
                ));
            }
            let key = (
                request.cen_id.clone(),
                request.cen_owner_id,
                instance.instance_id.clone(),
            );
            state.grants.remove(&key);
            Ok(())
        })?;
        Ok(t::RevokeInstanceFromTransitRouterResponse {
            request_id: Some(caller.request_id.clone()),
        })
    }

    /// DescribeGrantRulesToResource: the CEN instances the caller's instance (ResourceId of
    /// ProductType) is granted to, in grant order, paged by MaxResults (1 to 100, default 20)
    /// and NextToken (`InvalidParameter` for bad ones). An instance that is not the caller's
    /// has none.
    pub fn describe_grant_rules_to_resource(
        &self,
        caller: &Caller,
        request: t::DescribeGrantRulesToResourceRequest,
    ) -> Result<t::DescribeGrantRulesToResourceResponse, ApiError> {
        use cbn::describe_grant_rules_to_resource as e;
        let page = TokenPage::standard(
            request.max_results,
            request.next_token.as_deref(),
            e::invalid_parameter,
        )?;
        let wanted = instance_type(&request.product_type);
        let (grant_rules, next_token, total) = self.read(|state, _ctx| {
            let matched = state
                .grants
                .iter()
                .filter(|g| {
                    g.owner == caller.uid
                        && g.instance_id == request.resource_id
                        && Some(g.instance_type) == wanted
                        && request
                            .region_id
                            .as_deref()
                            .is_none_or(|r| r.is_empty() || g.region_id == r)
                })
                .sequenced(&state.grants);
            let (page, next, total) = page.slice(matched);
            let rules: Vec<_> = page
                .into_iter()
                .map(|g| {
                    let payer = g
                        .order_type
                        .clone()
                        .unwrap_or_else(|| "PayByCenOwner".into());
                    t::ResourceGrantRule {
                        cen_id: Some(g.cen_id.clone()),
                        cen_owner_id: Some(g.cen_owner),
                        create_time: Some(minutes(g.created_at)),
                        effective_order_type: Some(payer.clone()),
                        order_type: Some(payer),
                    }
                })
                .collect();
            (rules, next, total)
        });
        Ok(t::DescribeGrantRulesToResourceResponse {
            grant_rules,
            max_results: Some(page.max_results()),
            next_token,
            request_id: Some(caller.request_id.clone()),
            total_count: Some(total),
        })
    }
}
