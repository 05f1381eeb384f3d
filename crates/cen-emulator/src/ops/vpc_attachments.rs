//! Transit-router VPC attachments: CreateTransitRouterVpcAttachment,
//! ListTransitRouterVpcAttachments, UpdateTransitRouterVpcAttachmentAttribute,
//! UpdateTransitRouterVpcAttachmentZones, DeleteTransitRouterVpcAttachment.

use std::collections::HashMap;

use acs_rpc::error::ApiError;
use cen_server::cbn::errors as cbn;

use crate::api::cbn as t;
use crate::emulator::{Caller, Ctx, Emulator, minutes, new_regional_id};
use crate::inventory::{InstanceType, NetworkInstance};
use crate::ops::attachments::{
    AttachmentFilter, DeleteCodes, NetworkAttach, NetworkCodes, TargetCodes,
};
use crate::ops::transit_routers::bare_tags;
use crate::state::{AttachmentKind, State, TrAttachment, ZonePlacement};
use crate::validate::{self, PARAMETER_TAG, TokenPage, given};

/// The `Options` of a VPC attachment: ApplianceModeSupport and Ipv6Support, `enable` or
/// `disable`, from `Options` or the deprecated `TransitRouterVPCAttachmentOptions` map (never
/// both). A bad value is `bad()`.
fn options(
    options: Option<&t::Options>,
    legacy: &HashMap<String, String>,
    both: fn() -> ApiError,
    bad: fn() -> ApiError,
) -> Result<(Option<String>, Option<String>), ApiError> {
    if options.is_some() && !legacy.is_empty() {
        return Err(both());
    }
    let appliance = options
        .and_then(|o| o.appliance_mode_support.clone())
        .or_else(|| legacy.get("applianceModeSupport").cloned());
    let ipv6 = options
        .and_then(|o| o.ipv6_support.clone())
        .or_else(|| legacy.get("ipv6Support").cloned());
    for value in [&appliance, &ipv6].into_iter().flatten() {
        if value != "enable" && value != "disable" {
            return Err(bad());
        }
    }
    Ok((appliance, ipv6))
}

/// Checks zone mappings against the VPC: every vSwitch one of the VPC's (`not_found`), in the
/// zone given (`bad_zone`), each zone once (`duplicated`).
fn placements(
    vpc: &NetworkInstance,
    mappings: &[(String, String)],
    codes: ZoneCodes,
) -> Result<Vec<ZonePlacement>, ApiError> {
    let mut out: Vec<ZonePlacement> = Vec::new();
    for (zone, vsw) in mappings {
        let v_switch = vpc.v_switch(vsw).ok_or_else(codes.not_found)?;
        if v_switch.zone_id != *zone {
            return Err((codes.bad_zone)());
        }
        if out.iter().any(|p| p.zone_id == *zone) {
            return Err((codes.duplicated)());
        }
        out.push(ZonePlacement {
            zone_id: zone.clone(),
            v_switch_id: vsw.clone(),
            network_interface_id: new_regional_id("eni-", &vpc.region_id),
        });
    }
    Ok(out)
}

/// The error codes one operation uses for zone mappings.
#[derive(Clone, Copy)]
struct ZoneCodes {
    not_found: fn() -> ApiError,
    bad_zone: fn() -> ApiError,
    duplicated: fn() -> ApiError,
}

impl<'a> Ctx<'a> {
    /// The caller's live transit-router attachment of a kind with an id.
    pub fn tr_attachment<'s>(
        &self,
        state: &'s State,
        caller: &Caller,
        kind: AttachmentKind,
        id: &str,
    ) -> Option<&'s TrAttachment> {
        state
            .tr_attachments
            .get(id)
            .filter(|a| a.owner == caller.uid && a.kind == kind && self.live(*a))
    }

    /// Whether a network is attached (or attaching, or detaching) to any transit router.
    pub fn tr_attached(&self, state: &State, resource_id: &str) -> bool {
        state
            .tr_attachments
            .children_of(TrAttachment::BY_RESOURCE, resource_id)
            .any(|a| self.live(a))
    }

    /// Whether a network is connected (or connecting, or disconnecting) to a transit router of
    /// a CEN instance.
    pub fn tr_attached_to(&self, state: &State, resource_id: &str, cen_id: &str) -> bool {
        state
            .tr_attachments
            .children_of(TrAttachment::BY_RESOURCE, resource_id)
            .any(|a| a.cen_id == cen_id && self.live(a))
    }

    /// The answer for one VPC attachment.
    fn vpc_attachment_view(&self, a: &TrAttachment) -> t::TransitRouterVpcAttachment {
        let mut legacy = HashMap::new();
        legacy.insert("applianceModeSupport".to_owned(), a.appliance_mode.clone());
        legacy.insert("ipv6Support".to_owned(), a.ipv6.clone());
        t::TransitRouterVpcAttachment {
            auto_publish_route_enabled: Some(a.auto_publish_route),
            cen_id: Some(a.cen_id.clone()),
            charge_type: Some(a.charge_type.clone()),
            creation_time: Some(minutes(a.life.created_at)),
            managed_service: None,
            options: Some(t::Options {
                appliance_mode_support: Some(a.appliance_mode.clone()),
                ipv6_support: Some(a.ipv6.clone()),
            }),
            order_type: Some(a.order_type.clone()),
            resource_type: Some(a.kind.resource_type().into()),
            status: Some(self.status(a).into()),
            tags: bare_tags(&a.tags),
            transit_router_attachment_description: a.description.clone(),
            transit_router_attachment_id: Some(a.id.clone()),
            transit_router_attachment_name: a.name.clone(),
            transit_router_id: Some(a.transit_router_id.clone()),
            transit_router_vpc_attachment_options: legacy,
            vpc_id: Some(a.resource_id.clone()),
            vpc_owner_id: Some(a.resource_owner),
            vpc_region_id: Some(a.region_id.clone()),
            zone_mappings: a
                .zones
                .iter()
                .map(|z| t::TransitRouterVpcAttachmentZoneMapping {
                    network_interface_id: Some(z.network_interface_id.clone()),
                    v_switch_id: Some(z.v_switch_id.clone()),
                    zone_id: Some(z.zone_id.clone()),
                })
                .collect(),
        }
    }
}

impl Emulator {
    /// CreateTransitRouterVpcAttachment: connects a VPC to a transit router; the attachment is
    /// `Attaching` for the delay, then `Attached`. It is associated with no route table and
    /// propagates to none until told (as the API reference says of new VPC connections).
    ///
    /// The router is TransitRouterId, or the router of CenId in RegionId, which is created
    /// (with its System route table) when the CEN instance has none there. Checks, in order:
    /// neither TransitRouterId nor CenId and RegionId `MissingParam.CenIdOrRegionId`; no zone
    /// mapping `IllegalParam.ZoneMappings`; Options and TransitRouterVPCAttachmentOptions both
    /// given `ParamExclusive.TransitRouterVPCAttachmentOptionsAndOptions`, a value other than
    /// `enable` or `disable` `InvalidParameter`; ChargeType other than `POSTPAY`
    /// `IllegalParam.ChargeType`; name, description and tags as CreateTransitRouter's
    /// (`InvalidParameter`); the service open (`Forbbiden.TransitRouterServiceNotOpen`); an
    /// unknown router `InvalidTransitRouterId.NotFound` (a router of another CEN instance than
    /// CenId too); an unknown CEN instance `InvalidCenId.NotFound`; a region CEN does not serve
    /// `IllegalParam.RegionId`; the CEN instance not Active `InvalidOperation.CenInstanceStatus`;
    /// the router not Active `IncorrectStatus.TransitRouterInstance`; no VPC VpcId of
    /// VpcOwnerId (default the caller) in the router's region `ParameterInstanceId`; a VPC of
    /// another account that did not grant it to the CEN instance
    /// `Forbbiden.AttachChildInstanceAcrossUid`; a vSwitch that is not the VPC's
    /// `InvalidVSwitchId.NotFound`, in another zone than given `IllegalParam.ZoneId`, a zone
    /// twice `Duplicated.ZoneMapping`. Emulator rule: a VPC has one CEN connection at a time,
    /// Basic or Enterprise (`QuotaFull.ChildInstanceRelatedCen`). Then `DryRun` answers
    /// `DryRunOperation`; a ClientToken makes the call idempotent. The deprecated
    /// RouteTableAssociationEnabled and RouteTablePropagationEnabled are ignored.
    pub fn create_transit_router_vpc_attachment(
        &self,
        caller: &Caller,
        request: t::CreateTransitRouterVpcAttachmentRequest,
    ) -> Result<t::CreateTransitRouterVpcAttachmentResponse, ApiError> {
        use cbn::create_transit_router_vpc_attachment as e;
        let (router_id, cen_id, region_id) = (
            given(&request.transit_router_id),
            given(&request.cen_id),
            given(&request.region_id),
        );
        if router_id.is_none() && (cen_id.is_none() || region_id.is_none()) {
            return Err(e::missing_param_cen_id_or_region_id());
        }
        if request.zone_mappings.is_empty() {
            return Err(e::illegal_param_zone_mappings());
        }
        let (appliance, ipv6) = options(
            request.options.as_ref(),
            &request.transit_router_vpc_attachment_options,
            e::param_exclusive_transit_router_vpc_attachment_options_and_options,
            e::invalid_parameter,
        )?;
        if request
            .charge_type
            .as_deref()
            .is_some_and(|c| !c.eq_ignore_ascii_case("POSTPAY"))
        {
            return Err(e::illegal_param_charge_type());
        }
        validate::name(request.transit_router_attachment_name.as_deref())?;
        validate::description(request.transit_router_attachment_description.as_deref())?;
        let tags = validate::tags_to_set(
            request.tag.iter().map(|t| (t.key.clone(), t.value.clone())),
            PARAMETER_TAG,
        )?;
        let mappings: Vec<(String, String)> = request
            .zone_mappings
            .iter()
            .map(|z| (z.zone_id.clone(), z.v_switch_id.clone()))
            .collect();
        let id = self.write_idempotent(
            caller,
            "CreateTransitRouterVpcAttachment",
            request.client_token.as_deref(),
            &request,
            |state, ctx| {
                ctx.create_network_attachment(
                    state,
                    caller,
                    NetworkAttach {
                        kind: AttachmentKind::Vpc,
                        instance_type: InstanceType::Vpc,
                        resource_id: &request.vpc_id,
                        resource_owner: request.vpc_owner_id,
                        target: (router_id, cen_id, region_id),
                        same_region: true,
                        name: request.transit_router_attachment_name.clone(),
                        description: request.transit_router_attachment_description.clone(),
                        auto_publish_route: request.auto_publish_route_enabled.unwrap_or(false),
                        tags: tags.clone(),
                        dry_run: request.dry_run,
                    },
                    NetworkCodes {
                        target: TargetCodes {
                            service_closed: e::forbbiden_transit_router_service_not_open,
                            router_not_found: e::invalid_transit_router_id_not_found,
                            cen_not_found: e::invalid_cen_id_not_found,
                            bad_region: e::illegal_param_region_id,
                            cen_not_ready: e::invalid_operation_cen_instance_status,
                            router_not_ready: e::incorrect_status_transit_router_instance,
                        },
                        attached: e::quota_full_child_instance_related_cen,
                        dry_run: e::dry_run_operation,
                    },
                    |vpc| {
                        placements(
                            vpc,
                            &mappings,
                            ZoneCodes {
                                not_found: e::invalid_v_switch_id_not_found,
                                bad_zone: e::illegal_param_zone_id,
                                duplicated: e::duplicated_zone_mapping,
                            },
                        )
                    },
                    |_, attachment, zones| {
                        attachment.zones = zones;
                        attachment.appliance_mode =
                            appliance.clone().unwrap_or_else(|| "disable".into());
                        attachment.ipv6 = ipv6.clone().unwrap_or_else(|| "disable".into());
                        Ok(())
                    },
                )
            },
        )?;
        Ok(t::CreateTransitRouterVpcAttachmentResponse {
            request_id: Some(caller.request_id.clone()),
            transit_router_attachment_id: Some(id),
        })
    }

    /// ListTransitRouterVpcAttachments: the caller's VPC attachments in creation order, paged by
    /// MaxResults (1 to 100, default 20; `IllegalParam.MaxResults` otherwise) and NextToken
    /// (`IllegalParam.NextToken` for one the emulator did not give).
    ///
    /// Every given filter must match: CenId, RegionId, TransitRouterId,
    /// TransitRouterAttachmentId, VpcId, Status, OrderType and Tag.N. Unknown ids answer an
    /// empty list; a deleted attachment is listed as `Detaching` until its delete completes,
    /// and not at all afterwards.
    pub fn list_transit_router_vpc_attachments(
        &self,
        caller: &Caller,
        request: t::ListTransitRouterVpcAttachmentsRequest,
    ) -> Result<t::ListTransitRouterVpcAttachmentsResponse, ApiError> {
        use cbn::list_transit_router_vpc_attachments as e;
        let page = TokenPage::new(
            request.max_results,
            request.next_token.as_deref(),
            (20, 100),
            e::illegal_param_max_results,
            e::illegal_param_next_token,
        )?;
        let tag_filters = validate::tag_filters(
            request.tag.iter().map(|t| (t.key.clone(), t.value.clone())),
            PARAMETER_TAG,
        )?;
        let status = request.status.as_ref().map(|s| s.as_str().to_owned());
        let order_type = request.order_type.as_ref().map(|o| o.as_str().to_owned());
        let filter = AttachmentFilter {
            cen_id: given(&request.cen_id),
            region_id: given(&request.region_id),
            transit_router_id: given(&request.transit_router_id),
            attachment_id: given(&request.transit_router_attachment_id),
            resource_id: given(&request.vpc_id),
            status: status.as_deref(),
            order_type: order_type.as_deref(),
            tags: &tag_filters,
        };
        let (items, next_token, total) = self.read(|state, ctx| {
            let matched = ctx.attachments_matching(state, caller.uid, AttachmentKind::Vpc, &filter);
            let (page, next, total) = page.slice(matched);
            let items: Vec<_> = page
                .into_iter()
                .map(|a| ctx.vpc_attachment_view(a))
                .collect();
            (items, next, total)
        });
        Ok(t::ListTransitRouterVpcAttachmentsResponse {
            max_results: Some(page.max_results()),
            next_token,
            request_id: Some(caller.request_id.clone()),
            total_count: Some(total),
            transit_router_attachments: items,
        })
    }

    /// UpdateTransitRouterVpcAttachmentAttribute: changes the name, description,
    /// AutoPublishRouteEnabled or Options of an `Attached` VPC attachment, which is then
    /// `Modifying` for the delay.
    ///
    /// Unknown: `InvalidTransitRouterAttachmentId.NotFound`; not Attached:
    /// `IncorrectStatus.Status`; texts, Options values and OrderType (`PayByCenOwner` or
    /// `PayByResourceOwner`): `InvalidParameter`. `DryRun` answers `DryRunOperation`.
    pub fn update_transit_router_vpc_attachment_attribute(
        &self,
        caller: &Caller,
        request: t::UpdateTransitRouterVpcAttachmentAttributeRequest,
    ) -> Result<t::UpdateTransitRouterVpcAttachmentAttributeResponse, ApiError> {
        use cbn::update_transit_router_vpc_attachment_attribute as e;
        validate::name(request.transit_router_attachment_name.as_deref())?;
        validate::description(request.transit_router_attachment_description.as_deref())?;
        let (appliance, ipv6) = options(
            request.options.as_ref(),
            &request.transit_router_vpc_attachment_options,
            e::invalid_parameter,
            e::invalid_parameter,
        )?;
        if request
            .order_type
            .as_deref()
            .is_some_and(|o| o != "PayByCenOwner" && o != "PayByResourceOwner")
        {
            return Err(e::invalid_parameter());
        }
        self.write_idempotent(
            caller,
            "UpdateTransitRouterVpcAttachmentAttribute",
            request.client_token.as_deref(),
            &request,
            |state, ctx| {
                let id = &request.transit_router_attachment_id;
                let attachment = ctx
                    .tr_attachment(state, caller, AttachmentKind::Vpc, id)
                    .ok_or_else(e::invalid_transit_router_attachment_id_not_found)?;
                ctx.require_ready(attachment, e::incorrect_status_status)?;
                validate::dry_run(request.dry_run, e::dry_run_operation)?;
                let Some(mut a) = state.tr_attachments.get_mut(id) else {
                    return Err(e::invalid_transit_router_attachment_id_not_found());
                };
                validate::overwrite(&mut a.name, &request.transit_router_attachment_name);
                validate::overwrite(
                    &mut a.description,
                    &request.transit_router_attachment_description,
                );
                if let Some(auto) = request.auto_publish_route_enabled {
                    a.auto_publish_route = auto;
                }
                if let Some(order_type) = &request.order_type {
                    a.order_type.clone_from(order_type);
                }
                if let Some(appliance) = &appliance {
                    a.appliance_mode.clone_from(appliance);
                }
                if let Some(ipv6) = &ipv6 {
                    a.ipv6.clone_from(ipv6);
                }
                a.life.modified_at = Some(ctx.now);
                Ok(())
            },
        )?;
        Ok(t::UpdateTransitRouterVpcAttachmentAttributeResponse {
            request_id: Some(caller.request_id.clone()),
        })
    }

    /// UpdateTransitRouterVpcAttachmentZones: adds and removes zones of an `Attached` VPC
    /// attachment, which is then `Modifying` for the delay. A new zone gets a new network
    /// interface; at least one zone must stay.
    ///
    /// Unknown: `InvalidTransitRouterAttachmentId.NotFound`; not Attached:
    /// `IncorrectStatus.Status`; a vSwitch that is not the VPC's `InvalidVSwitchId.NotFound`,
    /// in another zone than given `IllegalParam.ZoneId`, a zone the attachment already has (or
    /// added twice) `Duplicated.ZoneMapping`; removing a zone it does not have, or every zone,
    /// `InvalidParameter`. `DryRun` answers `DryRunOperation`.
    pub fn update_transit_router_vpc_attachment_zones(
        &self,
        caller: &Caller,
        request: t::UpdateTransitRouterVpcAttachmentZonesRequest,
    ) -> Result<t::UpdateTransitRouterVpcAttachmentZonesResponse, ApiError> {
        use cbn::update_transit_router_vpc_attachment_zones as e;
        let pairs = |list: &[t::AddZoneMapping]| -> Result<Vec<(String, String)>, ApiError> {
            list.iter()
                .map(|z| match (&z.zone_id, &z.v_switch_id) {
                    (Some(zone), Some(vsw)) => Ok((zone.clone(), vsw.clone())),
                    _ => Err(e::invalid_parameter()),
                })
                .collect()
        };
        let add = pairs(&request.add_zone_mappings)?;
        let remove = pairs(&request.remove_zone_mappings)?;
        if add.is_empty() && remove.is_empty() {
            return Err(e::invalid_parameter());
        }
        self.write_idempotent(
            caller,
            "UpdateTransitRouterVpcAttachmentZones",
            request.client_token.as_deref(),
            &request,
            |state, ctx| {
                let id = &request.transit_router_attachment_id;
                let attachment = ctx
                    .tr_attachment(state, caller, AttachmentKind::Vpc, id)
                    .ok_or_else(e::invalid_transit_router_attachment_id_not_found)?;
                ctx.require_ready(attachment, e::incorrect_status_status)?;
                let vpc = ctx
                    .instance(state, &attachment.resource_id)
                    .ok_or_else(e::invalid_v_switch_id_not_found)?;
                let mut zones = attachment.zones.clone();
                for (zone, vsw) in &remove {
                    let before = zones.len();
                    zones.retain(|z| !(z.zone_id == *zone && z.v_switch_id == *vsw));
                    if zones.len() == before {
                        return Err(e::invalid_parameter());
                    }
                }
                let added = placements(
                    vpc,
                    &add,
                    ZoneCodes {
                        not_found: e::invalid_v_switch_id_not_found,
                        bad_zone: e::illegal_param_zone_id,
                        duplicated: e::duplicated_zone_mapping,
                    },
                )?;
                for placement in added {
                    if zones.iter().any(|z| z.zone_id == placement.zone_id) {
                        return Err(e::duplicated_zone_mapping());
                    }
                    zones.push(placement);
                }
                if zones.is_empty() {
                    return Err(e::invalid_parameter());
                }
                validate::dry_run(request.dry_run, e::dry_run_operation)?;
                if let Some(mut a) = state.tr_attachments.get_mut(id) {
                    a.zones = zones;
                    a.life.modified_at = Some(ctx.now);
                }
                Ok(())
            },
        )?;
        Ok(t::UpdateTransitRouterVpcAttachmentZonesResponse {
            request_id: Some(caller.request_id.clone()),
        })
    }

    /// DeleteTransitRouterVpcAttachment: starts disconnecting an `Attached` VPC attachment; it
    /// is `Detaching` for the delay and then gone from every list.
    ///
    /// Unknown: `InvalidTransitRouterAttachmentId.NotFound`; not Attached:
    /// `IncorrectStatus.Status`. Without `Force`, what still depends on the attachment refuses
    /// with its own documented code (see the resource declarations); with `Force` those
    /// dependents are deleted with it. `DryRun` answers `DryRunOperation`.
    pub fn delete_transit_router_vpc_attachment(
        &self,
        caller: &Caller,
        request: t::DeleteTransitRouterVpcAttachmentRequest,
    ) -> Result<t::DeleteTransitRouterVpcAttachmentResponse, ApiError> {
        use cbn::delete_transit_router_vpc_attachment as e;
        let force = request.force.unwrap_or(false);
        self.write_idempotent(
            caller,
            "DeleteTransitRouterVpcAttachment",
            request.client_token.as_deref(),
            &request,
            |state, ctx| {
                ctx.delete_attachment(
                    state,
                    caller,
                    (AttachmentKind::Vpc, &request.transit_router_attachment_id),
                    (force, request.dry_run),
                    DeleteCodes {
                        not_found: e::invalid_transit_router_attachment_id_not_found,
                        not_ready: e::incorrect_status_status,
                        dry_run: e::dry_run_operation,
                    },
                )
            },
        )?;
        Ok(t::DeleteTransitRouterVpcAttachmentResponse {
            request_id: Some(caller.request_id.clone()),
        })
    }
}
