//! Cross-account authorization: Vpc GrantInstanceToCen, RevokeInstanceFromCen and
//! DescribeGrantRulesToCen (called by the owner of the network instance), and Cbn
//! DescribeGrantRulesToCen (called by the owner of the CEN instance).

use acs_rpc::error::ApiError;

use crate::api::{cbn as t, vpc as v};
use crate::emulator::{Caller, Ctx, Emulator, minutes};
use crate::errors;
use crate::geo::Area;
use crate::inventory::NetworkInstance;
use crate::state::{Grant, Resource, State};
use crate::validate::{self, Page};

/// Finds the caller's instance for a Vpc grant call: the region must be known
/// (`InvalidRegionId.NotFound`), the instance the caller's and in that region
/// (`InvalidInstanceId.NotFound`), and of the named type (`InstanceType.Invalid`).
fn own_instance<'s>(
    ctx: &'s Ctx<'_>,
    state: &'s State,
    caller: &Caller,
    id: &str,
    kind: &str,
    region: &str,
) -> Result<&'s NetworkInstance, ApiError> {
    if Area::of_region(region).is_none() {
        return Err(errors::vpc_region_not_found());
    }
    let instance = ctx
        .instance(state, id)
        .filter(|i| i.owner_id == caller.uid && i.region_id == region)
        .ok_or_else(errors::vpc_instance_not_found)?;
    if instance.instance_type.as_str() != kind {
        return Err(errors::vpc_instance_type_invalid());
    }
    Ok(instance)
}

impl Emulator {
    /// GrantInstanceToCen (Vpc): the owner of a VPC or VBR lets a CEN instance of another
    /// account (CenId, CenOwnerId) attach it. Granting twice is harmless.
    ///
    /// Errors: unknown region `InvalidRegionId.NotFound`; an instance that is not the caller's
    /// or not in that region `InvalidInstanceId.NotFound`; another type `InstanceType.Invalid`;
    /// a CenId that is not a CEN instance id `IllegalParam.CenInstanceId`; a CEN instance that
    /// exists but is not owned by CenOwnerId `Invalid.Grant`. ClientToken makes it idempotent.
    pub fn grant_instance_to_cen(
        &self,
        caller: &Caller,
        request: v::GrantInstanceToCenRequest,
    ) -> Result<v::GrantInstanceToCenResponse, ApiError> {
        let kind = request.instance_type.to_string();
        self.write_idempotent(
            caller,
            "GrantInstanceToCen",
            request.client_token.as_deref(),
            &request,
            |state, ctx| {
                let instance = own_instance(
                    ctx,
                    state,
                    caller,
                    &request.instance_id,
                    &kind,
                    &request.region_id,
                )?;
                if !request.cen_id.starts_with("cen-") || request.cen_id.len() <= 4 {
                    return Err(errors::vpc_illegal_cen_id());
                }
                if state
                    .cens
                    .get(&request.cen_id)
                    .is_some_and(|c| c.owner != request.cen_owner_id && ctx.live(c))
                {
                    return Err(errors::vpc_invalid_grant());
                }
                let grant = Grant {
                    cen_id: request.cen_id.clone(),
                    cen_owner: request.cen_owner_id,
                    instance_id: instance.instance_id.clone(),
                    instance_type: instance.instance_type,
                    region_id: instance.region_id.clone(),
                    owner: caller.uid,
                    created_at: ctx.now,
                    order_type: None,
                };
                if !state.grants.contains_key(&grant.key()) {
                    state.grants.insert(grant);
                }
                Ok(())
            },
        )?;
        Ok(v::GrantInstanceToCenResponse {
            request_id: Some(caller.request_id.clone()),
        })
    }

    /// RevokeInstanceFromCen (Vpc): the owner withdraws a grant. Revoking a grant that does not
    /// exist succeeds.
    ///
    /// Errors: those of GrantInstanceToCen for the instance, and `IncorrectStatus.cbnStatus`
    /// while the instance is attached to (or attaching to, or detaching from) that CEN instance,
    /// in the Basic Edition or to one of its transit routers.
    pub fn revoke_instance_from_cen(
        &self,
        caller: &Caller,
        request: v::RevokeInstanceFromCenRequest,
    ) -> Result<v::RevokeInstanceFromCenResponse, ApiError> {
        let kind = request.instance_type.to_string();
        self.write_idempotent(
            caller,
            "RevokeInstanceFromCen",
            request.client_token.as_deref(),
            &request,
            |state, ctx| {
                let instance = own_instance(
                    ctx,
                    state,
                    caller,
                    &request.instance_id,
                    &kind,
                    &request.region_id,
                )?;
                if ctx
                    .attachment_of(state, &instance.instance_id)
                    .is_some_and(|a| a.cen_id == request.cen_id)
                    || ctx.tr_attached_to(state, &instance.instance_id, &request.cen_id)
                {
                    return Err(errors::vpc_cbn_status());
                }
                let id = instance.instance_id.clone();
                state
                    .grants
                    .remove(&(request.cen_id.clone(), request.cen_owner_id, id));
                Ok(())
            },
        )?;
        Ok(v::RevokeInstanceFromCenResponse {
            request_id: Some(caller.request_id.clone()),
        })
    }

    /// DescribeGrantRulesToCen (Vpc): the CEN instances the caller's instance is granted to, in
    /// grant order, paged (PageSize 1 to 50). An instance that is not the caller's has none.
    pub fn vpc_describe_grant_rules_to_cen(
        &self,
        caller: &Caller,
        request: v::DescribeGrantRulesToCenRequest,
    ) -> Result<v::DescribeGrantRulesToCenResponse, ApiError> {
        let page = Page::new(request.page_number, request.page_size, 50)?;
        let kind = request.instance_type.to_string();
        let items = self.read(|state, _| {
            state
                .grants
                .iter()
                .filter(|g| {
                    g.owner == caller.uid
                        && g.instance_id == request.instance_id
                        && g.instance_type.as_str() == kind
                        && g.region_id == request.region_id
                })
                .map(|g| v::CenGrantRule {
                    cen_instance_id: Some(g.cen_id.clone()),
                    cen_owner_id: Some(g.cen_owner),
                    creation_time: Some(minutes(g.created_at)),
                })
                .collect::<Vec<_>>()
        });
        let (cbn_grant_rule, total) = page.slice(items);
        Ok(v::DescribeGrantRulesToCenResponse {
            cen_grant_rules: Some(v::DescribeGrantRulesToCenResponseCenGrantRules {
                cbn_grant_rule,
            }),
            page_number: Some(page.number),
            page_size: Some(page.size),
            request_id: Some(caller.request_id.clone()),
            total_count: Some(total),
        })
    }

    /// DescribeGrantRulesToCen (Cbn): the instances of other accounts granted to a CEN instance
    /// of the caller, of one ProductType, optionally filtered by ChildInstanceId,
    /// ChildInstanceOwnerId and RegionId, in grant order.
    ///
    /// Without MaxResults every entry comes in one page and MaxResults answers the total; with
    /// it (1 to 100, `InvalidParameter` otherwise) a page holds that many and NextToken, an
    /// opaque offset, fetches the next (`InvalidParameter` when it is not one the emulator gave).
    /// Unknown CEN instance: `ParameterCenInstanceId`.
    pub fn describe_grant_rules_to_cen(
        &self,
        caller: &Caller,
        request: t::DescribeGrantRulesToCenRequest,
    ) -> Result<t::DescribeGrantRulesToCenResponse, ApiError> {
        validate::required(&request.cen_id, "CenId")?;
        if request.max_results.is_some_and(|m| !(1..=100).contains(&m)) {
            return Err(errors::invalid_parameter());
        }
        let offset: usize = match request.next_token.as_deref() {
            None | Some("") => 0,
            Some(token) => token.parse().map_err(|_| errors::invalid_parameter())?,
        };
        let kind = request.product_type.to_string();
        let items = self.read(|state, ctx| {
            ctx.cen(state, caller, &request.cen_id)?;
            Ok::<_, ApiError>(
                state
                    .grants
                    .iter()
                    .filter(|g| {
                        g.cen_id == request.cen_id
                            && g.cen_owner == caller.uid
                            && g.instance_type.as_str() == kind
                            && request
                                .child_instance_id
                                .as_deref()
                                .is_none_or(|i| i.is_empty() || g.instance_id == i)
                            && request.child_instance_owner_id.is_none_or(|o| g.owner == o)
                            && request
                                .region_id
                                .as_deref()
                                .is_none_or(|r| r.is_empty() || g.region_id == r)
                    })
                    .map(|g| t::CenGrantRule {
                        cen_id: Some(g.cen_id.clone()),
                        cen_owner_id: Some(g.cen_owner),
                        child_instance_id: Some(g.instance_id.clone()),
                        child_instance_owner_id: Some(g.owner),
                        child_instance_region_id: Some(g.region_id.clone()),
                        child_instance_type: Some(g.instance_type.as_str().into()),
                        create_time: Some(g.created_at),
                        effective_order_type: Some("PayByCenOwner".into()),
                        order_type: Some("PayByCenOwner".into()),
                    })
                    .collect::<Vec<_>>(),
            )
        })?;
        let total = items.len();
        if offset > total {
            return Err(errors::invalid_parameter());
        }
        let (page, next_token, max_results) = match request.max_results {
            None => (
                items.into_iter().skip(offset).collect::<Vec<_>>(),
                None,
                total,
            ),
            Some(max) => {
                let max = usize::try_from(max).unwrap_or(usize::MAX);
                let page: Vec<_> = items.into_iter().skip(offset).take(max).collect();
                let end = offset + page.len();
                let next = (end < total).then(|| end.to_string());
                let len = page.len();
                (page, next, len)
            }
        };
        Ok(t::DescribeGrantRulesToCenResponse {
            grant_rules: Some(t::DescribeGrantRulesToCenResponseGrantRules { grant_rule: page }),
            max_results: i64::try_from(max_results).ok(),
            next_token,
            request_id: Some(caller.request_id.clone()),
            total_count: i64::try_from(total).ok(),
        })
    }
}

#[cfg(test)]
mod tests {
    use crate::testing::{A, B, Harness, req};
    use serde_json::json;

    const B_VPC: &str = "vpc-bp1emuhzb0000000001";
    const B_VBR: &str = "vbr-bp1emuhzb0000000001";

    #[test]
    fn grant_errors() {
        let h = Harness::new();
        let cen = h.active_cen(A);
        let grant = |uid, body: serde_json::Value| {
            let e = h
                .emulator
                .grant_instance_to_cen(&h.caller(uid), req(body))
                .unwrap_err();
            (e.status, e.code)
        };
        let body = |id: &str, kind: &str, region: &str, cen_id: &str, owner: i64| json!({"CenId": cen_id, "CenOwnerId": owner, "InstanceId": id, "InstanceType": kind, "RegionId": region});
        let cases = [
            (
                B,
                body(B_VPC, "VPC", "xx-nowhere-1", &cen, A),
                404,
                "InvalidRegionId.NotFound",
            ),
            (
                B,
                body(B_VPC, "VPC", "cn-shanghai", &cen, A),
                404,
                "InvalidInstanceId.NotFound",
            ),
            (
                A,
                body(B_VPC, "VPC", "cn-hangzhou", &cen, A),
                404,
                "InvalidInstanceId.NotFound",
            ),
            (
                B,
                body(B_VPC, "VBR", "cn-hangzhou", &cen, A),
                404,
                "InstanceType.Invalid",
            ),
            (
                B,
                body(B_VPC, "VPC", "cn-hangzhou", "nope", A),
                400,
                "IllegalParam.CenInstanceId",
            ),
            (
                B,
                body(B_VPC, "VPC", "cn-hangzhou", &cen, B),
                400,
                "Invalid.Grant",
            ),
        ];
        for (uid, body, status, code) in cases {
            assert_eq!(grant(uid, body.clone()), (status, code.into()), "{body}");
        }
    }

    #[test]
    fn grant_list_and_revoke() {
        let h = Harness::new();
        let cen = h.active_cen(A);
        h.grant(B, &cen, A, B_VPC, "VPC", "cn-hangzhou");
        h.grant(B, &cen, A, B_VPC, "VPC", "cn-hangzhou");
        h.grant(B, &cen, A, B_VBR, "VBR", "cn-hangzhou");

        let vpc_rules = h
            .emulator
            .vpc_describe_grant_rules_to_cen(
                &h.caller(B),
                req(json!({"InstanceId": B_VPC, "InstanceType": "VPC", "RegionId": "cn-hangzhou"})),
            )
            .unwrap();
        assert_eq!(vpc_rules.total_count, Some(1));
        let rule = &vpc_rules.cen_grant_rules.unwrap().cbn_grant_rule[0];
        assert_eq!(rule.cen_instance_id.as_deref(), Some(cen.as_str()));
        assert_eq!(rule.cen_owner_id, Some(A));

        let cbn_rules = |body: serde_json::Value| {
            h.emulator
                .describe_grant_rules_to_cen(&h.caller(A), req(body))
                .unwrap()
        };
        let all_vpc = cbn_rules(json!({"CenId": cen, "ProductType": "VPC"}));
        assert_eq!(all_vpc.total_count, Some(1));
        assert_eq!(all_vpc.max_results, Some(1));
        let rules = all_vpc.grant_rules.unwrap().grant_rule;
        assert_eq!(rules[0].child_instance_owner_id, Some(B));
        assert_eq!(
            cbn_rules(json!({"CenId": cen, "ProductType": "VBR"})).total_count,
            Some(1)
        );
        assert_eq!(
            cbn_rules(json!({"CenId": cen, "ProductType": "CCN"})).total_count,
            Some(0)
        );
        let e = h
            .emulator
            .describe_grant_rules_to_cen(
                &h.caller(A),
                req(json!({"CenId": cen, "ProductType": "VPC", "MaxResults": 0})),
            )
            .unwrap_err();
        assert_eq!(e.code, "InvalidParameter");

        // Revoking refuses while attached, then works.
        h.emulator
            .attach_cen_child_instance(
                &h.caller(A),
                req(json!({"CenId": cen, "ChildInstanceId": B_VPC, "ChildInstanceType": "VPC", "ChildInstanceRegionId": "cn-hangzhou", "ChildInstanceOwnerId": B})),
            )
            .unwrap();
        let revoke = json!({"CenId": cen, "CenOwnerId": A, "InstanceId": B_VPC, "InstanceType": "VPC", "RegionId": "cn-hangzhou"});
        let e = h
            .emulator
            .revoke_instance_from_cen(&h.caller(B), req(revoke.clone()))
            .unwrap_err();
        assert_eq!(e.code, "IncorrectStatus.cbnStatus");
        h.advance();
        h.detach(A, &cen, B_VPC, "VPC", "cn-hangzhou");
        h.advance();
        h.emulator
            .revoke_instance_from_cen(&h.caller(B), req(revoke.clone()))
            .unwrap();
        h.emulator
            .revoke_instance_from_cen(&h.caller(B), req(revoke))
            .unwrap();
        assert_eq!(
            cbn_rules(json!({"CenId": cen, "ProductType": "VPC"})).total_count,
            Some(0)
        );
        let e = h
            .emulator
            .attach_cen_child_instance(
                &h.caller(A),
                req(json!({"CenId": cen, "ChildInstanceId": B_VPC, "ChildInstanceType": "VPC", "ChildInstanceRegionId": "cn-hangzhou", "ChildInstanceOwnerId": B})),
            )
            .unwrap_err();
        assert_eq!(e.code, "Forbbiden.AttachChildInstanceAcrossUid");
    }

    #[test]
    fn cbn_grant_rules_page_with_next_token() {
        let h = Harness::new();
        let cen = h.active_cen(A);
        h.grant(B, &cen, A, B_VPC, "VPC", "cn-hangzhou");
        h.grant(B, &cen, A, "vpc-rj9emuusb0000000001", "VPC", "us-west-1");
        let first = h
            .emulator
            .describe_grant_rules_to_cen(
                &h.caller(A),
                req(json!({"CenId": cen, "ProductType": "VPC", "MaxResults": 1})),
            )
            .unwrap();
        assert_eq!(first.total_count, Some(2));
        let token = first.next_token.clone().unwrap();
        let second = h
            .emulator
            .describe_grant_rules_to_cen(
                &h.caller(A),
                req(json!({"CenId": cen, "ProductType": "VPC", "MaxResults": 1, "NextToken": token})),
            )
            .unwrap();
        assert_eq!(second.next_token, None);
        assert_eq!(
            second.grant_rules.unwrap().grant_rule[0]
                .child_instance_region_id
                .as_deref(),
            Some("us-west-1")
        );
        let e = h
            .emulator
            .describe_grant_rules_to_cen(
                &h.caller(A),
                req(json!({"CenId": cen, "ProductType": "VPC", "NextToken": "garbage"})),
            )
            .unwrap_err();
        assert_eq!(e.code, "InvalidParameter");
    }
}
