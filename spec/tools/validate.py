#!/usr/bin/env python3
"""Merges each product directory of a split spec (product.yaml + fragments) into one OpenAPI
document and validates it with openapi-spec-validator (pip install openapi-spec-validator).
Also checks the fragment rules of spec/README.md: top-level keys, no duplicate path or schema,
every $ref resolves, no schema left unreferenced, every x-acs-async waiter exists, every waiter's
operation exists, no inline object schema except a list wrapper (and string maps), and none of the
keywords that would change the generated types (minimum, maximum, minLength, maxLength, pattern,
format: date-time).

    python3 spec/tools/validate.py --spec-dir spec [--write-merged DIR]
"""
import argparse
import glob
import json
import os
import sys

import yaml

FRAGMENT_KEYS = {"paths", "components", "x-acs-waiters"}


def merge(d):
    problems = []
    doc = yaml.safe_load(open(os.path.join(d, "product.yaml")))
    doc.setdefault("paths", {})
    schemas = doc["components"].setdefault("schemas", {})
    waiters = {}
    for path in sorted(glob.glob(os.path.join(d, "*.yaml"))):
        name = os.path.basename(path)
        if name == "product.yaml":
            continue
        frag = yaml.safe_load(open(path)) or {}
        extra = set(frag) - FRAGMENT_KEYS
        if extra:
            problems.append(f"{name}: top-level keys not allowed in a fragment: {sorted(extra)}")
        if set((frag.get("components") or {})) - {"schemas"}:
            problems.append(f"{name}: components may only hold schemas")
        for p, v in (frag.get("paths") or {}).items():
            if p in doc["paths"]:
                problems.append(f"{name}: path {p} defined twice")
            doc["paths"][p] = v
        for n, s in ((frag.get("components") or {}).get("schemas") or {}).items():
            if n in schemas:
                problems.append(f"{name}: schema {n} defined twice")
            schemas[n] = s
        for n, w in (frag.get("x-acs-waiters") or {}).items():
            if n in waiters:
                problems.append(f"{name}: waiter {n} defined twice")
            waiters[n] = (name, w)
    return doc, waiters, problems


FORBIDDEN = ("minimum", "maximum", "minLength", "maxLength", "pattern", "exclusiveMinimum", "exclusiveMaximum")


def lint_schema(name, s, path, problems, top=True):
    """Named-schema rules: no inline object except a list wrapper or a string map; no limit keywords."""
    if not isinstance(s, dict) or "$ref" in s:
        return
    for k in FORBIDDEN:
        if k in s:
            problems.append(f"schema {name}{path}: `{k}` is not used; state limits in x-acs-* extensions")
    if s.get("format") == "date-time":
        problems.append(f"schema {name}{path}: no format: date-time (Alibaba timestamps have no seconds)")
    if s.get("type") == "object" and "properties" in s and not top:
        props = s["properties"]
        wrapper = len(props) == 1 and list(props.values())[0].get("type") == "array"
        if not wrapper:
            problems.append(f"schema {name}{path}: inline object; make it a named schema")
    for k, v in (s.get("properties") or {}).items():
        lint_schema(name, v, f"{path}.{k}", problems, top=False)
    if "items" in s:
        lint_schema(name, s["items"], f"{path}[]", problems, top=False)
    if isinstance(s.get("additionalProperties"), dict):
        lint_schema(name, s["additionalProperties"], f"{path}{{}}", problems, top=False)


def refs(x, acc):
    if isinstance(x, dict):
        if "$ref" in x:
            acc.add(x["$ref"])
        for v in x.values():
            refs(v, acc)
    elif isinstance(x, list):
        for v in x:
            refs(v, acc)
    return acc


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--spec-dir", required=True)
    ap.add_argument("--write-merged")
    args = ap.parse_args()
    from openapi_spec_validator import validate

    bad = 0
    for sub in sorted(os.listdir(args.spec_dir)):
        d = os.path.join(args.spec_dir, sub)
        if not os.path.isfile(os.path.join(d, "product.yaml")):
            continue
        doc, waiters, problems = merge(d)
        schemas = doc["components"]["schemas"]
        for r in sorted(refs(doc, set())):
            n = r.split("/")[-1]
            if r.startswith("#/components/schemas/") and n not in schemas:
                problems.append(f"unresolved $ref {r}")
        used = set()
        ops = {v["post"]["operationId"]: v["post"] for v in doc["paths"].values()}
        for action, op in ops.items():
            a = op.get("x-acs-async")
            if a is not None:
                if not isinstance(a, dict) or a.get("waiter") not in waiters:
                    problems.append(f"{action}: x-acs-async names no defined waiter: {a}")
                else:
                    used.add(a["waiter"])
        for n, (f, w) in waiters.items():
            if w.get("operation") not in ops:
                problems.append(f"{f}: waiter {n}: operation {w.get('operation')} not in this product")
            if n not in used:
                print(f"note: {sub}: waiter {n} is not referenced by any x-acs-async")
        for n, sch in schemas.items():
            lint_schema(n, sch, "", problems)
        unreferenced = set(schemas) - {r.split("/")[-1] for r in refs(doc, set())}
        for n in sorted(unreferenced):
            problems.append(f"schema {n} is never referenced")
        try:
            validate(json.loads(json.dumps(doc)))
        except Exception as e:  # noqa: BLE001
            problems.append(f"openapi-spec-validator: {str(e).splitlines()[0]}")
        if args.write_merged:
            os.makedirs(args.write_merged, exist_ok=True)
            with open(os.path.join(args.write_merged, f"{sub}.yaml"), "w") as fh:
                yaml.safe_dump(doc, fh, sort_keys=False, width=120)
        print(f"{sub}: {len(doc['paths'])} operations, {len(schemas)} schemas, {len(waiters)} waiters, "
              f"{len(problems)} problems")
        for p in problems:
            print(f"  {p}")
        bad += len(problems)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
