#!/usr/bin/env python3
"""Checks the spec against the installed official Python SDKs, operation by operation.

    python3 spec/tools/check_against_sdk.py --spec-dir spec [--only-present] [--exceptions FILE]

Reads <spec-dir>/cbn/, <spec-dir>/vpc/ and <spec-dir>/sts/ (product.yaml merged with every fragment
of the directory) and the installed packages alibabacloud_cbn20170912, alibabacloud_vpc20160428 and
alibabacloud_sts20150401
(pip install -r crates/cen-emulator/interop/requirements.txt). For every operation it reports:

  missing-operation / extra-operation   an SDK operation the spec lacks, or the reverse
  missing / extra                       a request or response property (by wire name and nesting)
  shape                                 array versus object versus scalar versus map
  type                                  scalar class: string, int, bool, float
  required                              the SDK comment says "This parameter is required." and the
                                        spec's `required:` does not list it, or the spec requires a
                                        request parameter the SDK does not
  json-style                            the SDK serializes the parameter as one JSON string
                                        (`array_to_string_with_specified_style(.., 'json')`) and the
                                        spec lacks `x-acs-style: json`, or the reverse
  duplicate                             a path or schema defined in two files of one product

Known and justified differences are listed, each with a reason, in sdk-exceptions.yaml beside
this script (--exceptions to use another file). Paths look like
`request.ZoneMappings[].VSwitchId` or `response.Cens.Cen[].Tags.Tag[].Key`; `op` and `path`
accept fnmatch patterns with {a,b} alternatives. An exception that matches nothing is reported too (stale), so the list
cannot rot. Exits 0 only when every difference is allowed.
"""

from __future__ import annotations

import argparse
import fnmatch
import glob
import os
import sys

import yaml

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import sdkmodel  # noqa: E402

PRODUCT_DIRS = {"Cbn": "cbn", "Vpc": "vpc", "Sts": "sts"}


def _expand(pattern):
    """Shell-style brace expansion: 'a{b,c}d' -> ['abd', 'acd']."""
    i = pattern.find("{")
    if i < 0:
        return [pattern]
    j = pattern.index("}", i)
    return [x for alt in pattern[i + 1 : j].split(",") for x in _expand(pattern[:i] + alt + pattern[j + 1 :])]


def matches(pattern, value):
    """fnmatch with {a,b} alternatives."""
    return any(fnmatch.fnmatchcase(value, p) for p in _expand(pattern))


def load_product(spec_dir, sub):
    """product.yaml merged with every other *.yaml of the directory."""
    d = os.path.join(spec_dir, sub)
    problems = []
    with open(os.path.join(d, "product.yaml")) as fh:
        doc = yaml.safe_load(fh)
    doc.setdefault("paths", {})
    schemas = doc.setdefault("components", {}).setdefault("schemas", {})
    origin = {n: "product.yaml" for n in schemas}
    porigin = {}
    for path in sorted(glob.glob(os.path.join(d, "*.yaml"))):
        name = os.path.basename(path)
        if name == "product.yaml":
            continue
        with open(path) as fh:
            frag = yaml.safe_load(fh) or {}
        for p, v in (frag.get("paths") or {}).items():
            if p in doc["paths"]:
                problems.append(f"duplicate path {p} in {name} and {porigin[p]}")
            doc["paths"][p] = v
            porigin[p] = name
        for n, s in ((frag.get("components") or {}).get("schemas") or {}).items():
            if n in schemas:
                problems.append(f"duplicate schema {n} in {name} and {origin[n]}")
            schemas[n] = s
            origin[n] = name
    return doc, problems


class Resolver:
    def __init__(self, doc):
        self.schemas = doc["components"]["schemas"]

    def deref(self, s):
        seen = 0
        while "$ref" in s:
            s = self.schemas[s["$ref"].split("/")[-1]]
            seen += 1
            if seen > 50:
                raise RuntimeError("reference loop")
        return s


def spec_kind(s):
    t = s.get("type")
    if t == "object":
        if "properties" in s:
            return "object"
        if "additionalProperties" in s:
            return "map"
        return "object"
    if t == "array":
        return "array"
    return {"string": "string", "integer": "int", "boolean": "bool", "number": "float"}.get(t, t)


def sdk_kind(n):
    return n["type"] if n["kind"] == "scalar" else n["kind"]


def compare(sdk_node, spec_schema, res, path, out, side):
    s = res.deref(spec_schema)
    sk, pk = sdk_kind(sdk_node), spec_kind(s)
    if sk != pk:
        scalar = {"string", "int", "bool", "float"}
        kind = "type" if sk in scalar and pk in scalar else "shape"
        out.append((kind, path, f"SDK {sk}, spec {pk}"))
        return
    if sk == "array":
        compare(sdk_node["items"], s["items"], res, path + "[]", out, side)
        return
    if sk != "object":
        return
    sprops = s.get("properties", {})
    sreq = set(s.get("required", []))
    for wire, p in sdk_node["props"].items():
        sub = f"{path}.{wire}"
        if wire not in sprops:
            out.append(("missing", sub, f"SDK has {sdk_kind(p['node'])} {wire}"))
            continue
        if p["required"] and wire not in sreq:
            out.append(("required", sub, "SDK says required, spec does not"))
        if not p["required"] and wire in sreq and side == "request":
            out.append(("required", sub, "spec says required, SDK does not"))
        compare(p["node"], sprops[wire], res, sub, out, side)
    for wire in sprops:
        if wire not in sdk_node["props"]:
            out.append(("extra", f"{path}.{wire}", "not in the SDK model"))


def check_product(product, spec_dir, only_present):
    sub = PRODUCT_DIRS[product]
    doc, problems = load_product(spec_dir, sub)
    res = Resolver(doc)
    sdk = sdkmodel.operations(product)
    diffs = {}  # op -> list of (kind, path, detail)
    for p in problems:
        diffs.setdefault("*", []).append(("duplicate", "-", p))
    spec_ops = {}
    for p, v in doc["paths"].items():
        op = v.get("post", {})
        spec_ops[op.get("x-acs-action", p.strip("/"))] = op
    for action in sorted(set(sdk) | set(spec_ops)):
        out = []
        if action not in spec_ops:
            if not only_present:
                out.append(("missing-operation", "-", "in the SDK, not in the spec"))
        elif action not in sdk:
            out.append(("extra-operation", "-", "in the spec, not in the SDK"))
        else:
            op = spec_ops[action]
            o = sdk[action]
            req = op["requestBody"]["content"]["application/json"]["schema"]
            resp = op["responses"]["200"]["content"]["application/json"]["schema"]
            compare(o["request"], req, res, "request", out, "request")
            compare(o["response"], resp, res, "response", out, "response")
            rprops = res.deref(req).get("properties", {})
            spec_json = {w for w, s in rprops.items() if (s.get("x-acs-style") == "json"
                         or res.deref(s).get("x-acs-style") == "json")}
            for w in sorted(o["json"] - spec_json):
                out.append(("json-style", f"request.{w}", "SDK sends it as one JSON string; spec lacks x-acs-style: json"))
            for w in sorted((spec_json - o["json"]) & set(o["request"]["props"])):
                out.append(("json-style", f"request.{w}", "spec says x-acs-style: json; the SDK flattens it"))
        if out:
            diffs[action] = out
    return diffs, len(sdk), len(spec_ops)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--spec-dir", required=True)
    ap.add_argument("--exceptions", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "sdk-exceptions.yaml"))
    ap.add_argument("--only-present", action="store_true", help="do not report SDK operations the spec lacks")
    ap.add_argument("--show-allowed", action="store_true", help="also list the differences the allow-list excuses")
    args = ap.parse_args()

    exceptions = []
    if os.path.exists(args.exceptions):
        with open(args.exceptions) as fh:
            exceptions = (yaml.safe_load(fh) or {}).get("exceptions", []) or []
    for e in exceptions:
        if not e.get("reason"):
            print(f"exception without a reason: {e}", file=sys.stderr)
            return 2
    used = [0] * len(exceptions)

    def allowed(product, action, kind, path):
        for i, e in enumerate(exceptions):
            if e.get("product", "Cbn") != product:
                continue
            if not matches(e.get("op", "*"), action):
                continue
            if e.get("kind", "*") != "*" and e["kind"] != kind:
                continue
            if not matches(e.get("path", "*"), path):
                continue
            used[i] += 1
            return True
        return False

    failed = 0
    excused = 0
    for product in PRODUCT_DIRS:
        diffs, n_sdk, n_spec = check_product(product, args.spec_dir, args.only_present)
        bad_ops = 0
        for action in sorted(diffs):
            bad = []
            for kind, path, detail in diffs[action]:
                if allowed(product, action, kind, path):
                    excused += 1
                    if args.show_allowed:
                        print(f"  allowed {product} {action}: {kind} {path} ({detail})")
                    continue
                bad.append((kind, path, detail))
            if bad:
                bad_ops += 1
                print(f"{product} {action}:")
                for kind, path, detail in bad:
                    print(f"  {kind:18} {path}  {detail}")
                failed += len(bad)
        print(f"{product}: {n_spec} operations in the spec, {n_sdk} in the SDK, {bad_ops} with differences")
    stale = [e for e, u in zip(exceptions, used) if u == 0]
    for e in stale:
        print(f"stale exception (matches nothing): {e}")
    print(f"{failed} differences, {excused} allowed by {os.path.basename(args.exceptions)}, {len(stale)} stale exceptions")
    return 1 if failed or stale else 0


if __name__ == "__main__":
    sys.exit(main())
