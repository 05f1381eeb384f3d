//! The business errors the emulator answers with, spelled exactly as Alibaba documents them.
//!
//! Codes, statuses and messages come from each operation's `x-acs-errors` in `spec/`, or, where an
//! operation documents nothing for a situation, from the CEN-wide table of the 2019 reference
//! (chapter 6). Misspellings (`Forbbiden.*`, `UnsupportnexthopType`) are Alibaba's and are kept.

use acs_rpc::error::ApiError;

fn e(status: u16, code: &str, message: &str) -> ApiError {
    ApiError::new(status, code, message)
}

/// `InvalidParameter`: an enum, format or range violation of an API parameter.
pub fn invalid_parameter() -> ApiError {
    e(400, "InvalidParameter", "Invalid parameter.")
}

/// `MissingParameter`: a parameter the operation needs was not given.
pub fn missing_parameter(name: &str) -> ApiError {
    e(
        400,
        "MissingParameter",
        &format!(
            "The input parameter \"{name}\" that is mandatory for processing this request is not supplied."
        ),
    )
}

/// `IdempotenceParam.NotMatch`: a `ClientToken` was reused with other parameters (2019 ch. 6).
pub fn idempotence_not_match() -> ApiError {
    e(
        400,
        "IdempotenceParam.NotMatch",
        "The parameter of idempotence is not match.",
    )
}

/// `ParameterCenInstanceId`: the CEN instance does not exist (for this caller).
pub fn cen_not_found() -> ApiError {
    e(
        404,
        "ParameterCenInstanceId",
        "The specified CEN instance id does not exist.",
    )
}

/// `InvalidOperation.CenInstanceStatus`: the CEN instance is Creating, Modifying or Deleting.
pub fn cen_status() -> ApiError {
    e(
        409,
        "InvalidOperation.CenInstanceStatus",
        "The CEN instance is not in a valid state for the operation.",
    )
}

/// `InvalidOperation.ChildInstanceStatus`: the attachment is Attaching or Detaching.
pub fn child_status() -> ApiError {
    e(
        409,
        "InvalidOperation.ChildInstanceStatus",
        "The child-instance is not in a valid state for the operation.",
    )
}

/// `ParameterInstanceId`: the network instance does not exist in the named account (2019 ch. 6).
pub fn instance_not_found() -> ApiError {
    e(
        404,
        "ParameterInstanceId",
        "The specified instance id does not exist.",
    )
}

/// `ParameterError`: DescribeCenAttachedChildInstanceAttribute on an instance that is not
/// attached to that CEN instance.
pub fn parameter_error() -> ApiError {
    e(404, "ParameterError", "The parameter is error.")
}

/// `ParameterBwpInstanceId`: the bandwidth plan does not exist.
pub fn bwp_not_found() -> ApiError {
    e(
        404,
        "ParameterBwpInstanceId",
        "The specified bandwidth package instance id does not exist.",
    )
}

/// `InvalidOperation.ChildInstanceAlreadyAttached`: the instance is attached to a CEN instance.
pub fn child_already_attached() -> ApiError {
    e(
        409,
        "InvalidOperation.ChildInstanceAlreadyAttached",
        "Operation is invalid because the child-instance has already been attached to another CEN.",
    )
}

/// `Forbbiden.AttachChildInstanceAcrossUid` (sic): no grant from the instance owner.
pub fn across_uid() -> ApiError {
    e(
        409,
        "Forbbiden.AttachChildInstanceAcrossUid",
        "Operation is invalid because the child-instance is not authorized to CEN.",
    )
}

/// `Bid.NotFound` as AttachCenChildInstance words it: the owner account is unknown.
pub fn bid_not_found_attach() -> ApiError {
    e(
        404,
        "Bid.NotFound",
        "Not found childInstance Bid by specified AliUid.",
    )
}

/// `Bid.NotFound` as DetachCenChildInstance words it.
pub fn bid_not_found_detach() -> ApiError {
    e(404, "Bid.NotFound", "Not found Bid by specified AliUid.")
}

/// `InvalidOperation.AttachedChildInstanceExist` (2019 ch. 6): DeleteCen while network instances
/// are attached. Emulator rule: no current page documents this case.
pub fn attached_child_exist() -> ApiError {
    e(
        409,
        "InvalidOperation.AttachedChildInstanceExist",
        "Operation is invalid because the child-instance have not been detached.",
    )
}

/// `InvalidOperation.BwpInstanceStatus`: the plan is not Idle (or not associated, for
/// unassociation). DeleteCenBandwidthPackage documents 403, the other operations 400.
pub fn bwp_instance_status(status: u16) -> ApiError {
    e(
        status,
        "InvalidOperation.BwpInstanceStatus",
        "The CBN bandwidth package is not in a valid state for the operation.",
    )
}

/// `InvalidOperation.BwpForGeoSpanAlreadyAssociated`: a plan for the same span is associated.
pub fn bwp_span_already_associated() -> ApiError {
    e(
        409,
        "InvalidOperation.BwpForGeoSpanAlreadyAssociated",
        "Operation is invalid because a bandwidth package corresponding to the geographic span is already associated.",
    )
}

/// `InvalidOperation.BwpForGeoSpanNotAssociated`: no associated plan covers the two regions.
pub fn bwp_span_not_associated() -> ApiError {
    e(
        409,
        "InvalidOperation.BwpForGeoSpanNotAssociated",
        "Operation is invalid because a bandwidth package corresponding to the geographic span is not associated.",
    )
}

/// `InvalidOperation.BwpBandwidthExceeded`: the limits of a span would exceed its plan.
pub fn bwp_bandwidth_exceeded() -> ApiError {
    e(
        409,
        "InvalidOperation.BwpBandwidthExceeded",
        "Operation is invalid because the total bandwidth limit has exceeded that of the bandwidth package.",
    )
}

/// `InvalidOperation.CenBandwidthLimitsNotZero`: inter-region limits still draw on the plan.
/// The documented message is empty; the emulator says what is wrong.
pub fn limits_not_zero() -> ApiError {
    e(
        400,
        "InvalidOperation.CenBandwidthLimitsNotZero",
        "Operation is invalid because inter-region bandwidth limits still use the bandwidth package.",
    )
}

/// `Operation.Failed`: ModifyCenBandwidthPackageSpec without a change.
pub fn spec_not_changed() -> ApiError {
    e(
        400,
        "Operation.Failed",
        "Spec of the specified bandwidth package is not changed, please check again.",
    )
}

/// `IllegalParam.BandwidthType`.
pub fn illegal_bandwidth_type() -> ApiError {
    e(
        400,
        "IllegalParam.BandwidthType",
        "BandwidthType is illegal.",
    )
}

/// `IllegalParam.Bandwidth`.
pub fn illegal_bandwidth() -> ApiError {
    e(400, "IllegalParam.Bandwidth", "Bandwidth is illegal.")
}

/// `ParameterIllegal.RegionId` (2019 ch. 6): a region where the CEN instance has no attached
/// network instance, or that CEN does not serve.
pub fn illegal_region() -> ApiError {
    e(
        400,
        "ParameterIllegal.RegionId",
        "The parameter of region id is illegal.",
    )
}

/// `ParameterIllegal.CenInstanceId`.
pub fn illegal_cen_id() -> ApiError {
    e(
        400,
        "ParameterIllegal.CenInstanceId",
        "The parameter of CEN instance id is illegal.",
    )
}

/// `ParameterIllegal.ChildInstanceRegionId`: the instance is in another region.
pub fn illegal_child_region() -> ApiError {
    e(
        400,
        "ParameterIllegal.ChildInstanceRegionId",
        "The parameter of child instance region id is illegal.",
    )
}

/// `ParameterIllegal.ChildInstanceType`: the instance is of another type.
pub fn illegal_child_type() -> ApiError {
    e(
        400,
        "ParameterIllegal.ChildInstanceType",
        "The parameter of child instance type is illegal.",
    )
}

/// `Instance.NotExist`: the route operations' not-found (instance or route table).
pub fn instance_not_exist() -> ApiError {
    e(404, "Instance.NotExist", "The instance is not exist.")
}

/// `InvalidOperation.NotFoundRoute`, whose message differs between the two operations.
pub fn not_found_route(publish: bool) -> ApiError {
    let message = if publish {
        "The specified route does not exist."
    } else {
        "You cannot query the system routing information of the specified instance."
    };
    e(400, "InvalidOperation.NotFoundRoute", message)
}

/// `InvalidOperation.UnsupportnexthopType` (sic), whose message differs between the operations.
pub fn unsupported_next_hop(publish: bool) -> ApiError {
    let message = if publish {
        "The nexthop type is unsupported"
    } else {
        "The specified next hop type is not supported by this operation."
    };
    e(400, "InvalidOperation.UnsupportnexthopType", message)
}

/// `InvalidChildInstanceId.NotFound`: DescribeRouteConflict on an unknown instance.
pub fn child_id_not_found() -> ApiError {
    e(
        404,
        "InvalidChildInstanceId.NotFound",
        "The specified ChildInstanceId is not found.",
    )
}

/// `OperationFailed.StatusNotSupport`: a health check on a VBR not Attached to the CEN instance.
pub fn health_status_not_support() -> ApiError {
    e(
        400,
        "OperationFailed.StatusNotSupport",
        "The VBR or VPC instance to CBN attachment is not in a valid state for the operation.",
    )
}

/// `Illegal.SourceIpOrTargetIp`.
pub fn illegal_source_or_target_ip() -> ApiError {
    e(
        400,
        "Illegal.SourceIpOrTargetIp",
        "The specified source IP address or destination IP address is invalid.",
    )
}

/// `OperationFailed.SourceIpUnSupported`: a custom source outside the private ranges.
pub fn source_ip_unsupported() -> ApiError {
    e(
        400,
        "OperationFailed.SourceIpUnSupported",
        "The specified source IP address is unsupported.",
    )
}

/// `InvalidOperation.VbrNotAttachedToCen` (2019 ch. 6).
pub fn vbr_not_attached() -> ApiError {
    e(
        409,
        "InvalidOperation.VbrNotAttachedToCen",
        "Operation is invalid because the VBR instance is not attached to the CEN instance.",
    )
}

/// `InvalidTagKey` (CEN instances and the tag operations).
pub fn invalid_tag_key() -> ApiError {
    e(400, "InvalidTagKey", "The tag keys are not valid.")
}

/// `InvalidTagValue`.
pub fn invalid_tag_value() -> ApiError {
    e(400, "InvalidTagValue", "The tag values are not valid.")
}

/// `IllegalParam.TagKey`, DescribeCenBandwidthPackages' spelling of `InvalidTagKey`.
pub fn illegal_tag_key() -> ApiError {
    e(400, "IllegalParam.TagKey", "The tag keys are not valid.")
}

/// `IllegalParam.TagValue`, DescribeCenBandwidthPackages' spelling of `InvalidTagValue`.
pub fn illegal_tag_value() -> ApiError {
    e(
        400,
        "IllegalParam.TagValue",
        "The tag values are not valid.",
    )
}

/// `DuplicatedParam.TagKey`.
pub fn duplicated_tag_key() -> ApiError {
    e(
        400,
        "DuplicatedParam.TagKey",
        "The parameter TagKey is duplicated.",
    )
}

/// `MissingParam`, whose documented message is the format string `%s`, filled here.
pub fn missing_param(name: &str) -> ApiError {
    e(
        400,
        "MissingParam",
        &format!("The parameter {name} is missing."),
    )
}

/// `InvalidInstanceType.NotFound`: a ResourceType the tag operations do not serve.
pub fn tag_resource_type_not_found() -> ApiError {
    e(
        400,
        "InvalidInstanceType.NotFound",
        "The instance type is not found",
    )
}

/// `InvalidInstanceIds.NotFound`: a ResourceId that is not the caller's.
pub fn tag_resource_ids_not_found() -> ApiError {
    e(
        400,
        "InvalidInstanceIds.NotFound",
        "The instanceIds are not found",
    )
}

/// `QuotaExceeded.TagNum`: more than 20 tags on one resource.
pub fn tag_quota_exceeded() -> ApiError {
    e(400, "QuotaExceeded.TagNum", "Custom Tags quota exceeded")
}

/// `SizeLimitExceeded.ResourceIdNum`.
pub fn resource_id_num_exceeded() -> ApiError {
    e(
        400,
        "SizeLimitExceeded.ResourceIdNum",
        "The ResourceIds parameter's number is exceed , Valid : 20",
    )
}

/// `MissingParameter.TagKey`.
pub fn missing_tag_key() -> ApiError {
    e(400, "MissingParameter.TagKey", "TagKey must be specified.")
}

/// `BothEmpty.TagsAndResources`.
pub fn both_empty_tags_and_resources() -> ApiError {
    e(
        400,
        "BothEmpty.TagsAndResources",
        "Both of Tags and ResourceIds is empty.",
    )
}

/// `IllegalParam.NextToken`.
pub fn illegal_next_token() -> ApiError {
    e(
        400,
        "IllegalParam.NextToken",
        "The parameter NextToken is invalid.",
    )
}

/// Vpc `InvalidInstanceId.NotFound`: the instance is not the caller's (or not in that region).
pub fn vpc_instance_not_found() -> ApiError {
    e(
        404,
        "InvalidInstanceId.NotFound",
        "Specified Instance does not exist.",
    )
}

/// Vpc `InstanceType.Invalid`: the instance exists but is of another type.
pub fn vpc_instance_type_invalid() -> ApiError {
    e(404, "InstanceType.Invalid", "Specified type is not valid.")
}

/// Vpc `InvalidRegionId.NotFound`.
pub fn vpc_region_not_found() -> ApiError {
    e(
        404,
        "InvalidRegionId.NotFound",
        "The RegionId provided does not exist in our records.",
    )
}

/// Vpc `IllegalParam.CenInstanceId` (documented message `%s`, filled here).
pub fn vpc_illegal_cen_id() -> ApiError {
    e(
        400,
        "IllegalParam.CenInstanceId",
        "The parameter CenInstanceId is illegal.",
    )
}

/// Vpc `Invalid.Grant`: CenOwnerId is not the owner of the CEN instance.
pub fn vpc_invalid_grant() -> ApiError {
    e(400, "Invalid.Grant", "Can not grant to other owner cen.")
}

/// Vpc `IncorrectStatus.cbnStatus`: revoking while the instance is attached to that CEN.
pub fn vpc_cbn_status() -> ApiError {
    e(
        400,
        "IncorrectStatus.cbnStatus",
        "Current CBN status does not support this operation.",
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use cen_types::operations::{CBN, VPC};

    /// Every error that an operation documents must be rendered exactly as documented, so this
    /// checks each (operation, error) pair the emulator uses against the generated metadata.
    #[test]
    fn documented_errors_match_the_spec() {
        let cases: Vec<(&str, ApiError)> = vec![
            ("DeleteCen", cen_not_found()),
            ("DeleteCen", cen_status()),
            ("DescribeCens", invalid_tag_key()),
            ("DescribeCens", invalid_tag_value()),
            ("DescribeCenBandwidthPackages", illegal_tag_key()),
            ("DescribeCenBandwidthPackages", illegal_tag_value()),
            ("AttachCenChildInstance", child_already_attached()),
            ("AttachCenChildInstance", across_uid()),
            ("AttachCenChildInstance", bid_not_found_attach()),
            ("DetachCenChildInstance", bid_not_found_detach()),
            (
                "DescribeCenAttachedChildInstanceAttribute",
                parameter_error(),
            ),
            (
                "DescribeCenAttachedChildInstanceAttribute",
                instance_not_found(),
            ),
            ("DeleteCenBandwidthPackage", bwp_not_found()),
            ("DeleteCenBandwidthPackage", bwp_instance_status(403)),
            ("AssociateCenBandwidthPackage", bwp_instance_status(400)),
            ("ModifyCenBandwidthPackageSpec", spec_not_changed()),
            ("SetCenInterRegionBandwidthLimit", illegal_bandwidth_type()),
            ("SetCenInterRegionBandwidthLimit", illegal_bandwidth()),
            ("PublishRouteEntries", not_found_route(true)),
            ("WithdrawPublishedRouteEntries", not_found_route(false)),
            ("PublishRouteEntries", unsupported_next_hop(true)),
            ("WithdrawPublishedRouteEntries", unsupported_next_hop(false)),
            ("PublishRouteEntries", instance_not_exist()),
            ("PublishRouteEntries", child_status()),
            ("PublishRouteEntries", illegal_cen_id()),
            ("PublishRouteEntries", illegal_child_region()),
            ("PublishRouteEntries", illegal_child_type()),
            ("DescribeRouteConflict", child_id_not_found()),
            ("EnableCenVbrHealthCheck", health_status_not_support()),
            ("EnableCenVbrHealthCheck", illegal_source_or_target_ip()),
            ("EnableCenVbrHealthCheck", source_ip_unsupported()),
            ("TagResources", duplicated_tag_key()),
            ("TagResources", tag_resource_type_not_found()),
            ("TagResources", tag_resource_ids_not_found()),
            ("TagResources", tag_quota_exceeded()),
            ("TagResources", resource_id_num_exceeded()),
            ("TagResources", missing_tag_key()),
            ("ListTagResources", both_empty_tags_and_resources()),
            ("ListTagResources", illegal_next_token()),
            ("CreateCen", invalid_parameter()),
        ];
        for (action, error) in cases {
            let op = CBN.operation(action).expect(action);
            let documented = op
                .error(&error.code)
                .unwrap_or_else(|| panic!("{action} does not document {}", error.code));
            assert_eq!(documented.status, error.status, "{action} {}", error.code);
            assert_eq!(documented.message, error.message, "{action} {}", error.code);
        }
        let vpc: Vec<(&str, ApiError)> = vec![
            ("GrantInstanceToCen", vpc_instance_not_found()),
            ("GrantInstanceToCen", vpc_instance_type_invalid()),
            ("GrantInstanceToCen", vpc_region_not_found()),
            ("GrantInstanceToCen", vpc_invalid_grant()),
            ("RevokeInstanceFromCen", vpc_cbn_status()),
        ];
        for (action, error) in vpc {
            let op = VPC.operation(action).expect(action);
            let documented = op.error(&error.code).expect(&error.code);
            assert_eq!(documented.status, error.status);
            assert_eq!(documented.message, error.message);
        }
    }
}
