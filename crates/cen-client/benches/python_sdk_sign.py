#!/usr/bin/env python3
"""Times the official Python SDKs building and signing the request of benches/create_cen.rs.

The request: CreateCen (Cbn 2017-09-12) with Name, Description, a fixed ClientToken and 20 tags
(keys team-1 .. team-20, values "value 1 ~ ü" .. "value 20 ~ ü"), 43 API parameters.

- V1 (HMAC-SHA1): aliyun-python-sdk-core, the SDK's own request class (aliyun-python-sdk-cbn's
  CreateCenRequest) filled with set_Name/.../set_Tags, then
  aliyunsdkcore.auth.composer.rpc_signature_composer.get_signed_url, which adds the common
  parameters (timestamp and nonce included), sorts, encodes and signs: what RpcRequest.get_url
  does for AcsClient, minus the RegionId the Rust request does not carry.
- V3 (ACS3-HMAC-SHA256): alibabacloud-tea-openapi, the steps its Client.do_request runs before the
  network for an RPC call: the typed model (alibabacloud-cbn20170912's CreateCenRequest),
  Utils.query to flatten it as create_cen_with_options does, the x-acs-* headers (timestamp and
  nonce from Utils), the SHA-256 of the empty payload, and Utils.get_authorization. The user
  agent string is computed once, outside the loop.

Each is timed with timeit (garbage collector off, as timeit does): the number of calls per run
chosen by autorange, then 7 runs; the best run's per-call time is the figure, so the comparison
favours Python.

    python3 crates/cen-client/benches/python_sdk_sign.py

`cargo bench -p cen-client --bench create_cen` runs it after criterion and reads the RESULT
lines. A missing SDK prints a SKIP line and exits with status 3.
"""

import statistics
import sys
import timeit

NAME = "production network"
DESCRIPTION = "CEN for prod + dr, 100% owned"
CLIENT_TOKEN = "02fb3da4-130e-11e9-8e44-001e67d73456"
TAGS = [(f"team-{i}", f"value {i} ~ ü") for i in range(1, 21)]
HOST = "cbn.aliyuncs.com"
ACCESS_KEY_ID = "LTAI5tExample"
ACCESS_KEY_SECRET = "bench-secret"
API_PARAMETERS = 3 + 2 * len(TAGS)
REPEAT = 7

try:
    from aliyunsdkcore import __version__ as CORE_VERSION
    from aliyunsdkcore.auth.algorithm import sha_hmac1
    from aliyunsdkcore.auth.composer.rpc_signature_composer import get_signed_url
    from aliyunsdkcbn.request.v20170912.CreateCenRequest import CreateCenRequest as V1Request
    from alibabacloud_cbn20170912 import models as cbn_models
    from alibabacloud_tea_openapi.utils import Utils
    from darabonba.request import DaraRequest
    from importlib.metadata import version as package_version
except ImportError as error:
    print(
        f"SKIP {error} (pip install -r crates/cen-emulator/interop/requirements.txt)",
        flush=True,
    )
    sys.exit(3)

V3_ALGORITHM = "ACS3-HMAC-SHA256"
USER_AGENT = Utils.get_user_agent(None)


def v1_build_and_sign():
    request = V1Request()
    request.set_Name(NAME)
    request.set_Description(DESCRIPTION)
    request.set_ClientToken(CLIENT_TOKEN)
    request.set_Tags([{"Key": key, "Value": value} for key, value in TAGS])
    params = dict(request.get_query_params())
    params["Version"] = request.get_version()
    params["Action"] = request.get_action_name()
    params["Format"] = "JSON"
    return get_signed_url(
        params,
        ACCESS_KEY_ID,
        ACCESS_KEY_SECRET,
        "JSON",
        request.get_method(),
        request.get_body_params(),
        sha_hmac1,
    )


def v3_build_and_sign():
    request = cbn_models.CreateCenRequest(
        client_token=CLIENT_TOKEN,
        description=DESCRIPTION,
        name=NAME,
        tag=[cbn_models.CreateCenRequestTag(key=key, value=value) for key, value in TAGS],
    )
    request.validate()
    # What create_cen_with_options writes, field for field.
    query = {}
    if request.client_token is not None:
        query["ClientToken"] = request.client_token
    if request.description is not None:
        query["Description"] = request.description
    if request.name is not None:
        query["Name"] = request.name
    if request.tag is not None:
        query["Tag"] = request.tag
    wire = DaraRequest()
    wire.protocol = "HTTPS"
    wire.method = "POST"
    wire.pathname = "/"
    wire.query = Utils.query(query)
    wire.headers = {
        "host": HOST,
        "x-acs-version": "2017-09-12",
        "x-acs-action": "CreateCen",
        "user-agent": USER_AGENT,
        "x-acs-date": Utils.get_timestamp(),
        "x-acs-signature-nonce": Utils.get_nonce(),
        "accept": "application/json",
    }
    payload = Utils.hash(b"", V3_ALGORITHM).hex()
    wire.headers["x-acs-content-sha256"] = payload
    wire.headers["Authorization"] = Utils.get_authorization(
        wire, V3_ALGORITHM, payload, ACCESS_KEY_ID, ACCESS_KEY_SECRET
    )
    return wire


def check():
    """Both functions sign the 43 API parameters of the Rust benchmark."""
    url, _ = v1_build_and_sign()
    v1_names = {pair.split("=", 1)[0] for pair in url[2:].split("&")}
    common = {
        "Action", "Version", "Format", "AccessKeyId", "SignatureMethod", "SignatureType",
        "SignatureVersion", "SignatureNonce", "Timestamp", "Signature",
    }
    v3 = v3_build_and_sign()
    expected = {"Name", "Description", "ClientToken"} | {
        f"Tag.{i}.{field}" for i in range(1, len(TAGS) + 1) for field in ("Key", "Value")
    }
    assert len(expected) == API_PARAMETERS
    assert v1_names - common == expected, sorted(v1_names - common ^ expected)
    assert set(v3.query) == expected, sorted(set(v3.query) ^ expected)
    assert v3.headers["Authorization"].startswith(V3_ALGORITHM + " Credential=")


def per_call_us(function):
    timer = timeit.Timer(function)
    number, _ = timer.autorange()
    runs = [total / number * 1e6 for total in timer.repeat(repeat=REPEAT, number=number)]
    return min(runs), statistics.median(runs), number


def main():
    check()
    cases = [
        (
            "V1",
            f"aliyun-python-sdk-core {CORE_VERSION} get_signed_url",
            v1_build_and_sign,
        ),
        (
            "V3",
            f"alibabacloud-tea-openapi {package_version('alibabacloud-tea-openapi')} "
            "get_authorization",
            v3_build_and_sign,
        ),
    ]
    print(f"Python {sys.version.split()[0]}, CreateCen with {len(TAGS)} tags "
          f"({API_PARAMETERS} API parameters), build + sign:")
    for version, what, function in cases:
        best, median, number = per_call_us(function)
        print(f"  {version} {what}: {best:.1f} µs per call "
              f"(best of {REPEAT} runs of {number}; median {median:.1f} µs)", flush=True)
        print(f"RESULT {version} {best:.3f} {what}", flush=True)


if __name__ == "__main__":
    main()
