//! The vSwitches and network interfaces of a VPC that a CEN instance may use:
//! ListGrantVSwitchesToCen, ListGrantVSwitchEnis.
//!
//! A CEN instance may use the VPCs of its owner and those another account granted to it
//! (GrantInstanceToCen or GrantInstanceToTransitRouter). The vSwitches come from the inventory;
//! the network interfaces are those the transit routers placed in the vSwitch for their VPC
//! attachments (the emulator knows no others).

use std::net::Ipv4Addr;

use acs_rpc::error::ApiError;
use cen_server::cbn::errors as cbn;
use ipnet::Ipv4Net;

use crate::api::cbn as t;
use crate::emulator::{Caller, Ctx, Emulator};
use crate::errors;
use crate::inventory::{InstanceType, NetworkInstance};
use crate::state::{AttachmentKind, State};
use crate::validate::{Page, TokenPage, given};

/// The address a transit router's network interface holds in its vSwitch: derived from the
/// creation number of its attachment, which never changes and differs between attachments, among
/// the block's usable addresses (the first three and the last are reserved, as in the Vpc
/// product).
fn interface_address(block: Ipv4Net, attachment_seq: u64) -> Ipv4Addr {
    let usable = u64::try_from(block.hosts().count().saturating_sub(4).max(1)).unwrap_or(1);
    let offset = u32::try_from(3 + attachment_seq % usable).unwrap_or(3);
    Ipv4Addr::from(u32::from(block.network()).saturating_add(offset))
}

impl<'a> Ctx<'a> {
    /// The VPC `id` if the CEN instance `cen_id` of the caller may use it: the caller's own,
    /// or granted to the CEN instance by its owner.
    fn usable_vpc<'s>(
        &self,
        state: &'s State,
        caller: &Caller,
        (cen_id, id): (&str, &str),
    ) -> Option<&'s NetworkInstance>
    where
        'a: 's,
    {
        self.instance(state, id).filter(|vpc| {
            vpc.instance_type == InstanceType::Vpc
                && (vpc.owner_id == caller.uid
                    || state.grants.contains_key(&(
                        cen_id.to_owned(),
                        caller.uid,
                        vpc.instance_id.clone(),
                    )))
        })
    }
}

impl Emulator {
    /// ListGrantVSwitchesToCen: the vSwitches of a VPC in RegionId that a CEN instance of the
    /// caller (`ParameterCenInstanceId` otherwise) may use: a VPC of the caller, or one granted
    /// to the CEN instance; any other VPC answers an empty list. Filtered by ZoneId and
    /// EnabledIpv6, paged by PageNumber and PageSize (1 to 50, default 10; `InvalidParameter`
    /// otherwise). Emulator rule: the inventory's vSwitches have no IPv6 block, so
    /// EnabledIpv6 `true` lists none; a vSwitch is named after its VPC and zone.
    pub fn list_grant_v_switches_to_cen(
        &self,
        caller: &Caller,
        request: t::ListGrantVSwitchesToCenRequest,
    ) -> Result<t::ListGrantVSwitchesToCenResponse, ApiError> {
        let page = Page::new(request.page_number, request.page_size, 50)?;
        let (items, total) = self.read(|state, ctx| {
            ctx.cen(state, caller, &request.cen_id)?;
            let Some(vpc) = ctx
                .usable_vpc(state, caller, (&request.cen_id, &request.vpc_id))
                .filter(|v| v.region_id == request.region_id)
            else {
                return Ok((Vec::new(), 0));
            };
            let matched: Vec<_> = vpc
                .v_switches
                .iter()
                .filter(|v| {
                    given(&request.zone_id).is_none_or(|z| v.zone_id == z)
                        && request.enabled_ipv6 != Some(true)
                })
                .map(|v| t::GrantedVSwitch {
                    v_switch_id: Some(v.v_switch_id.clone()),
                    v_switch_name: Some(format!("{}-{}", vpc.instance_id, v.zone_id)),
                    vpc_id: Some(vpc.instance_id.clone()),
                    zone_id: Some(v.zone_id.clone()),
                })
                .collect();
            Ok::<_, ApiError>(page.slice(matched))
        })?;
        Ok(t::ListGrantVSwitchesToCenResponse {
            page_number: Some(page.number),
            page_size: Some(page.size),
            request_id: Some(caller.request_id.clone()),
            total_count: Some(total),
            v_switches: items,
        })
    }

    /// ListGrantVSwitchEnis: the network interfaces in a vSwitch of a VPC that a CEN instance
    /// of the caller (`ParameterCenInstanceId` otherwise) may use (a VPC of the caller or one
    /// granted to the CEN instance; any other VPC or vSwitch answers an empty list): those the
    /// transit routers placed there for their VPC attachments (`TransitRouterFlag` true), in
    /// the order the attachments were made. Filtered by NetworkInterfaceId.N,
    /// NetworkInterfaceName and PrimaryIpAddress; paged by MaxResults (10 to 500, default 20)
    /// and NextToken (`InvalidParameter` for bad ones); TotalCount is a string, as the service
    /// writes it. Emulator rule: the interfaces have no name, and each holds an address of the
    /// vSwitch derived from the creation number of its attachment.
    pub fn list_grant_v_switch_enis(
        &self,
        caller: &Caller,
        request: t::ListGrantVSwitchEnisRequest,
    ) -> Result<t::ListGrantVSwitchEnisResponse, ApiError> {
        use cbn::list_grant_v_switch_enis as e;
        let max = request
            .max_results
            .map(|m| {
                i32::try_from(m)
                    .ok()
                    .filter(|m| (10..=500).contains(m))
                    .ok_or_else(|| errors::saying(e::invalid_parameter, "MaxResults is 10 to 500."))
            })
            .transpose()?;
        let page = TokenPage::new(
            max,
            request.next_token.as_deref(),
            (20, 500),
            e::invalid_parameter,
            e::invalid_parameter,
        )?;
        let (items, next_token, total) = self.read(|state, ctx| {
            ctx.cen(state, caller, &request.cen_id)?;
            let Some((vpc, vsw)) = ctx
                .usable_vpc(state, caller, (&request.cen_id, &request.vpc_id))
                .and_then(|vpc| Some((vpc, vpc.v_switch(&request.v_switch_id)?)))
            else {
                return Ok((Vec::new(), None, 0));
            };
            let block: Option<Ipv4Net> = vsw.cidr_block.parse().ok();
            let interfaces = state
                .tr_attachments
                .children_of(2, &vpc.instance_id)
                .filter(|a| a.kind == AttachmentKind::Vpc && ctx.live(*a))
                .flat_map(|a| {
                    a.zones
                        .iter()
                        .filter(|z| z.v_switch_id == vsw.v_switch_id)
                        .map(move |z| (a, z))
                })
                .map(|(a, z)| (state.tr_attachments.seq_of(a).unwrap_or_default(), a, z))
                .map(|(seq, a, z)| t::GrantVSwitchEni {
                    description: Some(format!("Created by transit router {}", a.transit_router_id)),
                    network_interface_id: Some(z.network_interface_id.clone()),
                    network_interface_name: None,
                    primary_ip_address: block.map(|b| interface_address(b, seq).to_string()),
                    transit_router_flag: Some(true),
                    v_switch_id: Some(vsw.v_switch_id.clone()),
                    vpc_id: Some(vpc.instance_id.clone()),
                })
                .filter(|eni| {
                    (request.network_interface_id.is_empty()
                        || eni
                            .network_interface_id
                            .as_ref()
                            .is_some_and(|id| request.network_interface_id.contains(id)))
                        && given(&request.network_interface_name).is_none()
                        && given(&request.primary_ip_address)
                            .is_none_or(|ip| eni.primary_ip_address.as_deref() == Some(ip))
                });
            Ok::<_, ApiError>(
                page.slice(
                    interfaces
                        .enumerate()
                        .map(|(i, eni)| (u64::try_from(i).unwrap_or(u64::MAX), eni)),
                ),
            )
        })?;
        Ok(t::ListGrantVSwitchEnisResponse {
            grant_v_switch_enis: items,
            max_results: Some(i64::try_from(page.max).unwrap_or(i64::MAX)),
            next_token,
            request_id: Some(caller.request_id.clone()),
            total_count: Some(total.to_string()),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn interface_addresses_are_usable_addresses_of_the_block() {
        let block: Ipv4Net = "172.16.1.0/24".parse().unwrap();
        assert_eq!(interface_address(block, 0).to_string(), "172.16.1.3");
        assert_eq!(interface_address(block, 249).to_string(), "172.16.1.252");
        assert_eq!(interface_address(block, 250).to_string(), "172.16.1.3");
    }
}
