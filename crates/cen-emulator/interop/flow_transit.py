#!/usr/bin/env python3
"""A hub-and-spoke transit-router network over two regions, through the official Tea SDK.

Builds and tears down what the Terraform provider's `alicloud_cen_*` transit-router resources
build, calling `alibabacloud-cbn20170912` the way the provider does and polling the way it
polls: after each create or update, the resource's List operation filtered by its id until the
status is the target (any other status is tolerated and polled again); after each delete, the
same List until it returns nothing.

    python3 flow_transit.py --endpoint http://127.0.0.1:9000 [--signature v3|v2]

The network: a CEN instance and a China bandwidth plan; a transit router in cn-hangzhou and one
in cn-shanghai; a VPC attachment in each region (zone mappings from the emulator's inventory);
a custom route table on the Hangzhou router, associated with its VPC and learning from it and
from a peer attachment to Shanghai (5 Mbit/s of the plan); a static default route over the peer
and a blackhole route; tags. It checks what the tables learn, that a router with attachments
cannot be deleted, that a dry run changes nothing, and then deletes everything in dependency
order. One line per step; exit status 1 on failure.
"""


from interop_common import (
    ACCOUNT_1,
    FlowError,
    check,
    expect_equal,
    inventory,
    run,
    sdk_flow_args,
    step,
    wait_until,
)
from flow_tea import call, config, expect_refusal

from alibabacloud_cbn20170912 import models as cbn
from alibabacloud_cbn20170912.client import Client as CbnClient


def vpc_with_switches(instances, owner, region):
    """The first VPC of `owner` in `region`, with its first vSwitch's zone and id."""
    for instance in instances:
        if (
            instance.get("InstanceType") == "VPC"
            and instance.get("OwnerId") == owner
            and instance.get("RegionId") == region
            and instance.get("VSwitches")
        ):
            vsw = instance["VSwitches"][0]
            return instance["InstanceId"], instance["CidrBlocks"], vsw["ZoneId"], vsw["VSwitchId"]
    raise FlowError(f"the inventory has no VPC with vSwitches of account {owner} in {region}")


def wait_status(what, list_items, target):
    """Polls `list_items()` until it holds one item whose status is `target` (Terraform's
    `BuildStateConf` with no pending states: anything else is polled again)."""
    def probe():
        items = list_items()
        status = items[0][1] if len(items) == 1 else f"{len(items)} items"
        return len(items) == 1 and status == target, status
    wait_until(f"{what} is {target}", probe)


def wait_gone(what, list_items):
    """Polls `list_items()` until it returns nothing (how Terraform decides a delete is done)."""
    def probe():
        items = list_items()
        return not items, [status for _, status in items]
    wait_until(f"{what} is gone", probe)


def main():
    args, base, host = sdk_flow_args(__doc__)
    uid = ACCOUNT_1[2]
    step(f"transit routers through the official Tea SDK, signature {args.signature}, {host}")
    client = CbnClient(config(ACCOUNT_1, host, args.signature))
    instances = inventory(base)
    hz_vpc, hz_blocks, hz_zone, hz_vsw = vpc_with_switches(instances, uid, "cn-hangzhou")
    sh_vpc, sh_blocks, sh_zone, sh_vsw = vpc_with_switches(instances, uid, "cn-shanghai")
    step(f"VPCs {hz_vpc} {hz_blocks} and {sh_vpc} {sh_blocks}")

    # --- the CEN instance and the plan (alicloud_cen_instance, _bandwidth_package) ---
    cen_id = call("CreateCen", client.create_cen, cbn.CreateCenRequest(name="hub-and-spoke")).body.cen_id

    def cens():
        body = call("DescribeCens", client.describe_cens, cbn.DescribeCensRequest(
            filter=[cbn.DescribeCensRequestFilter(key="CenId", value=[cen_id])])).body
        return [(c.cen_id, c.status) for c in (body.cens.cen or [])]
    wait_status(f"CEN {cen_id}", cens, "Active")
    plan_id = call("CreateCenBandwidthPackage", client.create_cen_bandwidth_package,
                   cbn.CreateCenBandwidthPackageRequest(
                       bandwidth=10, geographic_region_aid="China", geographic_region_bid="China",
                       bandwidth_package_charge_type="PREPAY", pricing_cycle="Month", period=1,
                   )).body.cen_bandwidth_package_id
    call("AssociateCenBandwidthPackage", client.associate_cen_bandwidth_package,
         cbn.AssociateCenBandwidthPackageRequest(cen_id=cen_id, cen_bandwidth_package_id=plan_id))
    step(f"plan {plan_id} associated with {cen_id}")

    # --- the routers (alicloud_cen_transit_router) ---
    enabled = call("CheckTransitRouterService", client.check_transit_router_service,
                   cbn.CheckTransitRouterServiceRequest()).body.enabled
    expect_equal(enabled, "true", "CheckTransitRouterService Enabled")
    routers = {}
    for region in ("cn-hangzhou", "cn-shanghai"):
        routers[region] = call(f"CreateTransitRouter {region}", client.create_transit_router,
                               cbn.CreateTransitRouterRequest(
                                   cen_id=cen_id, region_id=region,
                                   transit_router_name=f"tr-{region}",
                                   tag=[cbn.CreateTransitRouterRequestTag(key="env", value="test")],
                               )).body.transit_router_id

    def router_list(region):
        def items():
            body = call("ListTransitRouters", client.list_transit_routers,
                        cbn.ListTransitRoutersRequest(cen_id=cen_id, region_id=region,
                                                      transit_router_id=routers[region])).body
            return [(r.transit_router_id, r.status) for r in body.transit_routers or []]
        return items
    for region in routers:
        wait_status(f"router {routers[region]}", router_list(region), "Active")
    hz_tr, sh_tr = routers["cn-hangzhou"], routers["cn-shanghai"]
    expect_refusal(
        "CreateTransitRouter a second time in cn-hangzhou", client.create_transit_router,
        cbn.CreateTransitRouterRequest(cen_id=cen_id, region_id="cn-hangzhou"),
        "InstanceExist.TransitRouterInstance", 400,
    )

    # --- VPC attachments (alicloud_cen_transit_router_vpc_attachment) ---
    attachments = {}
    for region, (vpc_id, zone, vsw) in {
        "cn-hangzhou": (hz_vpc, hz_zone, hz_vsw),
        "cn-shanghai": (sh_vpc, sh_zone, sh_vsw),
    }.items():
        attachments[region] = call(
            f"CreateTransitRouterVpcAttachment {region}",
            client.create_transit_router_vpc_attachment,
            cbn.CreateTransitRouterVpcAttachmentRequest(
                cen_id=cen_id, region_id=region, transit_router_id=routers[region], vpc_id=vpc_id,
                zone_mappings=[cbn.CreateTransitRouterVpcAttachmentRequestZoneMappings(
                    zone_id=zone, v_switch_id=vsw)],
                transit_router_attachment_name=f"spoke-{region}",
            ),
        ).body.transit_router_attachment_id

    def vpc_attachment_list(region):
        def items():
            body = call("ListTransitRouterVpcAttachments",
                        client.list_transit_router_vpc_attachments,
                        cbn.ListTransitRouterVpcAttachmentsRequest(
                            cen_id=cen_id, region_id=region,
                            transit_router_attachment_id=attachments[region])).body
            return [(a.transit_router_attachment_id, a.status)
                    for a in body.transit_router_attachments or []]
        return items
    for region in attachments:
        wait_status(f"VPC attachment {attachments[region]}", vpc_attachment_list(region), "Attached")
    expect_refusal(
        "DeleteTransitRouter with an attachment", client.delete_transit_router,
        cbn.DeleteTransitRouterRequest(transit_router_id=hz_tr),
        "InvalidOperation.AttachedChildInstanceExist", 400,
    )

    # --- a custom route table (alicloud_cen_transit_router_route_table) ---
    table = call("CreateTransitRouterRouteTable", client.create_transit_router_route_table,
                 cbn.CreateTransitRouterRouteTableRequest(
                     transit_router_id=hz_tr, transit_router_route_table_name="spokes",
                 )).body.transit_router_route_table_id

    def tables():
        body = call("ListTransitRouterRouteTables", client.list_transit_router_route_tables,
                    cbn.ListTransitRouterRouteTablesRequest(
                        transit_router_id=hz_tr, transit_router_route_table_ids=[table])).body
        return [(t.transit_router_route_table_id, t.transit_router_route_table_status)
                for t in body.transit_router_route_tables or []]
    wait_status(f"route table {table}", tables, "Active")

    # --- the peer attachment (alicloud_cen_transit_router_peer_attachment) ---
    peer = call("CreateTransitRouterPeerAttachment", client.create_transit_router_peer_attachment,
                cbn.CreateTransitRouterPeerAttachmentRequest(
                    cen_id=cen_id, transit_router_id=hz_tr, peer_transit_router_id=sh_tr,
                    peer_transit_router_region_id="cn-shanghai", bandwidth=5,
                    cen_bandwidth_package_id=plan_id,
                )).body.transit_router_attachment_id

    def peers():
        body = call("ListTransitRouterPeerAttachments",
                    client.list_transit_router_peer_attachments,
                    cbn.ListTransitRouterPeerAttachmentsRequest(
                        cen_id=cen_id, transit_router_attachment_id=peer)).body
        return [(p.transit_router_attachment_id, p.status)
                for p in body.transit_router_attachments or []]
    wait_status(f"peer attachment {peer}", peers, "Attached")

    # --- association and propagations (…_route_table_association, …_propagation) ---
    hz_attachment = attachments["cn-hangzhou"]
    call("AssociateTransitRouterAttachmentWithRouteTable",
         client.associate_transit_router_attachment_with_route_table,
         cbn.AssociateTransitRouterAttachmentWithRouteTableRequest(
             transit_router_attachment_id=hz_attachment, transit_router_route_table_id=table))

    def associations():
        body = call("ListTransitRouterRouteTableAssociations",
                    client.list_transit_router_route_table_associations,
                    cbn.ListTransitRouterRouteTableAssociationsRequest(
                        transit_router_route_table_id=table,
                        transit_router_attachment_id=hz_attachment)).body
        return [(a.transit_router_attachment_id, a.status)
                for a in body.transit_router_associations or []]
    wait_status("the association", associations, "Active")
    for source in (hz_attachment, peer):
        call("EnableTransitRouterRouteTablePropagation",
             client.enable_transit_router_route_table_propagation,
             cbn.EnableTransitRouterRouteTablePropagationRequest(
                 transit_router_attachment_id=source, transit_router_route_table_id=table))

    def propagation(source):
        def items():
            body = call("ListTransitRouterRouteTablePropagations",
                        client.list_transit_router_route_table_propagations,
                        cbn.ListTransitRouterRouteTablePropagationsRequest(
                            transit_router_route_table_id=table,
                            transit_router_attachment_id=source)).body
            return [(p.transit_router_attachment_id, p.status)
                    for p in body.transit_router_propagations or []]
        return items
    for source in (hz_attachment, peer):
        wait_status(f"propagation from {source}", propagation(source), "Active")

    # --- routes (alicloud_cen_transit_router_route_entry) ---
    expect_refusal(
        "a dry run of CreateTransitRouterRouteEntry", client.create_transit_router_route_entry,
        cbn.CreateTransitRouterRouteEntryRequest(
            transit_router_route_table_id=table, dry_run=True,
            transit_router_route_entry_destination_cidr_block="0.0.0.0/0",
            transit_router_route_entry_next_hop_type="Attachment",
            transit_router_route_entry_next_hop_id=peer),
        "DryRunOperation", 400,
    )
    routes = {}
    for destination, hop_type, hop in (("0.0.0.0/0", "Attachment", peer),
                                       ("10.200.0.0/16", "BlackHole", None)):
        routes[destination] = call(
            f"CreateTransitRouterRouteEntry {destination}",
            client.create_transit_router_route_entry,
            cbn.CreateTransitRouterRouteEntryRequest(
                transit_router_route_table_id=table,
                transit_router_route_entry_destination_cidr_block=destination,
                transit_router_route_entry_next_hop_type=hop_type,
                transit_router_route_entry_next_hop_id=hop),
        ).body.transit_router_route_entry_id

    def route(entry_id):
        def items():
            body = call("ListTransitRouterRouteEntries", client.list_transit_router_route_entries,
                        cbn.ListTransitRouterRouteEntriesRequest(
                            transit_router_route_table_id=table,
                            transit_router_route_entry_ids=[entry_id])).body
            return [(r.transit_router_route_entry_id, r.transit_router_route_entry_status)
                    for r in body.transit_router_route_entries or []]
        return items
    for destination, entry_id in routes.items():
        wait_status(f"route {destination}", route(entry_id), "Active")

    body = call("ListTransitRouterRouteEntries", client.list_transit_router_route_entries,
                cbn.ListTransitRouterRouteEntriesRequest(transit_router_route_table_id=table)).body
    learned = sorted(
        (r.transit_router_route_entry_destination_cidr_block, r.transit_router_route_entry_type,
         r.transit_router_route_entry_next_hop_id)
        for r in body.transit_router_route_entries or []
    )
    expected = sorted(
        [("0.0.0.0/0", "Static", peer), ("10.200.0.0/16", "Static", None)]
        + [(block, "Propagated", hz_attachment) for block in hz_blocks]
        + [(block, "Propagated", peer) for block in sh_blocks]
    )
    expect_equal(learned, expected, "the routes of the hub's table")
    step(f"the hub's table: {learned}")

    # --- tags (TagResources, as the provider sends ResourceType) ---
    call("TagResources", client.tag_resources, cbn.TagResourcesRequest(
        resource_type="TransitRouterVpcAttachment", resource_id=[hz_attachment],
        tag=[cbn.TagResourcesRequestTag(key="tier", value="spoke")]))
    tags = call("ListTagResources", client.list_tag_resources, cbn.ListTagResourcesRequest(
        resource_type="TransitRouterVpcAttachment", resource_id=[hz_attachment])).body
    expect_equal([(t.tag_key, t.tag_value) for t in tags.tag_resources.tag_resource],
                 [("tier", "spoke")], "ListTagResources")

    # --- teardown in dependency order, each delete polled until gone ---
    for destination, entry_id in routes.items():
        call("DeleteTransitRouterRouteEntry", client.delete_transit_router_route_entry,
             cbn.DeleteTransitRouterRouteEntryRequest(transit_router_route_entry_id=entry_id))
        wait_gone(f"route {destination}", route(entry_id))
    for source in (hz_attachment, peer):
        call("DisableTransitRouterRouteTablePropagation",
             client.disable_transit_router_route_table_propagation,
             cbn.DisableTransitRouterRouteTablePropagationRequest(
                 transit_router_attachment_id=source, transit_router_route_table_id=table))
        wait_gone(f"propagation from {source}", propagation(source))
    call("DissociateTransitRouterAttachmentFromRouteTable",
         client.dissociate_transit_router_attachment_from_route_table,
         cbn.DissociateTransitRouterAttachmentFromRouteTableRequest(
             transit_router_attachment_id=hz_attachment, transit_router_route_table_id=table))
    wait_gone("the association", associations)
    call("DeleteTransitRouterPeerAttachment", client.delete_transit_router_peer_attachment,
         cbn.DeleteTransitRouterPeerAttachmentRequest(transit_router_attachment_id=peer))
    wait_gone("the peer attachment", peers)
    call("DeleteTransitRouterRouteTable", client.delete_transit_router_route_table,
         cbn.DeleteTransitRouterRouteTableRequest(transit_router_route_table_id=table))
    wait_gone("the route table", tables)
    for region in attachments:
        call("DeleteTransitRouterVpcAttachment", client.delete_transit_router_vpc_attachment,
             cbn.DeleteTransitRouterVpcAttachmentRequest(
                 transit_router_attachment_id=attachments[region]))
        wait_gone(f"VPC attachment in {region}", vpc_attachment_list(region))
    for region in routers:
        call("DeleteTransitRouter", client.delete_transit_router,
             cbn.DeleteTransitRouterRequest(transit_router_id=routers[region]))
        wait_gone(f"router in {region}", router_list(region))
    call("UnassociateCenBandwidthPackage", client.unassociate_cen_bandwidth_package,
         cbn.UnassociateCenBandwidthPackageRequest(cen_id=cen_id, cen_bandwidth_package_id=plan_id))
    call("DeleteCenBandwidthPackage", client.delete_cen_bandwidth_package,
         cbn.DeleteCenBandwidthPackageRequest(cen_bandwidth_package_id=plan_id))
    call("DeleteCen", client.delete_cen, cbn.DeleteCenRequest(cen_id=cen_id))
    wait_gone(f"CEN {cen_id}", cens)
    check(True, "done")


if __name__ == "__main__":
    run(main)
