//! What every kind of transit-router attachment does the same way: resolve the router it
//! connects to (named by TransitRouterId or by CenId and RegionId, created when the CEN instance
//! has none in the region), filter its list, and delete with or without `Force`.

use acs_rpc::error::ApiError;

use crate::emulator::{Caller, Ctx, new_id, new_regional_id};
use crate::errors;
use crate::inventory::{InstanceType, NetworkInstance};
use crate::ops::transit_routers::insert_router;
use crate::resource::Sequenced;
use crate::state::{
    AttachmentKind, Lifecycle, Phase, Resource, State, Tag, TrAttachment, TransitRouter,
};
use crate::validate;

/// The codes one create operation answers while resolving its router.
#[derive(Clone, Copy)]
pub(crate) struct TargetCodes {
    /// The caller's transit-router service is not open.
    pub service_closed: fn() -> ApiError,
    /// TransitRouterId is not the caller's (or not of CenId).
    pub router_not_found: fn() -> ApiError,
    /// CenId is not the caller's.
    pub cen_not_found: fn() -> ApiError,
    /// RegionId is not a CEN region.
    pub bad_region: fn() -> ApiError,
    /// The CEN instance is in a transition.
    pub cen_not_ready: fn() -> ApiError,
    /// The router is in a transition.
    pub router_not_ready: fn() -> ApiError,
}

/// The router an attachment connects to, or the CEN instance and region of one to create.
pub(crate) struct Target {
    /// The CEN instance.
    pub cen_id: String,
    /// The region.
    pub region: String,
    /// The existing router, if there is one.
    router: Option<String>,
}

impl Target {
    /// Resolves `(TransitRouterId, CenId, RegionId)`; the caller checked that TransitRouterId
    /// or both others are given. Checks, in order: the service open, the router the caller's
    /// (and of CenId, when given), the CEN instance the caller's, the region a CEN region, the
    /// CEN instance and the router not in a transition.
    pub fn resolve(
        state: &State,
        ctx: &Ctx<'_>,
        caller: &Caller,
        (router_id, cen_id, region_id): (Option<&str>, Option<&str>, Option<&str>),
        codes: TargetCodes,
    ) -> Result<Self, ApiError> {
        if !ctx.tr_service_open(state, caller.uid) {
            return Err((codes.service_closed)());
        }
        let named = match router_id {
            Some(id) => Some(
                ctx.router(state, caller, id)
                    .filter(|r| cen_id.is_none_or(|c| r.cen_id == c))
                    .ok_or_else(codes.router_not_found)?,
            ),
            None => None,
        };
        let cen_id = named.map_or(cen_id.unwrap_or_default(), |r| r.cen_id.as_str());
        let region = named.map_or(region_id.unwrap_or_default(), |r| r.region_id.as_str());
        let cen = state
            .cens
            .get(cen_id)
            .filter(|c| c.owner == caller.uid && ctx.live(*c))
            .ok_or_else(codes.cen_not_found)?;
        if crate::geo::region_code(region).is_none() {
            return Err((codes.bad_region)());
        }
        ctx.require_ready(cen, codes.cen_not_ready)?;
        let router = named.or_else(|| ctx.router_in(state, cen_id, region));
        if router.is_some_and(|r| ctx.phase(r) != Phase::Ready) {
            return Err((codes.router_not_ready)());
        }
        Ok(Self {
            cen_id: cen_id.to_owned(),
            region: region.to_owned(),
            router: router.map(|r| r.id.clone()),
        })
    }

    /// The existing router's id, if there is one.
    pub fn existing_router(&self) -> Option<&str> {
        self.router.as_deref()
    }

    /// The router's id, creating the router (with its System route table) when the CEN
    /// instance has none in the region.
    pub fn router_id(&self, state: &mut State, ctx: &Ctx<'_>, owner: i64) -> String {
        if let Some(id) = &self.router {
            return id.clone();
        }
        insert_router(
            state,
            TransitRouter {
                id: new_regional_id("tr-", &self.region),
                cen_id: self.cen_id.clone(),
                owner,
                region_id: self.region.clone(),
                name: None,
                description: None,
                support_multicast: false,
                life: Lifecycle::started(ctx.now),
                tags: Vec::new(),
            },
        )
    }
}

/// The filters every attachment list takes; `None` matches everything.
#[derive(Default)]
pub(crate) struct AttachmentFilter<'r> {
    pub cen_id: Option<&'r str>,
    pub region_id: Option<&'r str>,
    pub transit_router_id: Option<&'r str>,
    pub attachment_id: Option<&'r str>,
    pub resource_id: Option<&'r str>,
    pub status: Option<&'r str>,
    pub order_type: Option<&'r str>,
    pub tags: &'r [(String, Option<String>)],
}

/// The errors a delete of one kind of attachment answers for the attachment itself.
#[derive(Clone, Copy)]
pub(crate) struct DeleteCodes {
    pub not_found: fn() -> ApiError,
    pub not_ready: fn() -> ApiError,
    pub dry_run: fn() -> ApiError,
}

impl<'a> Ctx<'a> {
    /// The caller's live attachments of a kind that pass a filter, in creation order, with
    /// their sequence numbers (for `NextToken`).
    pub(crate) fn attachments_matching<'s>(
        &self,
        state: &'s State,
        owner: i64,
        kind: AttachmentKind,
        filter: &'s AttachmentFilter<'s>,
    ) -> impl Iterator<Item = (u64, &'s TrAttachment)> + use<'s, 'a>
    where
        'a: 's,
    {
        let ctx = *self;
        state
            .tr_attachments
            .owned_by(owner)
            .filter(move |a| {
                a.kind == kind
                    && ctx.live(*a)
                    && filter.cen_id.is_none_or(|c| a.cen_id == c)
                    && filter.region_id.is_none_or(|r| a.region_id == r)
                    && filter
                        .transit_router_id
                        .is_none_or(|r| a.transit_router_id == r)
                    && filter.attachment_id.is_none_or(|i| a.id == i)
                    && filter.resource_id.is_none_or(|v| a.resource_id == v)
                    && filter.status.is_none_or(|s| ctx.status(*a) == s)
                    && filter.order_type.is_none_or(|o| a.order_type == o)
                    && validate::tags_match(&a.tags, filter.tags)
            })
            .sequenced(&state.tr_attachments)
    }

    /// Who pays for an attachment of a network to a CEN instance: the payer its owner's grant
    /// names (`PayByCenOwner` when the grant names none, or for the CEN owner's own networks).
    pub(crate) fn payer(
        &self,
        state: &State,
        cen_id: &str,
        cen_owner: i64,
        resource_id: &str,
    ) -> String {
        state
            .grants
            .get(&(cen_id.to_owned(), cen_owner, resource_id.to_owned()))
            .and_then(|g| g.order_type.clone())
            .unwrap_or_else(|| "PayByCenOwner".into())
    }

    /// Starts deleting an `Attached` attachment of a kind: without `force` what depends on it
    /// refuses with its documented code; with `force` those dependents go with it.
    pub(crate) fn delete_attachment(
        &self,
        state: &mut State,
        caller: &Caller,
        (kind, id): (AttachmentKind, &str),
        (force, dry_run): (bool, Option<bool>),
        codes: DeleteCodes,
    ) -> Result<(), ApiError> {
        let attachment = self
            .tr_attachment(state, caller, kind, id)
            .ok_or_else(codes.not_found)?;
        self.require_ready(attachment, codes.not_ready)?;
        if let Some(error) = self.blocker(state, attachment, force) {
            // `cen_server::catalogue::checked` words it as the deleting operation documents it.
            return Err(error);
        }
        validate::dry_run(dry_run, codes.dry_run)?;
        if force {
            state.force_dependents(TrAttachment::KIND, id, self.now);
        }
        if let Some(mut a) = state.tr_attachments.get_mut(id) {
            a.life.deleting_at = Some(self.now);
        }
        state.delete_dependents(TrAttachment::KIND, id, self.now);
        Ok(())
    }
}

/// What a create of a VBR, VPN or ECR attachment asks for.
pub(crate) struct NetworkAttach<'r> {
    pub kind: AttachmentKind,
    /// The network's inventory type.
    pub instance_type: InstanceType,
    /// The network and its owner (default the caller).
    pub resource_id: &'r str,
    pub resource_owner: Option<i64>,
    /// `(TransitRouterId, CenId, RegionId)`.
    pub target: (Option<&'r str>, Option<&'r str>, Option<&'r str>),
    /// Whether the network must be in the router's region (an ECR is global).
    pub same_region: bool,
    pub name: Option<String>,
    pub description: Option<String>,
    pub auto_publish_route: bool,
    pub tags: Vec<Tag>,
    pub dry_run: Option<bool>,
}

/// The codes a create of a network attachment answers.
#[derive(Clone, Copy)]
pub(crate) struct NetworkCodes {
    pub target: TargetCodes,
    /// The network already has a CEN connection.
    pub attached: fn() -> ApiError,
    pub dry_run: fn() -> ApiError,
}

impl<'a> Ctx<'a> {
    /// Creates an attachment of a network of the inventory, `Attaching` for the delay: the
    /// router resolved as [`Target::resolve`] does; no such network of the owner (in the
    /// router's region when it must be) `ParameterInstanceId`; another account's network
    /// without its owner's grant `Forbbiden.AttachChildInstanceAcrossUid`; a network with a CEN
    /// connection already (one at a time, Basic or Enterprise) `attached`; then the dry run.
    /// `check` sees the network right after the grant check (a VPC attachment checks its zone
    /// mappings there); `prepare` sees the new attachment with what `check` answered before it
    /// is stored (a VPC attachment takes its zones, a VPN attachment addresses) and may refuse
    /// it.
    pub(crate) fn create_network_attachment<C>(
        &self,
        state: &mut State,
        caller: &Caller,
        request: NetworkAttach<'_>,
        codes: NetworkCodes,
        check: impl FnOnce(&NetworkInstance) -> Result<C, ApiError>,
        prepare: impl FnOnce(&State, &mut TrAttachment, C) -> Result<(), ApiError>,
    ) -> Result<String, ApiError> {
        let target = Target::resolve(state, self, caller, request.target, codes.target)?;
        let owner = request.resource_owner.unwrap_or(caller.uid);
        let network = self
            .instance(state, request.resource_id)
            .filter(|i| {
                i.instance_type == request.instance_type
                    && i.owner_id == owner
                    && (!request.same_region || i.region_id == target.region)
            })
            .ok_or_else(errors::instance_not_found)?;
        let key = (
            target.cen_id.clone(),
            caller.uid,
            network.instance_id.clone(),
        );
        if owner != caller.uid && !state.grants.contains_key(&key) {
            return Err(errors::across_uid());
        }
        let checked = check(network)?;
        if self.tr_attached(state, &network.instance_id)
            || self.attachment_of(state, &network.instance_id).is_some()
        {
            return Err((codes.attached)());
        }
        validate::dry_run(request.dry_run, codes.dry_run)?;
        let router_id = target.router_id(state, self, caller.uid);
        let mut attachment = TrAttachment {
            id: new_id("tr-attach-"),
            kind: request.kind,
            transit_router_id: router_id,
            cen_id: target.cen_id.clone(),
            owner: caller.uid,
            region_id: target.region.clone(),
            resource_id: request.resource_id.to_owned(),
            resource_owner: owner,
            name: request.name,
            description: request.description,
            auto_publish_route: request.auto_publish_route,
            zones: Vec::new(),
            charge_type: "POSTPAY".into(),
            order_type: self.payer(state, &target.cen_id, caller.uid, request.resource_id),
            appliance_mode: "disable".into(),
            ipv6: "disable".into(),
            peer: None,
            allocation: None,
            life: Lifecycle::started(self.now),
            tags: request.tags,
        };
        prepare(state, &mut attachment, checked)?;
        let id = attachment.id.clone();
        state.tr_attachments.insert(attachment);
        Ok(id)
    }
}

/// What an Update*AttachmentAttribute of a VBR, VPN or ECR attachment asks for.
pub(crate) struct AttributeChange<'r> {
    pub name: Option<&'r str>,
    pub description: Option<&'r str>,
    pub auto_publish_route: Option<bool>,
    pub order_type: Option<&'r str>,
    pub dry_run: Option<bool>,
}

/// The codes an attribute update answers.
#[derive(Clone, Copy)]
pub(crate) struct AttributeCodes {
    pub not_found: fn() -> ApiError,
    pub not_ready: fn() -> ApiError,
    pub invalid: fn() -> ApiError,
    pub dry_run: fn() -> ApiError,
}

impl<'a> Ctx<'a> {
    /// Changes the name, description, AutoPublishRouteEnabled or OrderType (`PayByCenOwner`,
    /// `PayByResourceOwner`) of an `Attached` attachment of a kind, which is then `Modifying`
    /// for the delay: unknown `not_found`, not Attached `not_ready`, bad values `invalid`.
    pub(crate) fn update_attachment_attribute(
        &self,
        state: &mut State,
        caller: &Caller,
        (kind, id): (AttachmentKind, &str),
        change: &AttributeChange<'_>,
        codes: AttributeCodes,
    ) -> Result<(), ApiError> {
        validate::name(change.name).map_err(|_| (codes.invalid)())?;
        validate::description(change.description).map_err(|_| (codes.invalid)())?;
        if change
            .order_type
            .is_some_and(|o| o != "PayByCenOwner" && o != "PayByResourceOwner")
        {
            return Err((codes.invalid)());
        }
        let attachment = self
            .tr_attachment(state, caller, kind, id)
            .ok_or_else(codes.not_found)?;
        self.require_ready(attachment, codes.not_ready)?;
        validate::dry_run(change.dry_run, codes.dry_run)?;
        if let Some(mut a) = state.tr_attachments.get_mut(id) {
            if let Some(name) = change.name {
                a.name = Some(name.to_owned());
            }
            if let Some(description) = change.description {
                a.description = Some(description.to_owned());
            }
            if let Some(auto) = change.auto_publish_route {
                a.auto_publish_route = auto;
            }
            if let Some(order_type) = change.order_type {
                a.order_type = order_type.to_owned();
            }
            a.life.modified_at = Some(self.now);
        }
        Ok(())
    }
}
