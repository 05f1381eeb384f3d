//! The business errors the emulator answers with, each built by the generated error catalogue
//! of the operation (or the product-wide table) that documents it, so that codes, statuses and
//! messages live in `spec/` only. The functions name the situations the domain code meets; the
//! generated service re-checks every answer against the operation that gives it
//! (`cen_server::catalogue`).

use acs_rpc::error::ApiError;
use cen_server::cbn::errors as cbn;
use cen_server::vpc::errors as vpc;

/// A documented error with a message that says exactly what is wrong. The wire carries it only
/// where the answering operation documents the code without a message (or with a template);
/// elsewhere the generated service answers the documented message and logs this one
/// (`cen_server::catalogue::checked`), so the detail still reaches the emulator's log.
pub fn saying(error: fn() -> ApiError, message: impl Into<String>) -> ApiError {
    let mut error = error();
    error.message = message.into();
    error
}

/// `InvalidParameter`: an enum, format or range violation of an API parameter.
pub fn invalid_parameter() -> ApiError {
    cbn::create_cen::invalid_parameter()
}

/// `MissingParameter`: a parameter the operation needs was not given.
pub fn missing_parameter(name: &str) -> ApiError {
    cen_server::decode::missing_parameter(name)
}

/// `IdempotenceParam.NotMatch`: a `ClientToken` was reused with other parameters (2019 ch. 6).
pub fn idempotence_not_match() -> ApiError {
    cbn::common::idempotence_param_not_match()
}

/// `ParameterCenInstanceId`: the CEN instance does not exist (for this caller).
pub fn cen_not_found() -> ApiError {
    cbn::common::parameter_cen_instance_id()
}

/// `InvalidOperation.CenInstanceStatus`: the CEN instance is Creating, Modifying or Deleting.
pub fn cen_status() -> ApiError {
    cbn::common::invalid_operation_cen_instance_status()
}

/// `InvalidOperation.ChildInstanceStatus`: the attachment is Attaching or Detaching.
pub fn child_status() -> ApiError {
    cbn::common::invalid_operation_child_instance_status()
}

/// `ParameterInstanceId`: the network instance does not exist in the named account (2019 ch. 6).
pub fn instance_not_found() -> ApiError {
    cbn::common::parameter_instance_id()
}

/// `ParameterError`: DescribeCenAttachedChildInstanceAttribute on an instance that is not
/// attached to that CEN instance.
pub fn parameter_error() -> ApiError {
    cbn::common::parameter_error()
}

/// `ParameterBwpInstanceId`: the bandwidth plan does not exist.
pub fn bwp_not_found() -> ApiError {
    cbn::common::parameter_bwp_instance_id()
}

/// `InvalidOperation.ChildInstanceAlreadyAttached`: the instance is attached to a CEN instance.
pub fn child_already_attached() -> ApiError {
    cbn::common::invalid_operation_child_instance_already_attached()
}

/// `Forbbiden.AttachChildInstanceAcrossUid` (sic): no grant from the instance owner.
pub fn across_uid() -> ApiError {
    cbn::common::forbbiden_attach_child_instance_across_uid()
}

/// `Bid.NotFound` as AttachCenChildInstance words it: the owner account is unknown.
pub fn bid_not_found_attach() -> ApiError {
    cbn::attach_cen_child_instance::bid_not_found()
}

/// `Bid.NotFound` as DetachCenChildInstance words it.
pub fn bid_not_found_detach() -> ApiError {
    cbn::detach_cen_child_instance::bid_not_found()
}

/// `InvalidOperation.AttachedChildInstanceExist` (2019 ch. 6): DeleteCen while network instances
/// are attached. Emulator rule: no current page documents this case.
pub fn attached_child_exist() -> ApiError {
    cbn::common::invalid_operation_attached_child_instance_exist()
}

/// `InvalidOperation.BwpInstanceStatus`: the plan is not Idle (or not associated, for
/// unassociation). DeleteCenBandwidthPackage documents 403, the other operations 400.
pub fn bwp_instance_status(status: u16) -> ApiError {
    let mut error = cbn::associate_cen_bandwidth_package::invalid_operation_bwp_instance_status();
    error.status = status;
    error
}

/// `InvalidOperation.BwpForGeoSpanAlreadyAssociated`: a plan for the same span is associated.
pub fn bwp_span_already_associated() -> ApiError {
    cbn::common::invalid_operation_bwp_for_geo_span_already_associated()
}

/// `InvalidOperation.BwpForGeoSpanNotAssociated`: no associated plan covers the two regions.
pub fn bwp_span_not_associated() -> ApiError {
    cbn::common::invalid_operation_bwp_for_geo_span_not_associated()
}

/// `InvalidOperation.BwpBandwidthExceeded`: the limits of a span would exceed its plan.
pub fn bwp_bandwidth_exceeded() -> ApiError {
    cbn::common::invalid_operation_bwp_bandwidth_exceeded()
}

/// `InvalidOperation.CenBandwidthLimitsNotZero`: inter-region limits still draw on the plan.
/// The documented message is empty; the emulator says what is wrong.
pub fn limits_not_zero() -> ApiError {
    // The reference documents the code without a message; this wording is the emulator's.
    let mut error =
        cbn::delete_cen_bandwidth_package::invalid_operation_cen_bandwidth_limits_not_zero();
    error.message =
        "Operation is invalid because inter-region bandwidth limits still use the bandwidth package."
            .to_owned();
    error
}

/// `Operation.Failed`: ModifyCenBandwidthPackageSpec without a change.
pub fn spec_not_changed() -> ApiError {
    cbn::modify_cen_bandwidth_package_spec::operation_failed()
}

/// `IllegalParam.BandwidthType`.
pub fn illegal_bandwidth_type() -> ApiError {
    cbn::set_cen_inter_region_bandwidth_limit::illegal_param_bandwidth_type()
}

/// `IllegalParam.Bandwidth`.
pub fn illegal_bandwidth() -> ApiError {
    cbn::set_cen_inter_region_bandwidth_limit::illegal_param_bandwidth()
}

/// `ParameterIllegal.RegionId` (2019 ch. 6): a region where the CEN instance has no attached
/// network instance, or that CEN does not serve.
pub fn illegal_region() -> ApiError {
    cbn::common::parameter_illegal_region_id()
}

/// `ParameterIllegal.CenInstanceId`.
pub fn illegal_cen_id() -> ApiError {
    cbn::describe_published_route_entries::parameter_illegal_cen_instance_id()
}

/// `ParameterIllegal.ChildInstanceRegionId`: the instance is in another region.
pub fn illegal_child_region() -> ApiError {
    cbn::common::parameter_illegal_child_instance_region_id()
}

/// `ParameterIllegal.ChildInstanceType`: the instance is of another type.
pub fn illegal_child_type() -> ApiError {
    cbn::common::parameter_illegal_child_instance_type()
}

/// `Instance.NotExist`: the route operations' not-found (instance or route table).
pub fn instance_not_exist() -> ApiError {
    cbn::describe_published_route_entries::instance_not_exist()
}

/// `InvalidOperation.NotFoundRoute`, whose message differs between the two operations.
pub fn not_found_route(publish: bool) -> ApiError {
    if publish {
        cbn::publish_route_entries::invalid_operation_not_found_route()
    } else {
        cbn::withdraw_published_route_entries::invalid_operation_not_found_route()
    }
}

/// `InvalidOperation.UnsupportnexthopType` (sic), whose message differs between the operations.
pub fn unsupported_next_hop(publish: bool) -> ApiError {
    if publish {
        cbn::publish_route_entries::invalid_operation_unsupportnexthop_type()
    } else {
        cbn::withdraw_published_route_entries::invalid_operation_unsupportnexthop_type()
    }
}

/// `InvalidChildInstanceId.NotFound`: DescribeRouteConflict on an unknown instance.
pub fn child_id_not_found() -> ApiError {
    cbn::describe_route_conflict::invalid_child_instance_id_not_found()
}

/// `OperationFailed.StatusNotSupport`: a health check on a VBR not Attached to the CEN instance.
pub fn health_status_not_support() -> ApiError {
    cbn::enable_cen_vbr_health_check::operation_failed_status_not_support()
}

/// `Illegal.SourceIpOrTargetIp`.
pub fn illegal_source_or_target_ip() -> ApiError {
    cbn::enable_cen_vbr_health_check::illegal_source_ip_or_target_ip()
}

/// `OperationFailed.SourceIpUnSupported`: a custom source outside the private ranges.
pub fn source_ip_unsupported() -> ApiError {
    cbn::enable_cen_vbr_health_check::operation_failed_source_ip_un_supported()
}

/// `InvalidOperation.VbrNotAttachedToCen` (2019 ch. 6).
pub fn vbr_not_attached() -> ApiError {
    cbn::common::invalid_operation_vbr_not_attached_to_cen()
}

/// `InvalidTagKey` (CEN instances and the tag operations).
pub fn invalid_tag_key() -> ApiError {
    cbn::describe_cens::invalid_tag_key()
}

/// `InvalidTagValue`.
pub fn invalid_tag_value() -> ApiError {
    cbn::create_cen::invalid_tag_value()
}

/// `IllegalParam.TagKey`, DescribeCenBandwidthPackages' spelling of `InvalidTagKey`.
pub fn illegal_tag_key() -> ApiError {
    cbn::describe_cen_bandwidth_packages::illegal_param_tag_key()
}

/// `IllegalParam.TagValue`, DescribeCenBandwidthPackages' spelling of `InvalidTagValue`.
pub fn illegal_tag_value() -> ApiError {
    cbn::describe_cen_bandwidth_packages::illegal_param_tag_value()
}

/// `DuplicatedParam.TagKey`.
pub fn duplicated_tag_key() -> ApiError {
    cbn::tag_resources::duplicated_param_tag_key()
}

/// `MissingParam`, whose documented message is the format string `%s`, filled here.
pub fn missing_param(name: &str) -> ApiError {
    let mut error = cbn::tag_resources::missing_param();
    error.message = format!("The parameter {name} is missing.");
    error
}

/// `InvalidInstanceType.NotFound`: a ResourceType the tag operations do not serve.
pub fn tag_resource_type_not_found() -> ApiError {
    cbn::tag_resources::invalid_instance_type_not_found()
}

/// `InvalidInstanceIds.NotFound`: a ResourceId that is not the caller's.
pub fn tag_resource_ids_not_found() -> ApiError {
    cbn::tag_resources::invalid_instance_ids_not_found()
}

/// `QuotaExceeded.TagNum`: more than 20 tags on one resource.
pub fn tag_quota_exceeded() -> ApiError {
    cbn::tag_resources::quota_exceeded_tag_num()
}

/// `SizeLimitExceeded.ResourceIdNum`.
pub fn resource_id_num_exceeded() -> ApiError {
    cbn::tag_resources::size_limit_exceeded_resource_id_num()
}

/// `MissingParameter.TagKey`.
pub fn missing_tag_key() -> ApiError {
    cbn::tag_resources::missing_parameter_tag_key()
}

/// `BothEmpty.TagsAndResources`.
pub fn both_empty_tags_and_resources() -> ApiError {
    cbn::list_tag_resources::both_empty_tags_and_resources()
}

/// `IllegalParam.NextToken`.
pub fn illegal_next_token() -> ApiError {
    cbn::list_tag_resources::illegal_param_next_token()
}

/// Vpc `InvalidInstanceId.NotFound`: the instance is not the caller's (or not in that region).
pub fn vpc_instance_not_found() -> ApiError {
    vpc::grant_instance_to_cen::invalid_instance_id_not_found()
}

/// Vpc `InstanceType.Invalid`: the instance exists but is of another type.
pub fn vpc_instance_type_invalid() -> ApiError {
    vpc::grant_instance_to_cen::instance_type_invalid()
}

/// Vpc `InvalidRegionId.NotFound`.
pub fn vpc_region_not_found() -> ApiError {
    vpc::grant_instance_to_cen::invalid_region_id_not_found()
}

/// Vpc `IllegalParam.CenInstanceId` (documented message `%s`, filled here).
pub fn vpc_illegal_cen_id() -> ApiError {
    // The documented message is the format string `%s`, filled here.
    let mut error = vpc::grant_instance_to_cen::illegal_param_cen_instance_id();
    error.message = "The parameter CenInstanceId is illegal.".to_owned();
    error
}

/// Vpc `Invalid.Grant`: CenOwnerId is not the owner of the CEN instance.
pub fn vpc_invalid_grant() -> ApiError {
    vpc::grant_instance_to_cen::invalid_grant()
}

/// Vpc `IncorrectStatus.cbnStatus`: revoking while the instance is attached to that CEN.
pub fn vpc_cbn_status() -> ApiError {
    vpc::revoke_instance_from_cen::incorrect_status_cbn_status()
}
