//! The vSwitches of a VPC that a CEN instance may use: ListGrantVSwitchesToCen (the network
//! interfaces in them, ListGrantVSwitchEnis, are listed with the multicast operations, whose
//! members they are).
//!
//! A CEN instance may use the VPCs of its owner and those another account granted to it
//! (GrantInstanceToCen or GrantInstanceToTransitRouter). The vSwitches come from the inventory.

use acs_rpc::error::ApiError;

use crate::api::cbn as t;
use crate::emulator::{Caller, Ctx, Emulator};
use crate::inventory::{InstanceType, NetworkInstance};
use crate::state::State;
use crate::validate::{self, Page};

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
                    validate::matches(&request.zone_id, Some(v.zone_id.as_str()))
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
}
