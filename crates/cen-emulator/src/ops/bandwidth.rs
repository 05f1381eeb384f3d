//! Bandwidth plans: CreateCenBandwidthPackage, DeleteCenBandwidthPackage,
//! AssociateCenBandwidthPackage, UnassociateCenBandwidthPackage, DescribeCenBandwidthPackages,
//! ModifyCenBandwidthPackageAttribute, ModifyCenBandwidthPackageSpec,
//! TempUpgradeCenBandwidthPackageSpec.

use acs_rpc::error::ApiError;

use crate::api::cbn as t;
use crate::emulator::{Caller, Emulator, minutes, new_id, new_order_id, parse_minutes};
use crate::errors;
use crate::geo::{Area, Span};
use crate::ops::cen::{group_of, tag_pairs};
use crate::state::{BandwidthPackage, State, TempUpgrade};
use crate::validate::{self, ILLEGAL_TAG, INVALID_TAG, Page};

/// The documented bandwidth range of a plan, in Mbit/s.
const BANDWIDTH_RANGE: std::ops::RangeInclusive<i32> = 2..=10_000;

const DAY_MS: i64 = 86_400_000;

/// The shortest temporary upgrade the service sells.
const MIN_TEMP_UPGRADE_MS: i64 = 3 * 3_600_000;

/// When a plan's subscription ends: its period of 30-day months or 365-day years after it was
/// bought.
fn expires_at(p: &BandwidthPackage) -> i64 {
    let days = if p.pricing_cycle == "Year" { 365 } else { 30 };
    p.created_at + i64::from(p.period) * days * DAY_MS
}

/// The bandwidth of a plan already given to inter-region limits and to peer attachments
/// (those not fully deleted yet included).
pub(crate) fn allocated(state: &State, package_id: &str) -> i64 {
    let limits: i64 = state
        .limits
        .iter()
        .filter(|l| l.package_id == package_id)
        .map(|l| l.bandwidth)
        .sum();
    let peers: i64 = state
        .tr_attachments
        .iter()
        .filter_map(|a| a.peer.as_ref())
        .filter(|p| p.package_id.as_deref() == Some(package_id))
        .map(|p| i64::from(p.bandwidth))
        .sum();
    limits + peers
}

impl Emulator {
    /// CreateCenBandwidthPackage: buys a plan between two areas (`China`, `North-America`,
    /// `Asia-Pacific`, `Europe`; both may be the same area) and returns its id and an order id.
    ///
    /// Bandwidth must be 2 to 10000 Mbit/s; Period 1 to 3 or 6 months, or 1 to 3 years;
    /// AutoRenewDuration not negative; names and descriptions as for CreateCen (all
    /// `InvalidParameter`); tags as for CreateCen (`InvalidTagKey` / `InvalidTagValue`). The
    /// plan is PREPAY, `Idle` and `Normal` at once: the emulator completes the payment even when
    /// AutoPay is false. A ClientToken makes the call idempotent as for CreateCen.
    pub fn create_cen_bandwidth_package(
        &self,
        caller: &Caller,
        request: t::CreateCenBandwidthPackageRequest,
    ) -> Result<t::CreateCenBandwidthPackageResponse, ApiError> {
        if !BANDWIDTH_RANGE.contains(&request.bandwidth) {
            return Err(errors::invalid_parameter());
        }
        validate::name(request.name.as_deref())?;
        validate::description(request.description.as_deref())?;
        let cycle = request
            .pricing_cycle
            .as_ref()
            .map_or_else(|| "Month".to_owned(), |c| c.to_string());
        let period = request.period.unwrap_or(1);
        let period_ok = match cycle.as_str() {
            "Year" => (1..=3).contains(&period),
            _ => (1..=3).contains(&period) || period == 6,
        };
        if !period_ok || request.auto_renew_duration.is_some_and(|d| d < 0) {
            return Err(errors::invalid_parameter());
        }
        let tags = validate::tags_to_set(
            request.tag.iter().map(|t| (t.key.clone(), t.value.clone())),
            INVALID_TAG,
        )?;
        let area_a = request.geographic_region_a_id.to_string();
        let area_b = request.geographic_region_b_id.to_string();
        let span = match (Area::parse(&area_a), Area::parse(&area_b)) {
            (Some(a), Some(b)) => Span::new(a, b),
            _ => return Err(errors::invalid_parameter()),
        };
        let (id, order_id): (String, String) = self.write_idempotent(
            caller,
            "CreateCenBandwidthPackage",
            request.client_token.as_deref(),
            &request,
            |state, ctx| {
                let id = new_id("cenbwp-");
                let order_id = new_order_id();
                state.packages.insert(BandwidthPackage {
                    id: id.clone(),
                    owner: caller.uid,
                    name: request.name.clone(),
                    description: request.description.clone(),
                    bandwidth: i64::from(request.bandwidth),
                    area_a,
                    area_b,
                    span: span.id(),
                    charge_type: "PREPAY".into(),
                    pricing_cycle: cycle,
                    period,
                    order_id: order_id.clone(),
                    created_at: ctx.now,
                    resource_group: None,
                    cen_id: None,
                    tags,
                    temp_upgrade: None,
                });
                Ok((id, order_id))
            },
        )?;
        Ok(t::CreateCenBandwidthPackageResponse {
            cen_bandwidth_package_id: Some(id),
            cen_bandwidth_package_order_id: Some(order_id),
            request_id: Some(caller.request_id.clone()),
        })
    }

    /// DeleteCenBandwidthPackage: deletes an `Idle` plan of the caller.
    ///
    /// Unknown: `ParameterBwpInstanceId`; associated with a CEN instance:
    /// `InvalidOperation.BwpInstanceStatus` (403). Emulator rule: `Forbidden.Release` (a PREPAY
    /// plan within its subscription) is not enforced, so that tests can clean up.
    pub fn delete_cen_bandwidth_package(
        &self,
        caller: &Caller,
        request: t::DeleteCenBandwidthPackageRequest,
    ) -> Result<t::DeleteCenBandwidthPackageResponse, ApiError> {
        self.write(|state, ctx| {
            if ctx
                .package(state, caller, &request.cen_bandwidth_package_id)?
                .cen_id
                .is_some()
            {
                return Err(errors::bwp_instance_status(403));
            }
            if allocated(state, &request.cen_bandwidth_package_id) > 0 {
                return Err(errors::limits_not_zero());
            }
            state.packages.remove(&request.cen_bandwidth_package_id);
            Ok(())
        })?;
        Ok(t::DeleteCenBandwidthPackageResponse {
            request_id: Some(caller.request_id.clone()),
        })
    }

    /// AssociateCenBandwidthPackage: associates an `Idle` plan with an `Active` CEN instance of
    /// the caller; the plan becomes `InUse`.
    ///
    /// Errors: unknown CEN instance `ParameterCenInstanceId`; not Active
    /// `InvalidOperation.CenInstanceStatus`; unknown plan `ParameterBwpInstanceId`; a plan
    /// already associated (with any CEN instance) `InvalidOperation.BwpInstanceStatus` (400); a
    /// plan of the same pair of areas already associated with this CEN instance
    /// `InvalidOperation.BwpForGeoSpanAlreadyAssociated` (409, from Alibaba's error list).
    pub fn associate_cen_bandwidth_package(
        &self,
        caller: &Caller,
        request: t::AssociateCenBandwidthPackageRequest,
    ) -> Result<t::AssociateCenBandwidthPackageResponse, ApiError> {
        self.write(|state, ctx| {
            ctx.active_cen(state, caller, &request.cen_id)?;
            let package = ctx.package(state, caller, &request.cen_bandwidth_package_id)?;
            if package.cen_id.is_some() {
                return Err(errors::bwp_instance_status(400));
            }
            if ctx
                .packages_of(state, &request.cen_id)
                .any(|p| p.span == package.span)
            {
                return Err(errors::bwp_span_already_associated());
            }
            ctx.package_mut(state, caller, &request.cen_bandwidth_package_id)?
                .cen_id = Some(request.cen_id.clone());
            Ok(())
        })?;
        Ok(t::AssociateCenBandwidthPackageResponse {
            request_id: Some(caller.request_id.clone()),
        })
    }

    /// UnassociateCenBandwidthPackage: disassociates a plan from a CEN instance; it becomes
    /// `Idle` and can be associated with another CEN instance.
    ///
    /// Errors: unknown CEN instance `ParameterCenInstanceId`; not Active
    /// `InvalidOperation.CenInstanceStatus`; unknown plan `ParameterBwpInstanceId`; a plan not
    /// associated with this CEN instance `InvalidOperation.BwpInstanceStatus` (400); inter-region
    /// limits still drawing on the plan `InvalidOperation.CenBandwidthLimitsNotZero` (set them
    /// to 0 first, as the documentation asks).
    pub fn unassociate_cen_bandwidth_package(
        &self,
        caller: &Caller,
        request: t::UnassociateCenBandwidthPackageRequest,
    ) -> Result<t::UnassociateCenBandwidthPackageResponse, ApiError> {
        self.write(|state, ctx| {
            ctx.active_cen(state, caller, &request.cen_id)?;
            let package = ctx.package(state, caller, &request.cen_bandwidth_package_id)?;
            if package.cen_id.as_deref() != Some(request.cen_id.as_str()) {
                return Err(errors::bwp_instance_status(400));
            }
            if allocated(state, &request.cen_bandwidth_package_id) > 0 {
                return Err(errors::limits_not_zero());
            }
            ctx.package_mut(state, caller, &request.cen_bandwidth_package_id)?
                .cen_id = None;
            Ok(())
        })?;
        Ok(t::UnassociateCenBandwidthPackageResponse {
            request_id: Some(caller.request_id.clone()),
        })
    }

    /// DescribeCenBandwidthPackages: lists the caller's plans in creation order, paged
    /// (PageSize 1 to 50).
    ///
    /// `Filter.N` keys are `CenId`, `Status` (`Idle`, `InUse`), `CenBandwidthPackageId` and
    /// `Name` (another key is `InvalidParameter`); keys combine with AND, or with OR when IsOrKey
    /// is true; the values of one key with OR. Tags filter as in DescribeCens but a bad key is
    /// `IllegalParam.TagKey` and a bad value `IllegalParam.TagValue`. Each plan lists the limits
    /// drawing on it in the (misspelled) `OrginInterRegionBandwidthLimits`.
    pub fn describe_cen_bandwidth_packages(
        &self,
        caller: &Caller,
        request: t::DescribeCenBandwidthPackagesRequest,
    ) -> Result<t::DescribeCenBandwidthPackagesResponse, ApiError> {
        let page = Page::new(request.page_number, request.page_size, 50)?;
        let tag_filters = validate::tag_filters(
            request.tag.iter().map(|t| (t.key.clone(), t.value.clone())),
            ILLEGAL_TAG,
        )?;
        let mut filters = validate::filters(
            request.filter.iter().map(|f| (f.key.as_deref(), &f.value)),
            &["CenId", "Status", "CenBandwidthPackageId", "Name"],
        )?;
        // A filter without values constrains nothing here, also under IsOrKey.
        filters.retain(|(_, values)| !values.is_empty());
        let or = request.is_or_key.unwrap_or(false);
        let wanted_group = request.resource_group_id.clone().filter(|g| !g.is_empty());
        let items = self.read(|state, ctx| {
            state
                .packages
                .iter()
                .filter(|p| {
                    p.owner == caller.uid
                        && wanted_group
                            .as_ref()
                            .is_none_or(|g| group_of(caller.uid, p.resource_group.as_ref()) == *g)
                })
                .filter(|p| {
                    let status = if p.cen_id.is_some() { "InUse" } else { "Idle" };
                    let test = |(key, values): &(&str, &Vec<String>)| {
                        values.iter().any(|v| match *key {
                            "CenId" => p.cen_id.as_deref() == Some(v.as_str()),
                            "Status" => status == v,
                            "CenBandwidthPackageId" => p.id == *v,
                            _ => p.name.as_deref() == Some(v.as_str()),
                        })
                    };
                    let keys_match = if filters.is_empty() {
                        true
                    } else if or {
                        filters.iter().any(test)
                    } else {
                        filters.iter().all(test)
                    };
                    keys_match && validate::tags_match(&p.tags, &tag_filters)
                })
                .map(|p| {
                    let span = Span::parse(&p.span);
                    let expires = expires_at(p);
                    // A temporary upgrade is reservation data: the bandwidth the plan returns
                    // to, and when.
                    let upgrade = p.upgrade_at(ctx.now);
                    let reservation =
                        upgrade.filter(|_| request.include_reservation_data == Some(true));
                    let limits = state
                        .limits
                        .iter()
                        .filter(|l| l.package_id == p.id)
                        .map(|l| t::OrginInterRegionBandwidthLimit {
                            bandwidth_limit: Some(l.bandwidth.to_string()),
                            geographic_span_id: Some(p.span.clone()),
                            local_region_id: Some(l.local_region.clone()),
                            opposite_region_id: Some(l.opposite_region.clone()),
                        })
                        .collect();
                    t::CenBandwidthPackage {
                        bandwidth: Some(p.bandwidth_at(ctx.now)),
                        bandwidth_package_charge_type: Some(p.charge_type.clone()),
                        business_status: Some("Normal".into()),
                        cen_bandwidth_package_id: Some(p.id.clone()),
                        cen_ids: Some(t::CenBandwidthPackageCenIds {
                            cen_id: p.cen_id.iter().cloned().collect(),
                        }),
                        creation_time: Some(minutes(p.created_at)),
                        description: p.description.clone(),
                        expired_time: Some(minutes(expires)),
                        geographic_region_a_id: Some(p.area_a.clone()),
                        geographic_region_b_id: Some(p.area_b.clone()),
                        geographic_span_id: Some(p.span.clone()),
                        has_reservation_data: Some(upgrade.is_some().to_string()),
                        is_cross_border: Some(span.is_some_and(Span::is_cross_border)),
                        name: p.name.clone(),
                        orgin_inter_region_bandwidth_limits: Some(
                            t::CenBandwidthPackageOrginInterRegionBandwidthLimits {
                                orgin_inter_region_bandwidth_limit: limits,
                            },
                        ),
                        reservation_active_time: reservation.map(|u| minutes(u.until)),
                        reservation_bandwidth: reservation.map(|_| p.bandwidth.to_string()),
                        reservation_internet_charge_type: None,
                        reservation_order_type: reservation.map(|_| "TEMP_UPGRADE".into()),
                        resource_group_id: Some(group_of(caller.uid, p.resource_group.as_ref())),
                        status: Some(if p.cen_id.is_some() { "InUse" } else { "Idle" }.into()),
                        tags: Some(t::CenBandwidthPackageTags {
                            tag: tag_pairs(&p.tags)
                                .map(|(key, value)| t::Tag {
                                    key: Some(key),
                                    value: Some(value),
                                })
                                .collect(),
                        }),
                    }
                })
                .collect::<Vec<_>>()
        });
        let (cen_bandwidth_package, total) = page.slice(items);
        Ok(t::DescribeCenBandwidthPackagesResponse {
            cen_bandwidth_packages: Some(
                t::DescribeCenBandwidthPackagesResponseCenBandwidthPackages {
                    cen_bandwidth_package,
                },
            ),
            page_number: Some(page.number),
            page_size: Some(page.size),
            request_id: Some(caller.request_id.clone()),
            total_count: Some(total),
        })
    }

    /// ModifyCenBandwidthPackageAttribute: renames or re-describes a plan of the caller.
    ///
    /// Unknown: `ParameterBwpInstanceId`; text rules as for CreateCen (`InvalidParameter`).
    pub fn modify_cen_bandwidth_package_attribute(
        &self,
        caller: &Caller,
        request: t::ModifyCenBandwidthPackageAttributeRequest,
    ) -> Result<t::ModifyCenBandwidthPackageAttributeResponse, ApiError> {
        validate::name(request.name.as_deref())?;
        validate::description(request.description.as_deref())?;
        self.write(|state, ctx| {
            let mut package = ctx.package_mut(state, caller, &request.cen_bandwidth_package_id)?;
            validate::overwrite(&mut package.name, &request.name);
            validate::overwrite(&mut package.description, &request.description);
            Ok(())
        })?;
        Ok(t::ModifyCenBandwidthPackageAttributeResponse {
            request_id: Some(caller.request_id.clone()),
        })
    }

    /// ModifyCenBandwidthPackageSpec: changes the bandwidth of a plan of the caller.
    ///
    /// Unknown: `ParameterBwpInstanceId`; outside 2 to 10000 `InvalidParameter`; absent or equal
    /// to the current bandwidth `Operation.Failed` ("not changed"). Emulator rule: below the sum
    /// of the inter-region limits drawing on the plan `InvalidOperation.BwpBandwidthExceeded`.
    pub fn modify_cen_bandwidth_package_spec(
        &self,
        caller: &Caller,
        request: t::ModifyCenBandwidthPackageSpecRequest,
    ) -> Result<t::ModifyCenBandwidthPackageSpecResponse, ApiError> {
        if request
            .bandwidth
            .is_some_and(|b| !BANDWIDTH_RANGE.contains(&b))
        {
            return Err(errors::invalid_parameter());
        }
        self.write(|state, ctx| {
            let current = ctx
                .package(state, caller, &request.cen_bandwidth_package_id)?
                .bandwidth;
            let Some(bandwidth) = request.bandwidth.map(i64::from) else {
                return Err(errors::spec_not_changed());
            };
            if current == bandwidth {
                return Err(errors::spec_not_changed());
            }
            if bandwidth < allocated(state, &request.cen_bandwidth_package_id) {
                return Err(errors::bwp_bandwidth_exceeded());
            }
            ctx.package_mut(state, caller, &request.cen_bandwidth_package_id)?
                .bandwidth = bandwidth;
            Ok(())
        })?;
        Ok(t::ModifyCenBandwidthPackageSpecResponse {
            request_id: Some(caller.request_id.clone()),
        })
    }
}

impl Emulator {
    /// TempUpgradeCenBandwidthPackageSpec: raises the bandwidth of a plan of the caller until
    /// EndTime, when it returns to the plan's own; DescribeCenBandwidthPackages reports the
    /// raised Bandwidth meanwhile, `HasReservationData` `true` and, with
    /// IncludeReservationData, the bandwidth it returns to (`ReservationBandwidth`), when
    /// (`ReservationActiveTime`) and `ReservationOrderType` `TEMP_UPGRADE`. A new upgrade
    /// replaces one in effect.
    ///
    /// Unknown plan `ParameterBwpInstanceId`. `InvalidParameter`, saying which: Bandwidth not
    /// above the plan's current bandwidth (a running upgrade's included) or above 10000;
    /// EndTime not `yyyy-MM-ddTHH:mmZ` (or with seconds), less than 3 hours ahead, or after the
    /// plan expires. Emulator rules: the upgrade takes effect at once (the emulator completes
    /// the payment), and inter-region limits and peer attachments keep drawing on the plan's
    /// own bandwidth, so that nothing exceeds the plan when the upgrade ends.
    pub fn temp_upgrade_cen_bandwidth_package_spec(
        &self,
        caller: &Caller,
        request: t::TempUpgradeCenBandwidthPackageSpecRequest,
    ) -> Result<t::TempUpgradeCenBandwidthPackageSpecResponse, ApiError> {
        let bad = |message: String| errors::saying(errors::invalid_parameter, message);
        let until = parse_minutes(&request.end_time).ok_or_else(|| {
            bad(format!(
                "EndTime {} is not yyyy-MM-ddTHH:mmZ.",
                request.end_time
            ))
        })?;
        let bandwidth = i64::from(request.bandwidth);
        if bandwidth > i64::from(*BANDWIDTH_RANGE.end()) {
            return Err(bad(format!(
                "Bandwidth is at most {} Mbit/s.",
                BANDWIDTH_RANGE.end()
            )));
        }
        self.write(|state, ctx| {
            let plan = ctx.package(state, caller, &request.cen_bandwidth_package_id)?;
            let current = plan.bandwidth_at(ctx.now);
            if bandwidth <= current {
                return Err(bad(format!(
                    "Bandwidth must be above the plan's current {current} Mbit/s."
                )));
            }
            if until < ctx.now + MIN_TEMP_UPGRADE_MS {
                return Err(bad("EndTime must be at least 3 hours ahead.".into()));
            }
            if until > expires_at(plan) {
                return Err(bad(format!(
                    "EndTime must not be after the plan expires at {}.",
                    minutes(expires_at(plan))
                )));
            }
            ctx.package_mut(state, caller, &request.cen_bandwidth_package_id)?
                .temp_upgrade = Some(TempUpgrade { bandwidth, until });
            Ok(())
        })?;
        Ok(t::TempUpgradeCenBandwidthPackageSpecResponse {
            request_id: Some(caller.request_id.clone()),
        })
    }
}

#[cfg(test)]
mod tests {
    use crate::testing::{A, B, Harness, req};
    use serde_json::json;

    fn plan(h: &Harness, a: &str, b: &str, bandwidth: i32) -> String {
        h.create_bwp(
            A,
            json!({"Bandwidth": bandwidth, "GeographicRegionAId": a, "GeographicRegionBId": b, "Name": "plan"}),
        )
    }

    fn packages(h: &Harness, body: serde_json::Value) -> Vec<cen_types::cbn::CenBandwidthPackage> {
        h.emulator
            .describe_cen_bandwidth_packages(&h.caller(A), req(body))
            .unwrap()
            .cen_bandwidth_packages
            .unwrap()
            .cen_bandwidth_package
    }

    #[test]
    fn create_validation_and_idempotence() {
        let h = Harness::new();
        for body in [
            json!({"Bandwidth": 1, "GeographicRegionAId": "China", "GeographicRegionBId": "China"}),
            json!({"Bandwidth": 10001, "GeographicRegionAId": "China", "GeographicRegionBId": "China"}),
            json!({"Bandwidth": 2, "GeographicRegionAId": "China", "GeographicRegionBId": "China", "Period": 4}),
            json!({"Bandwidth": 2, "GeographicRegionAId": "China", "GeographicRegionBId": "China", "Period": 6, "PricingCycle": "Year"}),
            json!({"Bandwidth": 2, "GeographicRegionAId": "China", "GeographicRegionBId": "China", "Name": "https://x"}),
        ] {
            let e = h
                .emulator
                .create_cen_bandwidth_package(&h.caller(A), req(body.clone()))
                .unwrap_err();
            assert_eq!(e.code, "InvalidParameter", "{body}");
        }
        let body = json!({"Bandwidth": 2, "GeographicRegionAId": "China", "GeographicRegionBId": "North-America", "ClientToken": "tok", "Period": 6});
        let first = h
            .emulator
            .create_cen_bandwidth_package(&h.caller(A), req(body.clone()))
            .unwrap();
        let again = h
            .emulator
            .create_cen_bandwidth_package(&h.caller(A), req(body))
            .unwrap();
        assert_eq!(
            first.cen_bandwidth_package_id,
            again.cen_bandwidth_package_id
        );
        assert_eq!(
            first.cen_bandwidth_package_order_id,
            again.cen_bandwidth_package_order_id
        );
        assert!(
            first
                .cen_bandwidth_package_id
                .unwrap()
                .starts_with("cenbwp-")
        );
        let listed = packages(&h, json!({}));
        assert_eq!(listed.len(), 1);
        let p = &listed[0];
        assert_eq!(p.status.as_deref(), Some("Idle"));
        assert_eq!(p.geographic_span_id.as_deref(), Some("china_north-america"));
        assert_eq!(p.is_cross_border, Some(true));
        assert_eq!(p.bandwidth, Some(2));
        assert_eq!(p.geographic_region_b_id.as_deref(), Some("North-America"));
    }

    #[test]
    fn associate_rules() {
        let h = Harness::new();
        let cen = h.active_cen(A);
        let china = plan(&h, "China", "China", 10);
        let china2 = plan(&h, "China", "China", 10);
        let na = plan(&h, "North-America", "China", 10);
        h.associate(A, &cen, &china);
        h.associate(A, &cen, &na);
        let associate = |uid, cen: &str, bwp: &str| {
            let e = h
                .emulator
                .associate_cen_bandwidth_package(
                    &h.caller(uid),
                    req(json!({"CenId": cen, "CenBandwidthPackageId": bwp})),
                )
                .unwrap_err();
            (e.status, e.code)
        };
        assert_eq!(
            associate(A, &cen, &china2),
            (
                409,
                "InvalidOperation.BwpForGeoSpanAlreadyAssociated".into()
            )
        );
        let other = h.active_cen(A);
        assert_eq!(
            associate(A, &other, &china),
            (400, "InvalidOperation.BwpInstanceStatus".into())
        );
        assert_eq!(
            associate(A, &other, "cenbwp-nope"),
            (404, "ParameterBwpInstanceId".into())
        );
        assert_eq!(
            associate(A, "cen-nope", &china2),
            (404, "ParameterCenInstanceId".into())
        );
        assert_eq!(
            associate(B, &other, &china2),
            (404, "ParameterCenInstanceId".into())
        );
        let creating = h.create_cen(A, json!({}));
        assert_eq!(
            associate(A, &creating, &china2),
            (409, "InvalidOperation.CenInstanceStatus".into())
        );
        let cens = h.describe_cens(A, json!({"Filter": [{"Key": "CenId", "Value": [cen]}]}));
        assert_eq!(
            cens[0]
                .cen_bandwidth_package_ids
                .as_ref()
                .unwrap()
                .cen_bandwidth_package_id,
            vec![china.clone(), na.clone()]
        );
        let in_use = packages(
            &h,
            json!({"Filter": [{"Key": "Status", "Value": ["InUse"]}]}),
        );
        assert_eq!(in_use.len(), 2);
        let by_cen = packages(&h, json!({"Filter": [{"Key": "CenId", "Value": [cen]}]}));
        assert_eq!(by_cen.len(), 2);
        let or = packages(
            &h,
            json!({"IsOrKey": true, "Filter": [{"Key": "CenBandwidthPackageId", "Value": [china2]}, {"Key": "Status", "Value": ["InUse"]}]}),
        );
        assert_eq!(or.len(), 3);
        let and = packages(
            &h,
            json!({"Filter": [{"Key": "CenBandwidthPackageId", "Value": [china2]}, {"Key": "Status", "Value": ["InUse"]}]}),
        );
        assert!(and.is_empty());
        let e = h
            .emulator
            .describe_cen_bandwidth_packages(&h.caller(A), req(json!({"Tag": [{"Key": "aliyun"}]})))
            .unwrap_err();
        assert_eq!(e.code, "IllegalParam.TagKey");
        let e = h
            .emulator
            .describe_cen_bandwidth_packages(
                &h.caller(A),
                req(json!({"Filter": [{"Key": "Bogus", "Value": ["x"]}]})),
            )
            .unwrap_err();
        assert_eq!(e.code, "InvalidParameter");
    }

    #[test]
    fn unassociate_delete_and_modify() {
        let h = Harness::new();
        let cen = h.active_cen(A);
        let bwp = plan(&h, "China", "China", 10);
        let delete = |bwp: &str| {
            h.emulator
                .delete_cen_bandwidth_package(
                    &h.caller(A),
                    req(json!({ "CenBandwidthPackageId": bwp })),
                )
                .map(|_| ())
                .map_err(|e| (e.status, e.code))
        };
        let unassociate = |cen: &str| {
            h.emulator
                .unassociate_cen_bandwidth_package(
                    &h.caller(A),
                    req(json!({"CenId": cen, "CenBandwidthPackageId": bwp})),
                )
                .map(|_| ())
                .map_err(|e| (e.status, e.code))
        };
        assert_eq!(
            unassociate(&cen),
            Err((400, "InvalidOperation.BwpInstanceStatus".into()))
        );
        h.associate(A, &cen, &bwp);
        assert_eq!(
            delete(&bwp),
            Err((403, "InvalidOperation.BwpInstanceStatus".into()))
        );
        // With a limit drawing on it, the plan cannot be unassociated nor shrunk below it.
        h.attach(A, &cen, "vpc-bp1emuhz00000000001", "VPC", "cn-hangzhou");
        h.attach(A, &cen, "vpc-2zeemubj00000000001", "VPC", "cn-beijing");
        h.advance();
        h.emulator
            .set_cen_inter_region_bandwidth_limit(
                &h.caller(A),
                req(json!({"CenId": cen, "LocalRegionId": "cn-hangzhou", "OppositeRegionId": "cn-beijing", "BandwidthLimit": 6})),
            )
            .unwrap();
        assert_eq!(
            unassociate(&cen),
            Err((400, "InvalidOperation.CenBandwidthLimitsNotZero".into()))
        );
        let spec = |bandwidth: serde_json::Value| {
            h.emulator
                .modify_cen_bandwidth_package_spec(
                    &h.caller(A),
                    req(json!({"CenBandwidthPackageId": bwp, "Bandwidth": bandwidth})),
                )
                .map(|_| ())
                .map_err(|e| e.code)
        };
        assert_eq!(
            spec(json!(5)),
            Err("InvalidOperation.BwpBandwidthExceeded".into())
        );
        assert_eq!(spec(json!(10)), Err("Operation.Failed".into()));
        assert_eq!(spec(json!(1)), Err("InvalidParameter".into()));
        assert_eq!(spec(json!(null)), Err("Operation.Failed".into()));
        spec(json!(6)).unwrap();
        let listed = packages(&h, json!({}));
        assert_eq!(listed[0].bandwidth, Some(6));
        let limits = &listed[0]
            .orgin_inter_region_bandwidth_limits
            .as_ref()
            .unwrap()
            .orgin_inter_region_bandwidth_limit;
        assert_eq!(limits[0].bandwidth_limit.as_deref(), Some("6"));
        h.emulator
            .set_cen_inter_region_bandwidth_limit(
                &h.caller(A),
                req(json!({"CenId": cen, "LocalRegionId": "cn-beijing", "OppositeRegionId": "cn-hangzhou", "BandwidthLimit": 0})),
            )
            .unwrap();
        unassociate(&cen).unwrap();
        h.emulator
            .modify_cen_bandwidth_package_attribute(
                &h.caller(A),
                req(json!({"CenBandwidthPackageId": bwp, "Name": "renamed", "Description": "d"})),
            )
            .unwrap();
        let e = h
            .emulator
            .modify_cen_bandwidth_package_attribute(
                &h.caller(A),
                req(json!({"CenBandwidthPackageId": bwp, "Name": "http://x"})),
            )
            .unwrap_err();
        assert_eq!(e.code, "InvalidParameter");
        assert_eq!(
            packages(
                &h,
                json!({"Filter": [{"Key": "Name", "Value": ["renamed"]}]})
            )
            .len(),
            1
        );
        delete(&bwp).unwrap();
        assert_eq!(delete(&bwp), Err((404, "ParameterBwpInstanceId".into())));
        assert!(packages(&h, json!({})).is_empty());
    }
}
