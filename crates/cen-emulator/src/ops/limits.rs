//! Inter-region bandwidth and areas: SetCenInterRegionBandwidthLimit,
//! DescribeCenInterRegionBandwidthLimits, DescribeGeographicRegionMembership,
//! DescribeCenGeographicSpans, DescribeCenGeographicSpanRemainingBandwidth.

use acs_rpc::error::ApiError;

use crate::api::cbn as t;
use crate::emulator::{Caller, Emulator};
use crate::errors;
use crate::geo::{Area, Span};
use crate::ops::bandwidth::allocated;
use crate::state::{Limit, Phase};
use crate::validate::{self, Page};

impl Emulator {
    /// SetCenInterRegionBandwidthLimit: gives the connection between two regions of an `Active`
    /// CEN instance bandwidth from the associated plan of their two areas; the limit is
    /// `Modifying` for the delay, then `Active`. BandwidthLimit 0 removes the limit at once.
    /// The region pair is unordered: setting B→A changes the limit of A→B.
    ///
    /// Errors: BandwidthType other than `BandwidthPackage` `IllegalParam.BandwidthType`; a
    /// negative limit `IllegalParam.Bandwidth`; the same region twice `InvalidParameter`; a
    /// region CEN does not serve `ParameterIllegal.RegionId`; unknown CEN instance
    /// `ParameterCenInstanceId`; not Active `InvalidOperation.CenInstanceStatus`; a region without
    /// an Attached network instance of this CEN instance `ParameterIllegal.RegionId` (emulator
    /// rule: the page only says to attach first); no associated plan for the two areas
    /// `InvalidOperation.BwpForGeoSpanNotAssociated`; the limits drawing on the plan would exceed
    /// its bandwidth `InvalidOperation.BwpBandwidthExceeded`.
    pub fn set_cen_inter_region_bandwidth_limit(
        &self,
        caller: &Caller,
        request: t::SetCenInterRegionBandwidthLimitRequest,
    ) -> Result<t::SetCenInterRegionBandwidthLimitResponse, ApiError> {
        if request
            .bandwidth_type
            .as_deref()
            .is_some_and(|b| !b.is_empty() && b != "BandwidthPackage")
        {
            return Err(errors::illegal_bandwidth_type());
        }
        if request.bandwidth_limit < 0 {
            return Err(errors::illegal_bandwidth());
        }
        let local = validate::required(&request.local_region_id, "LocalRegionId")?;
        let opposite = validate::required(&request.opposite_region_id, "OppositeRegionId")?;
        if local == opposite {
            return Err(errors::invalid_parameter());
        }
        let span = Span::of_regions(local, opposite).ok_or_else(errors::illegal_region)?;
        self.write(|state, ctx| {
            ctx.active_cen(state, caller, &request.cen_id)?;
            let key = Limit::key_of(&request.cen_id, local, opposite);
            if request.bandwidth_limit == 0 {
                state.limits.remove(&key);
                return Ok(());
            }
            for region in [local, opposite] {
                if !ctx
                    .attachments(state, &request.cen_id)
                    .any(|a| a.region_id == region && ctx.phase(a) == Phase::Ready)
                {
                    return Err(errors::illegal_region());
                }
            }
            let span_id = span.id();
            let plan = ctx
                .packages_of(state, &request.cen_id)
                .find(|p| p.span == span_id)
                .ok_or_else(errors::bwp_span_not_associated)?;
            let current = state.limits.get(&key).map_or(0, |l| l.bandwidth);
            if allocated(state, &plan.id) - current + request.bandwidth_limit > plan.bandwidth {
                return Err(errors::bwp_bandwidth_exceeded());
            }
            let package_id = plan.id.clone();
            if let Some(mut limit) = state.limits.get_mut(&key) {
                limit.bandwidth = request.bandwidth_limit;
                limit.package_id = package_id;
                limit.set_at = ctx.now;
            } else {
                state.limits.insert(Limit {
                    cen_id: request.cen_id.clone(),
                    local_region: local.to_owned(),
                    opposite_region: opposite.to_owned(),
                    bandwidth: request.bandwidth_limit,
                    package_id,
                    set_at: ctx.now,
                });
            }
            Ok(())
        })?;
        Ok(t::SetCenInterRegionBandwidthLimitResponse {
            request_id: Some(caller.request_id.clone()),
        })
    }

    /// DescribeCenInterRegionBandwidthLimits: the limits of a CEN instance of the caller (or of
    /// all of them without CenId), in creation order, optionally those touching TrRegionId,
    /// paged (PageSize 1 to 50). Unknown CEN instance: `ParameterCenInstanceId`.
    pub fn describe_cen_inter_region_bandwidth_limits(
        &self,
        caller: &Caller,
        request: t::DescribeCenInterRegionBandwidthLimitsRequest,
    ) -> Result<t::DescribeCenInterRegionBandwidthLimitsResponse, ApiError> {
        let page = Page::new(request.page_number, request.page_size, 50)?;
        let cen_id = request.cen_id.as_deref().filter(|c| !c.is_empty());
        let region = request.tr_region_id.as_deref().filter(|r| !r.is_empty());
        let items = self.read(|state, ctx| {
            if let Some(id) = cen_id {
                ctx.cen(state, caller, id)?;
            }
            Ok::<_, ApiError>(
                state
                    .limits
                    .iter()
                    .filter(|l| cen_id.is_none_or(|c| l.cen_id == c))
                    .filter(|l| ctx.cen(state, caller, &l.cen_id).is_ok())
                    .filter(|l| {
                        region.is_none_or(|r| l.local_region == r || l.opposite_region == r)
                    })
                    .map(|l| {
                        let status = if ctx.now < l.set_at + ctx.delay {
                            "Modifying"
                        } else {
                            "Active"
                        };
                        t::CenInterRegionBandwidthLimit {
                            bandwidth_limit: Some(l.bandwidth),
                            bandwidth_package_id: Some(l.package_id.clone()),
                            bandwidth_type: Some("BandwidthPackage".into()),
                            cen_id: Some(l.cen_id.clone()),
                            geographic_span_id: Span::of_regions(
                                &l.local_region,
                                &l.opposite_region,
                            )
                            .map(Span::id),
                            local_region_id: Some(l.local_region.clone()),
                            opposite_region_id: Some(l.opposite_region.clone()),
                            status: Some(status.into()),
                        }
                    })
                    .collect::<Vec<_>>(),
            )
        })?;
        let (cen_inter_region_bandwidth_limit, total) = page.slice(items);
        Ok(t::DescribeCenInterRegionBandwidthLimitsResponse {
            cen_inter_region_bandwidth_limits: Some(
                t::DescribeCenInterRegionBandwidthLimitsResponseCenInterRegionBandwidthLimits {
                    cen_inter_region_bandwidth_limit,
                },
            ),
            page_number: Some(page.number),
            page_size: Some(page.size),
            request_id: Some(caller.request_id.clone()),
            total_count: Some(total),
        })
    }

    /// DescribeGeographicRegionMembership: the regions of an area (`china`, `asia-pacific`,
    /// `europe`, `north-america`), paged (PageSize 1 to 50).
    pub fn describe_geographic_region_membership(
        &self,
        caller: &Caller,
        request: t::DescribeGeographicRegionMembershipRequest,
    ) -> Result<t::DescribeGeographicRegionMembershipResponse, ApiError> {
        let page = Page::new(request.page_number, request.page_size, 50)?;
        let area = Area::parse(&request.geographic_region_id.to_string())
            .ok_or_else(errors::invalid_parameter)?;
        let items = area
            .regions()
            .iter()
            .map(|r| t::GeographicRegionMember {
                region_id: Some((*r).to_owned()),
            })
            .collect();
        let (region_id, total) = page.slice(items);
        Ok(t::DescribeGeographicRegionMembershipResponse {
            page_number: Some(page.number),
            page_size: Some(page.size),
            region_ids: Some(t::DescribeGeographicRegionMembershipResponseRegionIds { region_id }),
            request_id: Some(caller.request_id.clone()),
            total_count: Some(total),
        })
    }

    /// DescribeCenGeographicSpans: the ten pairs of areas that plans connect (or the one named
    /// by GeographicSpanId; an unknown id lists nothing), paged (PageSize 1 to 50).
    pub fn describe_cen_geographic_spans(
        &self,
        caller: &Caller,
        request: t::DescribeCenGeographicSpansRequest,
    ) -> Result<t::DescribeCenGeographicSpansResponse, ApiError> {
        let page = Page::new(request.page_number, request.page_size, 50)?;
        let wanted = request
            .geographic_span_id
            .as_deref()
            .filter(|s| !s.is_empty());
        let items = Span::all()
            .into_iter()
            .filter(|s| wanted.is_none_or(|w| Span::parse(w) == Some(*s)))
            .map(|s| t::CenGeographicSpan {
                geographic_span_id: Some(s.id()),
                local_geo_region_id: Some(s.a.id().into()),
                opposite_geo_region_id: Some(s.b.id().into()),
            })
            .collect();
        let (geographic_span_model, total) = page.slice(items);
        Ok(t::DescribeCenGeographicSpansResponse {
            geographic_span_models: Some(
                t::DescribeCenGeographicSpansResponseGeographicSpanModels {
                    geographic_span_model,
                },
            ),
            page_number: Some(page.number),
            page_size: Some(page.size),
            request_id: Some(caller.request_id.clone()),
            total_count: Some(total),
        })
    }

    /// DescribeCenGeographicSpanRemainingBandwidth: the bandwidth of the plan associated with a
    /// CEN instance of the caller for two areas that no limit uses yet, computed from the plan
    /// and the limits (0 without such a plan). Unknown CEN instance: `ParameterCenInstanceId`.
    pub fn describe_cen_geographic_span_remaining_bandwidth(
        &self,
        caller: &Caller,
        request: t::DescribeCenGeographicSpanRemainingBandwidthRequest,
    ) -> Result<t::DescribeCenGeographicSpanRemainingBandwidthResponse, ApiError> {
        Page::new(request.page_number, request.page_size, 50)?;
        let span = match (
            Area::parse(&request.geographic_region_a_id.to_string()),
            Area::parse(&request.geographic_region_b_id.to_string()),
        ) {
            (Some(a), Some(b)) => Span::new(a, b).id(),
            _ => return Err(errors::invalid_parameter()),
        };
        let remaining = self.read(|state, ctx| {
            ctx.cen(state, caller, &request.cen_id)?;
            Ok::<_, ApiError>(
                ctx.packages_of(state, &request.cen_id)
                    .find(|p| p.span == span)
                    .map_or(0, |p| p.bandwidth - allocated(state, &p.id)),
            )
        })?;
        Ok(t::DescribeCenGeographicSpanRemainingBandwidthResponse {
            remaining_bandwidth: Some(remaining),
            request_id: Some(caller.request_id.clone()),
        })
    }
}

#[cfg(test)]
mod tests {
    use crate::testing::{A, B, Harness, req};
    use serde_json::json;

    /// A CEN instance with VPCs attached in hangzhou, beijing, shanghai and us-west-1, and a
    /// China plan of 10 Mbit/s associated.
    fn setup(h: &Harness) -> (String, String) {
        let cen = h.active_cen(A);
        for (id, region) in [
            ("vpc-bp1emuhz00000000001", "cn-hangzhou"),
            ("vpc-2zeemubj00000000001", "cn-beijing"),
            ("vpc-uf6emush00000000001", "cn-shanghai"),
            ("vpc-rj9emuus00000000001", "us-west-1"),
        ] {
            h.attach(A, &cen, id, "VPC", region);
        }
        h.advance();
        let bwp = h.create_bwp(
            A,
            json!({"Bandwidth": 10, "GeographicRegionAId": "China", "GeographicRegionBId": "China"}),
        );
        h.associate(A, &cen, &bwp);
        (cen, bwp)
    }

    fn set(
        h: &Harness,
        cen: &str,
        local: &str,
        opposite: &str,
        limit: i64,
    ) -> Result<(), (u16, String)> {
        h.emulator
            .set_cen_inter_region_bandwidth_limit(
                &h.caller(A),
                req(json!({"CenId": cen, "LocalRegionId": local, "OppositeRegionId": opposite, "BandwidthLimit": limit})),
            )
            .map(|_| ())
            .map_err(|e| (e.status, e.code))
    }

    fn remaining(h: &Harness, cen: &str, a: &str, b: &str) -> i64 {
        h.emulator
            .describe_cen_geographic_span_remaining_bandwidth(
                &h.caller(A),
                req(json!({"CenId": cen, "GeographicRegionAId": a, "GeographicRegionBId": b})),
            )
            .unwrap()
            .remaining_bandwidth
            .unwrap()
    }

    #[test]
    fn limits_draw_on_the_plan() {
        let h = Harness::new();
        let (cen, bwp) = setup(&h);
        assert_eq!(remaining(&h, &cen, "China", "China"), 10);
        set(&h, &cen, "cn-hangzhou", "cn-beijing", 6).unwrap();
        assert_eq!(remaining(&h, &cen, "China", "China"), 4);
        assert_eq!(
            set(&h, &cen, "cn-hangzhou", "cn-shanghai", 5),
            Err((409, "InvalidOperation.BwpBandwidthExceeded".into()))
        );
        set(&h, &cen, "cn-hangzhou", "cn-shanghai", 4).unwrap();
        // Changing an existing limit counts only the difference, in either direction.
        set(&h, &cen, "cn-beijing", "cn-hangzhou", 5).unwrap();
        assert_eq!(remaining(&h, &cen, "China", "China"), 1);

        let list = |body: serde_json::Value| {
            h.emulator
                .describe_cen_inter_region_bandwidth_limits(&h.caller(A), req(body))
                .unwrap()
        };
        let limits = list(json!({"CenId": cen}));
        assert_eq!(limits.total_count, Some(2));
        let items = limits
            .cen_inter_region_bandwidth_limits
            .unwrap()
            .cen_inter_region_bandwidth_limit;
        assert_eq!(items[0].status.as_deref(), Some("Modifying"));
        assert_eq!(items[0].bandwidth_limit, Some(5));
        assert_eq!(items[0].local_region_id.as_deref(), Some("cn-hangzhou"));
        assert_eq!(items[0].bandwidth_package_id.as_deref(), Some(bwp.as_str()));
        assert_eq!(items[0].geographic_span_id.as_deref(), Some("china_china"));
        h.advance();
        let items = list(json!({"CenId": cen, "TrRegionId": "cn-shanghai"}))
            .cen_inter_region_bandwidth_limits
            .unwrap()
            .cen_inter_region_bandwidth_limit;
        assert_eq!(items.len(), 1);
        assert_eq!(items[0].status.as_deref(), Some("Active"));
        assert_eq!(list(json!({})).total_count, Some(2));

        set(&h, &cen, "cn-hangzhou", "cn-beijing", 0).unwrap();
        assert_eq!(remaining(&h, &cen, "China", "China"), 6);
        assert_eq!(remaining(&h, &cen, "China", "North-America"), 0);
        let e = h
            .emulator
            .describe_cen_inter_region_bandwidth_limits(&h.caller(B), req(json!({"CenId": cen})))
            .unwrap_err();
        assert_eq!(e.code, "ParameterCenInstanceId");
    }

    #[test]
    fn limit_errors() {
        let h = Harness::new();
        let (cen, _) = setup(&h);
        let cases = [
            ("cn-hangzhou", "cn-hangzhou", 1, 400, "InvalidParameter"),
            ("cn-hangzhou", "mars-1", 1, 400, "ParameterIllegal.RegionId"),
            (
                "cn-hangzhou",
                "cn-shenzhen",
                1,
                400,
                "ParameterIllegal.RegionId",
            ),
            (
                "cn-hangzhou",
                "us-west-1",
                1,
                409,
                "InvalidOperation.BwpForGeoSpanNotAssociated",
            ),
            (
                "cn-hangzhou",
                "cn-beijing",
                -1,
                400,
                "IllegalParam.Bandwidth",
            ),
            (
                "cn-hangzhou",
                "cn-beijing",
                11,
                409,
                "InvalidOperation.BwpBandwidthExceeded",
            ),
        ];
        for (local, opposite, limit, status, code) in cases {
            assert_eq!(
                set(&h, &cen, local, opposite, limit),
                Err((status, code.into())),
                "{local} {opposite} {limit}"
            );
        }
        assert_eq!(
            set(&h, "cen-nope", "cn-hangzhou", "cn-beijing", 1),
            Err((404, "ParameterCenInstanceId".into()))
        );
        let e = h
            .emulator
            .set_cen_inter_region_bandwidth_limit(
                &h.caller(A),
                req(json!({"CenId": cen, "LocalRegionId": "cn-hangzhou", "OppositeRegionId": "cn-beijing", "BandwidthLimit": 1, "BandwidthType": "DataTransfer"})),
            )
            .unwrap_err();
        assert_eq!(e.code, "IllegalParam.BandwidthType");
        // A region whose only instance is still attaching does not count.
        h.attach(A, &cen, "vpc-t4nemusg00000000001", "VPC", "ap-southeast-1");
        let bwp = h.create_bwp(
            A,
            json!({"Bandwidth": 10, "GeographicRegionAId": "China", "GeographicRegionBId": "Asia-Pacific"}),
        );
        h.associate(A, &cen, &bwp);
        assert_eq!(
            set(&h, &cen, "cn-hangzhou", "ap-southeast-1", 1),
            Err((400, "ParameterIllegal.RegionId".into()))
        );
        h.advance();
        set(&h, &cen, "cn-hangzhou", "ap-southeast-1", 1).unwrap();
        assert_eq!(remaining(&h, &cen, "Asia-Pacific", "China"), 9);
    }

    #[test]
    fn areas_and_spans() {
        let h = Harness::new();
        let members = h
            .emulator
            .describe_geographic_region_membership(
                &h.caller(A),
                req(json!({"GeographicRegionId": "north-america"})),
            )
            .unwrap();
        let regions: Vec<_> = members
            .region_ids
            .unwrap()
            .region_id
            .into_iter()
            .map(|r| r.region_id.unwrap())
            .collect();
        assert_eq!(regions, ["us-west-1", "us-east-1"]);
        let china = h
            .emulator
            .describe_geographic_region_membership(
                &h.caller(A),
                req(json!({"GeographicRegionId": "china", "PageSize": 5, "PageNumber": 2})),
            )
            .unwrap();
        assert_eq!(china.total_count, Some(13));
        assert_eq!(china.region_ids.unwrap().region_id.len(), 5);

        let spans = h
            .emulator
            .describe_cen_geographic_spans(&h.caller(A), req(json!({"PageSize": 50})))
            .unwrap();
        assert_eq!(spans.total_count, Some(10));
        let one = h
            .emulator
            .describe_cen_geographic_spans(
                &h.caller(A),
                req(json!({"GeographicSpanId": "china_north-america"})),
            )
            .unwrap();
        let model = &one.geographic_span_models.unwrap().geographic_span_model[0];
        assert_eq!(model.local_geo_region_id.as_deref(), Some("china"));
        assert_eq!(
            model.opposite_geo_region_id.as_deref(),
            Some("north-america")
        );
        let e = h
            .emulator
            .describe_cen_geographic_spans(&h.caller(A), req(json!({"PageSize": 100})))
            .unwrap_err();
        assert_eq!(e.code, "InvalidParameter");
    }
}
