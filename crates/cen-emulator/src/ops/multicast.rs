//! Multicast: CreateTransitRouterMulticastDomain, ModifyTransitRouterMulticastDomain,
//! DeleteTransitRouterMulticastDomain, ListTransitRouterMulticastDomains,
//! AssociateTransitRouterMulticastDomain, DisassociateTransitRouterMulticastDomain,
//! ListTransitRouterMulticastDomainAssociations, ListTransitRouterMulticastDomainVSwitches,
//! Register/DeregisterTransitRouterMulticastGroupMembers and …Sources,
//! ListTransitRouterMulticastGroups and ListGrantVSwitchEnis.
//!
//! A domain belongs to a transit router created with SupportMulticast; vSwitches of a VPC
//! attached to that router are associated with it; the ENIs of associated vSwitches (from the
//! inventory) are the sources and members of its groups, and a domain of another region of the
//! same CEN instance, reached over a peer attachment, may be a member too.

use std::net::Ipv4Addr;

use acs_rpc::error::ApiError;
use cen_server::cbn::errors as cbn;

use crate::api::cbn as t;
use crate::emulator::{Caller, Ctx, Emulator, new_id};
use crate::errors;
use crate::inventory::{InstanceType, NetworkInstance, NetworkInterface, VSwitch};
use crate::ops::attachments::{Target, TargetCodes};
use crate::resource::Sequenced;
use crate::state::{
    AttachmentKind, Lifecycle, McAssociation, McDomain, McEndpoint, McGroupMember, Phase, Resource,
    State, Tag,
};
use crate::validate::{self, PARAMETER_TAG, TokenPage, given};

/// The id prefix of multicast domains.
const DOMAIN_PREFIX: &str = "tr-mcast-domain-";

/// `MaxResults` (default 20, at most 100) and `NextToken` of the multicast lists, whose
/// MaxResults is a 64-bit integer.
fn page_of(
    max: Option<i64>,
    token: Option<&str>,
    bad: fn() -> ApiError,
) -> Result<TokenPage, ApiError> {
    let max = max.map(|m| i32::try_from(m).unwrap_or(i32::MAX));
    TokenPage::standard(max, token, bad)
}

/// Checks a group address: an IPv4 multicast address from `lowest` to 239.255.255.254.
fn group_ip(value: &str, lowest: Ipv4Addr, bad: fn() -> ApiError) -> Result<String, ApiError> {
    let highest = Ipv4Addr::new(239, 255, 255, 254);
    match value.parse::<Ipv4Addr>() {
        Ok(ip) if ip.is_multicast() && ip >= lowest && ip <= highest => Ok(ip.to_string()),
        _ => Err(errors::saying(
            bad,
            format!("GroupIpAddress must be a multicast address from {lowest} to {highest}."),
        )),
    }
}

/// `Options.Igmpv2Support`: `enable` or `disable`.
fn igmpv2(value: &str, bad: fn() -> ApiError) -> Result<bool, ApiError> {
    match value {
        "enable" => Ok(true),
        "disable" => Ok(false),
        _ => Err(bad()),
    }
}

/// The error of a registration or deregistration that names nothing to register: sources are
/// ENIs only, members ENIs or peer domains.
fn nothing_named(source: bool, bad: fn() -> ApiError) -> ApiError {
    errors::saying(
        bad,
        if source {
            "NetworkInterfaceIds is required."
        } else {
            "NetworkInterfaceIds or PeerTransitRouterMulticastDomains is required."
        },
    )
}

fn tags_view(tags: &[Tag]) -> Vec<t::Tag> {
    tags.iter()
        .map(|tag| t::Tag {
            key: Some(tag.key.clone()),
            value: Some(tag.value.clone()),
        })
        .collect()
}

fn domain_view(ctx: &Ctx<'_>, d: &McDomain) -> t::TransitRouterMulticastDomain {
    t::TransitRouterMulticastDomain {
        cen_id: Some(d.cen_id.clone()),
        options: Some(t::TransitRouterMulticastDomainOptions {
            igmpv2_support: Some(if d.igmpv2 { "enable" } else { "disable" }.into()),
            strict_source_control: None,
        }),
        region_id: Some(d.region_id.clone()),
        status: Some(ctx.status(d).into()),
        tags: tags_view(&d.tags),
        transit_router_id: Some(d.transit_router_id.clone()),
        transit_router_multicast_domain_description: d.description.clone(),
        transit_router_multicast_domain_id: Some(d.id.clone()),
        transit_router_multicast_domain_name: d.name.clone(),
    }
}

fn association_view(
    ctx: &Ctx<'_>,
    a: &McAssociation,
) -> t::TransitRouterMulticastDomainAssociation {
    t::TransitRouterMulticastDomainAssociation {
        resource_id: Some(a.vpc_id.clone()),
        resource_owner_id: Some(a.resource_owner),
        resource_type: Some("VPC".into()),
        status: Some(ctx.status(a).into()),
        transit_router_attachment_id: Some(a.attachment_id.clone()),
        transit_router_multicast_domain_id: Some(a.domain_id.clone()),
        v_switch_id: Some(a.v_switch_id.clone()),
    }
}

fn group_view(ctx: &Ctx<'_>, m: &McGroupMember) -> t::TransitRouterMulticastGroup {
    let mut view = t::TransitRouterMulticastGroup {
        group_ip_address: Some(m.group_ip.clone()),
        group_member: Some(!m.source),
        group_source: Some(m.source),
        member_type: (!m.source).then(|| "Static".into()),
        source_type: m.source.then(|| "Static".into()),
        status: Some(ctx.status(m).into()),
        transit_router_multicast_domain_id: Some(m.domain_id.clone()),
        ..Default::default()
    };
    match &m.endpoint {
        McEndpoint::Eni {
            network_interface_id,
            v_switch_id,
            vpc_id,
            attachment_id,
            resource_owner,
        } => {
            view.network_interface_id = Some(network_interface_id.clone());
            view.v_switch_id = Some(v_switch_id.clone());
            view.resource_id = Some(vpc_id.clone());
            view.resource_type = Some("VPC".into());
            view.transit_router_attachment_id = Some(attachment_id.clone());
            view.resource_owner_id = Some(*resource_owner);
        }
        McEndpoint::Peer {
            domain_id,
            transit_router_id,
            attachment_id,
        } => {
            view.peer_transit_router_multicast_domain_id = Some(domain_id.clone());
            view.resource_id = Some(transit_router_id.clone());
            view.resource_type = Some("TR".into());
            view.transit_router_attachment_id = Some(attachment_id.clone());
            view.resource_owner_id = Some(m.owner);
        }
    }
    view
}

impl<'a> Ctx<'a> {
    /// The caller's live multicast domain with an id.
    fn mc_domain<'s>(&self, state: &'s State, caller: &Caller, id: &str) -> Option<&'s McDomain> {
        state
            .mc_domains
            .get(id)
            .filter(|d| d.owner == caller.uid && self.live(*d))
    }

    /// The VPC, vSwitch and ENI of an inventory ENI.
    fn network_interface<'s>(
        &self,
        state: &'s State,
        id: &str,
    ) -> Option<(&'s NetworkInstance, &'s VSwitch, &'s NetworkInterface)>
    where
        'a: 's,
    {
        self.instances(state)
            .filter(|i| i.instance_type == InstanceType::Vpc)
            .find_map(|i| i.network_interface(id).map(|(v, e)| (i, v, e)))
    }

    /// Whether an ENI is one a transit router placed in a VPC for one of its attachments.
    fn router_eni(&self, state: &State, router_id: &str, id: &str) -> bool {
        state
            .tr_attachments
            .children_of(0, router_id)
            .filter(|a| self.live(*a))
            .any(|a| a.zones.iter().any(|z| z.network_interface_id == id))
    }

    /// The live peer attachment between two transit routers, in either direction.
    fn peer_between<'s>(&self, state: &'s State, x: &str, y: &str) -> Option<&'s str> {
        state
            .tr_attachments
            .children_of(0, x)
            .chain(state.tr_attachments.children_of(0, y))
            .filter(|a| a.kind == AttachmentKind::Peer && self.live(*a))
            .find(|a| {
                (a.transit_router_id == x && a.resource_id == y)
                    || (a.transit_router_id == y && a.resource_id == x)
            })
            .map(|a| a.id.as_str())
    }
}

/// The codes a registration of group sources or members answers.
#[derive(Clone, Copy)]
struct RegisterCodes {
    domain_not_found: fn() -> ApiError,
    domain_not_active: fn() -> ApiError,
    no_eni: fn() -> ApiError,
    router_eni: fn() -> ApiError,
    no_association: fn() -> ApiError,
    association_not_ready: fn() -> ApiError,
    exists: fn() -> ApiError,
    /// VpcId names no VPC (members only document a code for it).
    no_vpc: Option<fn() -> ApiError>,
    invalid: fn() -> ApiError,
    dry_run: fn() -> ApiError,
}

/// What a registration asks for.
struct Registration<'r> {
    action: &'static str,
    token: Option<&'r str>,
    domain_id: &'r str,
    group_ip: String,
    source: bool,
    enis: &'r [String],
    peers: &'r [String],
    vpc_id: Option<&'r str>,
    dry_run: Option<bool>,
}

/// The codes a deregistration of group sources or members answers.
#[derive(Clone, Copy)]
struct DeregisterCodes {
    malformed: fn() -> ApiError,
    domain_not_found: fn() -> ApiError,
    domain_not_active: fn() -> ApiError,
    not_registered: fn() -> ApiError,
    invalid: fn() -> ApiError,
    dry_run: fn() -> ApiError,
}

impl Emulator {
    /// CreateTransitRouterMulticastDomain: a multicast domain of a transit router named by
    /// TransitRouterId, or by CenId and RegionId; `Creating` for the delay, then `Active`.
    ///
    /// Neither given: `InvalidParameter`, saying so. A CEN instance the caller does not have
    /// `InvalidCenId.NotFound`, a region CEN does not serve `IllegalParam.RegionId`, no such
    /// router (or none in the region) `InvalidOperation.TransitRouterNotExist`; the CEN
    /// instance or the router in a transition `IncorrectStatus.Cen` or
    /// `IncorrectStatus.TransitRouter`; a router created without SupportMulticast
    /// `OperationUnsupported.TransitRouterSupportMulticast`. Options.Igmpv2Support is `enable`
    /// or `disable` (default; `IllegalParam.Igmpv2Support` otherwise); name, description and
    /// tags follow CreateTransitRouter's rules (`InvalidParameter`). `DryRun` answers
    /// `DryRunOperation`; a ClientToken makes the call idempotent.
    ///
    /// Emulator rule: every account may enable IGMPv2 (the real service asks for a ticket).
    pub fn create_transit_router_multicast_domain(
        &self,
        caller: &Caller,
        request: t::CreateTransitRouterMulticastDomainRequest,
    ) -> Result<t::CreateTransitRouterMulticastDomainResponse, ApiError> {
        use cbn::create_transit_router_multicast_domain as e;
        validate::name(request.transit_router_multicast_domain_name.as_deref())?;
        validate::description(
            request
                .transit_router_multicast_domain_description
                .as_deref(),
        )?;
        let tags = validate::tags_to_set(
            request.tag.iter().map(|t| (t.key.clone(), t.value.clone())),
            PARAMETER_TAG,
        )?;
        let igmp = match request
            .options
            .as_ref()
            .and_then(|o| o.igmpv2_support.as_ref())
        {
            Some(value) => igmpv2(value.as_str(), e::illegal_param_igmpv2_support)?,
            None => false,
        };
        let router_id = given(&request.transit_router_id);
        let cen_id = given(&request.cen_id);
        let region_id = given(&request.region_id);
        if router_id.is_none() && (cen_id.is_none() || region_id.is_none()) {
            return Err(errors::saying(
                e::invalid_parameter,
                "TransitRouterId, or CenId and RegionId, are required.",
            ));
        }
        let id = self.write_idempotent(
            caller,
            "CreateTransitRouterMulticastDomain",
            request.client_token.as_deref(),
            &request,
            |state, ctx| {
                let target = Target::resolve(
                    state,
                    ctx,
                    caller,
                    (router_id, cen_id, region_id),
                    TargetCodes {
                        service_closed: e::invalid_operation_transit_router_not_exist,
                        router_not_found: e::invalid_operation_transit_router_not_exist,
                        cen_not_found: e::invalid_cen_id_not_found,
                        bad_region: e::illegal_param_region_id,
                        cen_not_ready: e::incorrect_status_cen,
                        router_not_ready: e::incorrect_status_transit_router,
                    },
                )?;
                let router = target
                    .existing_router()
                    .and_then(|id| state.transit_routers.get(id))
                    .filter(|r| region_id.is_none_or(|g| r.region_id == g))
                    .ok_or_else(e::invalid_operation_transit_router_not_exist)?;
                if !router.support_multicast {
                    return Err(e::operation_unsupported_transit_router_support_multicast());
                }
                validate::dry_run(request.dry_run, e::dry_run_operation)?;
                let domain = McDomain {
                    id: new_id(DOMAIN_PREFIX),
                    transit_router_id: router.id.clone(),
                    cen_id: router.cen_id.clone(),
                    owner: caller.uid,
                    region_id: router.region_id.clone(),
                    name: request.transit_router_multicast_domain_name.clone(),
                    description: request.transit_router_multicast_domain_description.clone(),
                    igmpv2: igmp,
                    life: Lifecycle::started(ctx.now),
                    tags: tags.clone(),
                };
                let id = domain.id.clone();
                state.mc_domains.insert(domain);
                Ok(id)
            },
        )?;
        Ok(t::CreateTransitRouterMulticastDomainResponse {
            request_id: Some(caller.request_id.clone()),
            transit_router_multicast_domain_id: Some(id),
        })
    }

    /// ListTransitRouterMulticastDomains: the caller's multicast domains in creation order,
    /// of a CEN instance (CenId, with RegionId to narrow it), of a router (TransitRouterId) or
    /// one (TransitRouterMulticastDomainId); every given filter and Tag.N must match. As
    /// documented, a request that names none of the three, or ids the caller does not have,
    /// answers an empty list. Paged by MaxResults (1 to 100, default 20) and NextToken
    /// (`InvalidParameter` for bad ones).
    pub fn list_transit_router_multicast_domains(
        &self,
        caller: &Caller,
        request: t::ListTransitRouterMulticastDomainsRequest,
    ) -> Result<t::ListTransitRouterMulticastDomainsResponse, ApiError> {
        use cbn::list_transit_router_multicast_domains as e;
        let page = page_of(
            request.max_results,
            request.next_token.as_deref(),
            e::invalid_parameter,
        )?;
        let tag_filters = validate::tag_filters(
            request.tag.iter().map(|t| (t.key.clone(), t.value.clone())),
            PARAMETER_TAG,
        )?;
        let cen_id = given(&request.cen_id);
        let router_id = given(&request.transit_router_id);
        let domain_id = given(&request.transit_router_multicast_domain_id);
        let region_id = given(&request.region_id);
        let (items, next_token, total) = self.read(|state, ctx| {
            if cen_id.is_none() && router_id.is_none() && domain_id.is_none() {
                return (Vec::new(), None, 0);
            }
            let matched = state
                .mc_domains
                .owned_by(caller.uid)
                .filter(|d| {
                    ctx.live(*d)
                        && cen_id.is_none_or(|c| d.cen_id == c)
                        && region_id.is_none_or(|r| d.region_id == r)
                        && router_id.is_none_or(|r| d.transit_router_id == r)
                        && domain_id.is_none_or(|i| d.id == i)
                        && validate::tags_match(&d.tags, &tag_filters)
                })
                .sequenced(&state.mc_domains)
                .map(|(seq, d)| (seq, domain_view(ctx, d)));
            page.slice(matched)
        });
        Ok(t::ListTransitRouterMulticastDomainsResponse {
            max_results: Some(page.max_results()),
            next_token,
            request_id: Some(caller.request_id.clone()),
            total_count: Some(total),
            transit_router_multicast_domains: items,
        })
    }

    /// ModifyTransitRouterMulticastDomain: changes the name (`Illegal.Name`), description
    /// (`Illegal.Description`) or Options.Igmpv2Support (`enable` or `disable`,
    /// `IllegalParam.Igmpv2Support` otherwise) of a multicast domain, at once. A domain the
    /// caller does not have: `InvalidMulticastDomainId.NotFound`; one that is not Active:
    /// `IncorrectStatus.MulticastDomain`. `DryRun` answers `DryRunOperation`.
    pub fn modify_transit_router_multicast_domain(
        &self,
        caller: &Caller,
        request: t::ModifyTransitRouterMulticastDomainRequest,
    ) -> Result<t::ModifyTransitRouterMulticastDomainResponse, ApiError> {
        use cbn::modify_transit_router_multicast_domain as e;
        validate::name(request.transit_router_multicast_domain_name.as_deref())
            .map_err(|_| e::illegal_name())?;
        validate::description(
            request
                .transit_router_multicast_domain_description
                .as_deref(),
        )
        .map_err(|_| e::illegal_description())?;
        let igmp = request
            .options
            .as_ref()
            .and_then(|o| given(&o.igmpv2_support))
            .map(|v| igmpv2(v, e::illegal_param_igmpv2_support))
            .transpose()?;
        let id = &request.transit_router_multicast_domain_id;
        self.write_idempotent(
            caller,
            "ModifyTransitRouterMulticastDomain",
            request.client_token.as_deref(),
            &request,
            |state, ctx| {
                let domain = ctx
                    .mc_domain(state, caller, id)
                    .ok_or_else(e::invalid_multicast_domain_id_not_found)?;
                ctx.require_ready(domain, e::incorrect_status_multicast_domain)?;
                validate::dry_run(request.dry_run, e::dry_run_operation)?;
                if let Some(mut d) = state.mc_domains.get_mut(id) {
                    validate::overwrite(&mut d.name, &request.transit_router_multicast_domain_name);
                    validate::overwrite(
                        &mut d.description,
                        &request.transit_router_multicast_domain_description,
                    );
                    if let Some(igmp) = igmp {
                        d.igmpv2 = igmp;
                    }
                }
                Ok(())
            },
        )?;
        Ok(t::ModifyTransitRouterMulticastDomainResponse {
            request_id: Some(caller.request_id.clone()),
        })
    }

    /// DeleteTransitRouterMulticastDomain: starts deleting a multicast domain, `Deleting` for
    /// the delay, then gone. A domain the caller does not have: `InstanceNotExist`; one that is
    /// not Active `IncorrectStatus.MulticastDomain`, its router in a transition
    /// `IncorrectStatus.TransitRouter`; a vSwitch still associated
    /// `InvalidOperation.MulticastDomainAssociationExist`, a source or member still registered
    /// `InvalidOperation.MulticastGroupExist`, and the domain registered as a peer member of
    /// another domain `InvalidOperation.MulticastDomainInGroup`. `DryRun` answers
    /// `DryRunOperation`.
    pub fn delete_transit_router_multicast_domain(
        &self,
        caller: &Caller,
        request: t::DeleteTransitRouterMulticastDomainRequest,
    ) -> Result<t::DeleteTransitRouterMulticastDomainResponse, ApiError> {
        use cbn::delete_transit_router_multicast_domain as e;
        let id = &request.transit_router_multicast_domain_id;
        self.write_idempotent(
            caller,
            "DeleteTransitRouterMulticastDomain",
            request.client_token.as_deref(),
            &request,
            |state, ctx| {
                let domain = ctx
                    .mc_domain(state, caller, id)
                    .ok_or_else(e::instance_not_exist)?;
                ctx.require_ready(domain, e::incorrect_status_multicast_domain)?;
                if ctx
                    .router(state, caller, &domain.transit_router_id)
                    .is_some_and(|r| ctx.phase(r) != Phase::Ready)
                {
                    return Err(e::incorrect_status_transit_router());
                }
                if let Some(error) = ctx.blocker(state, domain, false) {
                    return Err(error);
                }
                validate::dry_run(request.dry_run, e::dry_run_operation)?;
                if let Some(mut d) = state.mc_domains.get_mut(id) {
                    d.life.deleting_at = Some(ctx.now);
                }
                Ok(())
            },
        )?;
        Ok(t::DeleteTransitRouterMulticastDomainResponse {
            request_id: Some(caller.request_id.clone()),
        })
    }

    /// AssociateTransitRouterMulticastDomain: associates vSwitches (VSwitchIds, at least one:
    /// `MissingParam.VSwitchIds`) of a VPC with a multicast domain through the VPC's attachment
    /// to the domain's router; each association is `Associating` for the delay, then
    /// `Associated`.
    ///
    /// A domain the caller does not have `InvalidMulticastDomain.NotFound`, not Active
    /// `IncorrectStatus.MulticastDomain`; an attachment the caller does not have
    /// `InvalidAttachmentId.NotFound`, one that is not a VPC attachment of the domain's router
    /// `IllegalParam.AttachmentId`, not Attached `IncorrectStatus.Attachment`; a vSwitch that is
    /// not the VPC's `IllegalParam.VSwitchIds`, one associated with a multicast domain already
    /// (a vSwitch belongs to one at most) `AssociationExist.VSwitchIds`. `DryRun` answers
    /// `DryRunOperation`.
    ///
    /// Emulator rule: an association keeps its VPC attachment from being deleted even with
    /// `Force` (`OperationFailed.MulticastDomainAssociationExist`), since Force is documented
    /// for route-table associations and propagations only.
    pub fn associate_transit_router_multicast_domain(
        &self,
        caller: &Caller,
        request: t::AssociateTransitRouterMulticastDomainRequest,
    ) -> Result<t::AssociateTransitRouterMulticastDomainResponse, ApiError> {
        use cbn::associate_transit_router_multicast_domain as e;
        if request.v_switch_ids.iter().all(String::is_empty) {
            return Err(e::missing_param_v_switch_ids());
        }
        let mut v_switches: Vec<&str> = request
            .v_switch_ids
            .iter()
            .map(String::as_str)
            .filter(|v| !v.is_empty())
            .collect();
        v_switches.sort_unstable();
        v_switches.dedup();
        self.write_idempotent(
            caller,
            "AssociateTransitRouterMulticastDomain",
            request.client_token.as_deref(),
            &request,
            |state, ctx| {
                let domain = ctx
                    .mc_domain(state, caller, &request.transit_router_multicast_domain_id)
                    .ok_or_else(e::invalid_multicast_domain_not_found)?;
                ctx.require_ready(domain, e::incorrect_status_multicast_domain)?;
                let attachment = state
                    .tr_attachments
                    .get(&request.transit_router_attachment_id)
                    .filter(|a| a.owner == caller.uid && ctx.live(*a))
                    .ok_or_else(e::invalid_attachment_id_not_found)?;
                if attachment.kind != AttachmentKind::Vpc
                    || attachment.transit_router_id != domain.transit_router_id
                {
                    return Err(errors::saying(
                        e::illegal_param_attachment_id,
                        format!(
                            "{} is not a VPC attachment of the transit router {}.",
                            attachment.id, domain.transit_router_id
                        ),
                    ));
                }
                ctx.require_ready(attachment, e::incorrect_status_attachment)?;
                let vpc = ctx.instance(state, &attachment.resource_id);
                for v in &v_switches {
                    if vpc.and_then(|i| i.v_switch(v)).is_none() {
                        return Err(errors::saying(
                            e::illegal_param_v_switch_ids,
                            format!("{v} is not a vSwitch of {}.", attachment.resource_id),
                        ));
                    }
                    if state.mc_associations.get(*v).is_some_and(|a| ctx.live(a)) {
                        return Err(e::association_exist_v_switch_ids());
                    }
                }
                validate::dry_run(request.dry_run, e::dry_run_operation)?;
                let associations: Vec<McAssociation> = v_switches
                    .iter()
                    .map(|v| McAssociation {
                        v_switch_id: (*v).to_owned(),
                        domain_id: domain.id.clone(),
                        attachment_id: attachment.id.clone(),
                        vpc_id: attachment.resource_id.clone(),
                        resource_owner: attachment.resource_owner,
                        owner: caller.uid,
                        life: Lifecycle::started(ctx.now),
                    })
                    .collect();
                for association in associations {
                    state.mc_associations.insert(association);
                }
                Ok(())
            },
        )?;
        Ok(t::AssociateTransitRouterMulticastDomainResponse {
            request_id: Some(caller.request_id.clone()),
        })
    }

    /// DisassociateTransitRouterMulticastDomain: starts dissociating vSwitches (VSwitchIds,
    /// at least one: `InvalidParameter`) of a VPC attachment from a multicast domain; each is
    /// `Dissociating` for the delay, then gone. As documented, a vSwitch that is not associated
    /// through the attachment is left alone without an error.
    ///
    /// A domain the caller does not have `InvalidMulticastDomainId.NotFound`, not Active
    /// `IncorrectStatus.MulticastDomain`; an attachment the caller does not have
    /// `InvalidAttachmentId.NotFound`, not a VPC attachment `IllegalParam.AttachmentId`, not
    /// Attached `IncorrectStatus.Attachment`; an association still `Associating` or already
    /// `Dissociating` `InstanceStatusNotSupport`; sources or members on the vSwitch
    /// `InvalidOperation.MulticastGroupExist`. `DryRun` answers `DryRunOperation`.
    pub fn disassociate_transit_router_multicast_domain(
        &self,
        caller: &Caller,
        request: t::DisassociateTransitRouterMulticastDomainRequest,
    ) -> Result<t::DisassociateTransitRouterMulticastDomainResponse, ApiError> {
        use cbn::disassociate_transit_router_multicast_domain as e;
        if request.v_switch_ids.iter().all(String::is_empty) {
            return Err(errors::saying(
                e::invalid_parameter,
                "VSwitchIds is required.",
            ));
        }
        self.write_idempotent(
            caller,
            "DisassociateTransitRouterMulticastDomain",
            request.client_token.as_deref(),
            &request,
            |state, ctx| {
                let domain = ctx
                    .mc_domain(state, caller, &request.transit_router_multicast_domain_id)
                    .ok_or_else(e::invalid_multicast_domain_id_not_found)?;
                ctx.require_ready(domain, e::incorrect_status_multicast_domain)?;
                let attachment = state
                    .tr_attachments
                    .get(&request.transit_router_attachment_id)
                    .filter(|a| a.owner == caller.uid && ctx.live(*a))
                    .ok_or_else(e::invalid_attachment_id_not_found)?;
                if attachment.kind != AttachmentKind::Vpc {
                    return Err(e::illegal_param_attachment_id());
                }
                ctx.require_ready(attachment, e::incorrect_status_attachment)?;
                let mut leaving = Vec::new();
                for v in &request.v_switch_ids {
                    let Some(association) = state.mc_associations.get(v).filter(|a| {
                        a.domain_id == domain.id && a.attachment_id == attachment.id && ctx.live(*a)
                    }) else {
                        continue;
                    };
                    ctx.require_ready(association, e::instance_status_not_support)?;
                    if let Some(error) = ctx.blocker(state, association, false) {
                        return Err(error);
                    }
                    leaving.push(v.clone());
                }
                validate::dry_run(request.dry_run, e::dry_run_operation)?;
                for v in leaving {
                    if let Some(mut a) = state.mc_associations.get_mut(&v) {
                        a.life.deleting_at = Some(ctx.now);
                    }
                }
                Ok(())
            },
        )?;
        Ok(t::DisassociateTransitRouterMulticastDomainResponse {
            request_id: Some(caller.request_id.clone()),
        })
    }

    /// ListTransitRouterMulticastDomainAssociations: the vSwitches associated with a multicast
    /// domain (TransitRouterMulticastDomainId) or through a VPC attachment
    /// (TransitRouterAttachmentId), in association order; ResourceId, ResourceType (`VPC`) and
    /// VSwitchIds narrow the list. As documented, a request that names neither, or ids the
    /// caller does not have, answers an empty list. Paged by MaxResults (1 to 100, default 20)
    /// and NextToken (`InvalidParameter` for bad ones).
    pub fn list_transit_router_multicast_domain_associations(
        &self,
        caller: &Caller,
        request: t::ListTransitRouterMulticastDomainAssociationsRequest,
    ) -> Result<t::ListTransitRouterMulticastDomainAssociationsResponse, ApiError> {
        use cbn::list_transit_router_multicast_domain_associations as e;
        let page = page_of(
            request.max_results,
            request.next_token.as_deref(),
            e::invalid_parameter,
        )?;
        let domain_id = given(&request.transit_router_multicast_domain_id);
        let attachment_id = given(&request.transit_router_attachment_id);
        let (items, next_token, total) = self.read(|state, ctx| {
            let scope: Box<dyn Iterator<Item = &McAssociation>> = match (domain_id, attachment_id) {
                (Some(d), _) => Box::new(
                    state
                        .mc_associations
                        .children_of(McAssociation::OF_DOMAIN, d),
                ),
                (None, Some(a)) => Box::new(
                    state
                        .mc_associations
                        .children_of(McAssociation::OF_ATTACHMENT, a),
                ),
                (None, None) => Box::new(std::iter::empty()),
            };
            let matched = scope
                .filter(|a| {
                    a.owner == caller.uid
                        && ctx.live(*a)
                        && attachment_id.is_none_or(|i| a.attachment_id == i)
                        && validate::matches(&request.resource_id, Some(a.vpc_id.as_str()))
                        && given(&request.resource_type).is_none_or(|r| r == "VPC")
                        && (request.v_switch_ids.is_empty()
                            || request.v_switch_ids.contains(&a.v_switch_id))
                })
                .sequenced(&state.mc_associations)
                .map(|(seq, a)| (seq, association_view(ctx, a)));
            page.slice(matched)
        });
        Ok(t::ListTransitRouterMulticastDomainAssociationsResponse {
            max_results: Some(page.max_results()),
            next_token,
            request_id: Some(caller.request_id.clone()),
            total_count: Some(total),
            transit_router_multicast_associations: items,
        })
    }

    /// ListTransitRouterMulticastDomainVSwitches: the vSwitches of a VPC (VpcId) associated
    /// with a multicast domain of a CEN instance of the caller (CenId), in association order,
    /// optionally only those of VSwitchIds. Ids the caller does not have answer an empty list.
    /// Paged by MaxResults (1 to 100, default 20) and NextToken (`InvalidParameter` for bad
    /// ones).
    pub fn list_transit_router_multicast_domain_v_switches(
        &self,
        caller: &Caller,
        request: t::ListTransitRouterMulticastDomainVSwitchesRequest,
    ) -> Result<t::ListTransitRouterMulticastDomainVSwitchesResponse, ApiError> {
        use cbn::list_transit_router_multicast_domain_v_switches as e;
        let page = page_of(
            request.max_results.map(i64::from),
            request.next_token.as_deref(),
            e::invalid_parameter,
        )?;
        let (items, next_token, total) = self.read(|state, ctx| {
            let matched = state
                .mc_associations
                .owned_by(caller.uid)
                .filter(|a| {
                    ctx.live(*a)
                        && a.vpc_id == request.vpc_id
                        && state
                            .mc_domains
                            .get(&a.domain_id)
                            .is_some_and(|d| d.cen_id == request.cen_id)
                        && (request.v_switch_ids.is_empty()
                            || request.v_switch_ids.contains(&a.v_switch_id))
                })
                .sequenced(&state.mc_associations)
                .map(|(seq, a)| (seq, a.v_switch_id.clone()));
            page.slice(matched)
        });
        Ok(t::ListTransitRouterMulticastDomainVSwitchesResponse {
            max_results: Some(page.max_results()),
            next_token,
            request_id: Some(caller.request_id.clone()),
            total_count: Some(total),
            v_switch_ids: items,
        })
    }

    /// ListGrantVSwitchEnis: the ENIs of a vSwitch (VSwitchId) of a VPC (VpcId) connected to a
    /// CEN instance of the caller (CenId), which may be multicast sources or members: those of
    /// the inventory, then those the transit router placed in the vSwitch for its VPC
    /// attachment (`TransitRouterFlag` true, which cannot be). NetworkInterfaceId.N,
    /// NetworkInterfaceName and PrimaryIpAddress narrow the list. A VPC that is not connected to
    /// the CEN instance answers an empty list. Paged by MaxResults (10 to 500, default 20, more
    /// than 500 counts as 500; `InvalidParameter` below 10) and NextToken; TotalCount is a
    /// string, as the service writes it.
    pub fn list_grant_v_switch_enis(
        &self,
        caller: &Caller,
        request: t::ListGrantVSwitchEnisRequest,
    ) -> Result<t::ListGrantVSwitchEnisResponse, ApiError> {
        use cbn::list_grant_v_switch_enis as e;
        let max = request
            .max_results
            .map(|m| i32::try_from(m.min(500)).unwrap_or(i32::MIN));
        if max.is_some_and(|m| m < 10) {
            return Err(errors::saying(
                e::invalid_parameter,
                "MaxResults is 10 to 500.",
            ));
        }
        let page = TokenPage::new(
            max,
            request.next_token.as_deref(),
            (20, 500),
            e::invalid_parameter,
            e::invalid_parameter,
        )?;
        let (items, next_token, total) = self.read(|state, ctx| {
            let connected = state
                .tr_attachments
                .children_of(crate::state::TrAttachment::BY_RESOURCE, &request.vpc_id)
                .filter(|a| a.owner == caller.uid && a.cen_id == request.cen_id && ctx.live(*a))
                .collect::<Vec<_>>();
            let Some(vsw) = ctx
                .instance(state, &request.vpc_id)
                .filter(|_| !connected.is_empty())
                .and_then(|i| i.v_switch(&request.v_switch_id))
            else {
                return (Vec::new(), None, 0);
            };
            let eni =
                |id: &str, ip: &str, name: Option<&String>, description: Option<&String>, flag| {
                    t::GrantVSwitchEni {
                        description: description.cloned(),
                        network_interface_id: Some(id.to_owned()),
                        network_interface_name: name.cloned(),
                        primary_ip_address: Some(ip.to_owned()),
                        transit_router_flag: Some(flag),
                        v_switch_id: Some(vsw.v_switch_id.clone()),
                        vpc_id: Some(request.vpc_id.clone()),
                    }
                };
            let inventory = vsw.network_interfaces.iter().map(|n| {
                eni(
                    &n.network_interface_id,
                    &n.primary_ip_address,
                    n.network_interface_name.as_ref(),
                    n.description.as_ref(),
                    false,
                )
            });
            // The router's ENI takes the vSwitch's first usable address after the gateway.
            let router_ip = vsw
                .cidr_block
                .parse::<ipnet::Ipv4Net>()
                .ok()
                .and_then(|net| net.hosts().nth(1))
                .map(|ip| ip.to_string())
                .unwrap_or_default();
            let placed = connected
                .iter()
                .flat_map(|a| a.zones.iter())
                .filter(|z| z.v_switch_id == vsw.v_switch_id)
                .map(|z| eni(&z.network_interface_id, &router_ip, None, None, true));
            let matched = inventory
                .chain(placed)
                .filter(|n| {
                    (request.network_interface_id.is_empty()
                        || n.network_interface_id
                            .as_ref()
                            .is_some_and(|i| request.network_interface_id.contains(i)))
                        && validate::matches(
                            &request.network_interface_name,
                            n.network_interface_name.as_deref(),
                        )
                        && validate::matches(
                            &request.primary_ip_address,
                            n.primary_ip_address.as_deref(),
                        )
                })
                .zip(0_u64..)
                .map(|(n, i)| (i, n));
            page.slice(matched)
        });
        Ok(t::ListGrantVSwitchEnisResponse {
            grant_v_switch_enis: items,
            max_results: Some(i64::try_from(page.max).unwrap_or(i64::MAX)),
            next_token,
            request_id: Some(caller.request_id.clone()),
            total_count: Some(total.to_string()),
        })
    }

    /// Registers ENIs (and, for members, peer domains) in a group of a multicast domain, each
    /// `Registering` for the delay, then `Registered`.
    fn register_group(
        &self,
        caller: &Caller,
        ask: Registration<'_>,
        request: &impl serde::Serialize,
        codes: RegisterCodes,
    ) -> Result<(), ApiError> {
        use cbn::register_transit_router_multicast_group_members as m;
        if ask.enis.is_empty() && ask.peers.is_empty() {
            return Err(nothing_named(ask.source, codes.invalid));
        }
        self.write_idempotent(caller, ask.action, ask.token, request, |state, ctx| {
            let domain = ctx
                .mc_domain(state, caller, ask.domain_id)
                .ok_or_else(codes.domain_not_found)?;
            ctx.require_ready(domain, codes.domain_not_active)?;
            if let (Some(vpc), Some(no_vpc)) = (ask.vpc_id, codes.no_vpc)
                && ctx
                    .instance(state, vpc)
                    .is_none_or(|i| i.instance_type != InstanceType::Vpc)
            {
                return Err(no_vpc());
            }
            let mut records = Vec::new();
            for eni in ask.enis {
                if ctx.router_eni(state, &domain.transit_router_id, eni) {
                    return Err((codes.router_eni)());
                }
                let (vpc, vsw, _) = ctx
                    .network_interface(state, eni)
                    .filter(|(vpc, _, _)| ask.vpc_id.is_none_or(|v| vpc.instance_id == v))
                    .ok_or_else(codes.no_eni)?;
                let association = state
                    .mc_associations
                    .get(&vsw.v_switch_id)
                    .filter(|a| a.domain_id == domain.id && ctx.live(*a))
                    .ok_or_else(codes.no_association)?;
                ctx.require_ready(association, codes.association_not_ready)?;
                records.push(McEndpoint::Eni {
                    network_interface_id: eni.clone(),
                    v_switch_id: vsw.v_switch_id.clone(),
                    vpc_id: vpc.instance_id.clone(),
                    attachment_id: association.attachment_id.clone(),
                    resource_owner: association.resource_owner,
                });
            }
            for peer_id in ask.peers {
                let peer = ctx
                    .mc_domain(state, caller, peer_id)
                    .ok_or_else(m::invalid_peer_tr_multicast_domain_id_not_found)?;
                if peer.cen_id != domain.cen_id || peer.region_id == domain.region_id {
                    return Err(errors::saying(
                        m::illegal_param_peer_tr_multicast_domain_id,
                        format!(
                            "{peer_id} is not a multicast domain of another region of {}.",
                            domain.cen_id
                        ),
                    ));
                }
                ctx.require_ready(peer, m::incorrect_status_peer_tr_multicast_domain_id)?;
                let link = ctx
                    .peer_between(state, &domain.transit_router_id, &peer.transit_router_id)
                    .ok_or_else(|| {
                        errors::saying(
                            m::invalid_operation,
                            format!(
                                "No peer attachment connects {} and {}.",
                                domain.transit_router_id, peer.transit_router_id
                            ),
                        )
                    })?;
                records.push(McEndpoint::Peer {
                    domain_id: peer.id.clone(),
                    transit_router_id: peer.transit_router_id.clone(),
                    attachment_id: link.to_owned(),
                });
            }
            let records: Vec<McGroupMember> = records
                .into_iter()
                .map(|endpoint| McGroupMember {
                    domain_id: domain.id.clone(),
                    group_ip: ask.group_ip.clone(),
                    source: ask.source,
                    endpoint,
                    owner: caller.uid,
                    life: Lifecycle::started(ctx.now),
                })
                .collect();
            for (i, record) in records.iter().enumerate() {
                let key = record.key();
                let again = records[..i].iter().any(|r| r.key() == key);
                if again
                    || state
                        .mc_group_members
                        .get(&key)
                        .is_some_and(|r| ctx.live(r))
                {
                    return Err((codes.exists)());
                }
            }
            validate::dry_run(ask.dry_run, codes.dry_run)?;
            for record in records {
                state.mc_group_members.insert(record);
            }
            Ok(())
        })
    }

    /// Starts deregistering ENIs (or peer domains) from a group of a multicast domain, each
    /// `Deregistering` for the delay, then gone. As documented, one that is not registered is
    /// left alone without an error.
    fn deregister_group(
        &self,
        caller: &Caller,
        (action, token, domain_id, group_ip, source): (&str, Option<&str>, &str, &str, bool),
        (resources, dry_run): (Vec<&String>, Option<bool>),
        request: &impl serde::Serialize,
        codes: DeregisterCodes,
    ) -> Result<(), ApiError> {
        if !domain_id.starts_with(DOMAIN_PREFIX) {
            return Err(errors::saying(
                codes.malformed,
                format!("{domain_id} is not a multicast domain id ({DOMAIN_PREFIX}...)."),
            ));
        }
        if resources.is_empty() {
            return Err(nothing_named(source, codes.invalid));
        }
        self.write_idempotent(caller, action, token, request, |state, ctx| {
            let domain = ctx
                .mc_domain(state, caller, domain_id)
                .ok_or_else(codes.domain_not_found)?;
            ctx.require_ready(domain, codes.domain_not_active)?;
            let mut leaving = Vec::new();
            for resource in resources {
                let key = McGroupMember::key_of(domain_id, group_ip, source, resource);
                let Some(record) = state.mc_group_members.get(&key).filter(|r| ctx.live(*r)) else {
                    continue;
                };
                ctx.require_ready(record, codes.not_registered)?;
                leaving.push(key);
            }
            validate::dry_run(dry_run, codes.dry_run)?;
            for key in leaving {
                if let Some(mut r) = state.mc_group_members.get_mut(&key) {
                    r.life.deleting_at = Some(ctx.now);
                }
            }
            Ok(())
        })
    }

    /// RegisterTransitRouterMulticastGroupMembers: makes ENIs (NetworkInterfaceIds, of VpcId
    /// when given) and multicast domains of other regions (PeerTransitRouterMulticastDomains)
    /// members of the group GroupIpAddress (224.0.0.1 to 239.255.255.254, `InvalidParameter`
    /// otherwise) of a multicast domain; each is `Registering` for the delay, then
    /// `Registered`. Neither list given: `InvalidParameter`.
    ///
    /// A domain the caller does not have `InvalidTransitRouterMulticastDomainId.NotFound`, not
    /// Active `InvalidOperation.MulticastDomainStatus`; VpcId not a VPC
    /// `InvalidVpcId.NotFound`; an ENI the transit router placed for an attachment
    /// `InvalidOperation.NTRNetworkInterfaceNotSupport`; an ENI that is not in the inventory (or
    /// not in VpcId) `InvalidOperation.NetworkInterfaceNotExist`; an ENI whose vSwitch is not
    /// associated with the domain `InvalidOperation.MulticastDomainAssociationNotExist`, or still
    /// `Associating` `InvalidOperation.MulticastDomainAssociationStatus`. A peer domain the
    /// caller does not have `InvalidPeerTrMulticastDomainId.NotFound`, one of the same region
    /// or of another CEN instance `IllegalParam.PeerTrMulticastDomainId`, not Active
    /// `IncorrectStatus.PeerTrMulticastDomainId`; no peer attachment between the two routers
    /// `InvalidOperation`, saying so. A member registered already: `InstanceExist`. `DryRun`
    /// answers `DryRunOperation`.
    pub fn register_transit_router_multicast_group_members(
        &self,
        caller: &Caller,
        request: t::RegisterTransitRouterMulticastGroupMembersRequest,
    ) -> Result<t::RegisterTransitRouterMulticastGroupMembersResponse, ApiError> {
        use cbn::register_transit_router_multicast_group_members as e;
        let group = group_ip(
            &request.group_ip_address,
            Ipv4Addr::new(224, 0, 0, 1),
            e::invalid_parameter,
        )?;
        self.register_group(
            caller,
            Registration {
                action: "RegisterTransitRouterMulticastGroupMembers",
                token: request.client_token.as_deref(),
                domain_id: &request.transit_router_multicast_domain_id,
                group_ip: group,
                source: false,
                enis: &request.network_interface_ids,
                peers: &request.peer_transit_router_multicast_domains,
                vpc_id: given(&request.vpc_id),
                dry_run: request.dry_run,
            },
            &request,
            RegisterCodes {
                domain_not_found: e::invalid_transit_router_multicast_domain_id_not_found,
                domain_not_active: e::invalid_operation_multicast_domain_status,
                no_eni: e::invalid_operation_network_interface_not_exist,
                router_eni: e::invalid_operation_ntr_network_interface_not_support,
                no_association: e::invalid_operation_multicast_domain_association_not_exist,
                association_not_ready: e::invalid_operation_multicast_domain_association_status,
                exists: e::instance_exist,
                no_vpc: Some(e::invalid_vpc_id_not_found),
                invalid: e::invalid_parameter,
                dry_run: e::dry_run_operation,
            },
        )?;
        Ok(t::RegisterTransitRouterMulticastGroupMembersResponse {
            request_id: Some(caller.request_id.clone()),
        })
    }

    /// RegisterTransitRouterMulticastGroupSources: makes ENIs (NetworkInterfaceIds, required,
    /// of VpcId when given) sources of the group GroupIpAddress (224.0.1.0 to 239.255.255.254,
    /// `InvalidParameter` otherwise) of a multicast domain, with the ENI rules and codes of
    /// RegisterTransitRouterMulticastGroupMembers; a source registered already:
    /// `InstanceExist`. `DryRun` answers `DryRunOperation`.
    pub fn register_transit_router_multicast_group_sources(
        &self,
        caller: &Caller,
        request: t::RegisterTransitRouterMulticastGroupSourcesRequest,
    ) -> Result<t::RegisterTransitRouterMulticastGroupSourcesResponse, ApiError> {
        use cbn::register_transit_router_multicast_group_sources as e;
        let group = group_ip(
            &request.group_ip_address,
            Ipv4Addr::new(224, 0, 1, 0),
            e::invalid_parameter,
        )?;
        self.register_group(
            caller,
            Registration {
                action: "RegisterTransitRouterMulticastGroupSources",
                token: request.client_token.as_deref(),
                domain_id: &request.transit_router_multicast_domain_id,
                group_ip: group,
                source: true,
                enis: &request.network_interface_ids,
                peers: &[],
                vpc_id: given(&request.vpc_id),
                dry_run: request.dry_run,
            },
            &request,
            RegisterCodes {
                domain_not_found: e::invalid_transit_router_multicast_domain_id_not_found,
                domain_not_active: e::invalid_operation_multicast_domain_status,
                no_eni: e::invalid_operation_network_interface_not_exist,
                router_eni: e::invalid_operation_ntr_network_interface_not_support,
                no_association: e::invalid_operation_multicast_domain_association_not_exist,
                association_not_ready: e::invalid_operation_multicast_domain_association_status,
                exists: e::instance_exist,
                no_vpc: None,
                invalid: e::invalid_parameter,
                dry_run: e::dry_run_operation,
            },
        )?;
        Ok(t::RegisterTransitRouterMulticastGroupSourcesResponse {
            request_id: Some(caller.request_id.clone()),
        })
    }

    /// DeregisterTransitRouterMulticastGroupMembers: starts removing ENIs
    /// (NetworkInterfaceIds) and peer domains (PeerTransitRouterMulticastDomains) from the
    /// members of a group (GroupIpAddress) of a multicast domain; each is `Deregistering` for
    /// the delay, then gone. As documented, one that is not a member is left alone without an
    /// error; neither list given `InvalidParameter`. A domain id that is not one
    /// (`tr-mcast-domain-…`) `IllegalParam.TransitRouterMulticastDomainId`, a domain the caller
    /// does not have `InvalidTransitRouterMulticastDomainId.NotFound`, not Active
    /// `InvalidOperation.MulticastDomainStatus`; a member still `Registering` or already
    /// `Deregistering` `IncorrectStatus.MulticastGroup`. `DryRun` answers `DryRunOperation`.
    pub fn deregister_transit_router_multicast_group_members(
        &self,
        caller: &Caller,
        request: t::DeregisterTransitRouterMulticastGroupMembersRequest,
    ) -> Result<t::DeregisterTransitRouterMulticastGroupMembersResponse, ApiError> {
        use cbn::deregister_transit_router_multicast_group_members as e;
        let resources = request
            .network_interface_ids
            .iter()
            .chain(&request.peer_transit_router_multicast_domains)
            .collect();
        self.deregister_group(
            caller,
            (
                "DeregisterTransitRouterMulticastGroupMembers",
                request.client_token.as_deref(),
                &request.transit_router_multicast_domain_id,
                &request.group_ip_address,
                false,
            ),
            (resources, request.dry_run),
            &request,
            DeregisterCodes {
                malformed: e::illegal_param_transit_router_multicast_domain_id,
                domain_not_found: e::invalid_transit_router_multicast_domain_id_not_found,
                domain_not_active: e::invalid_operation_multicast_domain_status,
                not_registered: e::incorrect_status_multicast_group,
                invalid: e::invalid_parameter,
                dry_run: e::dry_run_operation,
            },
        )?;
        Ok(t::DeregisterTransitRouterMulticastGroupMembersResponse {
            request_id: Some(caller.request_id.clone()),
        })
    }

    /// DeregisterTransitRouterMulticastGroupSources: starts removing ENIs
    /// (NetworkInterfaceIds, required) from the sources of a group of a multicast domain, with
    /// the rules and codes of DeregisterTransitRouterMulticastGroupMembers.
    pub fn deregister_transit_router_multicast_group_sources(
        &self,
        caller: &Caller,
        request: t::DeregisterTransitRouterMulticastGroupSourcesRequest,
    ) -> Result<t::DeregisterTransitRouterMulticastGroupSourcesResponse, ApiError> {
        use cbn::deregister_transit_router_multicast_group_sources as e;
        let resources = request.network_interface_ids.iter().collect();
        self.deregister_group(
            caller,
            (
                "DeregisterTransitRouterMulticastGroupSources",
                request.client_token.as_deref(),
                &request.transit_router_multicast_domain_id,
                &request.group_ip_address,
                true,
            ),
            (resources, request.dry_run),
            &request,
            DeregisterCodes {
                malformed: e::illegal_param_transit_router_multicast_domain_id,
                domain_not_found: e::invalid_transit_router_multicast_domain_id_not_found,
                domain_not_active: e::invalid_operation_multicast_domain_status,
                not_registered: e::incorrect_status_multicast_group,
                invalid: e::invalid_parameter,
                dry_run: e::dry_run_operation,
            },
        )?;
        Ok(t::DeregisterTransitRouterMulticastGroupSourcesResponse {
            request_id: Some(caller.request_id.clone()),
        })
    }

    /// ListTransitRouterMulticastGroups: the sources and members of the groups of a multicast
    /// domain (TransitRouterMulticastDomainId), in registration order; GroupIpAddress,
    /// IsGroupMember, IsGroupSource, NetworkInterfaceIds, PeerTransitRouterMulticastDomains,
    /// ResourceId (the VPC, or the peer's router), ResourceType (`VPC` or `TR`;
    /// `InvalidParameter` otherwise), TransitRouterAttachmentId and VSwitchIds narrow the list.
    /// A domain the caller does not have, or none, answers an empty list. Paged by MaxResults
    /// (1 to 100, default 20) and NextToken (`InvalidParameter` for bad ones).
    pub fn list_transit_router_multicast_groups(
        &self,
        caller: &Caller,
        request: t::ListTransitRouterMulticastGroupsRequest,
    ) -> Result<t::ListTransitRouterMulticastGroupsResponse, ApiError> {
        use cbn::list_transit_router_multicast_groups as e;
        use t::ListTransitRouterMulticastGroupsRequestResourceType as Kind;
        let page = page_of(
            request.max_results,
            request.next_token.as_deref(),
            e::invalid_parameter,
        )?;
        if let Some(Kind::Unknown(kind)) = &request.resource_type {
            return Err(errors::saying(
                e::invalid_parameter,
                format!("ResourceType {kind} is not VPC or TR."),
            ));
        }
        let kind = request
            .resource_type
            .as_ref()
            .map(|k| k.as_str().to_owned());
        let (items, next_token, total) = self.read(|state, ctx| {
            let Some(domain) = given(&request.transit_router_multicast_domain_id)
                .and_then(|id| ctx.mc_domain(state, caller, id))
            else {
                return (Vec::new(), None, 0);
            };
            let listed = |list: &Vec<String>, value: Option<&String>| {
                list.is_empty() || value.is_some_and(|v| list.contains(v))
            };
            let matched = state
                .mc_group_members
                .children_of(0, &domain.id)
                .filter(|m| ctx.live(*m))
                .map(|m| (m, group_view(ctx, m)))
                .filter(|(m, v)| {
                    validate::matches(&request.group_ip_address, Some(m.group_ip.as_str()))
                        && request.is_group_member.is_none_or(|b| b != m.source)
                        && request.is_group_source.is_none_or(|b| b == m.source)
                        && listed(
                            &request.network_interface_ids,
                            v.network_interface_id.as_ref(),
                        )
                        && listed(
                            &request.peer_transit_router_multicast_domains,
                            v.peer_transit_router_multicast_domain_id.as_ref(),
                        )
                        && validate::matches(&request.resource_id, v.resource_id.as_deref())
                        && kind
                            .as_deref()
                            .is_none_or(|k| v.resource_type.as_deref() == Some(k))
                        && validate::matches(
                            &request.transit_router_attachment_id,
                            v.transit_router_attachment_id.as_deref(),
                        )
                        && listed(&request.v_switch_ids, v.v_switch_id.as_ref())
                })
                .filter_map(|(m, v)| Some((state.mc_group_members.seq_of(m)?, v)));
            page.slice(matched)
        });
        Ok(t::ListTransitRouterMulticastGroupsResponse {
            max_results: Some(page.max_results()),
            next_token,
            request_id: Some(caller.request_id.clone()),
            total_count: Some(total),
            transit_router_multicast_groups: items,
        })
    }
}
