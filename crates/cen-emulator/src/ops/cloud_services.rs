//! Cloud services and PrivateZone through a Basic Edition CEN instance:
//! ResolveAndRouteServiceInCen, DescribeRouteServicesInCen, DeleteRouteServiceInCen,
//! RoutePrivateZoneInCenToVpc, UnroutePrivateZoneInCenToVpc, DescribeCenPrivateZoneRoutes.
//!
//! Both are reached from the networks of an access region through a VPC attached to the CEN
//! instance in the host region; the emulator keeps the configuration and its states (it has no
//! cloud service or PrivateZone to ask, so every VPC is taken as associated with PrivateZone).

use std::net::IpAddr;

use acs_rpc::error::ApiError;
use cen_server::cbn::errors as cbn;
use ipnet::{IpNet, Ipv4Net};

use crate::api::cbn as t;
use crate::emulator::{Caller, Ctx, Emulator};
use crate::errors;
use crate::geo::Area;
use crate::inventory::InstanceType;
use crate::state::{
    Attachment, AttachmentKind, Lifecycle, Phase, PrivateZoneRoute, RouteService, State,
};
use crate::validate::{self, Page};

/// The DNS servers PrivateZone answers on, as DescribeCenPrivateZoneRoutes writes them.
const PRIVATE_ZONE_DNS_SERVERS: &str = "100.100.2.136,100.100.2.138";

/// Reads the Host of a cloud service: an IPv4 address or block (given as its network
/// address) inside 100.64.0.0/10; answers its block.
fn service_block(host: &str) -> Result<String, ApiError> {
    use cbn::resolve_and_route_service_in_cen as e;
    let host = host.trim();
    if host.contains(':') {
        let ipv6 = host.parse::<IpNet>().is_ok() || host.parse::<IpAddr>().is_ok();
        return Err(if ipv6 {
            e::parameter_illegal_cloute_route_not_support_ipv6()
        } else {
            e::parameter_illegal_cloud_route_host()
        });
    }
    if host.bytes().any(|b| b.is_ascii_alphabetic()) {
        return Err(e::parameter_illegal_host());
    }
    let block = host
        .parse::<Ipv4Net>()
        .or_else(|_| host.parse::<std::net::Ipv4Addr>().map(Ipv4Net::from))
        .ok()
        .filter(|n| n.trunc() == *n)
        .ok_or_else(e::parameter_illegal_cloud_route_host)?;
    let shared: Ipv4Net = "100.64.0.0/10"
        .parse()
        .map_err(|_| e::invalid_parameter())?;
    if !shared.contains(&block) {
        return Err(e::parameter_illegal_cloute_route_cidr_not_allow());
    }
    Ok(block.to_string())
}

impl<'a> Ctx<'a> {
    /// The Attached instances of a CEN instance in a region.
    fn attached_in<'s>(
        &self,
        state: &'s State,
        cen_id: &'s str,
        region: &'s str,
    ) -> impl Iterator<Item = &'s Attachment> + use<'s, 'a>
    where
        'a: 's,
    {
        let ctx = *self;
        self.attachments(state, cen_id)
            .filter(move |a| a.region_id == region && ctx.phase(*a) == Phase::Ready)
    }

    /// The VPC `id` attached (Basic Edition) to the CEN instance in `region`, if it is.
    fn host_vpc<'s>(
        &self,
        state: &'s State,
        cen_id: &str,
        (id, region): (&str, &str),
    ) -> Option<&'s Attachment> {
        self.attachment_of(state, id).filter(|a| {
            a.cen_id == cen_id && a.instance_type == InstanceType::Vpc && a.region_id == region
        })
    }
}

impl Emulator {
    /// ResolveAndRouteServiceInCen: lets the networks of each access region reach a cloud
    /// service (Host, in 100.64.0.0/10) through a VPC attached to the CEN instance in the
    /// service's region: one configuration per access region, `Creating` for the delay, then
    /// `Active`.
    ///
    /// Checks, in order: Host a domain `ParameterIllegal.Host`, IPv6
    /// `ParameterIllegal.ClouteRouteNotSupportIpv6`, not an IPv4 address or block given as its
    /// network address `ParameterIllegal.CloudRouteHost`, outside 100.64.0.0/10
    /// `ParameterIllegal.ClouteRouteCidrNotAllow`; no AccessRegionIds `InvalidParameter`; a
    /// bad description `InvalidParameter`; the CEN instance not the caller's
    /// `ParameterCenInstanceId` or not Active `InvalidOperation.CenInstanceStatus`; the host
    /// VPC connected to a transit router of the CEN instance rather than attached to it
    /// `OperationUnsupported.TransitRouterType`, not attached in HostRegionId
    /// `CloudRoute.VpcNotAttached`, still Attaching or Detaching
    /// `InvalidOperation.ChildInstanceStatus`; an access region where the CEN instance has no
    /// Attached network instance `ParameterIllegal.AccessRegionId`; the host reached from an
    /// access region already through the same VPC `CloudRoute.Exist`, through another
    /// `CloudRoute.Conflict`. A ClientToken makes the call idempotent. Emulator rule: an access
    /// region qualifies with any Attached network instance (VPC, VBR or CCN) of the CEN
    /// instance.
    pub fn resolve_and_route_service_in_cen(
        &self,
        caller: &Caller,
        request: t::ResolveAndRouteServiceInCenRequest,
    ) -> Result<t::ResolveAndRouteServiceInCenResponse, ApiError> {
        use cbn::resolve_and_route_service_in_cen as e;
        let cidr = service_block(&request.host)?;
        let mut access: Vec<&str> = Vec::new();
        for region in &request.access_region_ids {
            if !access.contains(&region.as_str()) {
                access.push(region);
            }
        }
        if access.is_empty() {
            return Err(errors::saying(
                e::invalid_parameter,
                "AccessRegionIds is required.",
            ));
        }
        validate::description(request.description.as_deref())?;
        self.write_idempotent(
            caller,
            "ResolveAndRouteServiceInCen",
            request.client_token.as_deref(),
            &request,
            |state, ctx| {
                ctx.active_cen(state, caller, &request.cen_id)?;
                let Some(host) = ctx.host_vpc(
                    state,
                    &request.cen_id,
                    (&request.host_vpc_id, &request.host_region_id),
                ) else {
                    let connected = state
                        .tr_attachments
                        .children_of(1, &request.cen_id)
                        .any(|a| {
                            a.kind == AttachmentKind::Vpc
                                && a.resource_id == request.host_vpc_id
                                && ctx.live(a)
                        });
                    return Err(if connected {
                        e::operation_unsupported_transit_router_type()
                    } else {
                        e::cloud_route_vpc_not_attached()
                    });
                };
                ctx.require_ready(host, errors::child_status)?;
                for region in &access {
                    if Area::of_region(region).is_none()
                        || ctx
                            .attached_in(state, &request.cen_id, region)
                            .next()
                            .is_none()
                    {
                        return Err(errors::saying(
                            e::parameter_illegal_access_region_id,
                            format!("The CEN instance has no network attached in {region}."),
                        ));
                    }
                    let key = (
                        request.cen_id.clone(),
                        request.host.clone(),
                        (*region).to_owned(),
                    );
                    if let Some(existing) = state.route_services.get(&key).filter(|r| ctx.live(*r))
                    {
                        return Err(if existing.host_vpc_id == request.host_vpc_id {
                            e::cloud_route_exist()
                        } else {
                            e::cloud_route_conflict()
                        });
                    }
                }
                for region in &access {
                    state.route_services.insert(RouteService {
                        cen_id: request.cen_id.clone(),
                        owner: caller.uid,
                        host: request.host.clone(),
                        host_region_id: request.host_region_id.clone(),
                        host_vpc_id: request.host_vpc_id.clone(),
                        access_region_id: (*region).to_owned(),
                        cidr: cidr.clone(),
                        description: request.description.clone(),
                        life: Lifecycle::started(ctx.now),
                    });
                }
                Ok(())
            },
        )?;
        Ok(t::ResolveAndRouteServiceInCenResponse {
            request_id: Some(caller.request_id.clone()),
        })
    }

    /// DescribeRouteServicesInCen: the cloud services reached through a CEN instance of the
    /// caller (`ParameterCenInstanceId` otherwise), in creation order, paged by PageNumber and
    /// PageSize (1 to 50, default 10; `InvalidParameter` otherwise). Every given filter must
    /// match: AccessRegionId, Host, HostRegionId, HostVpcId.
    pub fn describe_route_services_in_cen(
        &self,
        caller: &Caller,
        request: t::DescribeRouteServicesInCenRequest,
    ) -> Result<t::DescribeRouteServicesInCenResponse, ApiError> {
        let page = Page::new(request.page_number, request.page_size, 50)?;
        let (items, total) = self.read(|state, ctx| {
            ctx.cen(state, caller, &request.cen_id)?;
            let keep = |r: &RouteService| {
                r.cen_id == request.cen_id
                    && validate::matches(
                        &request.access_region_id,
                        Some(r.access_region_id.as_str()),
                    )
                    && validate::matches(&request.host, Some(r.host.as_str()))
                    && validate::matches(&request.host_region_id, Some(r.host_region_id.as_str()))
                    && validate::matches(&request.host_vpc_id, Some(r.host_vpc_id.as_str()))
            };
            let (matched, total) = ctx.owned_page(
                state,
                &state.route_services,
                caller.uid,
                page,
                Some(&keep as &dyn Fn(&RouteService) -> bool),
            );
            let items = matched
                .into_iter()
                .map(|r| t::RouteServiceInCen {
                    access_region_id: Some(r.access_region_id.clone()),
                    cen_id: Some(r.cen_id.clone()),
                    cidrs: Some(t::RouteServiceInCenCidrs {
                        cidr: vec![r.cidr.clone()],
                    }),
                    description: r.description.clone(),
                    host: Some(r.host.clone()),
                    host_region_id: Some(r.host_region_id.clone()),
                    host_vpc_id: Some(r.host_vpc_id.clone()),
                    status: Some(ctx.status(r).into()),
                })
                .collect();
            Ok::<_, ApiError>((items, total))
        })?;
        Ok(t::DescribeRouteServicesInCenResponse {
            page_number: Some(page.number),
            page_size: Some(page.size),
            request_id: Some(caller.request_id.clone()),
            route_service_entries: Some(t::DescribeRouteServicesInCenResponseRouteServiceEntries {
                route_service_entry: items,
            }),
            total_count: Some(total),
        })
    }

    /// DeleteRouteServiceInCen: starts removing the access of AccessRegionId to a cloud service
    /// (Host, HostRegionId and, when given, HostVpcId); it is `Deleting` for the delay, then
    /// gone. As documented, a request that names no `Active` configuration of the caller
    /// answers a RequestId and changes nothing.
    pub fn delete_route_service_in_cen(
        &self,
        caller: &Caller,
        request: t::DeleteRouteServiceInCenRequest,
    ) -> Result<t::DeleteRouteServiceInCenResponse, ApiError> {
        self.write(|state, ctx| {
            let key = (
                request.cen_id.clone(),
                request.host.clone(),
                request.access_region_id.clone(),
            );
            let found = state.route_services.get(&key).is_some_and(|r| {
                r.owner == caller.uid
                    && r.host_region_id == request.host_region_id
                    && validate::matches(&request.host_vpc_id, Some(r.host_vpc_id.as_str()))
                    && ctx.phase(r) == Phase::Ready
            });
            if found && let Some(mut service) = state.route_services.get_mut(&key) {
                service.life.deleting_at = Some(ctx.now);
            }
            Ok(())
        })?;
        Ok(t::DeleteRouteServiceInCenResponse {
            request_id: Some(caller.request_id.clone()),
        })
    }

    /// RoutePrivateZoneInCenToVpc: lets the networks of AccessRegionId reach PrivateZone
    /// through a VPC attached to the CEN instance in HostRegionId; `Creating` for the delay,
    /// then `Active`; while it exists, the VPC cannot be detached
    /// (`Forbidden.PrivatezoneRouteExisted`).
    ///
    /// Checks, in order: the CEN instance not the caller's `ParameterCenInstanceId` or not
    /// Active `InvalidOperation.CenInstanceStatus`; the VPC not attached to it in HostRegionId
    /// `InvalidOperation.VpcNotAttachedToCen`, or still Attaching or Detaching
    /// `InvalidOperation.ChildInstanceStatus`; an access region where the CEN instance has no
    /// Attached network instance `ParameterIllegal.AccessRegionIdNoCCN`; an access region other
    /// than the host region without an Attached CCN instance (VPCs and VBRs reach PrivateZone
    /// in their own region only) `OperationUnsupported.CrossRegionNotSupport`; the access
    /// region routed already `InvalidOperation.PrivatezoneRouteExisted`.
    pub fn route_private_zone_in_cen_to_vpc(
        &self,
        caller: &Caller,
        request: t::RoutePrivateZoneInCenToVpcRequest,
    ) -> Result<t::RoutePrivateZoneInCenToVpcResponse, ApiError> {
        use cbn::route_private_zone_in_cen_to_vpc as e;
        self.write(|state, ctx| {
            ctx.active_cen(state, caller, &request.cen_id)?;
            let host = ctx
                .host_vpc(
                    state,
                    &request.cen_id,
                    (&request.host_vpc_id, &request.host_region_id),
                )
                .ok_or_else(e::invalid_operation_vpc_not_attached_to_cen)?;
            ctx.require_ready(host, errors::child_status)?;
            let region = request.access_region_id.as_str();
            let reaching: Vec<InstanceType> = ctx
                .attached_in(state, &request.cen_id, region)
                .map(|a| a.instance_type)
                .collect();
            if reaching.is_empty() {
                return Err(e::parameter_illegal_access_region_id_no_ccn());
            }
            if region != request.host_region_id && !reaching.contains(&InstanceType::Ccn) {
                return Err(e::operation_unsupported_cross_region_not_support());
            }
            let key = (request.cen_id.clone(), request.access_region_id.clone());
            if state
                .private_zone_routes
                .get(&key)
                .is_some_and(|r| ctx.live(r))
            {
                return Err(e::invalid_operation_privatezone_route_existed());
            }
            state.private_zone_routes.insert(PrivateZoneRoute {
                cen_id: request.cen_id.clone(),
                owner: caller.uid,
                access_region_id: request.access_region_id.clone(),
                host_region_id: request.host_region_id.clone(),
                host_vpc_id: request.host_vpc_id.clone(),
                life: Lifecycle::started(ctx.now),
            });
            Ok(())
        })?;
        Ok(t::RoutePrivateZoneInCenToVpcResponse {
            request_id: Some(caller.request_id.clone()),
        })
    }

    /// UnroutePrivateZoneInCenToVpc: starts removing the PrivateZone access of an access
    /// region; it is `Deleting` for the delay, then gone.
    ///
    /// The CEN instance not the caller's `ParameterCenInstanceId`; no PrivateZone access for
    /// the region, or one that is not `Active`, `InvalidParameter` (saying which); the access
    /// of the host region itself while another region (a CCN region) still reaches
    /// PrivateZone through the same VPC `InvalidOperation.PrivatezoneRouteExisted` (as
    /// documented, the CCN regions go first).
    pub fn unroute_private_zone_in_cen_to_vpc(
        &self,
        caller: &Caller,
        request: t::UnroutePrivateZoneInCenToVpcRequest,
    ) -> Result<t::UnroutePrivateZoneInCenToVpcResponse, ApiError> {
        use cbn::unroute_private_zone_in_cen_to_vpc as e;
        self.write(|state, ctx| {
            ctx.cen(state, caller, &request.cen_id)?;
            let key = (request.cen_id.clone(), request.access_region_id.clone());
            let route = state
                .private_zone_routes
                .get(&key)
                .filter(|r| ctx.live(*r))
                .ok_or_else(|| {
                    errors::saying(
                        e::invalid_parameter,
                        format!(
                            "The CEN instance has no PrivateZone route for {}.",
                            request.access_region_id
                        ),
                    )
                })?;
            ctx.require_ready_saying(route, e::invalid_parameter, "PrivateZone route")?;
            let others = state.private_zone_routes.iter().any(|r| {
                r.cen_id == route.cen_id
                    && r.host_vpc_id == route.host_vpc_id
                    && r.access_region_id != r.host_region_id
                    && ctx.live(r)
            });
            if route.access_region_id == route.host_region_id && others {
                return Err(e::invalid_operation_privatezone_route_existed());
            }
            if let Some(mut route) = state.private_zone_routes.get_mut(&key) {
                route.life.deleting_at = Some(ctx.now);
            }
            Ok(())
        })?;
        Ok(t::UnroutePrivateZoneInCenToVpcResponse {
            request_id: Some(caller.request_id.clone()),
        })
    }

    /// DescribeCenPrivateZoneRoutes: the PrivateZone access of a CEN instance of the caller
    /// (`ParameterCenInstanceId` otherwise), in creation order, paged by PageNumber and
    /// PageSize (1 to 50, default 10; `InvalidParameter` otherwise), with the PrivateZone DNS
    /// servers. Every given filter must match: AccessRegionId, HostRegionId.
    pub fn describe_cen_private_zone_routes(
        &self,
        caller: &Caller,
        request: t::DescribeCenPrivateZoneRoutesRequest,
    ) -> Result<t::DescribeCenPrivateZoneRoutesResponse, ApiError> {
        let page = Page::new(request.page_number, request.page_size, 50)?;
        let (items, total) = self.read(|state, ctx| {
            ctx.cen(state, caller, &request.cen_id)?;
            let keep = |r: &PrivateZoneRoute| {
                r.cen_id == request.cen_id
                    && validate::matches(
                        &request.access_region_id,
                        Some(r.access_region_id.as_str()),
                    )
                    && validate::matches(&request.host_region_id, Some(r.host_region_id.as_str()))
            };
            let (matched, total) = ctx.owned_page(
                state,
                &state.private_zone_routes,
                caller.uid,
                page,
                Some(&keep as &dyn Fn(&PrivateZoneRoute) -> bool),
            );
            let items = matched
                .into_iter()
                .map(|r| t::CenPrivateZoneRoute {
                    access_region_id: Some(r.access_region_id.clone()),
                    host_region_id: Some(r.host_region_id.clone()),
                    host_vpc_id: Some(r.host_vpc_id.clone()),
                    status: Some(ctx.status(r).into()),
                })
                .collect();
            Ok::<_, ApiError>((items, total))
        })?;
        Ok(t::DescribeCenPrivateZoneRoutesResponse {
            cen_id: Some(request.cen_id.clone()),
            page_number: Some(page.number),
            page_size: Some(page.size),
            private_zone_dns_servers: Some(PRIVATE_ZONE_DNS_SERVERS.into()),
            private_zone_infos: Some(t::DescribeCenPrivateZoneRoutesResponsePrivateZoneInfos {
                private_zone_info: items,
            }),
            request_id: Some(caller.request_id.clone()),
            total_count: Some(total),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn service_hosts_are_shared_addresses() {
        let code = |h: &str| service_block(h).map_err(|e| e.code);
        assert_eq!(code("100.64.1.0/24").as_deref(), Ok("100.64.1.0/24"));
        assert_eq!(code("100.100.2.136").as_deref(), Ok("100.100.2.136/32"));
        assert_eq!(
            code("oss.aliyuncs.com").unwrap_err(),
            "ParameterIllegal.Host"
        );
        assert_eq!(
            code("fd00::/8").unwrap_err(),
            "ParameterIllegal.ClouteRouteNotSupportIpv6"
        );
        assert_eq!(
            code("100.64.1.1/24").unwrap_err(),
            "ParameterIllegal.CloudRouteHost"
        );
        assert_eq!(
            code("10.0.0.0/8").unwrap_err(),
            "ParameterIllegal.ClouteRouteCidrNotAllow"
        );
    }
}
