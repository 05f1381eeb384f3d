//! The generated `Cbn` and `Vpc` server traits, implemented by delegating each operation to the
//! domain method of the same name (the Vpc DescribeGrantRulesToCen is
//! [`Emulator::vpc_describe_grant_rules_to_cen`]).
//!
//! The domain is synchronous (a lock and, with `--data`, one SQLite commit), so each future is
//! ready at once.

use std::future::{Future, ready};

use acs_rpc::error::ApiError;
use cen_server::RequestContext;

use crate::api::{cbn as t, vpc as v};
use crate::emulator::{Caller, Emulator};

/// Generates one delegating trait method per operation.
macro_rules! delegate {
    ($types:ident; $($method:ident => $domain:ident ($request:ident) -> $response:ident;)*) => {
        $(
            fn $method(
                &self,
                ctx: &RequestContext,
                request: $types::$request,
            ) -> impl Future<Output = Result<$types::$response, ApiError>> + Send {
                ready(
                    Caller::from_context(&ctx.caller_uid, &ctx.request_id)
                        .and_then(|caller| Emulator::$domain(self, &caller, request)),
                )
            }
        )*
    };
}

impl cen_server::cbn::Cbn for Emulator {
    delegate! { t;
        associate_cen_bandwidth_package => associate_cen_bandwidth_package(AssociateCenBandwidthPackageRequest) -> AssociateCenBandwidthPackageResponse;
        attach_cen_child_instance => attach_cen_child_instance(AttachCenChildInstanceRequest) -> AttachCenChildInstanceResponse;
        create_cen => create_cen(CreateCenRequest) -> CreateCenResponse;
        create_cen_bandwidth_package => create_cen_bandwidth_package(CreateCenBandwidthPackageRequest) -> CreateCenBandwidthPackageResponse;
        delete_cen => delete_cen(DeleteCenRequest) -> DeleteCenResponse;
        delete_cen_bandwidth_package => delete_cen_bandwidth_package(DeleteCenBandwidthPackageRequest) -> DeleteCenBandwidthPackageResponse;
        describe_cen_attached_child_instance_attribute => describe_cen_attached_child_instance_attribute(DescribeCenAttachedChildInstanceAttributeRequest) -> DescribeCenAttachedChildInstanceAttributeResponse;
        describe_cen_attached_child_instances => describe_cen_attached_child_instances(DescribeCenAttachedChildInstancesRequest) -> DescribeCenAttachedChildInstancesResponse;
        describe_cen_bandwidth_packages => describe_cen_bandwidth_packages(DescribeCenBandwidthPackagesRequest) -> DescribeCenBandwidthPackagesResponse;
        describe_cen_geographic_span_remaining_bandwidth => describe_cen_geographic_span_remaining_bandwidth(DescribeCenGeographicSpanRemainingBandwidthRequest) -> DescribeCenGeographicSpanRemainingBandwidthResponse;
        describe_cen_geographic_spans => describe_cen_geographic_spans(DescribeCenGeographicSpansRequest) -> DescribeCenGeographicSpansResponse;
        describe_cen_inter_region_bandwidth_limits => describe_cen_inter_region_bandwidth_limits(DescribeCenInterRegionBandwidthLimitsRequest) -> DescribeCenInterRegionBandwidthLimitsResponse;
        describe_cen_region_domain_route_entries => describe_cen_region_domain_route_entries(DescribeCenRegionDomainRouteEntriesRequest) -> DescribeCenRegionDomainRouteEntriesResponse;
        describe_cen_vbr_health_check => describe_cen_vbr_health_check(DescribeCenVbrHealthCheckRequest) -> DescribeCenVbrHealthCheckResponse;
        describe_cens => describe_cens(DescribeCensRequest) -> DescribeCensResponse;
        describe_geographic_region_membership => describe_geographic_region_membership(DescribeGeographicRegionMembershipRequest) -> DescribeGeographicRegionMembershipResponse;
        describe_grant_rules_to_cen => describe_grant_rules_to_cen(DescribeGrantRulesToCenRequest) -> DescribeGrantRulesToCenResponse;
        describe_published_route_entries => describe_published_route_entries(DescribePublishedRouteEntriesRequest) -> DescribePublishedRouteEntriesResponse;
        describe_route_conflict => describe_route_conflict(DescribeRouteConflictRequest) -> DescribeRouteConflictResponse;
        detach_cen_child_instance => detach_cen_child_instance(DetachCenChildInstanceRequest) -> DetachCenChildInstanceResponse;
        disable_cen_vbr_health_check => disable_cen_vbr_health_check(DisableCenVbrHealthCheckRequest) -> DisableCenVbrHealthCheckResponse;
        enable_cen_vbr_health_check => enable_cen_vbr_health_check(EnableCenVbrHealthCheckRequest) -> EnableCenVbrHealthCheckResponse;
        list_tag_resources => list_tag_resources(ListTagResourcesRequest) -> ListTagResourcesResponse;
        modify_cen_attribute => modify_cen_attribute(ModifyCenAttributeRequest) -> ModifyCenAttributeResponse;
        modify_cen_bandwidth_package_attribute => modify_cen_bandwidth_package_attribute(ModifyCenBandwidthPackageAttributeRequest) -> ModifyCenBandwidthPackageAttributeResponse;
        modify_cen_bandwidth_package_spec => modify_cen_bandwidth_package_spec(ModifyCenBandwidthPackageSpecRequest) -> ModifyCenBandwidthPackageSpecResponse;
        publish_route_entries => publish_route_entries(PublishRouteEntriesRequest) -> PublishRouteEntriesResponse;
        set_cen_inter_region_bandwidth_limit => set_cen_inter_region_bandwidth_limit(SetCenInterRegionBandwidthLimitRequest) -> SetCenInterRegionBandwidthLimitResponse;
        tag_resources => tag_resources(TagResourcesRequest) -> TagResourcesResponse;
        unassociate_cen_bandwidth_package => unassociate_cen_bandwidth_package(UnassociateCenBandwidthPackageRequest) -> UnassociateCenBandwidthPackageResponse;
        untag_resources => untag_resources(UntagResourcesRequest) -> UntagResourcesResponse;
        withdraw_published_route_entries => withdraw_published_route_entries(WithdrawPublishedRouteEntriesRequest) -> WithdrawPublishedRouteEntriesResponse;
        check_transit_router_service => check_transit_router_service(CheckTransitRouterServiceRequest) -> CheckTransitRouterServiceResponse;
        open_transit_router_service => open_transit_router_service(OpenTransitRouterServiceRequest) -> OpenTransitRouterServiceResponse;
        create_transit_router => create_transit_router(CreateTransitRouterRequest) -> CreateTransitRouterResponse;
        list_transit_routers => list_transit_routers(ListTransitRoutersRequest) -> ListTransitRoutersResponse;
        update_transit_router => update_transit_router(UpdateTransitRouterRequest) -> UpdateTransitRouterResponse;
        delete_transit_router => delete_transit_router(DeleteTransitRouterRequest) -> DeleteTransitRouterResponse;
        list_transit_router_available_resource => list_transit_router_available_resource(ListTransitRouterAvailableResourceRequest) -> ListTransitRouterAvailableResourceResponse;
        create_transit_router_route_table => create_transit_router_route_table(CreateTransitRouterRouteTableRequest) -> CreateTransitRouterRouteTableResponse;
        list_transit_router_route_tables => list_transit_router_route_tables(ListTransitRouterRouteTablesRequest) -> ListTransitRouterRouteTablesResponse;
        update_transit_router_route_table => update_transit_router_route_table(UpdateTransitRouterRouteTableRequest) -> UpdateTransitRouterRouteTableResponse;
        delete_transit_router_route_table => delete_transit_router_route_table(DeleteTransitRouterRouteTableRequest) -> DeleteTransitRouterRouteTableResponse;
        create_transit_router_vpc_attachment => create_transit_router_vpc_attachment(CreateTransitRouterVpcAttachmentRequest) -> CreateTransitRouterVpcAttachmentResponse;
        list_transit_router_vpc_attachments => list_transit_router_vpc_attachments(ListTransitRouterVpcAttachmentsRequest) -> ListTransitRouterVpcAttachmentsResponse;
        update_transit_router_vpc_attachment_attribute => update_transit_router_vpc_attachment_attribute(UpdateTransitRouterVpcAttachmentAttributeRequest) -> UpdateTransitRouterVpcAttachmentAttributeResponse;
        update_transit_router_vpc_attachment_zones => update_transit_router_vpc_attachment_zones(UpdateTransitRouterVpcAttachmentZonesRequest) -> UpdateTransitRouterVpcAttachmentZonesResponse;
        delete_transit_router_vpc_attachment => delete_transit_router_vpc_attachment(DeleteTransitRouterVpcAttachmentRequest) -> DeleteTransitRouterVpcAttachmentResponse;
        associate_transit_router_attachment_with_route_table => associate_transit_router_attachment_with_route_table(AssociateTransitRouterAttachmentWithRouteTableRequest) -> AssociateTransitRouterAttachmentWithRouteTableResponse;
        replace_transit_router_route_table_association => replace_transit_router_route_table_association(ReplaceTransitRouterRouteTableAssociationRequest) -> ReplaceTransitRouterRouteTableAssociationResponse;
        dissociate_transit_router_attachment_from_route_table => dissociate_transit_router_attachment_from_route_table(DissociateTransitRouterAttachmentFromRouteTableRequest) -> DissociateTransitRouterAttachmentFromRouteTableResponse;
        list_transit_router_route_table_associations => list_transit_router_route_table_associations(ListTransitRouterRouteTableAssociationsRequest) -> ListTransitRouterRouteTableAssociationsResponse;
        enable_transit_router_route_table_propagation => enable_transit_router_route_table_propagation(EnableTransitRouterRouteTablePropagationRequest) -> EnableTransitRouterRouteTablePropagationResponse;
        disable_transit_router_route_table_propagation => disable_transit_router_route_table_propagation(DisableTransitRouterRouteTablePropagationRequest) -> DisableTransitRouterRouteTablePropagationResponse;
        list_transit_router_route_table_propagations => list_transit_router_route_table_propagations(ListTransitRouterRouteTablePropagationsRequest) -> ListTransitRouterRouteTablePropagationsResponse;
        create_transit_router_route_entry => create_transit_router_route_entry(CreateTransitRouterRouteEntryRequest) -> CreateTransitRouterRouteEntryResponse;
        list_transit_router_route_entries => list_transit_router_route_entries(ListTransitRouterRouteEntriesRequest) -> ListTransitRouterRouteEntriesResponse;
        update_transit_router_route_entry => update_transit_router_route_entry(UpdateTransitRouterRouteEntryRequest) -> UpdateTransitRouterRouteEntryResponse;
        delete_transit_router_route_entry => delete_transit_router_route_entry(DeleteTransitRouterRouteEntryRequest) -> DeleteTransitRouterRouteEntryResponse;
        create_transit_router_peer_attachment => create_transit_router_peer_attachment(CreateTransitRouterPeerAttachmentRequest) -> CreateTransitRouterPeerAttachmentResponse;
        list_transit_router_peer_attachments => list_transit_router_peer_attachments(ListTransitRouterPeerAttachmentsRequest) -> ListTransitRouterPeerAttachmentsResponse;
        update_transit_router_peer_attachment_attribute => update_transit_router_peer_attachment_attribute(UpdateTransitRouterPeerAttachmentAttributeRequest) -> UpdateTransitRouterPeerAttachmentAttributeResponse;
        delete_transit_router_peer_attachment => delete_transit_router_peer_attachment(DeleteTransitRouterPeerAttachmentRequest) -> DeleteTransitRouterPeerAttachmentResponse;
        create_transit_router_vbr_attachment => create_transit_router_vbr_attachment(CreateTransitRouterVbrAttachmentRequest) -> CreateTransitRouterVbrAttachmentResponse;
        list_transit_router_vbr_attachments => list_transit_router_vbr_attachments(ListTransitRouterVbrAttachmentsRequest) -> ListTransitRouterVbrAttachmentsResponse;
        update_transit_router_vbr_attachment_attribute => update_transit_router_vbr_attachment_attribute(UpdateTransitRouterVbrAttachmentAttributeRequest) -> UpdateTransitRouterVbrAttachmentAttributeResponse;
        delete_transit_router_vbr_attachment => delete_transit_router_vbr_attachment(DeleteTransitRouterVbrAttachmentRequest) -> DeleteTransitRouterVbrAttachmentResponse;
        grant_instance_to_transit_router => grant_instance_to_transit_router(GrantInstanceToTransitRouterRequest) -> GrantInstanceToTransitRouterResponse;
        modify_grant_instance_to_transit_router => modify_grant_instance_to_transit_router(ModifyGrantInstanceToTransitRouterRequest) -> ModifyGrantInstanceToTransitRouterResponse;
        revoke_instance_from_transit_router => revoke_instance_from_transit_router(RevokeInstanceFromTransitRouterRequest) -> RevokeInstanceFromTransitRouterResponse;
        describe_grant_rules_to_resource => describe_grant_rules_to_resource(DescribeGrantRulesToResourceRequest) -> DescribeGrantRulesToResourceResponse;
        create_transit_router_vpn_attachment => create_transit_router_vpn_attachment(CreateTransitRouterVpnAttachmentRequest) -> CreateTransitRouterVpnAttachmentResponse;
        list_transit_router_vpn_attachments => list_transit_router_vpn_attachments(ListTransitRouterVpnAttachmentsRequest) -> ListTransitRouterVpnAttachmentsResponse;
        update_transit_router_vpn_attachment_attribute => update_transit_router_vpn_attachment_attribute(UpdateTransitRouterVpnAttachmentAttributeRequest) -> UpdateTransitRouterVpnAttachmentAttributeResponse;
        delete_transit_router_vpn_attachment => delete_transit_router_vpn_attachment(DeleteTransitRouterVpnAttachmentRequest) -> DeleteTransitRouterVpnAttachmentResponse;
        create_transit_router_ecr_attachment => create_transit_router_ecr_attachment(CreateTransitRouterEcrAttachmentRequest) -> CreateTransitRouterEcrAttachmentResponse;
        list_transit_router_ecr_attachments => list_transit_router_ecr_attachments(ListTransitRouterEcrAttachmentsRequest) -> ListTransitRouterEcrAttachmentsResponse;
        update_transit_router_ecr_attachment_attribute => update_transit_router_ecr_attachment_attribute(UpdateTransitRouterEcrAttachmentAttributeRequest) -> UpdateTransitRouterEcrAttachmentAttributeResponse;
        delete_transit_router_ecr_attachment => delete_transit_router_ecr_attachment(DeleteTransitRouterEcrAttachmentRequest) -> DeleteTransitRouterEcrAttachmentResponse;
        move_resource_group => move_resource_group(MoveResourceGroupRequest) -> MoveResourceGroupResponse;
        create_flowlog => create_flowlog(CreateFlowlogRequest) -> CreateFlowlogResponse;
        describe_flowlogs => describe_flowlogs(DescribeFlowlogsRequest) -> DescribeFlowlogsResponse;
        modify_flow_log_attribute => modify_flow_log_attribute(ModifyFlowLogAttributeRequest) -> ModifyFlowLogAttributeResponse;
        active_flow_log => active_flow_log(ActiveFlowLogRequest) -> ActiveFlowLogResponse;
        deactive_flow_log => deactive_flow_log(DeactiveFlowLogRequest) -> DeactiveFlowLogResponse;
        delete_flowlog => delete_flowlog(DeleteFlowlogRequest) -> DeleteFlowlogResponse;
        create_transit_router_cidr => create_transit_router_cidr(CreateTransitRouterCidrRequest) -> CreateTransitRouterCidrResponse;
        list_transit_router_cidr => list_transit_router_cidr(ListTransitRouterCidrRequest) -> ListTransitRouterCidrResponse;
        modify_transit_router_cidr => modify_transit_router_cidr(ModifyTransitRouterCidrRequest) -> ModifyTransitRouterCidrResponse;
        delete_transit_router_cidr => delete_transit_router_cidr(DeleteTransitRouterCidrRequest) -> DeleteTransitRouterCidrResponse;
        list_transit_router_cidr_allocation => list_transit_router_cidr_allocation(ListTransitRouterCidrAllocationRequest) -> ListTransitRouterCidrAllocationResponse;
        create_cen_route_map => create_cen_route_map(CreateCenRouteMapRequest) -> CreateCenRouteMapResponse;
        describe_cen_route_maps => describe_cen_route_maps(DescribeCenRouteMapsRequest) -> DescribeCenRouteMapsResponse;
        modify_cen_route_map => modify_cen_route_map(ModifyCenRouteMapRequest) -> ModifyCenRouteMapResponse;
        delete_cen_route_map => delete_cen_route_map(DeleteCenRouteMapRequest) -> DeleteCenRouteMapResponse;
        create_transit_route_table_aggregation => create_transit_route_table_aggregation(CreateTransitRouteTableAggregationRequest) -> CreateTransitRouteTableAggregationResponse;
        describe_transit_route_table_aggregation => describe_transit_route_table_aggregation(DescribeTransitRouteTableAggregationRequest) -> DescribeTransitRouteTableAggregationResponse;
        modify_transit_route_table_aggregation => modify_transit_route_table_aggregation(ModifyTransitRouteTableAggregationRequest) -> ModifyTransitRouteTableAggregationResponse;
        delete_transit_route_table_aggregation => delete_transit_route_table_aggregation(DeleteTransitRouteTableAggregationRequest) -> DeleteTransitRouteTableAggregationResponse;
        describe_transit_route_table_aggregation_detail => describe_transit_route_table_aggregation_detail(DescribeTransitRouteTableAggregationDetailRequest) -> DescribeTransitRouteTableAggregationDetailResponse;
        refresh_transit_route_table_aggregation => refresh_transit_route_table_aggregation(RefreshTransitRouteTableAggregationRequest) -> RefreshTransitRouteTableAggregationResponse;
        create_transit_router_multicast_domain => create_transit_router_multicast_domain(CreateTransitRouterMulticastDomainRequest) -> CreateTransitRouterMulticastDomainResponse;
        list_transit_router_multicast_domains => list_transit_router_multicast_domains(ListTransitRouterMulticastDomainsRequest) -> ListTransitRouterMulticastDomainsResponse;
        modify_transit_router_multicast_domain => modify_transit_router_multicast_domain(ModifyTransitRouterMulticastDomainRequest) -> ModifyTransitRouterMulticastDomainResponse;
        delete_transit_router_multicast_domain => delete_transit_router_multicast_domain(DeleteTransitRouterMulticastDomainRequest) -> DeleteTransitRouterMulticastDomainResponse;
        associate_transit_router_multicast_domain => associate_transit_router_multicast_domain(AssociateTransitRouterMulticastDomainRequest) -> AssociateTransitRouterMulticastDomainResponse;
        disassociate_transit_router_multicast_domain => disassociate_transit_router_multicast_domain(DisassociateTransitRouterMulticastDomainRequest) -> DisassociateTransitRouterMulticastDomainResponse;
        list_transit_router_multicast_domain_associations => list_transit_router_multicast_domain_associations(ListTransitRouterMulticastDomainAssociationsRequest) -> ListTransitRouterMulticastDomainAssociationsResponse;
        list_transit_router_multicast_domain_v_switches => list_transit_router_multicast_domain_v_switches(ListTransitRouterMulticastDomainVSwitchesRequest) -> ListTransitRouterMulticastDomainVSwitchesResponse;
        list_grant_v_switch_enis => list_grant_v_switch_enis(ListGrantVSwitchEnisRequest) -> ListGrantVSwitchEnisResponse;
        register_transit_router_multicast_group_members => register_transit_router_multicast_group_members(RegisterTransitRouterMulticastGroupMembersRequest) -> RegisterTransitRouterMulticastGroupMembersResponse;
        deregister_transit_router_multicast_group_members => deregister_transit_router_multicast_group_members(DeregisterTransitRouterMulticastGroupMembersRequest) -> DeregisterTransitRouterMulticastGroupMembersResponse;
        register_transit_router_multicast_group_sources => register_transit_router_multicast_group_sources(RegisterTransitRouterMulticastGroupSourcesRequest) -> RegisterTransitRouterMulticastGroupSourcesResponse;
        deregister_transit_router_multicast_group_sources => deregister_transit_router_multicast_group_sources(DeregisterTransitRouterMulticastGroupSourcesRequest) -> DeregisterTransitRouterMulticastGroupSourcesResponse;
        list_transit_router_multicast_groups => list_transit_router_multicast_groups(ListTransitRouterMulticastGroupsRequest) -> ListTransitRouterMulticastGroupsResponse;
        create_traffic_marking_policy => create_traffic_marking_policy(CreateTrafficMarkingPolicyRequest) -> CreateTrafficMarkingPolicyResponse;
        list_traffic_marking_policies => list_traffic_marking_policies(ListTrafficMarkingPoliciesRequest) -> ListTrafficMarkingPoliciesResponse;
        update_traffic_marking_policy_attribute => update_traffic_marking_policy_attribute(UpdateTrafficMarkingPolicyAttributeRequest) -> UpdateTrafficMarkingPolicyAttributeResponse;
        delete_traffic_marking_policy => delete_traffic_marking_policy(DeleteTrafficMarkingPolicyRequest) -> DeleteTrafficMarkingPolicyResponse;
        add_traffic_match_rule_to_traffic_marking_policy => add_traffic_match_rule_to_traffic_marking_policy(AddTrafficMatchRuleToTrafficMarkingPolicyRequest) -> AddTrafficMatchRuleToTrafficMarkingPolicyResponse;
        add_trafic_match_rule_to_traffic_marking_policy => add_trafic_match_rule_to_traffic_marking_policy(AddTraficMatchRuleToTrafficMarkingPolicyRequest) -> AddTraficMatchRuleToTrafficMarkingPolicyResponse;
        modify_traffic_match_rule_to_traffic_marking_policy => modify_traffic_match_rule_to_traffic_marking_policy(ModifyTrafficMatchRuleToTrafficMarkingPolicyRequest) -> ModifyTrafficMatchRuleToTrafficMarkingPolicyResponse;
        remove_traffic_match_rule_from_traffic_marking_policy => remove_traffic_match_rule_from_traffic_marking_policy(RemoveTrafficMatchRuleFromTrafficMarkingPolicyRequest) -> RemoveTrafficMatchRuleFromTrafficMarkingPolicyResponse;
        remove_trafic_match_rule_from_traffic_marking_policy => remove_trafic_match_rule_from_traffic_marking_policy(RemoveTraficMatchRuleFromTrafficMarkingPolicyRequest) -> RemoveTraficMatchRuleFromTrafficMarkingPolicyResponse;
        create_cen_inter_region_traffic_qos_policy => create_cen_inter_region_traffic_qos_policy(CreateCenInterRegionTrafficQosPolicyRequest) -> CreateCenInterRegionTrafficQosPolicyResponse;
        list_cen_inter_region_traffic_qos_policies => list_cen_inter_region_traffic_qos_policies(ListCenInterRegionTrafficQosPoliciesRequest) -> ListCenInterRegionTrafficQosPoliciesResponse;
        update_cen_inter_region_traffic_qos_policy_attribute => update_cen_inter_region_traffic_qos_policy_attribute(UpdateCenInterRegionTrafficQosPolicyAttributeRequest) -> UpdateCenInterRegionTrafficQosPolicyAttributeResponse;
        delete_cen_inter_region_traffic_qos_policy => delete_cen_inter_region_traffic_qos_policy(DeleteCenInterRegionTrafficQosPolicyRequest) -> DeleteCenInterRegionTrafficQosPolicyResponse;
        create_cen_inter_region_traffic_qos_queue => create_cen_inter_region_traffic_qos_queue(CreateCenInterRegionTrafficQosQueueRequest) -> CreateCenInterRegionTrafficQosQueueResponse;
        list_cen_inter_region_traffic_qos_queues => list_cen_inter_region_traffic_qos_queues(ListCenInterRegionTrafficQosQueuesRequest) -> ListCenInterRegionTrafficQosQueuesResponse;
        update_cen_inter_region_traffic_qos_queue_attribute => update_cen_inter_region_traffic_qos_queue_attribute(UpdateCenInterRegionTrafficQosQueueAttributeRequest) -> UpdateCenInterRegionTrafficQosQueueAttributeResponse;
        delete_cen_inter_region_traffic_qos_queue => delete_cen_inter_region_traffic_qos_queue(DeleteCenInterRegionTrafficQosQueueRequest) -> DeleteCenInterRegionTrafficQosQueueResponse;
        create_transit_router_prefix_list_association => create_transit_router_prefix_list_association(CreateTransitRouterPrefixListAssociationRequest) -> CreateTransitRouterPrefixListAssociationResponse;
        list_transit_router_prefix_list_association => list_transit_router_prefix_list_association(ListTransitRouterPrefixListAssociationRequest) -> ListTransitRouterPrefixListAssociationResponse;
        delete_transit_router_prefix_list_association => delete_transit_router_prefix_list_association(DeleteTransitRouterPrefixListAssociationRequest) -> DeleteTransitRouterPrefixListAssociationResponse;
        create_cen_child_instance_route_entry_to_attachment => create_cen_child_instance_route_entry_to_attachment(CreateCenChildInstanceRouteEntryToAttachmentRequest) -> CreateCenChildInstanceRouteEntryToAttachmentResponse;
        delete_cen_child_instance_route_entry_to_attachment => delete_cen_child_instance_route_entry_to_attachment(DeleteCenChildInstanceRouteEntryToAttachmentRequest) -> DeleteCenChildInstanceRouteEntryToAttachmentResponse;
        list_cen_child_instance_route_entries_to_attachment => list_cen_child_instance_route_entries_to_attachment(ListCenChildInstanceRouteEntriesToAttachmentRequest) -> ListCenChildInstanceRouteEntriesToAttachmentResponse;
        create_cen_child_instance_route_entry_to_cen => create_cen_child_instance_route_entry_to_cen(CreateCenChildInstanceRouteEntryToCenRequest) -> CreateCenChildInstanceRouteEntryToCenResponse;
        delete_cen_child_instance_route_entry_to_cen => delete_cen_child_instance_route_entry_to_cen(DeleteCenChildInstanceRouteEntryToCenRequest) -> DeleteCenChildInstanceRouteEntryToCenResponse;
        describe_cen_child_instance_route_entries => describe_cen_child_instance_route_entries(DescribeCenChildInstanceRouteEntriesRequest) -> DescribeCenChildInstanceRouteEntriesResponse;
        describe_child_instance_regions => describe_child_instance_regions(DescribeChildInstanceRegionsRequest) -> DescribeChildInstanceRegionsResponse;
        resolve_and_route_service_in_cen => resolve_and_route_service_in_cen(ResolveAndRouteServiceInCenRequest) -> ResolveAndRouteServiceInCenResponse;
        describe_route_services_in_cen => describe_route_services_in_cen(DescribeRouteServicesInCenRequest) -> DescribeRouteServicesInCenResponse;
        delete_route_service_in_cen => delete_route_service_in_cen(DeleteRouteServiceInCenRequest) -> DeleteRouteServiceInCenResponse;
        route_private_zone_in_cen_to_vpc => route_private_zone_in_cen_to_vpc(RoutePrivateZoneInCenToVpcRequest) -> RoutePrivateZoneInCenToVpcResponse;
        unroute_private_zone_in_cen_to_vpc => unroute_private_zone_in_cen_to_vpc(UnroutePrivateZoneInCenToVpcRequest) -> UnroutePrivateZoneInCenToVpcResponse;
        describe_cen_private_zone_routes => describe_cen_private_zone_routes(DescribeCenPrivateZoneRoutesRequest) -> DescribeCenPrivateZoneRoutesResponse;
        temp_upgrade_cen_bandwidth_package_spec => temp_upgrade_cen_bandwidth_package_spec(TempUpgradeCenBandwidthPackageSpecRequest) -> TempUpgradeCenBandwidthPackageSpecResponse;
        list_grant_v_switches_to_cen => list_grant_v_switches_to_cen(ListGrantVSwitchesToCenRequest) -> ListGrantVSwitchesToCenResponse;
    }
}

impl cen_server::vpc::Vpc for Emulator {
    delegate! { v;
        describe_grant_rules_to_cen => vpc_describe_grant_rules_to_cen(DescribeGrantRulesToCenRequest) -> DescribeGrantRulesToCenResponse;
        grant_instance_to_cen => grant_instance_to_cen(GrantInstanceToCenRequest) -> GrantInstanceToCenResponse;
        revoke_instance_from_cen => revoke_instance_from_cen(RevokeInstanceFromCenRequest) -> RevokeInstanceFromCenResponse;
    }
}
