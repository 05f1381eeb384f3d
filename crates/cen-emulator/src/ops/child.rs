//! Network instances of CEN: AttachCenChildInstance, DetachCenChildInstance,
//! DescribeCenAttachedChildInstances, DescribeCenAttachedChildInstanceAttribute.

use acs_rpc::error::ApiError;

use crate::api::cbn as t;
use crate::emulator::{Caller, Emulator, minutes};
use crate::errors;
use crate::inventory::{InstanceType, NetworkInstance};
use crate::state::{Attachment, Lifecycle};
use crate::validate::{self, Page};

/// Checks that an inventory instance has the type and region a request names.
pub(crate) fn check_type_and_region(
    instance: &NetworkInstance,
    kind: &str,
    region: &str,
) -> Result<(), ApiError> {
    if instance.instance_type.as_str() != kind {
        return Err(errors::illegal_child_type());
    }
    if instance.region_id != region {
        return Err(errors::illegal_child_region());
    }
    Ok(())
}

impl Emulator {
    /// AttachCenChildInstance: attaches a VPC, VBR or CCN instance to an `Active` CEN instance
    /// of the caller; the attachment is `Attaching` for the delay, then `Attached`.
    ///
    /// Errors, in the order they are checked: unknown CEN instance `ParameterCenInstanceId`;
    /// CEN not Active `InvalidOperation.CenInstanceStatus`; a ChildInstanceOwnerId that is no
    /// known account `Bid.NotFound`; no such instance in the owner's account (the owner is the
    /// caller unless ChildInstanceOwnerId says otherwise) `ParameterInstanceId`; another type
    /// `ParameterIllegal.ChildInstanceType`; another region
    /// `ParameterIllegal.ChildInstanceRegionId`; attached (or attaching, or detaching) to any CEN
    /// instance or connected to a transit router `InvalidOperation.ChildInstanceAlreadyAttached`
    /// (one CEN per instance); an
    /// instance of another account without that owner's GrantInstanceToCen for this CEN
    /// instance and its owner `Forbbiden.AttachChildInstanceAcrossUid`.
    pub fn attach_cen_child_instance(
        &self,
        caller: &Caller,
        request: t::AttachCenChildInstanceRequest,
    ) -> Result<t::AttachCenChildInstanceResponse, ApiError> {
        validate::required(&request.cen_id, "CenId")?;
        validate::required(&request.child_instance_id, "ChildInstanceId")?;
        validate::required(&request.child_instance_region_id, "ChildInstanceRegionId")?;
        let kind = request.child_instance_type.to_string();
        self.write(|state, ctx| {
            ctx.active_cen(state, caller, &request.cen_id)?;
            let owner = request.child_instance_owner_id.unwrap_or(caller.uid);
            if owner != caller.uid && !ctx.account_known(state, owner) {
                return Err(errors::bid_not_found_attach());
            }
            let instance = ctx
                .instance(state, &request.child_instance_id)
                .filter(|i| i.owner_id == owner)
                .ok_or_else(errors::instance_not_found)?;
            check_type_and_region(instance, &kind, &request.child_instance_region_id)?;
            if ctx.attachment_of(state, &instance.instance_id).is_some()
                || ctx.tr_attached(state, &instance.instance_id)
            {
                return Err(errors::child_already_attached());
            }
            if owner != caller.uid
                && !state.grants.contains_key(&(
                    request.cen_id.clone(),
                    caller.uid,
                    instance.instance_id.clone(),
                ))
            {
                return Err(errors::across_uid());
            }
            let attachment = Attachment {
                cen_id: request.cen_id.clone(),
                instance_id: instance.instance_id.clone(),
                instance_type: instance.instance_type,
                region_id: instance.region_id.clone(),
                owner,
                life: Lifecycle::started(ctx.now),
            };
            state.attachments.insert(attachment);
            Ok(())
        })?;
        Ok(t::AttachCenChildInstanceResponse {
            request_id: Some(caller.request_id.clone()),
        })
    }

    /// DetachCenChildInstance: starts detaching an `Attached` instance from an `Active` CEN
    /// instance of the caller; it is `Detaching` for the delay, then gone. Its VBR health check
    /// and route publications go with it.
    ///
    /// Errors: a CenOwnerId other than the caller, or an unknown CEN instance,
    /// `ParameterCenInstanceId`; CEN not Active `InvalidOperation.CenInstanceStatus`; a
    /// ChildInstanceOwnerId that is no known account `Bid.NotFound`; an instance not attached to
    /// this CEN instance (or of another owner than ChildInstanceOwnerId) `ParameterInstanceId`;
    /// another type or region `ParameterIllegal.ChildInstanceType` /
    /// `ParameterIllegal.ChildInstanceRegionId`; an attachment still Attaching or already
    /// Detaching `InvalidOperation.ChildInstanceStatus`; a route to the CEN instance in one of
    /// the instance's route tables (CreateCenChildInstanceRouteEntryToCen)
    /// `OperationFailed.AttachmentReferencedVpcRouteEntryExisted`; a PrivateZone route through
    /// the VPC (RoutePrivateZoneInCenToVpc) `Forbidden.PrivatezoneRouteExisted`.
    pub fn detach_cen_child_instance(
        &self,
        caller: &Caller,
        request: t::DetachCenChildInstanceRequest,
    ) -> Result<t::DetachCenChildInstanceResponse, ApiError> {
        validate::required(&request.cen_id, "CenId")?;
        validate::required(&request.child_instance_id, "ChildInstanceId")?;
        let kind = request.child_instance_type.to_string();
        self.write(|state, ctx| {
            if request.cen_owner_id.is_some_and(|o| o != caller.uid) {
                return Err(errors::cen_not_found());
            }
            ctx.active_cen(state, caller, &request.cen_id)?;
            if let Some(owner) = request.child_instance_owner_id
                && owner != caller.uid
                && !ctx.account_known(state, owner)
            {
                return Err(errors::bid_not_found_detach());
            }
            let attachment = ctx
                .attachment_of(state, &request.child_instance_id)
                .filter(|a| {
                    a.cen_id == request.cen_id
                        && request.child_instance_owner_id.is_none_or(|o| o == a.owner)
                })
                .ok_or_else(errors::instance_not_found)?;
            if attachment.instance_type.as_str() != kind {
                return Err(errors::illegal_child_type());
            }
            if attachment.region_id != request.child_instance_region_id {
                return Err(errors::illegal_child_region());
            }
            ctx.require_ready(attachment, errors::child_status)?;
            if let Some(error) = ctx.blocker(state, attachment, false) {
                return Err(error);
            }
            if let Some(mut attachment) = state.attachments.get_mut(&request.child_instance_id) {
                attachment.life.deleting_at = Some(ctx.now);
            }
            state
                .health_checks
                .remove(&(request.cen_id.clone(), request.child_instance_id.clone()));
            Ok(())
        })?;
        Ok(t::DetachCenChildInstanceResponse {
            request_id: Some(caller.request_id.clone()),
        })
    }

    /// DescribeCenAttachedChildInstances: lists the attachments of a CEN instance of the caller
    /// in attach order, optionally of one type and region, paged (PageSize 1 to 50).
    ///
    /// Unknown CEN instance: `ParameterCenInstanceId`. Detached instances disappear once the
    /// delay has passed.
    pub fn describe_cen_attached_child_instances(
        &self,
        caller: &Caller,
        request: t::DescribeCenAttachedChildInstancesRequest,
    ) -> Result<t::DescribeCenAttachedChildInstancesResponse, ApiError> {
        let page = Page::new(request.page_number, request.page_size, 50)?;
        let kind = request.child_instance_type.map(|k| k.to_string());
        let items = self.read(|state, ctx| {
            ctx.cen(state, caller, &request.cen_id)?;
            Ok::<_, ApiError>(
                ctx.attachments(state, &request.cen_id)
                    .filter(|a| {
                        kind.as_deref()
                            .is_none_or(|k| a.instance_type.as_str() == k)
                    })
                    .filter(|a| {
                        request
                            .child_instance_region_id
                            .as_deref()
                            .is_none_or(|r| r.is_empty() || a.region_id == r)
                    })
                    .map(|a| t::CenAttachedChildInstance {
                        cen_id: Some(a.cen_id.clone()),
                        child_instance_attach_time: Some(minutes(a.life.created_at)),
                        child_instance_id: Some(a.instance_id.clone()),
                        child_instance_owner_id: Some(a.owner),
                        child_instance_region_id: Some(a.region_id.clone()),
                        child_instance_type: Some(a.instance_type.as_str().into()),
                        managed_service: None,
                        status: Some(ctx.status(a).into()),
                    })
                    .collect::<Vec<_>>(),
            )
        })?;
        let (child_instance, total) = page.slice(items);
        Ok(t::DescribeCenAttachedChildInstancesResponse {
            child_instances: Some(t::DescribeCenAttachedChildInstancesResponseChildInstances {
                child_instance,
            }),
            page_number: Some(page.number),
            page_size: Some(page.size),
            request_id: Some(caller.request_id.clone()),
            total_count: Some(total),
        })
    }

    /// DescribeCenAttachedChildInstanceAttribute: one attachment, with the CIDR blocks of an
    /// attached VPC (the first block is CidrBlock, the others SecondaryCidrBlocks).
    ///
    /// Errors: unknown CEN instance `ParameterCenInstanceId`; unknown network instance
    /// `ParameterInstanceId`; an instance that exists but is not attached to this CEN instance
    /// `ParameterError` (404).
    pub fn describe_cen_attached_child_instance_attribute(
        &self,
        caller: &Caller,
        request: t::DescribeCenAttachedChildInstanceAttributeRequest,
    ) -> Result<t::DescribeCenAttachedChildInstanceAttributeResponse, ApiError> {
        let kind = request.child_instance_type.to_string();
        self.read(|state, ctx| {
            ctx.cen(state, caller, &request.cen_id)?;
            let instance = ctx
                .instance(state, &request.child_instance_id)
                .ok_or_else(errors::instance_not_found)?;
            let attachment = ctx
                .attachments(state, &request.cen_id)
                .find(|a| {
                    a.instance_id == request.child_instance_id
                        && a.instance_type.as_str() == kind
                        && a.region_id == request.child_instance_region_id
                })
                .ok_or_else(errors::parameter_error)?;
            let attributes =
                (instance.instance_type == InstanceType::Vpc).then(|| t::ChildInstanceAttributes {
                    cidr_block: instance.cidr_blocks.first().cloned(),
                    ipv6_cidr_block: None,
                    ipv6_cidr_blocks: None,
                    secondary_cidr_blocks: Some(t::ChildInstanceAttributesSecondaryCidrBlocks {
                        secondary_cidr_block: instance
                            .cidr_blocks
                            .iter()
                            .skip(1)
                            .cloned()
                            .collect(),
                    }),
                });
            Ok(t::DescribeCenAttachedChildInstanceAttributeResponse {
                cen_id: Some(attachment.cen_id.clone()),
                child_instance_attach_time: Some(minutes(attachment.life.created_at)),
                child_instance_attributes: attributes,
                child_instance_id: Some(attachment.instance_id.clone()),
                child_instance_name: instance.name.clone(),
                child_instance_owner_id: Some(attachment.owner),
                child_instance_region_id: Some(attachment.region_id.clone()),
                child_instance_type: Some(attachment.instance_type.as_str().into()),
                managed_service: None,
                request_id: Some(caller.request_id.clone()),
                status: Some(ctx.status(attachment).into()),
            })
        })
    }
}

#[cfg(test)]
mod tests {
    use crate::testing::{A, B, Harness, req};
    use serde_json::json;

    const HZ_VPC: &str = "vpc-bp1emuhz00000000001";
    const B_VPC: &str = "vpc-bp1emuhzb0000000001";

    fn attach_err(h: &Harness, uid: i64, body: serde_json::Value) -> (u16, String) {
        let e = h
            .emulator
            .attach_cen_child_instance(&h.caller(uid), req(body))
            .unwrap_err();
        (e.status, e.code)
    }

    fn children(h: &Harness, uid: i64, cen: &str) -> Vec<(String, String)> {
        h.emulator
            .describe_cen_attached_child_instances(&h.caller(uid), req(json!({"CenId": cen})))
            .unwrap()
            .child_instances
            .unwrap()
            .child_instance
            .into_iter()
            .map(|c| (c.child_instance_id.unwrap(), c.status.unwrap()))
            .collect()
    }

    #[test]
    fn attach_and_detach_lifecycle() {
        let h = Harness::new();
        let cen = h.active_cen(A);
        h.attach(A, &cen, HZ_VPC, "VPC", "cn-hangzhou");
        assert_eq!(children(&h, A, &cen), [(HZ_VPC.into(), "Attaching".into())]);
        // Detaching while Attaching is refused.
        let e = h
            .emulator
            .detach_cen_child_instance(
                &h.caller(A),
                req(json!({"CenId": cen, "ChildInstanceId": HZ_VPC, "ChildInstanceType": "VPC", "ChildInstanceRegionId": "cn-hangzhou"})),
            )
            .unwrap_err();
        assert_eq!(e.code, "InvalidOperation.ChildInstanceStatus");
        h.advance();
        assert_eq!(children(&h, A, &cen), [(HZ_VPC.into(), "Attached".into())]);

        let attr = h
            .emulator
            .describe_cen_attached_child_instance_attribute(
                &h.caller(A),
                req(json!({"CenId": cen, "ChildInstanceId": HZ_VPC, "ChildInstanceType": "VPC", "ChildInstanceRegionId": "cn-hangzhou"})),
            )
            .unwrap();
        assert_eq!(attr.status.as_deref(), Some("Attached"));
        assert_eq!(attr.child_instance_owner_id, Some(A));
        assert_eq!(
            attr.child_instance_attributes
                .unwrap()
                .cidr_block
                .as_deref(),
            Some("172.16.0.0/16")
        );

        h.detach(A, &cen, HZ_VPC, "VPC", "cn-hangzhou");
        assert_eq!(children(&h, A, &cen), [(HZ_VPC.into(), "Detaching".into())]);
        h.advance();
        assert!(children(&h, A, &cen).is_empty());
        // Detached instances can be attached again.
        h.attach(A, &cen, HZ_VPC, "VPC", "cn-hangzhou");
    }

    #[test]
    fn attach_errors() {
        let h = Harness::new();
        let creating = h.create_cen(A, json!({}));
        assert_eq!(
            attach_err(
                &h,
                A,
                json!({"CenId": creating, "ChildInstanceId": HZ_VPC, "ChildInstanceType": "VPC", "ChildInstanceRegionId": "cn-hangzhou"})
            ),
            (409, "InvalidOperation.CenInstanceStatus".into())
        );
        h.advance();
        let cen = creating;
        let other = h.active_cen(A);
        let body = |id: &str, kind: &str, region: &str| json!({"CenId": cen, "ChildInstanceId": id, "ChildInstanceType": kind, "ChildInstanceRegionId": region});
        let cases = [
            (
                json!({"CenId": "cen-nope", "ChildInstanceId": HZ_VPC, "ChildInstanceType": "VPC", "ChildInstanceRegionId": "cn-hangzhou"}),
                404,
                "ParameterCenInstanceId",
            ),
            (
                body("vpc-unknown", "VPC", "cn-hangzhou"),
                404,
                "ParameterInstanceId",
            ),
            (
                body(HZ_VPC, "VBR", "cn-hangzhou"),
                400,
                "ParameterIllegal.ChildInstanceType",
            ),
            (
                body(HZ_VPC, "VPC", "cn-shanghai"),
                400,
                "ParameterIllegal.ChildInstanceRegionId",
            ),
            // Another account's instance without ChildInstanceOwnerId is not found.
            (
                body(B_VPC, "VPC", "cn-hangzhou"),
                404,
                "ParameterInstanceId",
            ),
            (
                json!({"CenId": cen, "ChildInstanceId": B_VPC, "ChildInstanceType": "VPC", "ChildInstanceRegionId": "cn-hangzhou", "ChildInstanceOwnerId": 42}),
                404,
                "Bid.NotFound",
            ),
            (
                json!({"CenId": cen, "ChildInstanceId": B_VPC, "ChildInstanceType": "VPC", "ChildInstanceRegionId": "cn-hangzhou", "ChildInstanceOwnerId": B}),
                409,
                "Forbbiden.AttachChildInstanceAcrossUid",
            ),
        ];
        for (body, status, code) in cases {
            assert_eq!(
                attach_err(&h, A, body.clone()),
                (status, code.into()),
                "{body}"
            );
        }
        h.attach(A, &cen, HZ_VPC, "VPC", "cn-hangzhou");
        for target in [&cen, &other] {
            assert_eq!(
                attach_err(
                    &h,
                    A,
                    json!({"CenId": target, "ChildInstanceId": HZ_VPC, "ChildInstanceType": "VPC", "ChildInstanceRegionId": "cn-hangzhou"})
                ),
                (409, "InvalidOperation.ChildInstanceAlreadyAttached".into())
            );
        }
        // VBR and CCN instances attach too.
        h.attach(A, &cen, "vbr-bp1emuhz00000000001", "VBR", "cn-hangzhou");
        h.attach(A, &cen, "ccn-emush000000000001", "CCN", "cn-shanghai");
        let only_vbr = h
            .emulator
            .describe_cen_attached_child_instances(
                &h.caller(A),
                req(json!({"CenId": cen, "ChildInstanceType": "VBR"})),
            )
            .unwrap();
        assert_eq!(only_vbr.total_count, Some(1));
        let in_shanghai = h
            .emulator
            .describe_cen_attached_child_instances(
                &h.caller(A),
                req(json!({"CenId": cen, "ChildInstanceRegionId": "cn-shanghai", "PageSize": 1})),
            )
            .unwrap();
        assert_eq!(in_shanghai.total_count, Some(1));
    }

    #[test]
    fn cross_account_attach_needs_a_grant() {
        let h = Harness::new();
        let cen = h.active_cen(A);
        let body = json!({"CenId": cen, "ChildInstanceId": B_VPC, "ChildInstanceType": "VPC", "ChildInstanceRegionId": "cn-hangzhou", "ChildInstanceOwnerId": B});
        assert_eq!(
            attach_err(&h, A, body.clone()).1,
            "Forbbiden.AttachChildInstanceAcrossUid"
        );
        // A grant to another CEN instance does not help.
        let elsewhere = h.active_cen(A);
        h.grant(B, &elsewhere, A, B_VPC, "VPC", "cn-hangzhou");
        assert_eq!(
            attach_err(&h, A, body.clone()).1,
            "Forbbiden.AttachChildInstanceAcrossUid"
        );
        h.grant(B, &cen, A, B_VPC, "VPC", "cn-hangzhou");
        h.emulator
            .attach_cen_child_instance(&h.caller(A), req(body))
            .unwrap();
        h.advance();
        assert_eq!(children(&h, A, &cen), [(B_VPC.into(), "Attached".into())]);
        h.emulator
            .detach_cen_child_instance(
                &h.caller(A),
                req(json!({"CenId": cen, "ChildInstanceId": B_VPC, "ChildInstanceType": "VPC", "ChildInstanceRegionId": "cn-hangzhou", "ChildInstanceOwnerId": B})),
            )
            .unwrap();
    }

    #[test]
    fn detach_and_attribute_errors() {
        let h = Harness::new();
        let cen = h.active_cen(A);
        let detach = |body: serde_json::Value| {
            h.emulator
                .detach_cen_child_instance(&h.caller(A), req(body))
                .unwrap_err()
                .code
        };
        let body = |id: &str, kind: &str, region: &str| json!({"CenId": cen, "ChildInstanceId": id, "ChildInstanceType": kind, "ChildInstanceRegionId": region});
        assert_eq!(
            detach(body(HZ_VPC, "VPC", "cn-hangzhou")),
            "ParameterInstanceId"
        );
        h.attach(A, &cen, HZ_VPC, "VPC", "cn-hangzhou");
        h.advance();
        assert_eq!(
            detach(body(HZ_VPC, "VBR", "cn-hangzhou")),
            "ParameterIllegal.ChildInstanceType"
        );
        assert_eq!(
            detach(body(HZ_VPC, "VPC", "cn-beijing")),
            "ParameterIllegal.ChildInstanceRegionId"
        );
        assert_eq!(
            detach(
                json!({"CenId": cen, "CenOwnerId": B, "ChildInstanceId": HZ_VPC, "ChildInstanceType": "VPC", "ChildInstanceRegionId": "cn-hangzhou"})
            ),
            "ParameterCenInstanceId"
        );
        assert_eq!(
            detach(
                json!({"CenId": cen, "ChildInstanceOwnerId": 42, "ChildInstanceId": HZ_VPC, "ChildInstanceType": "VPC", "ChildInstanceRegionId": "cn-hangzhou"})
            ),
            "Bid.NotFound"
        );
        let attribute = |id: &str| {
            h.emulator
                .describe_cen_attached_child_instance_attribute(
                    &h.caller(A),
                    req(json!({"CenId": cen, "ChildInstanceId": id, "ChildInstanceType": "VPC", "ChildInstanceRegionId": "cn-hangzhou"})),
                )
                .unwrap_err()
        };
        assert_eq!(attribute("vpc-nope").code, "ParameterInstanceId");
        let e = attribute("vpc-bp1emuhz00000000002");
        assert_eq!((e.status, e.code.as_str()), (404, "ParameterError"));
        let e = h
            .emulator
            .describe_cen_attached_child_instances(&h.caller(B), req(json!({"CenId": cen})))
            .unwrap_err();
        assert_eq!(e.code, "ParameterCenInstanceId");
    }
}
