#!/usr/bin/env python3
"""Route maps, prefix-list routes, traffic marking and multicast, through the official Tea SDK.

    python3 flow_policies.py --endpoint http://127.0.0.1:9000 [--signature v3|v2]

Builds and tears down what the Terraform provider's newer `alicloud_cen_*` resources build on a
transit router, polling the way the provider polls (the resource's List or Describe operation
filtered by its id, until the target status, or until it is gone): a route map on the System
route table, a prefix-list association whose entries show up as routes, a traffic marking
policy whose match rules change, and a multicast domain with a vSwitch and a group member. It
checks the SDK reads every answer into its models, that the documented blocking rules hold,
and deletes everything in dependency order. One line per step; exit status 1 on failure.
"""

import json
import urllib.request

from interop_common import (
    ACCOUNT_1,
    FlowError,
    expect_equal,
    inventory,
    run,
    sdk_flow_args,
    step,
)
from flow_tea import call, config, expect_refusal
from flow_transit import vpc_with_switches, wait_gone, wait_status

from alibabacloud_cbn20170912 import models as cbn
from alibabacloud_cbn20170912.client import Client as CbnClient


def prefix_list(base_url, owner, region):
    """The first prefix list of `owner` in `region` in the emulator's inventory, with its entries."""
    with urllib.request.urlopen(f"{base_url}/_emulator/inventory", timeout=10) as response:
        lists = json.load(response).get("PrefixLists", [])
    for item in lists:
        if item["OwnerId"] == owner and item["RegionId"] == region:
            return item["PrefixListId"], item["Entries"]
    raise FlowError(f"the inventory has no prefix list of account {owner} in {region}")


def main():
    args, base, host = sdk_flow_args(__doc__)
    uid = ACCOUNT_1[2]
    region = "cn-hangzhou"
    step(f"routing policies and multicast through the official Tea SDK, signature {args.signature}")
    client = CbnClient(config(ACCOUNT_1, host, args.signature))
    vpc_id, _, zone, vsw = vpc_with_switches(inventory(base), uid, region)
    eni = next(
        n["NetworkInterfaceId"]
        for i in inventory(base) if i["InstanceId"] == vpc_id
        for v in i["VSwitches"] if v["VSwitchId"] == vsw
        for n in v["NetworkInterfaces"]
    )

    # --- the network: a CEN instance, a router with multicast, a VPC attachment ---
    cen_id = call("CreateCen", client.create_cen, cbn.CreateCenRequest(name="policies")).body.cen_id

    def cens():
        body = call("DescribeCens", client.describe_cens, cbn.DescribeCensRequest(
            filter=[cbn.DescribeCensRequestFilter(key="CenId", value=[cen_id])])).body
        return [(c.cen_id, c.status) for c in (body.cens.cen or [])]
    wait_status(f"CEN {cen_id}", cens, "Active")
    tr = call("CreateTransitRouter", client.create_transit_router, cbn.CreateTransitRouterRequest(
        cen_id=cen_id, region_id=region, support_multicast=True)).body.transit_router_id

    def routers():
        body = call("ListTransitRouters", client.list_transit_routers, cbn.ListTransitRoutersRequest(
            cen_id=cen_id, region_id=region, transit_router_id=tr)).body
        return [(r.transit_router_id, r.status) for r in body.transit_routers or []]
    wait_status(f"router {tr}", routers, "Active")
    attachment = call(
        "CreateTransitRouterVpcAttachment", client.create_transit_router_vpc_attachment,
        cbn.CreateTransitRouterVpcAttachmentRequest(
            cen_id=cen_id, region_id=region, transit_router_id=tr, vpc_id=vpc_id,
            zone_mappings=[cbn.CreateTransitRouterVpcAttachmentRequestZoneMappings(
                zone_id=zone, v_switch_id=vsw)],
        ),
    ).body.transit_router_attachment_id

    def attachments():
        body = call("ListTransitRouterVpcAttachments", client.list_transit_router_vpc_attachments,
                    cbn.ListTransitRouterVpcAttachmentsRequest(
                        transit_router_attachment_id=attachment)).body
        return [(a.transit_router_attachment_id, a.status)
                for a in body.transit_router_attachments or []]
    wait_status(f"VPC attachment {attachment}", attachments, "Attached")
    system_table = call(
        "ListTransitRouterRouteTables", client.list_transit_router_route_tables,
        cbn.ListTransitRouterRouteTablesRequest(transit_router_id=tr)).body \
        .transit_router_route_tables[0].transit_router_route_table_id

    # --- a route map (alicloud_cen_route_map) ---
    route_map = call("CreateCenRouteMap", client.create_cen_route_map, cbn.CreateCenRouteMapRequest(
        cen_id=cen_id, cen_region_id=region, transmit_direction="RegionIn", priority=10,
        map_result="Deny", source_region_ids=[region], destination_cidr_blocks=["10.8.0.0/16"],
        route_types=["System"], transit_router_route_table_id=system_table,
    )).body.route_map_id

    def route_maps():
        body = call("DescribeCenRouteMaps", client.describe_cen_route_maps,
                    cbn.DescribeCenRouteMapsRequest(cen_id=cen_id, cen_region_id=region,
                                                    route_map_id=route_map)).body
        return [(r.route_map_id, r.status) for r in body.route_maps.route_map or []]
    wait_status(f"route map {route_map}", route_maps, "Active")
    listed = call("DescribeCenRouteMaps", client.describe_cen_route_maps,
                  cbn.DescribeCenRouteMapsRequest(cen_id=cen_id, route_map_id=route_map)) \
        .body.route_maps.route_map[0]
    expect_equal(listed.destination_cidr_blocks.destination_cidr_block, ["10.8.0.0/16"],
                 "the route map's DestinationCidrBlocks")
    expect_refusal(
        "CreateCenRouteMap with a taken priority", client.create_cen_route_map,
        cbn.CreateCenRouteMapRequest(cen_id=cen_id, cen_region_id=region,
                                     transmit_direction="RegionIn", priority=10, map_result="Permit"),
        "InvalidParameter", 400,
    )
    call("ModifyCenRouteMap", client.modify_cen_route_map, cbn.ModifyCenRouteMapRequest(
        cen_id=cen_id, cen_region_id=region, route_map_id=route_map, priority=10,
        map_result="Deny", description="no 10.8/16 from the VPCs"))
    wait_status(f"route map {route_map}", route_maps, "Active")

    # --- a prefix-list association (alicloud_cen_transit_router_prefix_list_association) ---
    pl_id, entries = prefix_list(base, uid, region)
    call("CreateTransitRouterPrefixListAssociation",
         client.create_transit_router_prefix_list_association,
         cbn.CreateTransitRouterPrefixListAssociationRequest(
             transit_router_id=tr, transit_router_table_id=system_table, prefix_list_id=pl_id,
             next_hop=attachment, next_hop_type="VPC", owner_uid=uid, region_id=region))

    def associations():
        body = call("ListTransitRouterPrefixListAssociation",
                    client.list_transit_router_prefix_list_association,
                    cbn.ListTransitRouterPrefixListAssociationRequest(
                        transit_router_id=tr, transit_router_table_id=system_table,
                        prefix_list_id=pl_id, region_id=region)).body
        return [(p.prefix_list_id, p.status) for p in body.prefix_lists or []]
    wait_status(f"prefix list {pl_id} on {system_table}", associations, "Active")
    routes = call("ListTransitRouterRouteEntries", client.list_transit_router_route_entries,
                  cbn.ListTransitRouterRouteEntriesRequest(
                      transit_router_route_table_id=system_table)).body.transit_router_route_entries
    from_list = sorted(r.transit_router_route_entry_destination_cidr_block for r in routes
                       if r.prefix_list_id == pl_id)
    expect_equal(from_list, sorted(entries), "the routes the prefix list put into the table")
    step(f"{len(from_list)} routes from {pl_id} in {system_table}")

    # --- a traffic marking policy (alicloud_cen_traffic_marking_policy) ---
    policy = call("CreateTrafficMarkingPolicy", client.create_traffic_marking_policy,
                  cbn.CreateTrafficMarkingPolicyRequest(
                      transit_router_id=tr, priority=5, marking_dscp=46,
                      traffic_marking_policy_name="voice",
                      traffic_match_rules=[cbn.CreateTrafficMarkingPolicyRequestTrafficMatchRules(
                          protocol="UDP", src_cidr="172.16.1.0/24", dst_cidr="10.0.0.0/8",
                          dst_port_range=[5060, 5061],
                          traffic_match_rule_name="sip")],
                  )).body.traffic_marking_policy_id

    def policies():
        body = call("ListTrafficMarkingPolicies", client.list_traffic_marking_policies,
                    cbn.ListTrafficMarkingPoliciesRequest(
                        transit_router_id=tr, traffic_marking_policy_id=policy)).body
        return [(p.traffic_marking_policy_id, p.traffic_marking_policy_status)
                for p in body.traffic_marking_policies or []]
    wait_status(f"marking policy {policy}", policies, "Active")
    expect_refusal(
        "CreateTrafficMarkingPolicy with a taken priority", client.create_traffic_marking_policy,
        cbn.CreateTrafficMarkingPolicyRequest(transit_router_id=tr, priority=5, marking_dscp=10),
        "Duplicated.Priority", 400,
    )
    expect_refusal(
        "DeleteTrafficMarkingPolicy with rules, without Force", client.delete_traffic_marking_policy,
        cbn.DeleteTrafficMarkingPolicyRequest(traffic_marking_policy_id=policy),
        "AssociationExist.TransitQosRuleExist", 400,
    )

    # --- a multicast domain (alicloud_cen_transit_router_multicast_domain[_association|_member]) ---
    domain = call("CreateTransitRouterMulticastDomain", client.create_transit_router_multicast_domain,
                  cbn.CreateTransitRouterMulticastDomainRequest(
                      transit_router_id=tr, transit_router_multicast_domain_name="video",
                  )).body.transit_router_multicast_domain_id

    def domains():
        body = call("ListTransitRouterMulticastDomains", client.list_transit_router_multicast_domains,
                    cbn.ListTransitRouterMulticastDomainsRequest(
                        transit_router_multicast_domain_id=domain)).body
        return [(d.transit_router_multicast_domain_id, d.status)
                for d in body.transit_router_multicast_domains or []]
    wait_status(f"multicast domain {domain}", domains, "Active")
    call("AssociateTransitRouterMulticastDomain", client.associate_transit_router_multicast_domain,
         cbn.AssociateTransitRouterMulticastDomainRequest(
             transit_router_multicast_domain_id=domain, transit_router_attachment_id=attachment,
             v_switch_ids=[vsw]))

    def domain_vswitches():
        body = call("ListTransitRouterMulticastDomainAssociations",
                    client.list_transit_router_multicast_domain_associations,
                    cbn.ListTransitRouterMulticastDomainAssociationsRequest(
                        transit_router_multicast_domain_id=domain, v_switch_ids=[vsw])).body
        return [(a.v_switch_id, a.status) for a in body.transit_router_multicast_associations or []]
    wait_status(f"{vsw} in {domain}", domain_vswitches, "Associated")
    call("RegisterTransitRouterMulticastGroupMembers",
         client.register_transit_router_multicast_group_members,
         cbn.RegisterTransitRouterMulticastGroupMembersRequest(
             transit_router_multicast_domain_id=domain, group_ip_address="239.1.1.1",
             network_interface_ids=[eni], vpc_id=vpc_id))

    def members():
        body = call("ListTransitRouterMulticastGroups", client.list_transit_router_multicast_groups,
                    cbn.ListTransitRouterMulticastGroupsRequest(
                        transit_router_multicast_domain_id=domain, group_ip_address="239.1.1.1",
                        network_interface_ids=[eni])).body
        return [(g.network_interface_id, g.status)
                for g in body.transit_router_multicast_groups or []]
    wait_status(f"member {eni} of 239.1.1.1", members, "Registered")
    expect_refusal(
        "DeleteTransitRouterMulticastDomain with a member",
        client.delete_transit_router_multicast_domain,
        cbn.DeleteTransitRouterMulticastDomainRequest(transit_router_multicast_domain_id=domain),
        "InvalidOperation.MulticastDomainAssociationExist", 400,
    )

    # --- teardown, in dependency order ---
    call("DeregisterTransitRouterMulticastGroupMembers",
         client.deregister_transit_router_multicast_group_members,
         cbn.DeregisterTransitRouterMulticastGroupMembersRequest(
             transit_router_multicast_domain_id=domain, group_ip_address="239.1.1.1",
             network_interface_ids=[eni]))
    wait_gone(f"member {eni}", members)
    call("DisassociateTransitRouterMulticastDomain",
         client.disassociate_transit_router_multicast_domain,
         cbn.DisassociateTransitRouterMulticastDomainRequest(
             transit_router_multicast_domain_id=domain, transit_router_attachment_id=attachment,
             v_switch_ids=[vsw]))
    wait_gone(f"{vsw} in {domain}", domain_vswitches)
    call("DeleteTransitRouterMulticastDomain", client.delete_transit_router_multicast_domain,
         cbn.DeleteTransitRouterMulticastDomainRequest(transit_router_multicast_domain_id=domain))
    wait_gone(f"multicast domain {domain}", domains)
    call("DeleteTrafficMarkingPolicy", client.delete_traffic_marking_policy,
         cbn.DeleteTrafficMarkingPolicyRequest(traffic_marking_policy_id=policy, force=True))
    wait_gone(f"marking policy {policy}", policies)
    expect_refusal(
        "DeleteTransitRouterVpcAttachment while a prefix list routes to it",
        client.delete_transit_router_vpc_attachment,
        cbn.DeleteTransitRouterVpcAttachmentRequest(transit_router_attachment_id=attachment),
        "OperationFailed.PrefixListExist", 400,
    )
    call("DeleteTransitRouterPrefixListAssociation",
         client.delete_transit_router_prefix_list_association,
         cbn.DeleteTransitRouterPrefixListAssociationRequest(
             transit_router_id=tr, transit_router_table_id=system_table, prefix_list_id=pl_id,
             next_hop=attachment, region_id=region))
    wait_gone(f"prefix list {pl_id} on {system_table}", associations)
    call("DeleteCenRouteMap", client.delete_cen_route_map, cbn.DeleteCenRouteMapRequest(
        cen_id=cen_id, cen_region_id=region, route_map_id=route_map))
    wait_gone(f"route map {route_map}", route_maps)
    call("DeleteTransitRouterVpcAttachment", client.delete_transit_router_vpc_attachment,
         cbn.DeleteTransitRouterVpcAttachmentRequest(transit_router_attachment_id=attachment))
    wait_gone(f"VPC attachment {attachment}", attachments)
    call("DeleteTransitRouter", client.delete_transit_router,
         cbn.DeleteTransitRouterRequest(transit_router_id=tr))
    wait_gone(f"router {tr}", routers)
    call("DeleteCen", client.delete_cen, cbn.DeleteCenRequest(cen_id=cen_id))
    wait_gone(f"CEN {cen_id}", cens)


if __name__ == "__main__":
    run(main)
