"""Reads the installed official Python SDKs (alibabacloud_cbn20170912, alibabacloud_vpc20160428,
alibabacloud_sts20150401).

Used by check_against_sdk.py, the CI check.
Everything is found by introspection of the installed packages: the operations from the
client's `*_with_options` methods (`action = '...'`), the wire names by setting one field at
a time and calling `to_map()`, the scalar classes from the `__init__` annotations, the
required flags and docs from the comment lines above `self.x = x` ("This parameter is required.").

A node of the normalized tree is one of:
  {"kind": "scalar", "type": "string" | "int" | "bool" | "float"}
  {"kind": "array", "items": node}
  {"kind": "map"}                                        (Dict[str, ...])
  {"kind": "object", "class": name, "props": {wire: {"node", "required", "doc", "attr"}}}
"""

from __future__ import annotations

import importlib
import inspect
import re
import sys
import typing

PRODUCTS = {
    # product: (package, only these actions or None for all)
    "Cbn": ("alibabacloud_cbn20170912", None),
    "Vpc": ("alibabacloud_vpc20160428", ("GrantInstanceToCen", "RevokeInstanceFromCen", "DescribeGrantRulesToCen")),
    "Sts": ("alibabacloud_sts20150401", None),
}

_SCALARS = {str: "string", int: "int", bool: "bool", float: "float"}
_ACTION_RE = re.compile(r"action\s*=\s*'(\w+)'")
_JSON_RE = re.compile(r"array_to_string_with_specified_style\(tmp_req\.(\w+), '(\w+)', 'json'\)")


def _sample(tp, models):
    """A value of annotation `tp` that makes to_map() emit the field."""
    origin = typing.get_origin(tp)
    if tp in _SCALARS:
        return {str: "s", int: 1, bool: True, float: 1.5}[tp]
    if origin in (list, typing.List):
        (arg,) = typing.get_args(tp)
        return [_sample(arg, models)]
    if origin in (dict, typing.Dict):
        return {"k": "v"}
    if inspect.isclass(tp):
        return tp()
    raise TypeError(f"unsupported annotation {tp!r}")


def _node(tp, models, seen):
    origin = typing.get_origin(tp)
    if tp in _SCALARS:
        return {"kind": "scalar", "type": _SCALARS[tp]}
    if origin in (list, typing.List):
        (arg,) = typing.get_args(tp)
        return {"kind": "array", "items": _node(arg, models, seen)}
    if origin in (dict, typing.Dict):
        return {"kind": "map"}
    if inspect.isclass(tp):
        return model_tree(tp, models, seen)
    raise TypeError(f"unsupported annotation {tp!r}")


def _comments(cls):
    """attr -> list of comment lines directly above `self.attr = attr` in __init__."""
    try:
        src = inspect.getsource(cls.__init__)
    except (OSError, TypeError):
        return {}
    out, pending = {}, []
    for line in src.splitlines():
        s = line.strip()
        if s.startswith("#"):
            pending.append(s[1:][1:] if s[1:2] == " " else s[1:])
            continue
        m = re.match(r"self\.(\w+) = \1$", s)
        if m:
            out[m.group(1)] = pending
        pending = []
    return out


_TREE_CACHE: dict = {}


def model_tree(cls, models=None, seen=()):
    """The normalized object node of a DaraModel class."""
    if cls in _TREE_CACHE:
        return _TREE_CACHE[cls]
    if cls in seen:
        raise RuntimeError(f"recursive model {cls.__name__}")
    seen = seen + (cls,)
    mod = sys.modules[cls.__module__]
    hints = typing.get_type_hints(cls.__init__, globalns=vars(mod))
    comments = _comments(cls)
    base = cls().to_map()
    props = {}
    for attr, param in inspect.signature(cls.__init__).parameters.items():
        if attr == "self":
            continue
        tp = hints[attr]
        inst = cls()
        setattr(inst, attr, _sample(tp, models))
        m = inst.to_map()
        changed = [k for k in m if k not in base or m[k] != base[k]]
        if len(changed) != 1:
            raise RuntimeError(f"{cls.__name__}.{attr}: cannot find its wire name ({changed})")
        wire = changed[0]
        lines = comments.get(attr, [])
        props[wire] = {
            "node": _node(tp, models, seen),
            "required": any(l.strip() == "This parameter is required." for l in lines),
            "doc": "\n".join(lines).strip(),
            "attr": attr,
        }
    tree = {"kind": "object", "class": cls.__name__, "props": props}
    _TREE_CACHE[cls] = tree
    return tree


def operations(product):
    """Action -> {"request": node, "response": node, "json": {wire}, "doc": str}."""
    pkg, only = PRODUCTS[product]
    client_mod = importlib.import_module(pkg + ".client")
    models = importlib.import_module(pkg + ".models")
    client = client_mod.Client
    ops = {}
    for name, fn in inspect.getmembers(client, inspect.isfunction):
        # The generator glues `with_options` to names ending in an acronym
        # (`assume_role_with_oidcwith_options`), so the underscore is optional.
        if not name.endswith("with_options") or name.endswith("_async"):
            continue
        if only is not None:
            # Cheap pre-filter for the big Vpc client: the action name in snake case.
            snake = {re.sub(r"(?<!^)(?=[A-Z])", "_", a).lower() + "_with_options" for a in only}
            if name not in snake:
                continue
        src = inspect.getsource(fn)
        m = _ACTION_RE.search(src)
        if not m:
            continue
        action = m.group(1)
        if only is not None and action not in only:
            continue
        sig = inspect.signature(fn)
        params = [p for p in sig.parameters.values() if p.name not in ("self", "runtime", "headers")]
        hints = typing.get_type_hints(fn, globalns=vars(client_mod))
        # An operation without parameters (GetCallerIdentity) has no request model.
        req_cls = hints[params[0].name] if params else None
        resp_cls = hints["return"]
        body_cls = typing.get_type_hints(resp_cls.__init__, globalns=vars(sys.modules[resp_cls.__module__]))["body"]
        json_attrs = {}
        for attr, wire in _JSON_RE.findall(src):
            json_attrs[wire] = attr
        # The summary/description docstring of the plain method.
        plain = getattr(client, name[: -len("with_options")].rstrip("_"), None)
        doc = inspect.getdoc(plain) or ""
        ops[action] = {
            "request": model_tree(req_cls, models) if req_cls else {"kind": "object", "class": None, "props": {}},
            "response": model_tree(body_cls, models),
            "json": set(json_attrs),
            "doc": doc,
            "method": name,
        }
    return ops
