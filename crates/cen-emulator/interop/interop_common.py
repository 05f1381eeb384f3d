"""Helpers shared by the interop flows: steps, failures, polling and the emulator's inventory.

Standard library only. Each flow prints one line per step and exits non-zero with a message
naming the step that failed.
"""

import argparse
import json
import sys
import traceback
import time
import urllib.parse
import urllib.request

# The emulator's two default accounts (see the cen-emulator README).
ACCOUNT_1 = ("LTAI5tEmulatorDefault1", "emulator-secret-1", 1234567890123456)
ACCOUNT_2 = ("LTAI5tEmulatorDefault2", "emulator-secret-2", 6543210987654321)

# How long a "wait until" may poll, and how often.
WAIT_TIMEOUT_S = 30.0
WAIT_INTERVAL_S = 0.1


class FlowError(Exception):
    """A check of the flow failed; the message says which and why."""


_step_number = 0


def step(message):
    """Prints one numbered step line, flushed so a harness sees progress as it happens."""
    global _step_number
    _step_number += 1
    print(f"[{_step_number:02}] {message}", flush=True)


def check(condition, message):
    """Fails the flow with `message` unless `condition` holds."""
    if not condition:
        raise FlowError(message)


def expect_equal(actual, expected, what):
    """Fails the flow unless `actual == expected`, showing both."""
    if actual != expected:
        raise FlowError(f"{what}: expected {expected!r}, got {actual!r}")


def wait_until(what, probe, timeout=WAIT_TIMEOUT_S, interval=WAIT_INTERVAL_S):
    """Calls `probe()` until it returns a truthy value, which is returned.

    `probe` may return a (done, observed) pair: `observed` (the last state seen) goes into the
    timeout message and the step line. Gives up after `timeout` seconds.
    """
    started = time.monotonic()
    polls = 0
    seen = []
    while True:
        polls += 1
        result = probe()
        done, observed = result if isinstance(result, tuple) else (result, result)
        if observed not in seen:
            seen.append(observed)
        if done:
            elapsed = time.monotonic() - started
            step(f"waited {elapsed:.2f}s ({polls} polls) until {what}; states seen: {seen}")
            return observed
        if time.monotonic() - started > timeout:
            raise FlowError(
                f"timed out after {timeout:.0f}s ({polls} polls) waiting until {what}; "
                f"states seen: {seen}"
            )
        time.sleep(interval)


def split_endpoint(endpoint):
    """`http://127.0.0.1:9000` -> (`http://127.0.0.1:9000`, `127.0.0.1`, 9000, `127.0.0.1:9000`)."""
    parsed = urllib.parse.urlsplit(endpoint)
    check(parsed.scheme == "http", f"--endpoint must be an http:// URL, got {endpoint!r}")
    check(parsed.hostname and parsed.port, f"--endpoint must name a host and port: {endpoint!r}")
    base = f"http://{parsed.hostname}:{parsed.port}"
    return base, parsed.hostname, parsed.port, f"{parsed.hostname}:{parsed.port}"


def sdk_flow_args(doc):
    """The command line of a flow driven by an official SDK: `--endpoint` and `--signature`.

    Returns the parsed arguments, the base URL and the `host:port` the SDK is configured with.
    """
    parser = argparse.ArgumentParser(description=doc.splitlines()[0])
    parser.add_argument("--endpoint", required=True, help="the emulator's base URL, http://host:port")
    parser.add_argument("--signature", choices=["v3", "v2"], default="v3")
    args = parser.parse_args()
    base, _, _, host = split_endpoint(args.endpoint)
    return args, base, host


def inventory(base_url):
    """The emulator's network instances, from GET /_emulator/inventory."""
    with urllib.request.urlopen(f"{base_url}/_emulator/inventory", timeout=10) as response:
        check(response.status == 200, f"GET /_emulator/inventory answered {response.status}")
        document = json.load(response)
    instances = document.get("Instances")
    check(isinstance(instances, list), f"inventory has no Instances list: {document!r}")
    return instances


def pick_vpc(instances, owner, region):
    """The first VPC of `owner` in `region`."""
    for instance in instances:
        if (
            instance.get("InstanceType") == "VPC"
            and instance.get("OwnerId") == owner
            and instance.get("RegionId") == region
        ):
            return instance["InstanceId"]
    raise FlowError(f"the inventory has no VPC of account {owner} in {region}")


def pick_flow_vpcs(base_url):
    """The three VPCs every flow attaches: account 1 in cn-hangzhou and us-west-1, and account 2
    in cn-hangzhou (attached across accounts)."""
    instances = inventory(base_url)
    vpcs = {
        "hz": pick_vpc(instances, ACCOUNT_1[2], "cn-hangzhou"),
        "us": pick_vpc(instances, ACCOUNT_1[2], "us-west-1"),
        "b_hz": pick_vpc(instances, ACCOUNT_2[2], "cn-hangzhou"),
    }
    step(f"inventory: {len(instances)} instances; using {vpcs}")
    return vpcs


def run(main):
    """Runs a flow's `main()`, turning any failure into a message and exit status 1."""
    try:
        main()
    except FlowError as error:
        print(f"FAIL (step {_step_number + 1}): {error}", file=sys.stderr, flush=True)
        sys.exit(1)
    except Exception as error:  # an SDK or transport error the flow did not expect
        traceback.print_exc()
        print(
            f"FAIL (step {_step_number + 1}): unexpected {type(error).__name__}: {error}",
            file=sys.stderr,
            flush=True,
        )
        sys.exit(1)
    print("PASS", flush=True)
