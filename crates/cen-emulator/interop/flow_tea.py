#!/usr/bin/env python3
"""The CEN life cycle through Alibaba Cloud's current official SDKs, against the emulator.

Drives `alibabacloud-cbn20170912` and `alibabacloud-vpc20160428` (on `alibabacloud-tea-openapi`)
exactly as a user would, only pointed at the emulator:

    python3 flow_tea.py --endpoint http://127.0.0.1:9000 [--signature v3|v2]

`--signature v3` (the default) signs with ACS3-HMAC-SHA256, the SDK's default;
`--signature v2` sets the SDK's `signature_algorithm='v2'`, which sends the classic RPC request
(Action, Version, Signature* parameters) signed with HMAC-SHA1, `SignatureVersion=1.0`.

The flow: create a CEN instance and wait until Active; attach a VPC of account 1 in cn-hangzhou
and one in us-west-1 and wait until Attached; let account 2 grant its cn-hangzhou VPC to the CEN
instance (Vpc GrantInstanceToCen) and attach it across accounts; buy a China <-> North-America
bandwidth plan, associate it and give cn-hangzhou <-> us-west-1 5 Mbit/s of it; check the
listings; tear everything down in order; and finally check that a wrong secret and an unknown
AccessKey are refused with the documented codes. One line per step; exit status 1 on failure.
"""


from interop_common import (
    ACCOUNT_1,
    ACCOUNT_2,
    FlowError,
    check,
    expect_equal,
    pick_flow_vpcs,
    run,
    sdk_flow_args,
    step,
    wait_until,
)

from alibabacloud_cbn20170912 import models as cbn
from alibabacloud_cbn20170912.client import Client as CbnClient
from alibabacloud_tea_openapi import models as open_api_models
from alibabacloud_vpc20160428 import models as vpc
from alibabacloud_vpc20160428.client import Client as VpcClient


def config(account, host, signature):
    """An SDK configuration for `account`, talking plain HTTP to the emulator at `host`."""
    access_key_id, secret = account[0], account[1]
    return open_api_models.Config(
        access_key_id=access_key_id,
        access_key_secret=secret,
        endpoint=host,
        protocol="http",
        # None keeps the SDK's default, ACS3-HMAC-SHA256 (V3); 'v2' is how the SDK names the
        # classic RPC signature (HMAC-SHA1, SignatureVersion=1.0).
        signature_algorithm="v2" if signature == "v2" else None,
        read_timeout=10000,
        connect_timeout=5000,
    )


def error_code(error):
    """The service's error code and HTTP status carried by an SDK exception."""
    code = getattr(error, "code", None)
    status = getattr(error, "status_code", None)
    if status is None and isinstance(getattr(error, "data", None), dict):
        status = error.data.get("statusCode")
    return code, status


def call(what, function, *args):
    """Calls the SDK; an exception becomes a failure naming the operation and the service's code."""
    try:
        return function(*args)
    except FlowError:
        raise
    except Exception as error:
        code, status = error_code(error)
        raise FlowError(f"{what} failed: HTTP {status} {code}: {error}") from error


def expect_refusal(what, function, request, code, status):
    """Calls the SDK expecting the service to refuse with `code` and HTTP `status`."""
    try:
        function(request)
    except Exception as error:
        got_code, got_status = error_code(error)
        if got_code != code or got_status != status:
            raise FlowError(
                f"{what}: expected HTTP {status} {code}, got HTTP {got_status} {got_code} "
                f"({type(error).__name__}: {error})"
            ) from error
        step(f"{what}: refused with HTTP {got_status} {got_code} as expected")
        return error
    raise FlowError(f"{what}: expected HTTP {status} {code}, but the call succeeded")


def describe_cen(client, cen_id):
    """The CEN instance as DescribeCens (Filter CenId) lists it, or None."""
    request = cbn.DescribeCensRequest(
        filter=[cbn.DescribeCensRequestFilter(key="CenId", value=[cen_id])]
    )
    body = call("DescribeCens", client.describe_cens, request).body
    cens = body.cens.cen if body.cens and body.cens.cen else []
    check(all(c.cen_id == cen_id for c in cens), f"Filter CenId={cen_id} listed {body.to_map()}")
    return cens[0] if cens else None


def children(client, cen_id):
    """The attachments of a CEN instance, as DescribeCenAttachedChildInstances lists them."""
    request = cbn.DescribeCenAttachedChildInstancesRequest(cen_id=cen_id, page_size=50)
    body = call(
        "DescribeCenAttachedChildInstances", client.describe_cen_attached_child_instances, request
    ).body
    items = body.child_instances.child_instance if body.child_instances else None
    check(items is not None, f"no ChildInstances.ChildInstance list in {body.to_map()}")
    expect_equal(body.total_count, len(items), "DescribeCenAttachedChildInstances TotalCount")
    return items


def limits(client, cen_id):
    """The inter-region bandwidth limits of a CEN instance."""
    request = cbn.DescribeCenInterRegionBandwidthLimitsRequest(cen_id=cen_id)
    body = call(
        "DescribeCenInterRegionBandwidthLimits",
        client.describe_cen_inter_region_bandwidth_limits,
        request,
    ).body
    wrapper = body.cen_inter_region_bandwidth_limits
    check(wrapper is not None, f"no CenInterRegionBandwidthLimits in {body.to_map()}")
    return wrapper.cen_inter_region_bandwidth_limit or []


def attach(cen_id, vpc_id, region, owner=None):
    """An AttachCenChildInstance request for a VPC (of `owner`, when another account's)."""
    return cbn.AttachCenChildInstanceRequest(
        cen_id=cen_id,
        child_instance_id=vpc_id,
        child_instance_region_id=region,
        child_instance_type="VPC",
        child_instance_owner_id=owner,
    )


def main():
    args, base, host = sdk_flow_args(__doc__)
    uid_1, uid_2 = ACCOUNT_1[2], ACCOUNT_2[2]
    label = f"interop-tea-{args.signature}"
    step(f"official Tea SDKs, signature {args.signature}, endpoint {host}")

    cbn_1 = CbnClient(config(ACCOUNT_1, host, args.signature))
    vpc_2 = VpcClient(config(ACCOUNT_2, host, args.signature))
    vpcs = pick_flow_vpcs(base)

    # --- the CEN instance ---
    response = call(
        "CreateCen",
        cbn_1.create_cen,
        cbn.CreateCenRequest(name=label, description="created by interop/flow_tea.py"),
    )
    created = response.body
    headers = {k.lower(): v for k, v in (response.headers or {}).items()}
    expect_equal(headers.get("x-acs-request-id"), created.request_id,
                 "CreateCen x-acs-request-id header against RequestId")
    expect_equal(response.status_code, 200, "CreateCen HTTP status")
    cen_id = created.cen_id
    check(cen_id and cen_id.startswith("cen-"), f"CreateCen returned no cen- id: {created.to_map()}")
    check(created.request_id, f"CreateCen returned no RequestId: {created.to_map()}")
    step(f"CreateCen -> {cen_id}")
    wait_until(
        f"{cen_id} is Active",
        lambda: (lambda c: (c is not None and c.status == "Active", c and c.status))(
            describe_cen(cbn_1, cen_id)
        ),
    )
    cen = describe_cen(cbn_1, cen_id)
    expect_equal(cen.name, label, "DescribeCens Name")
    step(f"DescribeCens: {cen_id} Active, Name {cen.name!r}, ProtectionLevel {cen.protection_level}")

    # --- two VPCs of the same account ---
    call("AttachCenChildInstance (cn-hangzhou)", cbn_1.attach_cen_child_instance,
         attach(cen_id, vpcs["hz"], "cn-hangzhou"))
    step(f"AttachCenChildInstance {vpcs['hz']} (cn-hangzhou)")
    call("AttachCenChildInstance (us-west-1)", cbn_1.attach_cen_child_instance,
         attach(cen_id, vpcs["us"], "us-west-1"))
    step(f"AttachCenChildInstance {vpcs['us']} (us-west-1)")
    wait_until(
        "both VPCs are Attached",
        lambda: (lambda items: (
            len(items) == 2 and all(i.status == "Attached" for i in items),
            sorted(f"{i.child_instance_id}:{i.status}" for i in items),
        ))(children(cbn_1, cen_id)),
    )

    # --- a VPC of another account ---
    expect_refusal(
        "AttachCenChildInstance of account 2's VPC before any grant",
        cbn_1.attach_cen_child_instance,
        attach(cen_id, vpcs["b_hz"], "cn-hangzhou", owner=uid_2),
        "Forbbiden.AttachChildInstanceAcrossUid",
        409,
    )
    grant = vpc.GrantInstanceToCenRequest(
        cen_id=cen_id,
        cen_owner_id=uid_1,
        instance_id=vpcs["b_hz"],
        instance_type="VPC",
        region_id="cn-hangzhou",
    )
    granted = call("GrantInstanceToCen (account 2)", vpc_2.grant_instance_to_cen, grant).body
    check(granted.request_id, f"GrantInstanceToCen returned no RequestId: {granted.to_map()}")
    step(f"account 2: Vpc GrantInstanceToCen {vpcs['b_hz']} -> {cen_id} (CenOwnerId {uid_1})")
    rules = call(
        "Vpc DescribeGrantRulesToCen (account 2)",
        vpc_2.describe_grant_rules_to_cen,
        vpc.DescribeGrantRulesToCenRequest(
            instance_id=vpcs["b_hz"], instance_type="VPC", region_id="cn-hangzhou"
        ),
    ).body
    granted_to = [r.cen_instance_id for r in (rules.cen_grant_rules.cbn_grant_rule or [])] \
        if rules.cen_grant_rules else []
    check(cen_id in granted_to, f"DescribeGrantRulesToCen does not list {cen_id}: {rules.to_map()}")
    step(f"account 2: Vpc DescribeGrantRulesToCen lists {granted_to}")
    call("AttachCenChildInstance (cross-account)", cbn_1.attach_cen_child_instance,
         attach(cen_id, vpcs["b_hz"], "cn-hangzhou", owner=uid_2))
    step(f"AttachCenChildInstance {vpcs['b_hz']} of account {uid_2} (cn-hangzhou)")
    wait_until(
        "the cross-account VPC is Attached",
        lambda: (lambda items: (
            any(i.child_instance_id == vpcs["b_hz"] and i.status == "Attached" for i in items),
            sorted(f"{i.child_instance_id}:{i.status}" for i in items),
        ))(children(cbn_1, cen_id)),
    )

    # --- bandwidth ---
    plan = call(
        "CreateCenBandwidthPackage",
        cbn_1.create_cen_bandwidth_package,
        cbn.CreateCenBandwidthPackageRequest(
            bandwidth=10,
            geographic_region_aid="China",
            geographic_region_bid="North-America",
            bandwidth_package_charge_type="PREPAY",
            pricing_cycle="Month",
            period=1,
            auto_pay=True,
            name=label,
        ),
    ).body
    plan_id = plan.cen_bandwidth_package_id
    check(plan_id and plan_id.startswith("cenbwp-"), f"no cenbwp- id: {plan.to_map()}")
    step(f"CreateCenBandwidthPackage China<->North-America 10 Mbit/s -> {plan_id} "
         f"(order {plan.cen_bandwidth_package_order_id})")
    call("AssociateCenBandwidthPackage", cbn_1.associate_cen_bandwidth_package,
         cbn.AssociateCenBandwidthPackageRequest(cen_id=cen_id, cen_bandwidth_package_id=plan_id))
    step(f"AssociateCenBandwidthPackage {plan_id} -> {cen_id}")
    packages = call(
        "DescribeCenBandwidthPackages",
        cbn_1.describe_cen_bandwidth_packages,
        cbn.DescribeCenBandwidthPackagesRequest(
            filter=[cbn.DescribeCenBandwidthPackagesRequestFilter(
                key="CenBandwidthPackageId", value=[plan_id])]
        ),
    ).body
    listed = packages.cen_bandwidth_packages.cen_bandwidth_package or []
    expect_equal(len(listed), 1, "DescribeCenBandwidthPackages count")
    expect_equal(listed[0].status, "InUse", "bandwidth plan Status")
    expect_equal(listed[0].bandwidth, 10, "bandwidth plan Bandwidth")
    step(f"DescribeCenBandwidthPackages: {plan_id} {listed[0].status}, "
         f"{listed[0].bandwidth} Mbit/s, {listed[0].geographic_region_aid}<->"
         f"{listed[0].geographic_region_bid}")
    cen = describe_cen(cbn_1, cen_id)
    plan_ids = cen.cen_bandwidth_package_ids.cen_bandwidth_package_id \
        if cen.cen_bandwidth_package_ids else []
    expect_equal(plan_ids, [plan_id], "DescribeCens CenBandwidthPackageIds")
    step(f"DescribeCens: CenBandwidthPackageIds {plan_ids}")

    call("SetCenInterRegionBandwidthLimit", cbn_1.set_cen_inter_region_bandwidth_limit,
         cbn.SetCenInterRegionBandwidthLimitRequest(
             cen_id=cen_id, local_region_id="cn-hangzhou", opposite_region_id="us-west-1",
             bandwidth_limit=5))
    step("SetCenInterRegionBandwidthLimit cn-hangzhou<->us-west-1 5 Mbit/s")
    limit = wait_until(
        "the limit is Active",
        lambda: (lambda items: (
            len(items) == 1 and items[0].status == "Active",
            [f"{i.local_region_id}<->{i.opposite_region_id}:{i.bandwidth_limit}:{i.status}"
             for i in items],
        ))(limits(cbn_1, cen_id)),
    )
    items = limits(cbn_1, cen_id)
    expect_equal(items[0].bandwidth_limit, 5, "BandwidthLimit")
    expect_equal({items[0].local_region_id, items[0].opposite_region_id},
                 {"cn-hangzhou", "us-west-1"}, "limit regions")
    expect_equal(items[0].bandwidth_package_id, plan_id, "limit BandwidthPackageId")
    step(f"DescribeCenInterRegionBandwidthLimits: {limit}")

    attached = children(cbn_1, cen_id)
    expect_equal(len(attached), 3, "attached network instances")
    by_id = {i.child_instance_id: i for i in attached}
    expect_equal(set(by_id), set(vpcs.values()), "attached instance ids")
    expect_equal(by_id[vpcs["b_hz"]].child_instance_owner_id, uid_2, "cross-account owner")
    expect_equal(by_id[vpcs["us"]].child_instance_region_id, "us-west-1", "us-west-1 region")
    check(all(i.status == "Attached" and i.child_instance_type == "VPC" for i in attached),
          f"not all Attached VPCs: {[i.to_map() for i in attached]}")
    step(f"DescribeCenAttachedChildInstances: 3 Attached VPCs {sorted(by_id)}")

    # --- teardown, in order ---
    call("SetCenInterRegionBandwidthLimit 0", cbn_1.set_cen_inter_region_bandwidth_limit,
         cbn.SetCenInterRegionBandwidthLimitRequest(
             cen_id=cen_id, local_region_id="cn-hangzhou", opposite_region_id="us-west-1",
             bandwidth_limit=0))
    wait_until("no inter-region limit is left",
               lambda: (lambda items: (not items, len(items)))(limits(cbn_1, cen_id)))
    call("UnassociateCenBandwidthPackage", cbn_1.unassociate_cen_bandwidth_package,
         cbn.UnassociateCenBandwidthPackageRequest(cen_id=cen_id, cen_bandwidth_package_id=plan_id))
    step(f"UnassociateCenBandwidthPackage {plan_id}")
    call("DeleteCenBandwidthPackage", cbn_1.delete_cen_bandwidth_package,
         cbn.DeleteCenBandwidthPackageRequest(cen_bandwidth_package_id=plan_id))
    step(f"DeleteCenBandwidthPackage {plan_id}")
    for vpc_id, region, owner in [
        (vpcs["hz"], "cn-hangzhou", None),
        (vpcs["us"], "us-west-1", None),
        (vpcs["b_hz"], "cn-hangzhou", uid_2),
    ]:
        call(f"DetachCenChildInstance {vpc_id}", cbn_1.detach_cen_child_instance,
             cbn.DetachCenChildInstanceRequest(
                 cen_id=cen_id, child_instance_id=vpc_id, child_instance_region_id=region,
                 child_instance_type="VPC", child_instance_owner_id=owner))
        step(f"DetachCenChildInstance {vpc_id}")
    wait_until(
        "every network instance is detached",
        lambda: (lambda items: (not items, sorted(f"{i.child_instance_id}:{i.status}" for i in items)))(
            children(cbn_1, cen_id)),
    )
    call("RevokeInstanceFromCen (account 2)", vpc_2.revoke_instance_from_cen,
         vpc.RevokeInstanceFromCenRequest(
             cen_id=cen_id, cen_owner_id=uid_1, instance_id=vpcs["b_hz"], instance_type="VPC",
             region_id="cn-hangzhou"))
    step(f"account 2: Vpc RevokeInstanceFromCen {vpcs['b_hz']}")
    call("DeleteCen", cbn_1.delete_cen, cbn.DeleteCenRequest(cen_id=cen_id))
    step(f"DeleteCen {cen_id}")
    wait_until(
        f"{cen_id} is gone",
        lambda: (lambda c: (c is None, c and c.status))(describe_cen(cbn_1, cen_id)),
    )

    # --- authentication failures ---
    wrong_secret = (ACCOUNT_1[0], "not-the-secret")
    refusal = expect_refusal(
        "DescribeCens with a wrong secret",
        CbnClient(config(wrong_secret, host, args.signature)).describe_cens,
        cbn.DescribeCensRequest(),
        "SignatureDoesNotMatch",
        400,
    )
    # The message carries the server's string to sign, which shows the scheme the SDK used.
    message = (refusal.data or {}).get("Message", "") if isinstance(refusal.data, dict) else ""
    _, _, server_string = message.partition("server string to sign is:")
    scheme_start = "ACS3-HMAC-SHA256\n" if args.signature == "v3" else "POST&%2F&"
    check(server_string.startswith(scheme_start),
          f"expected a string to sign starting {scheme_start!r}, message was {message!r}")
    step(f"the server's string to sign starts {server_string[:24]!r}: the {args.signature} scheme")
    expect_refusal(
        "Vpc DescribeGrantRulesToCen with a wrong secret",
        VpcClient(config((ACCOUNT_2[0], "not-the-secret"), host, args.signature))
        .describe_grant_rules_to_cen,
        vpc.DescribeGrantRulesToCenRequest(
            instance_id=vpcs["b_hz"], instance_type="VPC", region_id="cn-hangzhou"),
        "SignatureDoesNotMatch",
        400,
    )
    unknown_key = ("LTAI5tNoSuchAccessKey00", "whatever")
    expect_refusal(
        "DescribeCens with an unknown AccessKeyId",
        CbnClient(config(unknown_key, host, args.signature)).describe_cens,
        cbn.DescribeCensRequest(),
        "InvalidAccessKeyId.NotFound",
        404,
    )


if __name__ == "__main__":
    run(main)
