#!/usr/bin/env python3
"""The CEN life cycle through Alibaba Cloud's classic Python SDK, against the emulator.

Drives `aliyun-python-sdk-core` with the request classes of `aliyun-python-sdk-cbn` and
`aliyun-python-sdk-vpc` (signature V1, HMAC-SHA1), pointed at the emulator:

    python3 flow_core.py --endpoint http://127.0.0.1:9000 --format JSON|XML

The endpoint is overridden the way the core SDK allows: `request.set_endpoint(host)` with
`request.set_protocol_type('http')`, and the port given to `AcsClient(port=...)`.

With `--format JSON` responses come through `AcsClient.do_action_with_exception` and the SDK's own
`ServerException`s. With `--format XML` every request says `set_accept_format('XML')` and goes
through `AcsClient.get_response` (do_action_with_exception forces JSON); each response is parsed
with xml.etree, its root must be `<{Action}Response>` (or `<Error>` for a refusal) and every list
wrapper (`<Cens>`, `<ChildInstances>`, ...) must be present.

The flow: create a CEN instance and wait until Active; attach two VPCs of account 1 (cn-hangzhou,
us-west-1) and, after account 2's Vpc GrantInstanceToCen, account 2's cn-hangzhou VPC; buy and
associate a China <-> North-America bandwidth plan and give cn-hangzhou <-> us-west-1 5 Mbit/s;
check the listings; tear down in order; check the refusals of a wrong secret and an unknown key.
"""

import argparse
import json
import warnings
import xml.etree.ElementTree as ET

from interop_common import (
    ACCOUNT_1,
    ACCOUNT_2,
    FlowError,
    check,
    expect_equal,
    pick_flow_vpcs,
    run,
    split_endpoint,
    step,
    wait_until,
)

from aliyunsdkcore.acs_exception.exceptions import ServerException
from aliyunsdkcore.client import AcsClient
from aliyunsdkcbn.request.v20170912.AssociateCenBandwidthPackageRequest import AssociateCenBandwidthPackageRequest
from aliyunsdkcbn.request.v20170912.AttachCenChildInstanceRequest import AttachCenChildInstanceRequest
from aliyunsdkcbn.request.v20170912.CreateCenBandwidthPackageRequest import CreateCenBandwidthPackageRequest
from aliyunsdkcbn.request.v20170912.CreateCenRequest import CreateCenRequest
from aliyunsdkcbn.request.v20170912.DeleteCenBandwidthPackageRequest import DeleteCenBandwidthPackageRequest
from aliyunsdkcbn.request.v20170912.DeleteCenRequest import DeleteCenRequest
from aliyunsdkcbn.request.v20170912.DescribeCenAttachedChildInstancesRequest import DescribeCenAttachedChildInstancesRequest
from aliyunsdkcbn.request.v20170912.DescribeCenBandwidthPackagesRequest import DescribeCenBandwidthPackagesRequest
from aliyunsdkcbn.request.v20170912.DescribeCenInterRegionBandwidthLimitsRequest import DescribeCenInterRegionBandwidthLimitsRequest
from aliyunsdkcbn.request.v20170912.DescribeCensRequest import DescribeCensRequest
from aliyunsdkcbn.request.v20170912.DetachCenChildInstanceRequest import DetachCenChildInstanceRequest
from aliyunsdkcbn.request.v20170912.SetCenInterRegionBandwidthLimitRequest import SetCenInterRegionBandwidthLimitRequest
from aliyunsdkcbn.request.v20170912.UnassociateCenBandwidthPackageRequest import UnassociateCenBandwidthPackageRequest
from aliyunsdkvpc.request.v20160428.DescribeGrantRulesToCenRequest import DescribeGrantRulesToCenRequest
from aliyunsdkvpc.request.v20160428.GrantInstanceToCenRequest import GrantInstanceToCenRequest
from aliyunsdkvpc.request.v20160428.RevokeInstanceFromCenRequest import RevokeInstanceFromCenRequest

# The list wrappers of each response, wrapper -> item element, as the JSON shape nests them
# ("Cens": {"Cen": [...]}). In XML a wrapper must be present even when empty, and a wrapper with
# a single item is still a list: the schema, not the document, says so.
LISTS = {
    "DescribeCens": {"Cens": "Cen", "CenBandwidthPackageIds": "CenBandwidthPackageId", "Tags": "Tag"},
    "DescribeCenAttachedChildInstances": {"ChildInstances": "ChildInstance"},
    "DescribeCenBandwidthPackages": {
        "CenBandwidthPackages": "CenBandwidthPackage",
        "CenIds": "CenId",
        "Tags": "Tag",
        "OrginInterRegionBandwidthLimits": "OrginInterRegionBandwidthLimit",
    },
    "DescribeCenInterRegionBandwidthLimits": {
        "CenInterRegionBandwidthLimits": "CenInterRegionBandwidthLimit"
    },
    "DescribeGrantRulesToCen": {"CenGrantRules": "CbnGrantRule"},
}

# The wrappers each listing must carry at the top of its response.
REQUIRED_WRAPPERS = {
    "DescribeCens": ["Cens"],
    "DescribeCenAttachedChildInstances": ["ChildInstances"],
    "DescribeCenBandwidthPackages": ["CenBandwidthPackages"],
    "DescribeCenInterRegionBandwidthLimits": ["CenInterRegionBandwidthLimits"],
    "DescribeGrantRulesToCen": ["CenGrantRules"],
}


class Refused(Exception):
    """The service refused a call: HTTP status, error code and message."""

    def __init__(self, status, code, message):
        super().__init__(f"HTTP {status} {code}: {message}")
        self.status, self.code, self.message = status, code, message


def xml_to_value(element, lists):
    """An element as the JSON shape would have it: lists per `lists`, leaves as text."""
    item_tag = lists.get(element.tag)
    if item_tag is not None:
        strays = [child.tag for child in element if child.tag != item_tag]
        check(not strays, f"<{element.tag}> holds {strays}, expected only <{item_tag}>")
        return {item_tag: [xml_to_value(child, lists) for child in element]}
    if len(element) == 0:
        return element.text or ""
    value = {}
    for child in element:
        check(child.tag not in value, f"<{element.tag}> repeats <{child.tag}> outside a list")
        value[child.tag] = xml_to_value(child, lists)
    return value


class Api:
    """One account's view of the emulator through the core SDK, in one response format."""

    def __init__(self, account, hostname, port, response_format):
        self.client = AcsClient(
            account[0], account[1], "cn-hangzhou", port=port, timeout=10, connect_timeout=5
        )
        self.hostname = hostname
        self.format = response_format

    def prepare(self, request_class, **parameters):
        """A request of `request_class` with its setters called, aimed at the emulator."""
        request = request_class()
        for name, value in parameters.items():
            if name == "RegionId":
                # A common parameter: the request classes have no setter; the SDK sends the
                # client's region unless the request carries its own.
                request.add_query_param("RegionId", value)
                continue
            setter = getattr(request, f"set_{name}", None)
            check(setter is not None, f"{request_class.__name__} has no setter set_{name}")
            setter(value)
        request.set_endpoint(self.hostname)
        request.set_protocol_type("http")
        request.set_accept_format(self.format)
        return request

    def send(self, request_class, **parameters):
        """Sends a request; returns the response in the JSON shape, or raises Refused."""
        request = self.prepare(request_class, **parameters)
        action = request.get_action_name()
        if self.format == "JSON":
            try:
                body = self.client.do_action_with_exception(request)
            except ServerException as error:
                raise Refused(error.get_http_status(), error.get_error_code(),
                              error.get_error_msg()) from error
            try:
                document = json.loads(body)
            except ValueError as error:
                raise FlowError(f"{action}: the response is not JSON: {body[:300]!r}") from error
            check(isinstance(document, dict), f"{action}: the response is not an object")
        else:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", DeprecationWarning)
                status, headers, body = self.client.get_response(request)
            text = body.decode("utf-8")
            content_type = (headers or {}).get("Content-Type", "")
            check(text.startswith("<?xml version='1.0' encoding='UTF-8'?>"),
                  f"{action}: the XML prolog is missing: {text[:120]!r}")
            expect_equal(content_type, "text/xml;charset=utf-8", f"{action}: Content-Type")
            try:
                root = ET.fromstring(body)
            except ET.ParseError as error:
                raise FlowError(f"{action}: the response is not XML ({error}): {text[:300]!r}") \
                    from error
            header_request_id = (headers or {}).get("x-acs-request-id")
            if status >= 300:
                check(root.tag == "Error", f"{action}: HTTP {status} with root <{root.tag}>")
                fields = {child.tag: child.text or "" for child in root}
                expect_equal(header_request_id, fields.get("RequestId"),
                             f"{action}: x-acs-request-id against <RequestId>")
                for field in ["RequestId", "HostId", "Code", "Message", "Recommend"]:
                    check(field in fields, f"{action}: the <Error> has no <{field}>: {text!r}")
                raise Refused(status, fields["Code"], fields["Message"])
            expect_equal(root.tag, f"{action}Response", f"{action}: the root element")
            lists = LISTS.get(action, {})
            document = xml_to_value(root, lists)
            check(isinstance(document, dict), f"{action}: an empty <{root.tag}>")
            expect_equal(header_request_id, document.get("RequestId"),
                         f"{action}: x-acs-request-id against <RequestId>")
        check(document.get("RequestId"), f"{action}: no RequestId in {document!r}")
        for wrapper in REQUIRED_WRAPPERS.get(action, []):
            item = LISTS[action][wrapper]
            check(isinstance(document.get(wrapper), dict)
                  and isinstance(document[wrapper].get(item), list),
                  f"{action}: the list wrapper {wrapper}.{item} is missing: {document!r}")
        return document

    def refused(self, what, code, status, request_class, **parameters):
        """Sends a request expecting the service to refuse it with `code` and `status`."""
        try:
            self.send(request_class, **parameters)
        except Refused as refusal:
            if refusal.code != code or refusal.status != status:
                raise FlowError(f"{what}: expected HTTP {status} {code}, got {refusal}") \
                    from refusal
            step(f"{what}: refused with HTTP {status} {code} as expected")
            return refusal
        raise FlowError(f"{what}: expected HTTP {status} {code}, but the call succeeded")


def number(value):
    """A number from the JSON shape (a number) or from XML (its text)."""
    return int(value)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--endpoint", required=True, help="the emulator's base URL, http://host:port")
    parser.add_argument("--format", choices=["JSON", "XML"], required=True)
    args = parser.parse_args()
    base, hostname, port, _ = split_endpoint(args.endpoint)
    uid_1, uid_2 = ACCOUNT_1[2], ACCOUNT_2[2]
    label = f"interop-core-{args.format.lower()}"
    step(f"classic core SDK, Format {args.format}, endpoint {hostname}:{port}")
    a = Api(ACCOUNT_1, hostname, port, args.format)
    b = Api(ACCOUNT_2, hostname, port, args.format)
    vpcs = pick_flow_vpcs(base)

    def call(what, api, request_class, **parameters):
        try:
            return api.send(request_class, **parameters)
        except Refused as refusal:
            raise FlowError(f"{what} failed: {refusal}") from refusal

    def cen_status(cen_id):
        page = call("DescribeCens", a, DescribeCensRequest,
                    Filters=[{"Key": "CenId", "Value": [cen_id]}])
        cens = page["Cens"]["Cen"]
        check(all(c.get("CenId") == cen_id for c in cens), f"Filter CenId listed {cens!r}")
        return (cens[0] if cens else None), page

    def children(cen_id):
        page = call("DescribeCenAttachedChildInstances", a,
                    DescribeCenAttachedChildInstancesRequest, CenId=cen_id, PageSize=50)
        items = page["ChildInstances"]["ChildInstance"]
        expect_equal(number(page["TotalCount"]), len(items), "TotalCount")
        return items

    def limits(cen_id):
        page = call("DescribeCenInterRegionBandwidthLimits", a,
                    DescribeCenInterRegionBandwidthLimitsRequest, CenId=cen_id)
        return page["CenInterRegionBandwidthLimits"]["CenInterRegionBandwidthLimit"]

    def states(items):
        return sorted(f"{i['ChildInstanceId']}:{i['Status']}" for i in items)

    # --- the CEN instance ---
    created = call("CreateCen", a, CreateCenRequest, Name=label,
                   Description="created by interop/flow_core.py")
    cen_id = created.get("CenId", "")
    check(cen_id.startswith("cen-"), f"CreateCen returned no cen- id: {created!r}")
    step(f"CreateCen -> {cen_id}")
    wait_until(f"{cen_id} is Active",
               lambda: (lambda c: (c is not None and c["Status"] == "Active", c and c["Status"]))(
                   cen_status(cen_id)[0]))
    cen, page = cen_status(cen_id)
    expect_equal(cen["Name"], label, "DescribeCens Name")
    expect_equal(number(page["TotalCount"]), 1, "DescribeCens TotalCount")
    step(f"DescribeCens: {cen_id} Active, Name {cen['Name']!r}")

    # --- attachments, one across accounts ---
    for vpc_id, region in [(vpcs["hz"], "cn-hangzhou"), (vpcs["us"], "us-west-1")]:
        call("AttachCenChildInstance", a, AttachCenChildInstanceRequest, CenId=cen_id,
             ChildInstanceId=vpc_id, ChildInstanceRegionId=region, ChildInstanceType="VPC")
        step(f"AttachCenChildInstance {vpc_id} ({region})")
    wait_until("both VPCs are Attached",
               lambda: (lambda items: (len(items) == 2 and all(i["Status"] == "Attached"
                                                               for i in items), states(items)))(
                   children(cen_id)))
    call("GrantInstanceToCen (account 2)", b, GrantInstanceToCenRequest, CenId=cen_id,
         CenOwnerId=uid_1, InstanceId=vpcs["b_hz"], InstanceType="VPC", RegionId="cn-hangzhou")
    step(f"account 2: Vpc GrantInstanceToCen {vpcs['b_hz']} -> {cen_id}")
    rules = call("DescribeGrantRulesToCen (account 2)", b, DescribeGrantRulesToCenRequest,
                 InstanceId=vpcs["b_hz"], InstanceType="VPC", RegionId="cn-hangzhou")
    granted_to = [r.get("CenInstanceId") for r in rules["CenGrantRules"]["CbnGrantRule"]]
    check(cen_id in granted_to, f"DescribeGrantRulesToCen does not list {cen_id}: {rules!r}")
    step(f"account 2: Vpc DescribeGrantRulesToCen lists {granted_to}")
    call("AttachCenChildInstance (cross-account)", a, AttachCenChildInstanceRequest,
         CenId=cen_id, ChildInstanceId=vpcs["b_hz"], ChildInstanceRegionId="cn-hangzhou",
         ChildInstanceType="VPC", ChildInstanceOwnerId=uid_2)
    step(f"AttachCenChildInstance {vpcs['b_hz']} of account {uid_2}")
    wait_until("three VPCs are Attached",
               lambda: (lambda items: (len(items) == 3 and all(i["Status"] == "Attached"
                                                               for i in items), states(items)))(
                   children(cen_id)))

    # --- bandwidth ---
    plan = call("CreateCenBandwidthPackage", a, CreateCenBandwidthPackageRequest, Bandwidth=10,
                GeographicRegionAId="China", GeographicRegionBId="North-America",
                BandwidthPackageChargeType="PREPAY", PricingCycle="Month", Period=1,
                AutoPay=True, Name=label)
    plan_id = plan.get("CenBandwidthPackageId", "")
    check(plan_id.startswith("cenbwp-"), f"no cenbwp- id: {plan!r}")
    step(f"CreateCenBandwidthPackage China<->North-America 10 Mbit/s -> {plan_id}")
    call("AssociateCenBandwidthPackage", a, AssociateCenBandwidthPackageRequest, CenId=cen_id,
         CenBandwidthPackageId=plan_id)
    step(f"AssociateCenBandwidthPackage {plan_id} -> {cen_id}")
    packages = call("DescribeCenBandwidthPackages", a, DescribeCenBandwidthPackagesRequest,
                    Filters=[{"Key": "CenBandwidthPackageId", "Value": [plan_id]}])
    listed = packages["CenBandwidthPackages"]["CenBandwidthPackage"]
    expect_equal(len(listed), 1, "DescribeCenBandwidthPackages count")
    expect_equal(listed[0]["Status"], "InUse", "bandwidth plan Status")
    expect_equal(number(listed[0]["Bandwidth"]), 10, "bandwidth plan Bandwidth")
    expect_equal(listed[0]["CenIds"]["CenId"], [cen_id], "bandwidth plan CenIds")
    step(f"DescribeCenBandwidthPackages: {plan_id} InUse, CenIds {listed[0]['CenIds']['CenId']}")
    cen, _ = cen_status(cen_id)
    expect_equal(cen["CenBandwidthPackageIds"]["CenBandwidthPackageId"], [plan_id],
                 "DescribeCens CenBandwidthPackageIds")
    step(f"DescribeCens: CenBandwidthPackageIds [{plan_id}]")
    call("SetCenInterRegionBandwidthLimit", a, SetCenInterRegionBandwidthLimitRequest,
         CenId=cen_id, LocalRegionId="cn-hangzhou", OppositeRegionId="us-west-1",
         BandwidthLimit=5)
    step("SetCenInterRegionBandwidthLimit cn-hangzhou<->us-west-1 5 Mbit/s")
    wait_until("the limit is Active",
               lambda: (lambda items: (
                   len(items) == 1 and items[0]["Status"] == "Active",
                   [f"{i['LocalRegionId']}<->{i['OppositeRegionId']}:{i['BandwidthLimit']}:"
                    f"{i['Status']}" for i in items]))(limits(cen_id)))
    limit = limits(cen_id)[0]
    expect_equal(number(limit["BandwidthLimit"]), 5, "BandwidthLimit")
    expect_equal({limit["LocalRegionId"], limit["OppositeRegionId"]},
                 {"cn-hangzhou", "us-west-1"}, "limit regions")
    step(f"DescribeCenInterRegionBandwidthLimits: {limit['LocalRegionId']}<->"
         f"{limit['OppositeRegionId']} {limit['BandwidthLimit']} Mbit/s {limit['Status']}")
    attached = children(cen_id)
    expect_equal(sorted(i["ChildInstanceId"] for i in attached), sorted(vpcs.values()),
                 "attached instances")
    owners = {i["ChildInstanceId"]: number(i["ChildInstanceOwnerId"]) for i in attached}
    expect_equal(owners[vpcs["b_hz"]], uid_2, "cross-account ChildInstanceOwnerId")
    step(f"DescribeCenAttachedChildInstances: 3 {states(attached)}")

    # --- teardown ---
    call("SetCenInterRegionBandwidthLimit 0", a, SetCenInterRegionBandwidthLimitRequest,
         CenId=cen_id, LocalRegionId="cn-hangzhou", OppositeRegionId="us-west-1",
         BandwidthLimit=0)
    wait_until("no limit is left", lambda: (lambda items: (not items, len(items)))(limits(cen_id)))
    call("UnassociateCenBandwidthPackage", a, UnassociateCenBandwidthPackageRequest,
         CenId=cen_id, CenBandwidthPackageId=plan_id)
    step(f"UnassociateCenBandwidthPackage {plan_id}")
    call("DeleteCenBandwidthPackage", a, DeleteCenBandwidthPackageRequest,
         CenBandwidthPackageId=plan_id)
    step(f"DeleteCenBandwidthPackage {plan_id}")
    for vpc_id, region, owner in [(vpcs["hz"], "cn-hangzhou", None),
                                  (vpcs["us"], "us-west-1", None),
                                  (vpcs["b_hz"], "cn-hangzhou", uid_2)]:
        extra = {"ChildInstanceOwnerId": owner} if owner else {}
        call("DetachCenChildInstance", a, DetachCenChildInstanceRequest, CenId=cen_id,
             ChildInstanceId=vpc_id, ChildInstanceRegionId=region, ChildInstanceType="VPC",
             **extra)
        step(f"DetachCenChildInstance {vpc_id}")
    wait_until("every VPC is detached",
               lambda: (lambda items: (not items, states(items)))(children(cen_id)))
    call("RevokeInstanceFromCen (account 2)", b, RevokeInstanceFromCenRequest, CenId=cen_id,
         CenOwnerId=uid_1, InstanceId=vpcs["b_hz"], InstanceType="VPC", RegionId="cn-hangzhou")
    step(f"account 2: Vpc RevokeInstanceFromCen {vpcs['b_hz']}")
    call("DeleteCen", a, DeleteCenRequest, CenId=cen_id)
    step(f"DeleteCen {cen_id}")
    wait_until(f"{cen_id} is gone",
               lambda: (lambda c: (c is None, c and c["Status"]))(cen_status(cen_id)[0]))

    # --- authentication failures ---
    wrong = Api((ACCOUNT_1[0], "not-the-secret"), hostname, port, args.format)
    if args.format == "JSON":
        # The core SDK compares the server's string to sign (in the message) with its own and,
        # when they are equal, reports the documented SignatureDoesNotMatch as
        # InvalidAccessKeySecret: that code proves the emulator canonicalized the request
        # byte for byte as the SDK did, and only the key differed.
        wrong.refused("DescribeCens with a wrong secret", "InvalidAccessKeySecret", 400,
                      DescribeCensRequest)
        step("(the SDK's name for SignatureDoesNotMatch when the server's string to sign "
             "equals its own)")
    else:
        request = wrong.prepare(DescribeCensRequest)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            status, _, body = wrong.client.get_response(request)
        root = ET.fromstring(body)
        expect_equal((status, root.tag, root.findtext("Code")),
                     (400, "Error", "SignatureDoesNotMatch"), "wrong secret refusal")
        server_string = (root.findtext("Message") or "").partition("server string to sign is:")[2]
        expect_equal(server_string, request.string_to_sign, "the server's string to sign")
        step("DescribeCens with a wrong secret: HTTP 400 <Error><Code>SignatureDoesNotMatch, "
             "and the server's string to sign equals the SDK's")
    Api(("LTAI5tNoSuchAccessKey00", "whatever"), hostname, port, args.format).refused(
        "DescribeCens with an unknown AccessKeyId", "InvalidAccessKeyId.NotFound", 404,
        DescribeCensRequest)
    try:
        Api((ACCOUNT_2[0], "not-the-secret"), hostname, port, args.format).send(
            DescribeGrantRulesToCenRequest, InstanceId=vpcs["b_hz"], InstanceType="VPC",
            RegionId="cn-hangzhou")
        raise FlowError("Vpc DescribeGrantRulesToCen with a wrong secret succeeded")
    except Refused as refusal:
        check(refusal.status == 400 and refusal.code in ("SignatureDoesNotMatch",
                                                          "InvalidAccessKeySecret"),
              f"Vpc DescribeGrantRulesToCen with a wrong secret: {refusal}")
        step(f"Vpc DescribeGrantRulesToCen with a wrong secret: refused with {refusal.code}")


if __name__ == "__main__":
    run(main)
