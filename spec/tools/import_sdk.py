#!/usr/bin/env python3
"""One-off bootstrap of the split spec layout (spec/cbn/*.yaml, spec/vpc/*.yaml) from the SDKs.

THIS IS NOT A GENERATOR THAT OWNS THE SPEC. It was run to produce the first version of the
family fragments; from then on the YAML files under spec/ are the source of truth, curated by
hand, and this script is kept only to show where the facts came from (and to redo the bootstrap
should that ever be needed, into a scratch directory, followed by a review of the diff).

Inputs:
  - the installed Python SDKs (alibabacloud_cbn20170912, alibabacloud_vpc20160428), read through
    sdkmodel.py: operations, wire names, nesting, scalar classes, required flags, field comments;
  - the Go SDK sources (aliyun/alibabacloud-go-sdk, cbn-20170912/client and three vpc-20160428
    models), given with --go-dir: 32-bit versus 64-bit integers, and each operation's
    Summary/Description comment;
  - the previous single-file spec (--old-spec-dir, spec/cbn-2017-09-12.yaml and
    spec/vpc-2016-04-28.yaml): the 35 curated operations are carried over fact for fact
    (descriptions, limits, enums, errors), only restructured into named schemas;
  - the hand-written facts in tools/facts/: families.yaml (operation -> fragment),
    names.yaml (schema-name overrides), ops.yaml (per-operation additions: errors, async
    waiter, pagination, enums to keep open), waiters.yaml (waiter definitions per family).

Output: --out DIR with product.yaml files and one fragment per family, in the layout that
spec/README.md documents.

Usage:
  # the Go SDK sources: cbn-20170912/client of aliyun/alibabacloud-go-sdk, plus the three Vpc models
  # (vpc-20160428/client/{grant_instance_to_cen,revoke_instance_from_cen,describe_grant_rules_to_cen}_*.go)
  python3 spec/tools/import_sdk.py --go-dir /tmp/gosdk --old-spec-dir /path/to/old/spec --out /tmp/spec-next

The old single-file spec is git history after the split; the bootstrap used the files of commit 0dcc6e0
(git show 0dcc6e0:spec/cbn-2017-09-12.yaml, likewise vpc-2016-04-28.yaml). The importer reads it only for
the 35 first-scope operations.
"""

from __future__ import annotations

import argparse
import copy
import os
import re
import sys

import yaml

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import sdkmodel  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
FACTS = os.path.join(HERE, "facts")
CALLER = ("OwnerAccount", "OwnerId", "ResourceOwnerAccount", "ResourceOwnerId")
CALLER_DOC = "Caller parameter accepted by every operation."


# ----------------------------------------------------------------------------- Go SDK

_STRUCT_RE = re.compile(r"^type (\w+) struct \{\n(.*?)^\}", re.S | re.M)
_FIELD_RE = re.compile(r"^\s+(\w+)\s+(\S+)\s+`json:\"(\w+)")
GO_DOCS = {}  # (struct, wire) -> comment text of the Go field
GO_JSON = {}  # Action -> wire names the Go client sends as one JSON string


def load_go(go_dir):
    """struct name -> {wire: go type}, and Action -> (summary, description)."""
    structs = {}
    docs = {}
    for root, _dirs, files in os.walk(go_dir):
        for f in files:
            if not f.endswith(".go"):
                continue
            text = open(os.path.join(root, f), encoding="utf-8").read()
            for m in _STRUCT_RE.finditer(text):
                fields = {}
                pending = []
                for line in m.group(2).splitlines():
                    st = line.strip()
                    if st.startswith("//"):
                        pending.append(st[2:].strip())
                        continue
                    fm = _FIELD_RE.match(line)
                    if fm:
                        fields[fm.group(3)] = fm.group(2)
                        doc = "\n".join(pending)
                        doc = doc.split("\nexample:")[0] if not doc.startswith("example:") else ""
                        GO_DOCS[(m.group(1), fm.group(3))] = doc.strip()
                    pending = []
                structs[m.group(1)] = fields
            if f == "client.go":
                parts = re.split(r"^func \(client \*Client\) (\w+)WithOptions\(", text, flags=re.M)
                for name, body in zip(parts[1::2], parts[2::2]):
                    body = body.split("\nfunc ")[0]
                    GO_JSON[name] = set(re.findall(r'ArrayToStringWithSpecifiedStyle\(tmpReq\.\w+, dara\.String\("(\w+)"\), dara\.String\("json"\)\)', body))
                for m in re.finditer(r"((?:^//.*\n)+)func \(client \*Client\) (\w+)WithOptions\(", text, re.M):
                    block = [l[2:].strip() if l.startswith("// ") else l[2:] for l in m.group(1).splitlines()]
                    docs[m.group(2)] = _split_go_doc(block)
    return structs, docs


def _split_go_doc(lines):
    summary, desc, cur = [], [], None
    for l in lines:
        if l.startswith("Summary:"):
            cur = summary
            continue
        if l.startswith("Description:"):
            cur = desc
            continue
        if l.startswith("@param") or l.startswith("@return"):
            cur = None
            continue
        if cur is not None:
            cur.append(l)
    return clean("\n".join(summary)), clean("\n".join(desc))


def clean(text):
    text = text.replace("\t", " ")
    text = re.sub(r"\*\*?([^*\n]+?)\* - ", r"**\1** ", text)  # Go's mangled bold: **X*\t- text
    text = re.sub(r"\*\*?([^*\n]+?)\* -$", r"**\1**", text, flags=re.M)
    text = re.sub(r"\[([^\]]+)\]\((?:https?://|/)[^)]*\)", r"\1", text)  # links -> their text
    text = re.sub(r"</?[a-zA-Z][^>]*>", "", text)  # HTML / doc tags
    text = re.sub(r"[ \t]+\n", "\n", text)
    text = re.sub(r"\n{3,}", "\n\n", text)
    return text.strip()


# ----------------------------------------------------------------------------- descriptions

def short_doc(doc):
    """First paragraph, plus paragraphs that state valid values (with their bullets), defaults or when
    it is required."""
    doc = clean(doc)
    paras = [p.strip() for p in doc.split("\n\n") if p.strip()]
    paras = [p for p in paras if p != "This parameter is required." and not p.lower().startswith("example")]
    if not paras:
        return ""
    keep = [paras[0]]
    in_values = "valid value" in paras[0].lower()
    for p in paras[1:]:
        low = p.lower()
        bullet = p.startswith("*") or p.startswith("-")
        if bullet and in_values:
            keep.append(p)
            continue
        if "valid value" in low or "default value" in low or "required" in low or "(default)" in low:
            keep.append(p)
            in_values = in_values or "valid value" in low
    return "\n\n".join(keep)


_BULLET_VAL = re.compile(r"^\s*[*-]\s+\*\*([A-Za-z0-9_.:/-]+)\*\*", re.M)


def doc_enum(doc):
    """The closed value set of a 'Valid values:' bullet list (top-level bullets with a bold value,
    possibly separated by explanatory paragraphs), and the one marked (default)."""
    doc = clean(doc)
    low = doc.lower()
    i = low.find("valid value")
    if i < 0:
        return None, None
    rest = doc[i:]
    vals, default = [], None
    for line in rest.splitlines()[1:]:
        if not line.strip() or line.startswith((" ", "\t")):
            continue  # blank, or a nested bullet / continuation
        if "valid value" in line.lower():
            break  # another list
        if line.startswith(("*", "-")):
            m = _BULLET_VAL.match(line)
            if not m:
                return None, None  # a bullet without a bold value: not a set we can read
            vals.append(m.group(1))
            if "(default" in line.lower():
                default = m.group(1)
    if not vals:
        return None, None
    if set(v.lower() for v in vals) <= {"true", "false"}:
        return None, None
    return list(dict.fromkeys(vals)), default


# ----------------------------------------------------------------------------- schemas from the SDK

def go_type_of(structs, struct_name, wire):
    if struct_name is None:
        return None
    return structs.get(struct_name, {}).get(wire)


def _go_child_struct(gotype):
    if gotype is None:
        return None
    m = re.match(r"^(?:\[\])?\*?([A-Z]\w*)$", gotype)
    if m and m.group(1) not in ("string",):
        return m.group(1)
    return None


def sdk_schema(node, structs, go_struct, side, gotype=None, open_enums=(), path="", json_wires=()):
    """OpenAPI schema (inline) of an SDK node."""
    k = node["kind"]
    if k == "scalar":
        t = node["type"]
        if t == "string":
            return {"type": "string"}
        if t == "bool":
            return {"type": "boolean"}
        if t == "float":
            return {"type": "number", "format": "double"}
        fmt = "int32"
        if gotype and "int64" in gotype:
            fmt = "int64"
        elif gotype is None:
            fmt = "int64" if path.split(".")[-1] in ("OwnerId", "ResourceOwnerId") else "int32"
        return {"type": "integer", "format": fmt}
    if k == "map":
        return {"type": "object", "additionalProperties": {"type": "string"}}
    if k == "array":
        child_struct = _go_child_struct(gotype)
        item_gotype = gotype[2:] if gotype and gotype.startswith("[]") else None
        return {"type": "array", "items": sdk_schema(node["items"], structs, child_struct, side, item_gotype,
                                                      open_enums, path + "[]")}
    props = {}
    required = []
    for wire, p in node["props"].items():
        gt = go_type_of(structs, go_struct, wire)
        sub_path = f"{path}.{wire}" if path else wire
        s = sdk_schema(p["node"], structs, _go_child_struct(gt), side, gt, open_enums, sub_path)
        raw_doc = p["doc"] or GO_DOCS.get((go_struct, wire), "")  # the Go SDK documents some fields Python leaves bare
        if wire in CALLER and not raw_doc:
            doc = CALLER_DOC
        else:
            doc = short_doc(raw_doc)
        if doc:
            s = {**s} if "$ref" not in s else s
            s["description"] = doc
        if s.get("type") == "string":
            vals, default = doc_enum(raw_doc)
            if vals and sub_path not in open_enums:
                if side == "request":
                    s["enum"] = vals
                else:
                    s["x-acs-enum"] = vals
                if default is not None and side == "request":
                    s["x-acs-default"] = default
        if wire in json_wires:
            s["x-acs-style"] = "json"
        if p["required"]:
            required.append(wire)
        props[wire] = _order_schema(s)
    for wire, gt in (structs.get(go_struct, {}) if go_struct else {}).items():
        if wire in props:
            continue
        # A field of the (newer) Go SDK that the Python SDK 1.4.0 does not model yet.
        sub_path = f"{path}.{wire}" if path else wire
        s = go_schema(gt, structs)
        doc = short_doc(GO_DOCS.get((go_struct, wire), ""))
        s["description"] = ((doc + "\n\n") if doc else "") + "Modelled by the Go SDK only (newer than the Python SDK 1.4.0)."
        GO_ONLY.append((side, sub_path))
        props[wire] = _order_schema(s)
    props = dict(sorted(props.items()))
    out = {"type": "object"}
    if required:
        out["required"] = required
    out["properties"] = props
    return out


GO_ONLY = []


def go_schema(gt, structs):
    base = gt.lstrip("*")
    if base.startswith("[]"):
        return {"type": "array", "items": go_schema(base[2:], structs)}
    if base.startswith("map["):
        return {"type": "object", "additionalProperties": {"type": "string"}}
    scalars = {"string": {"type": "string"}, "bool": {"type": "boolean"}, "int32": {"type": "integer", "format": "int32"},
               "int64": {"type": "integer", "format": "int64"}, "float32": {"type": "number", "format": "float"},
               "float64": {"type": "number", "format": "double"}}
    if base in scalars:
        return dict(scalars[base])
    props = {}
    for wire, t in structs[base].items():
        p = go_schema(t, structs)
        doc = short_doc(GO_DOCS.get((base, wire), ""))
        if doc:
            p["description"] = doc
        props[wire] = _order_schema(p)
    return {"type": "object", "properties": props}


_KEY_ORDER = ["$ref", "type", "format", "description", "required", "enum", "x-acs-enum", "x-acs-style",
              "x-acs-default", "x-acs-min-length", "x-acs-max-length", "x-acs-minimum", "x-acs-maximum",
              "x-acs-max-items", "x-acs-max-items-error", "additionalProperties", "properties", "items"]


def _order_schema(s):
    if not isinstance(s, dict):
        return s
    out = {}
    for k in _KEY_ORDER:
        if k in s:
            out[k] = s[k]
    for k in s:
        if k not in out:
            out[k] = s[k]
    return out


# ----------------------------------------------------------------------------- naming

def singular(word):
    for plural, sing in (("ies", "y"), ("sses", "ss"), ("Statuses", "Status"), ("xes", "x"), ("ches", "ch")):
        if word.endswith(plural):
            return word[: -len(plural)] + sing
    if word.endswith("ss") or word.endswith("us") or word.endswith("Data"):
        return word
    if word.endswith("s"):
        return word[:-1]
    return word


_VERBS = ("List", "Describe", "Create", "Delete", "Update", "Modify", "Get")


def op_noun(action):
    for v in _VERBS:
        if action.startswith(v):
            return singular(action[len(v):])
    return action


def is_wrapper(s):
    """A list wrapper: an object whose only property is one array."""
    if s.get("type") != "object" or "properties" not in s:
        return False
    props = s["properties"]
    return len(props) == 1 and list(props.values())[0].get("type") == "array"


def signature(s):
    if "$ref" in s:
        return ("ref", s["$ref"])
    t = s.get("type")
    if t == "object":
        if "additionalProperties" in s and "properties" not in s:
            return ("map", signature(s["additionalProperties"]), s.get("x-acs-style"))
        return ("object", tuple((k, signature(v)) for k, v in sorted(s.get("properties", {}).items())),
                tuple(sorted(s.get("required", []))))
    if t == "string" and "x-acs-enum" in s:
        return (t, s.get("format"), tuple(s.get("enum", ())), s.get("x-acs-style"), tuple(s["x-acs-enum"]))
    if t == "array":
        return ("array", signature(s["items"]), s.get("x-acs-style"))
    return (t, s.get("format"), tuple(s.get("enum", ())), s.get("x-acs-style"))


def merge_into(existing, new):
    """Complete a named schema with what another identical-shape occurrence documents."""
    if not isinstance(existing, dict) or not isinstance(new, dict):
        return
    for k, v in new.items():
        if k == "x-acs-enum" and k in existing:
            for e in v:
                if e not in existing[k]:
                    existing[k].append(e)
        elif k not in existing:
            existing[k] = copy.deepcopy(v)
    for k in ("properties",):
        if k in existing and k in new:
            for pk, pv in new[k].items():
                if pk in existing[k]:
                    merge_into(existing[k][pk], pv)
    if "items" in existing and "items" in new:
        merge_into(existing["items"], new["items"])


class Namer:
    def __init__(self, overrides):
        self.schemas = {}  # name -> schema
        self.by_sig = {}  # sig -> name
        self.users = {}  # name -> set of actions
        self.overrides = overrides  # action -> {path: name}
        self.used_overrides = set()

    def ref(self, name):
        return {"$ref": f"#/components/schemas/{name}"}

    def hoist(self, s, action, path, proposed, parent):
        """Replace inline objects in s (recursively); return the new schema for s."""
        if "$ref" in s:
            return s
        t = s.get("type")
        if t == "array":
            item_prop = singular(path.split(".")[-1].rstrip("[]")) if proposed is None else proposed
            s = dict(s)
            s["items"] = self.hoist(s["items"], action, path + "[]", item_prop, parent)
            return s
        if t != "object" or "properties" not in s:
            return s
        if is_wrapper(s) and proposed is not None and not proposed.endswith(("Request", "Response")):
            # keep the wrapper inline, name its items after the inner wire name
            (inner, arr), = s["properties"].items()
            s = dict(s)
            s["properties"] = {inner: self.hoist(arr, action, f"{path}.{inner}", inner if arr["items"].get("type") == "object" else None, parent)}
            if arr["items"].get("type") == "object":
                s["properties"][inner] = dict(s["properties"][inner])
            return s
        s = dict(s)
        new_props = {}
        my = op_noun(action) if path in ("req", "resp") else proposed
        for k, v in s["properties"].items():
            sub = f"{path}.{k}"
            if v.get("type") == "array":
                items = v["items"]
                if items.get("type") == "object" and "properties" in items:
                    nv = dict(v)
                    nv["items"] = self.hoist(items, action, sub + "[]", singular(k), my)
                    new_props[k] = nv
                else:
                    new_props[k] = v
            elif v.get("type") == "object" and "properties" in v:
                if is_wrapper(v):
                    new_props[k] = self.hoist(v, action, sub, k, my)
                else:
                    new_props[k] = self.hoist(v, action, sub, k, my)
            else:
                new_props[k] = v
        s["properties"] = new_props
        if proposed is not None and proposed.endswith(("Request", "Response")) and path in ("req", "resp"):
            self.schemas[proposed] = _order_schema(s)
            self.users.setdefault(proposed, set()).add(action)
            return self.ref(proposed)
        return self.ref(self.name_for(s, action, path, proposed, parent))

    def name_for(self, s, action, path, proposed, parent):
        sig = signature(s)
        forced = self.overrides.get(action, {}).get(path)
        if forced:
            self.used_overrides.add((action, path))
        if sig in self.by_sig and (not forced or self.by_sig[sig] == forced):
            name = self.by_sig[sig]
            merge_into(self.schemas[name], s)
            self.users[name].add(action)
            return name
        candidates = [forced] if forced else [proposed, f"{parent}{proposed}" if parent else None,
                                               f"{op_noun(action)}{proposed}", f"{action}{proposed}"]
        for c in candidates:
            if not c:
                continue
            if c in self.schemas:
                if signature(self.schemas[c]) == sig:
                    merge_into(self.schemas[c], s)
                    self.users[c].add(action)
                    return c
                if forced:
                    raise SystemExit(f"override {action} {path} -> {c}: another shape already has that name")
                continue
            self.schemas[c] = _order_schema(copy.deepcopy(s))
            self.by_sig.setdefault(sig, c)
            self.users[c] = {action}
            return c
        raise SystemExit(f"no name for {action} {path}")


# ----------------------------------------------------------------------------- operations

def resolve_inline(schema, comps):
    """Inline every $ref of an old single-file spec."""
    if isinstance(schema, dict):
        if "$ref" in schema:
            name = schema["$ref"].split("/")[-1]
            return resolve_inline(comps[name], comps)
        return {k: resolve_inline(v, comps) for k, v in schema.items()}
    if isinstance(schema, list):
        return [resolve_inline(v, comps) for v in schema]
    return schema


def find_list_path(resp):
    """Dotted path of the one list of objects at the top of a response (through a wrapper)."""
    found = []
    for k, v in resp.get("properties", {}).items():
        if v.get("type") == "array" and v["items"].get("type") == "object":
            found.append(k)
        elif v.get("type") == "array":
            found.append(k)
        elif is_wrapper(v):
            (inner, arr), = v["properties"].items()
            found.append(f"{k}.{inner}")
    return found


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--go-dir", required=True)
    ap.add_argument("--old-spec-dir", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--only-old", action="store_true", help="only the operations of the old single-file spec")
    args = ap.parse_args()

    structs, go_docs = load_go(args.go_dir)
    families = yaml.safe_load(open(os.path.join(FACTS, "families.yaml")))
    names = yaml.safe_load(open(os.path.join(FACTS, "names.yaml"))) or {}
    opfacts = yaml.safe_load(open(os.path.join(FACTS, "ops.yaml"))) or {}
    waiters = yaml.safe_load(open(os.path.join(FACTS, "waiters.yaml"))) or {}
    enum_names = yaml.safe_load(open(os.path.join(FACTS, "enums.yaml"))) or {}
    documented = yaml.safe_load(open(os.path.join(FACTS, "errors.yaml"))) or {}
    observed = yaml.safe_load(open(os.path.join(FACTS, "observed.yaml"))) or {}

    old = {
        "Cbn": yaml.safe_load(open(os.path.join(args.old_spec_dir, "cbn-2017-09-12.yaml"))),
        "Vpc": yaml.safe_load(open(os.path.join(args.old_spec_dir, "vpc-2016-04-28.yaml"))),
    }
    product_families = {"Cbn": families, "Vpc": {"grants": ["GrantInstanceToCen", "RevokeInstanceFromCen", "DescribeGrantRulesToCen"]}}

    for product in ("Cbn", "Vpc"):
        sdk = sdkmodel.operations(product)
        old_doc = old[product]
        old_paths = {p.strip("/"): v["post"] for p, v in old_doc["paths"].items()}
        comps = old_doc["components"]["schemas"]
        namer = Namer(names.get(product, {}))
        code_index = build_code_index(old_paths, documented.get(product, {}))
        all_waiters = {n: w for fam in waiters.get(product, {}).values() for n, w in fam.items()}
        ops_out = {}  # action -> operation object
        fam_of = {}
        order = []
        for fam, actions in product_families[product].items():
            for a in actions:
                fam_of[a] = fam
                order.append(a)
        # old (curated) operations first, so that their wording wins in shared schemas
        order = [a for a in order if a in old_paths] + [a for a in order if a not in old_paths]
        if args.only_old:
            order = [a for a in order if a in old_paths]
        for action in order:
            f = opfacts.get(product, {}).get(action, {}) or {}
            if action in old_paths:
                op = copy.deepcopy(old_paths[action])
                req = resolve_inline(comps[f"{action}Request"], comps)
                resp = resolve_inline(comps[f"{action}Response"], comps)
                sentence = op.pop("x-acs-async", None)
                if isinstance(sentence, str) and "asynchronous" not in op.get("description", ""):
                    op["description"] = (op.get("description", "") + "\n\nAsynchronous: " + sentence).strip()
            else:
                o = sdk[action]
                go_req = f"{action}Request"
                go_resp = f"{action}ResponseBody"
                open_enums = set(f.get("open-enums", []))
                req = sdk_schema(o["request"], structs, go_req, "request", open_enums=open_enums,
                                 json_wires=o["json"] | GO_JSON.get(action, set()))
                # json-style parameters
                for wire in o["json"] | GO_JSON.get(action, set()):
                    req["properties"][wire]["x-acs-style"] = "json"
                resp = sdk_schema(o["response"], structs, go_resp, "response", open_enums=open_enums)
                summary, desc = go_docs.get(action, ("", ""))
                op = {"operationId": action, "x-acs-action": action}
                if summary:
                    op["summary"] = summary.split("\n\n")[0]
                if desc:
                    op["description"] = desc
                rp = req["properties"]
                if "ClientToken" in rp:
                    op["x-acs-client-token"] = "ClientToken"
                pag = f.get("pagination")
                if pag is None:
                    lists = find_list_path(resp)
                    if "PageNumber" in rp and "PageSize" in rp and len(lists) == 1:
                        pag = {"items": lists[0]}
                    elif "NextToken" in rp and "MaxResults" in rp and len(lists) == 1:
                        pag = {"items": lists[0], "next_token": "NextToken"}
                    elif ("PageNumber" in rp or "NextToken" in rp):
                        print(f"warning: {action}: paged but list path ambiguous: {lists}", file=sys.stderr)
                if pag:
                    op["x-acs-pagination"] = pag
                errs = [dict(e) for e in documented.get(product, {}).get(action, [])]
                if not errs:
                    errs = [dict(GENERIC["InvalidParameter"]), dict(GENERIC["Unauthorized"])]
                if "DryRun" in rp and not any(e["code"] == "DryRunOperation" for e in errs):
                    errs.insert(0, dict(GENERIC["DryRunOperation"]))
                op["x-acs-errors"] = errs
                op["requestBody"] = {"required": True, "content": {"application/json": {"schema": {
                    "$ref": f"#/components/schemas/{action}Request"}}}}
                op["responses"] = {
                    "200": {"description": "OK", "content": {"application/json": {"schema": {
                        "$ref": f"#/components/schemas/{action}Response"}}}},
                    "4XX": {"$ref": "#/components/responses/Error"},
                    "5XX": {"$ref": "#/components/responses/Error"},
                }
            # facts: errors, async, extra description
            if "errors" in f:
                have = {(e["code"], e["status"]) for e in op.get("x-acs-errors", [])}
                for e in f["errors"]:
                    if (e["code"], e["status"]) not in have:
                        op.setdefault("x-acs-errors", []).append(e)
            for code in observed.get(product, {}).get(action, []) or []:
                if any(e["code"] == code for e in op.get("x-acs-errors", [])):
                    continue
                status, message = code_index.get(code, (400, ""))
                op.setdefault("x-acs-errors", []).append(
                    {"status": status, "code": code, "message": message, "observed": True})
            if "waiter" in f:
                op["x-acs-async"] = {"waiter": f["waiter"]}
                if "asynchronous" not in op.get("description", "").lower():
                    op["description"] = (op.get("description", "") + "\n\n" +
                                         async_sentence(action, f["waiter"], all_waiters[f["waiter"]])).strip()
            if "description-append" in f:
                op["description"] = (op.get("description", "") + "\n\n" + f["description-append"]).strip()
            if "summary" in f:
                op["summary"] = f["summary"]
            # main list item name
            pag = op.get("x-acs-pagination", {}).get("items")
            lists = find_list_path(resp)
            main_list = pag or (lists[0] if len(lists) == 1 and action.startswith(("List", "Describe")) else None)
            ov = namer.overrides.setdefault(action, {})
            if main_list:
                p = "resp." + main_list + "[]"
                ov.setdefault(p, f.get("item-name") or op_noun(action))
            req_ref = namer.hoist(req, action, "req", f"{action}Request", None)
            resp_ref = namer.hoist(resp, action, "resp", f"{action}Response", None)
            ops_out[action] = op

        # recurring request enums -> named string schemas
        name_enums(namer, enum_names.get(product, {}))

        unused = [(a, p) for a, m in namer.overrides.items() for p in m if (a, p) not in namer.used_overrides
                  and not p.endswith("[]")]
        for u in unused:
            print(f"note: unused name override {u}", file=sys.stderr)
        write_product(product, args.out, old_doc, ops_out, fam_of, namer, waiters.get(product, {}),
                      product_families[product])


GENERIC = {
    "InvalidParameter": {"status": 400, "code": "InvalidParameter", "message": "Invalid parameter."},
    "Unauthorized": {"status": 400, "code": "Unauthorized", "message": "The AccessKeyId is unauthorized."},
    "DryRunOperation": {"status": 400, "code": "DryRunOperation",
                        "message": "Request validation has been passed with DryRun flag set."},
}
# Codes whose status and message PROTOCOL.md documents for every operation.
PROTOCOL_CODES = {
    "Throttling.User": (400, "Request was denied due to user flow control."),
    "InternalError": (500, "The request processing has failed due to some unknown error, exception or failure."),
}


def build_code_index(old_paths, documented):
    """code -> (status, message) from every documented row, for the observed entries."""
    idx = dict(PROTOCOL_CODES)
    rows = [e for op in old_paths.values() for e in op.get("x-acs-errors", [])]
    rows += [e for errs in documented.values() for e in errs]
    for e in rows:
        idx.setdefault(e["code"], (e["status"], e["message"]))
    return idx


def async_sentence(action, name, w):
    if w.get("gone"):
        until = f"{w['operation']} no longer returns it"
    else:
        until = f"{w['operation']} reports {w['status']} {' or '.join(w['success'])}"
    return (f"Asynchronous: {action} returns before its effect is complete; the change is done when {until} "
            f"(waiter {name}).")


def name_enums(namer, enum_names):
    """A request enum used by two or more properties becomes one named string schema."""
    groups = {}
    for sname, s in namer.schemas.items():
        for pk, pv in (s.get("properties") or {}).items():
            if pv.get("type") == "string" and "enum" in pv:
                key = (tuple(pv["enum"]), pv.get("x-acs-default"))
                groups.setdefault(key, []).append((sname, pk))
    for key, uses in groups.items():
        wires = {pk for _s, pk in uses}
        if len(uses) < 2:
            continue
        label = ",".join(key[0])
        name = enum_names.get(label)
        if name is None:
            if len(wires) == 1:
                name = next(iter(wires))
            else:
                print(f"note: recurring enum {label} under {sorted(wires)} needs a name in enums.yaml; left inline",
                      file=sys.stderr)
                continue
        if name is False:
            continue
        if name in namer.schemas:
            raise SystemExit(f"enum name {name} clashes with a schema")
        first = namer.schemas[uses[0][0]]["properties"][uses[0][1]]
        named = {"type": "string"}
        if first.get("description"):
            named["description"] = first["description"]
        named["enum"] = list(key[0])
        if key[1] is not None:
            named["x-acs-default"] = key[1]
        namer.schemas[name] = named
        namer.users[name] = set()
        for sname, pk in uses:
            namer.schemas[sname]["properties"][pk] = namer.ref(name)
            namer.users[name] |= namer.users[sname]


# ----------------------------------------------------------------------------- output

class _Flow(dict):
    pass


class _FlowList(list):
    pass


class _Dumper(yaml.SafeDumper):
    pass


def _flow_repr(dumper, data):
    return dumper.represent_mapping("tag:yaml.org,2002:map", data, flow_style=True)


def _str_repr(dumper, data):
    if "\n" in data:
        return dumper.represent_scalar("tag:yaml.org,2002:str", data, style="|")
    return dumper.represent_scalar("tag:yaml.org,2002:str", data)


_Dumper.add_representer(_Flow, _flow_repr)
_Dumper.add_representer(_FlowList, lambda d, data: d.represent_sequence("tag:yaml.org,2002:seq", data, flow_style=True))
_Dumper.add_representer(str, _str_repr)
_Dumper.ignore_aliases = lambda self, data: True


def dump(data):
    return yaml.dump(data, Dumper=_Dumper, sort_keys=False, width=120, allow_unicode=True, default_flow_style=False)


_OP_ORDER = ["operationId", "x-acs-action", "x-acs-client-token", "x-acs-pagination", "x-acs-async", "x-acs-errors",
             "summary", "description", "requestBody", "responses"]


def _op_ordered(op):
    out = {}
    for k in _OP_ORDER:
        if k in op:
            out[k] = op[k]
    for k in op:
        if k not in out:
            out[k] = op[k]
    out["x-acs-errors"] = [_Flow(e) for e in out.get("x-acs-errors", [])]
    if "x-acs-async" in out:
        out["x-acs-async"] = _Flow(out["x-acs-async"])
    return out


def _flow_waiter(w):
    out = {}
    for k, v in w.items():
        if isinstance(v, list):
            out[k] = _FlowList(v)
        elif isinstance(v, dict):
            out[k] = _Flow(v)
        else:
            out[k] = v
    return out


def _deps(name, schemas, acc):
    s = schemas[name]

    def walk(x):
        if isinstance(x, dict):
            if "$ref" in x:
                n = x["$ref"].split("/")[-1]
                if n not in acc:
                    acc.add(n)
                    _deps(n, schemas, acc)
            for v in x.values():
                walk(v)
        elif isinstance(x, list):
            for v in x:
                walk(v)

    walk(s)
    return acc


def write_product(product, out, old_doc, ops, fam_of, namer, waiters, families):
    pdir = os.path.join(out, product.lower())
    os.makedirs(pdir, exist_ok=True)
    schemas = namer.schemas
    # which families use each named schema (through the op's request/response closure)
    fam_users = {}
    for action in ops:
        fam = fam_of[action]
        closure = {f"{action}Request", f"{action}Response"}
        for n in list(closure):
            _deps(n, schemas, closure)
        for n in closure:
            fam_users.setdefault(n, set()).add(fam)
    shared = sorted(n for n, fs in fam_users.items() if len(fs) > 1)
    header = {
        "openapi": "3.0.3",
        "info": copy.deepcopy(old_doc["info"]),
        "servers": old_doc["servers"],
        "x-acs-product": old_doc["x-acs-product"],
        "x-acs-version": old_doc["x-acs-version"],
        "paths": {},
        "components": {"responses": old_doc["components"]["responses"],
                       "schemas": {"ApiError": old_doc["components"]["schemas"]["ApiError"]}},
    }
    if product == "Cbn":
        header["info"]["description"] = (
            f"Cloud Enterprise Network (CEN), product code Cbn, API version 2017-09-12: all {len(ops)} operations, "
            "split into one fragment per family (cbn/<family>.yaml). This file holds the document header, the "
            "error envelope and the named schemas that several families share.\n\n"
            "Alibaba's RPC protocol has one path (`/`) and selects the operation with `Action`; these documents "
            "describe the virtual API of spec/README.md: one `POST /{Action}` per operation whose JSON body holds "
            "the parameters under their wire names.")
    for n in shared:
        header["components"]["schemas"][n] = schemas[n]
    src = ("# Facts: the official SDKs (alibabacloud-cbn20170912 1.4.0, alibabacloud-vpc20160428 7.2.2, the Go SDK\n"
           "# aliyun/alibabacloud-go-sdk for 32/64-bit integers and operation descriptions), Alibaba's API reference\n"
           "# error tables, terraform-provider-alicloud for observed codes and polling (entries marked observed).\n")
    with open(os.path.join(pdir, "product.yaml"), "w") as fh:
        fh.write(f"# {product} ({old_doc['x-acs-version']}): document header and the schemas shared by several families.\n")
        fh.write(src)
        fh.write(dump(header))
    for fam, actions in families.items():
        actions = [a for a in actions if a in ops]
        if not actions:
            continue
        paths = {f"/{a}": {"post": _op_ordered(ops[a])} for a in actions}
        local = [n for n, fs in fam_users.items() if fs == {fam}]
        # order: request/response pairs in op order, then the other named schemas alphabetically
        ordered = []
        for a in actions:
            for n in (f"{a}Request", f"{a}Response"):
                if n in local:
                    ordered.append(n)
        ordered += sorted(n for n in local if n not in ordered)
        frag = {"paths": paths, "components": {"schemas": {n: schemas[n] for n in ordered}}}
        w = waiters.get(fam)
        if w:
            frag["x-acs-waiters"] = {n: _flow_waiter(v) for n, v in w.items()}
        with open(os.path.join(pdir, f"{fam}.yaml"), "w") as fh:
            fh.write(f"# {product} family '{fam}': {', '.join(actions)}.\n")
            fh.write(src)
            fh.write(dump(frag))


if __name__ == "__main__":
    main()
