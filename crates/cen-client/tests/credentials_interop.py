"""Resolves credentials with the official Python library, for the Rust chain to agree with.

Reads {"fake": "127.0.0.1:PORT", "cases": [{"name", "env", "home"}]} on stdin and prints one JSON
object per case: the provider name and values the library's DefaultCredentialsProvider answered,
or the error and the providers it tried. Every HTTP request the library makes (STS, the ECS
metadata service, credentials URIs) is redirected to the fake cloud of the Rust test, with the
host it was meant for in x-test-original-host, exactly as the Rust side redirects its own.
"""

import importlib
import json
import os
import re
import sys

from Tea.core import TeaCore

from alibabacloud_credentials.utils import auth_constant, auth_util

_original_do_action = TeaCore.do_action
_current = {"case": "", "fake": ""}


def _redirected(request, runtime_option=None):
    host = request.headers.get("host", "")
    port = request.port
    original = host if port in (80, 443, None) else f"{host}:{port}"
    fake_host, fake_port = _current["fake"].rsplit(":", 1)
    request.headers["x-test-original-host"] = original
    request.headers["x-test-original-scheme"] = request.protocol
    request.headers["x-test-case"] = _current["case"]
    request.headers["host"] = fake_host
    request.port = int(fake_port)
    request.protocol = "http"
    return _original_do_action(request, runtime_option)


TeaCore.do_action = staticmethod(_redirected)


def resolve(case):
    for name in list(os.environ):
        if name.startswith("ALIBABA_CLOUD_"):
            del os.environ[name]
    os.environ.update(case["env"])
    os.environ["HOME"] = case["home"]
    importlib.reload(auth_util)
    importlib.reload(auth_constant)
    from alibabacloud_credentials.provider import DefaultCredentialsProvider

    _current["case"] = case["name"]
    try:
        credentials = DefaultCredentialsProvider().get_credentials()
    except Exception as error:  # the library raises several types; all mean "no credentials"
        tried = re.findall(r"(\w+CredentialsProvider): ", str(error))
        return {"name": case["name"], "error": True, "tried": tried}
    return {
        "name": case["name"],
        "provider": credentials.get_provider_name(),
        "access_key_id": credentials.get_access_key_id(),
        "access_key_secret": credentials.get_access_key_secret(),
        "security_token": credentials.get_security_token() or None,
    }


def main():
    request = json.load(sys.stdin)
    _current["fake"] = request["fake"]
    for case in request["cases"]:
        print(json.dumps(resolve(case)), flush=True)


if __name__ == "__main__":
    main()
