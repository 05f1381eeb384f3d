#!/usr/bin/env python3
"""Injected faults against the official Tea SDK's retry settings.

    python3 flow_faults.py --endpoint http://127.0.0.1:9000 [--signature v3|v2]

The SDK (alibabacloud-tea-openapi 0.4) retries as its `Config.retry_options` say: conditions
naming exceptions (`RetryError` is a failed connection) or error codes (`Throttling.User`), each
with `maxAttempts` and a backoff. Without retry options it never
retries. The flow installs fault rules through `/_emulator/faults` and checks that two dropped
connections and then two throttled answers on one CreateCen are survived with three attempts
per condition, that a client without retry options fails on the first fault, and that the
emulator counted each injected fault. It clears the rules at the end, whatever happened.
"""

import json
import urllib.request

from interop_common import (
    ACCOUNT_1,
    FlowError,
    check,
    expect_equal,
    run,
    sdk_flow_args,
    step,
    wait_until,
)
from flow_tea import call, config, describe_cen, error_code

from alibabacloud_cbn20170912 import models as cbn
from alibabacloud_cbn20170912.client import Client as CbnClient
from darabonba.policy.retry import RetryCondition, RetryOptions


def faults(base, method, document=None):
    """Sends `document` to /_emulator/faults with `method`; returns the answered document."""
    data = None if document is None else json.dumps(document).encode()
    request = urllib.request.Request(f"{base}/_emulator/faults", data=data, method=method)
    with urllib.request.urlopen(request, timeout=10) as response:
        check(response.status == 200, f"{method} /_emulator/faults answered {response.status}")
        return json.load(response)


def injected(base):
    """The number of faults each rule injected so far."""
    return [rule["Injected"] for rule in faults(base, "GET")["Faults"]]


def main():
    args, base, host = sdk_flow_args(__doc__)
    plain = CbnClient(config(ACCOUNT_1, host, args.signature))
    retrying_config = config(ACCOUNT_1, host, args.signature)
    retrying_config.retry_options = RetryOptions({
        "retryable": True,
        "retryCondition": [RetryCondition({
            "maxAttempts": 3,
            "exception": ["RetryError"],
            "errorCode": ["Throttling.User"],
            "backoff": {"policy": "Fixed", "period": 10},
        })],
    })
    retrying = CbnClient(retrying_config)
    try:
        step("two dropped connections on CreateCen, SDK retrying 3 times on RetryError")
        faults(base, "PUT", {"Seed": 1, "Faults": [
            {"Action": "CreateCen", "CloseConnection": True, "Times": 2},
        ]})
        created = call("CreateCen", retrying.create_cen, cbn.CreateCenRequest(name="survives"))
        cen_id = created.body.cen_id
        expect_equal(injected(base), [2], "faults injected")
        step(f"created {cen_id} on the third attempt")

        def active():
            cen = describe_cen(plain, cen_id)
            status = cen.status if cen else "not listed"
            return status == "Active", status
        wait_until(f"{cen_id} is Active", active)

        step("two Throttling.User answers on ModifyCenAttribute, SDK retrying on that code")
        faults(base, "PUT", {"Faults": [
            {"Action": "ModifyCenAttribute", "Error": "Throttling.User", "Times": 2},
        ]})
        call(
            "ModifyCenAttribute",
            retrying.modify_cen_attribute,
            cbn.ModifyCenAttributeRequest(cen_id=cen_id, name="renamed"),
        )
        expect_equal(injected(base), [2], "faults injected")
        step("renamed on the third attempt")

        step("without retry options the first fault reaches the caller")
        faults(base, "PUT", {"Faults": [
            {"Action": "DescribeCens", "Error": "Throttling.User", "Times": 1},
            {"Action": "CreateCen", "CloseConnection": True, "Times": 1},
        ]})
        try:
            plain.describe_cens(cbn.DescribeCensRequest())
        except Exception as error:
            expect_equal(error_code(error), ("Throttling.User", 400), "the throttled call")
        else:
            raise FlowError("DescribeCens succeeded through an injected Throttling.User")
        try:
            plain.create_cen(cbn.CreateCenRequest(name="dropped"))
        except Exception as error:  # the SDK's wrapped connection error
            code, status = error_code(error)
            check(status is None, f"a dropped connection has no HTTP status, got {status} {code}")
            step(f"the SDK raised {type(error).__name__} for the dropped connection")
        else:
            raise FlowError("CreateCen succeeded through a dropped connection")
        expect_equal(injected(base), [1, 1], "faults injected")
    finally:
        faults(base, "DELETE")


if __name__ == "__main__":
    run(main)
