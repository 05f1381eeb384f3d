//! VBR health checks: EnableCenVbrHealthCheck, DisableCenVbrHealthCheck,
//! DescribeCenVbrHealthCheck.

use std::net::Ipv4Addr;

use acs_rpc::error::ApiError;

use crate::api::cbn as t;
use crate::emulator::{Caller, Emulator};
use crate::errors;
use crate::inventory::InstanceType;
use crate::state::{HealthCheck, Phase};
use crate::validate::{self, Page};

/// Whether a custom source address is in a private range the documentation allows.
fn private_source(ip: Ipv4Addr) -> bool {
    let [a, b, ..] = ip.octets();
    a == 10 || (a == 172 && (16..=31).contains(&b)) || (a == 192 && b == 168)
}

/// The lowest address of 100.96.0.0/16 from 100.96.0.1 on that no health check uses.
fn free_source<'s>(used: impl Iterator<Item = &'s str>) -> String {
    let used: std::collections::BTreeSet<u16> = used
        .filter_map(|ip| ip.parse::<Ipv4Addr>().ok())
        .filter_map(|ip| match ip.octets() {
            [100, 96, hi, lo] => Some(u16::from_be_bytes([hi, lo])),
            _ => None,
        })
        .collect();
    let n = (1..=u16::MAX).find(|n| !used.contains(n)).unwrap_or(1);
    let [hi, lo] = n.to_be_bytes();
    Ipv4Addr::new(100, 96, hi, lo).to_string()
}

impl Emulator {
    /// EnableCenVbrHealthCheck: configures (or reconfigures) the health check of a VBR that is
    /// Attached to an `Active` CEN instance of the caller.
    ///
    /// Errors: HealthCheckInterval outside 2 to 3, HealthyThreshold outside 3 to 8, or a bad
    /// description `InvalidParameter`; a target or source that is not an IPv4 address
    /// `Illegal.SourceIpOrTargetIp`; a source outside 10.0.0.0/8, 172.16.0.0/12 and
    /// 192.168.0.0/16 `OperationFailed.SourceIpUnSupported` (without a source the emulator
    /// assigns one from 100.96.0.0/16, as the service does); unknown CEN instance
    /// `ParameterCenInstanceId`; not Active `InvalidOperation.CenInstanceStatus`; a VBR that is
    /// not Attached to it (or of another owner than VbrInstanceOwnerId)
    /// `OperationFailed.StatusNotSupport`.
    pub fn enable_cen_vbr_health_check(
        &self,
        caller: &Caller,
        request: t::EnableCenVbrHealthCheckRequest,
    ) -> Result<t::EnableCenVbrHealthCheckResponse, ApiError> {
        let interval = request.health_check_interval.unwrap_or(2);
        let threshold = request.healthy_threshold.unwrap_or(8);
        if !(2..=3).contains(&interval) || !(3..=8).contains(&threshold) {
            return Err(errors::invalid_parameter());
        }
        validate::description(request.description.as_deref())?;
        let target: Ipv4Addr = request
            .health_check_target_ip
            .parse()
            .map_err(|_| errors::illegal_source_or_target_ip())?;
        let source = match request
            .health_check_source_ip
            .as_deref()
            .filter(|s| !s.is_empty())
        {
            Some(s) => {
                let ip: Ipv4Addr = s
                    .parse()
                    .map_err(|_| errors::illegal_source_or_target_ip())?;
                if !private_source(ip) {
                    return Err(errors::source_ip_unsupported());
                }
                Some(ip)
            }
            None => None,
        };
        self.write(|state, ctx| {
            ctx.active_cen(state, caller, &request.cen_id)?;
            let attachment = ctx
                .attachments(state, &request.cen_id)
                .find(|a| {
                    a.instance_id == request.vbr_instance_id
                        && a.instance_type == InstanceType::Vbr
                        && a.region_id == request.vbr_instance_region_id
                        && request.vbr_instance_owner_id.is_none_or(|o| o == a.owner)
                })
                .filter(|a| ctx.phase(*a) == Phase::Ready)
                .ok_or_else(errors::health_status_not_support)?;
            let owner = attachment.owner;
            let key = (request.cen_id.clone(), request.vbr_instance_id.clone());
            let source = match (source, state.health_checks.get(&key)) {
                (Some(ip), _) => ip.to_string(),
                (None, Some(existing)) => existing.source_ip.clone(),
                (None, None) => free_source(state.health_checks.iter().map(|h| &*h.source_ip)),
            };
            let check = HealthCheck {
                cen_id: request.cen_id.clone(),
                vbr_id: request.vbr_instance_id.clone(),
                region_id: request.vbr_instance_region_id.clone(),
                owner,
                source_ip: source,
                target_ip: target.to_string(),
                interval,
                threshold,
                only: request.health_check_only.unwrap_or(false),
                description: request.description.clone(),
            };
            state.health_checks.insert(check);
            Ok(())
        })?;
        Ok(t::EnableCenVbrHealthCheckResponse {
            request_id: Some(caller.request_id.clone()),
        })
    }

    /// DisableCenVbrHealthCheck: removes the health check of a VBR attached to a CEN instance
    /// of the caller (harmless when there is none).
    ///
    /// Errors: unknown CEN instance `ParameterCenInstanceId`; a VBR not attached to it
    /// `InvalidOperation.VbrNotAttachedToCen` (409, 2019 chapter 6).
    pub fn disable_cen_vbr_health_check(
        &self,
        caller: &Caller,
        request: t::DisableCenVbrHealthCheckRequest,
    ) -> Result<t::DisableCenVbrHealthCheckResponse, ApiError> {
        self.write(|state, ctx| {
            ctx.cen(state, caller, &request.cen_id)?;
            if !ctx.attachments(state, &request.cen_id).any(|a| {
                a.instance_id == request.vbr_instance_id
                    && a.instance_type == InstanceType::Vbr
                    && a.region_id == request.vbr_instance_region_id
            }) {
                return Err(errors::vbr_not_attached());
            }
            state
                .health_checks
                .remove(&(request.cen_id.clone(), request.vbr_instance_id.clone()));
            Ok(())
        })?;
        Ok(t::DisableCenVbrHealthCheckResponse {
            request_id: Some(caller.request_id.clone()),
        })
    }

    /// DescribeCenVbrHealthCheck: the health checks of the caller's CEN instances for VBRs in
    /// one region, optionally of one CEN instance, VBR and VBR owner, paged (PageSize 1 to 50).
    pub fn describe_cen_vbr_health_check(
        &self,
        caller: &Caller,
        request: t::DescribeCenVbrHealthCheckRequest,
    ) -> Result<t::DescribeCenVbrHealthCheckResponse, ApiError> {
        let page = Page::new(request.page_number, request.page_size, 50)?;
        let items = self.read(|state, ctx| {
            state
                .health_checks
                .iter()
                .filter(|h| {
                    h.region_id == request.vbr_instance_region_id
                        && ctx.cen(state, caller, &h.cen_id).is_ok()
                        && request
                            .cen_id
                            .as_deref()
                            .is_none_or(|c| c.is_empty() || h.cen_id == c)
                        && request
                            .vbr_instance_id
                            .as_deref()
                            .is_none_or(|v| v.is_empty() || h.vbr_id == v)
                        && request.vbr_instance_owner_id.is_none_or(|o| h.owner == o)
                })
                .map(|h| t::CenVbrHealthCheck {
                    cen_id: Some(h.cen_id.clone()),
                    description: h.description.clone(),
                    health_check_interval: Some(h.interval),
                    health_check_only: Some(h.only),
                    health_check_source_ip: Some(h.source_ip.clone()),
                    health_check_target_ip: Some(h.target_ip.clone()),
                    healthy_threshold: Some(h.threshold),
                    vbr_instance_id: Some(h.vbr_id.clone()),
                    vbr_instance_region_id: Some(h.region_id.clone()),
                })
                .collect::<Vec<_>>()
        });
        let (vbr_health_check, total) = page.slice(items);
        Ok(t::DescribeCenVbrHealthCheckResponse {
            page_number: Some(page.number),
            page_size: Some(page.size),
            request_id: Some(caller.request_id.clone()),
            total_count: Some(total),
            vbr_health_checks: Some(t::DescribeCenVbrHealthCheckResponseVbrHealthChecks {
                vbr_health_check,
            }),
        })
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_automatic_source_is_the_lowest_free() {
        assert_eq!(super::free_source([].into_iter()), "100.96.0.1");
        assert_eq!(
            super::free_source(["100.96.0.2", "10.0.0.1", "100.96.0.1"].into_iter()),
            "100.96.0.3"
        );
        assert_eq!(
            super::free_source(["100.96.0.2", "100.96.0.3"].into_iter()),
            "100.96.0.1"
        );
        let full: Vec<String> = (1..=255).map(|n| format!("100.96.0.{n}")).collect();
        assert_eq!(
            super::free_source(full.iter().map(String::as_str)),
            "100.96.1.0"
        );
    }

    use crate::testing::{A, Harness, req};
    use serde_json::json;

    const VBR: &str = "vbr-bp1emuhz00000000001";

    fn checks(h: &Harness, region: &str) -> Vec<(String, String, String)> {
        h.emulator
            .describe_cen_vbr_health_check(
                &h.caller(A),
                req(json!({ "VbrInstanceRegionId": region })),
            )
            .unwrap()
            .vbr_health_checks
            .unwrap()
            .vbr_health_check
            .into_iter()
            .map(|c| {
                (
                    c.vbr_instance_id.unwrap(),
                    c.health_check_source_ip.unwrap(),
                    c.health_check_target_ip.unwrap(),
                )
            })
            .collect()
    }

    #[test]
    fn enable_describe_disable() {
        let h = Harness::new();
        let cen = h.active_cen(A);
        h.attach(A, &cen, VBR, "VBR", "cn-hangzhou");
        let enable = |body: serde_json::Value| {
            h.emulator
                .enable_cen_vbr_health_check(&h.caller(A), req(body))
                .map(|_| ())
                .map_err(|e| e.code)
        };
        let body = |extra: serde_json::Value| {
            let mut b = json!({"CenId": cen, "VbrInstanceId": VBR, "VbrInstanceRegionId": "cn-hangzhou", "HealthCheckTargetIp": "10.0.0.2"});
            b.as_object_mut()
                .unwrap()
                .extend(extra.as_object().unwrap().clone());
            b
        };
        assert_eq!(
            enable(body(json!({}))),
            Err("OperationFailed.StatusNotSupport".into())
        );
        h.advance();
        for (extra, code) in [
            (json!({"HealthCheckInterval": 4}), "InvalidParameter"),
            (json!({"HealthyThreshold": 2}), "InvalidParameter"),
            (
                json!({"HealthCheckTargetIp": "nope"}),
                "Illegal.SourceIpOrTargetIp",
            ),
            (
                json!({"HealthCheckSourceIp": "1.2.3"}),
                "Illegal.SourceIpOrTargetIp",
            ),
            (
                json!({"HealthCheckSourceIp": "8.8.8.8"}),
                "OperationFailed.SourceIpUnSupported",
            ),
            (
                json!({"VbrInstanceId": "vbr-uf6emush00000000001", "VbrInstanceRegionId": "cn-shanghai"}),
                "OperationFailed.StatusNotSupport",
            ),
            (json!({"CenId": "cen-nope"}), "ParameterCenInstanceId"),
        ] {
            assert_eq!(enable(body(extra.clone())), Err(code.into()), "{extra}");
        }
        enable(body(json!({}))).unwrap();
        assert_eq!(
            checks(&h, "cn-hangzhou"),
            [(VBR.into(), "100.96.0.1".into(), "10.0.0.2".into())]
        );
        enable(body(
            json!({"HealthCheckSourceIp": "192.168.1.1", "HealthCheckTargetIp": "10.0.0.3"}),
        ))
        .unwrap();
        assert_eq!(
            checks(&h, "cn-hangzhou"),
            [(VBR.into(), "192.168.1.1".into(), "10.0.0.3".into())]
        );
        assert!(checks(&h, "cn-shanghai").is_empty());

        let disable = |vbr: &str| {
            h.emulator
                .disable_cen_vbr_health_check(
                    &h.caller(A),
                    req(json!({"CenId": cen, "VbrInstanceId": vbr, "VbrInstanceRegionId": "cn-hangzhou"})),
                )
                .map(|_| ())
                .map_err(|e| e.code)
        };
        assert_eq!(
            disable("vbr-other"),
            Err("InvalidOperation.VbrNotAttachedToCen".into())
        );
        disable(VBR).unwrap();
        assert!(checks(&h, "cn-hangzhou").is_empty());
        // Detaching the VBR drops its health check.
        enable(body(json!({}))).unwrap();
        h.detach(A, &cen, VBR, "VBR", "cn-hangzhou");
        assert!(checks(&h, "cn-hangzhou").is_empty());
    }
}
