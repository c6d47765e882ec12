"""The server's own OpenAPI 3.0.3 document, generated from its routes.

Each route gives the method, path template, operationId, summary, who may call it and
the permission groups it accepts (as ``x-api-token-group`` names). Parameters, request
bodies and responses come from the shipped reference document when it describes the
operation (matched by operationId, else by method and path), with the components they
reference copied over; a route's own ``openapi`` fields are merged on top. Operations
the reference does not describe get a minimal description: their path parameters and
the Cloudflare envelope.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Mapping
from typing import Any

from .. import __version__
from ..catalog import Catalogue, catalogue
from ..http.routing import Access, Route
from .reference import Operation, by_key, by_operation_id, reference, refs_in, resolve

ADMIN_PREFIX = "/_cfaccounts"
ADMIN_TAG = "cfaccounts administration"

# Tags for operations the reference does not tag, by the path they start with.
_TAGS = (
    ("/accounts/{account_id}/iam/permission_groups", "Account Permission Groups"),
    ("/accounts/{account_id}/iam/resource_groups", "Account Resource Groups"),
    ("/accounts/{account_id}/iam/user_groups", "Account User Groups"),
    ("/accounts/{account_id}/logs/audit", "Audit Logs"),
    ("/accounts/{account_id}/audit_logs", "Audit Logs"),
    ("/accounts/{account_id}/members", "Account Members"),
    ("/accounts/{account_id}/roles", "Account Roles"),
    ("/accounts/{account_id}/tokens", "Account Owned API Tokens"),
    ("/memberships", "User's Account Memberships"),
    ("/user/tokens", "User API Tokens"),
    ("/user/organizations", "User's Organizations"),
    ("/user", "User"),
    ("/accounts", "Accounts"),
)

_ID_SCHEMA = {
    "type": "string",
    "minLength": 32,
    "maxLength": 32,
    "pattern": "^[0-9a-f]{32}$",
    "description": "32 lowercase hexadecimal characters.",
}

_MESSAGES = {
    "type": "array",
    "items": {
        "type": "object",
        "required": ["code", "message"],
        "properties": {
            "code": {"type": "integer", "minimum": 1000},
            "message": {"type": "string"},
        },
    },
}

# Components of this server's own, for operations the reference does not describe.
OWN_SCHEMAS: dict[str, Any] = {
    "cfaccountsEnvelope": {
        "type": "object",
        "description": "The Cloudflare success envelope around any result.",
        "required": ["success", "errors", "messages", "result"],
        "properties": {
            "success": {"type": "boolean", "enum": [True]},
            "errors": _MESSAGES,
            "messages": _MESSAGES,
            "result": {"nullable": True},
            "result_info": {
                "type": "object",
                "properties": {
                    "page": {"type": "number"},
                    "per_page": {"type": "number"},
                    "count": {"type": "number"},
                    "total_count": {"type": "number"},
                    "total_pages": {"type": "number"},
                },
            },
        },
    },
    "cfaccountsFailure": {
        "type": "object",
        "description": "The Cloudflare failure envelope.",
        "required": ["success", "errors", "messages", "result"],
        "properties": {
            "success": {"type": "boolean", "enum": [False]},
            "errors": _MESSAGES,
            "messages": _MESSAGES,
            "result": {"type": "object", "nullable": True, "enum": [None]},
        },
    },
    "cfaccountsAdminResult": {
        "type": "object",
        "description": "An administration answer: the envelope around any result.",
        "required": ["success", "result"],
        "properties": {
            "success": {"type": "boolean"},
            "result": {"nullable": True},
        },
    },
}

_ADMIN_SCHEME = {
    "type": "http",
    "scheme": "bearer",
    "description": "The administration token the server was started with.",
}

_DEFAULT_SECURITY: list[dict[str, list[str]]] = [
    {"api_email": [], "api_key": []},
    {"api_token": []},
]

# Keys a route's ``openapi`` fields may set.
_ROUTE_KEYS = (
    "tags",
    "description",
    "parameters",
    "requestBody",
    "responses",
    "deprecated",
)


def _json_ref(name: str) -> dict[str, Any]:
    return {
        "content": {
            "application/json": {"schema": {"$ref": f"#/components/schemas/{name}"}}
        }
    }


def reference_operation(route: Route) -> Operation | None:
    """The reference's description of ``route``: by operationId, else by method and
    path."""
    return by_operation_id().get(route.operation_id) or by_key().get(
        (route.method, route.template)
    )


def group_names(route: Route, ref: Operation | None, cat: Catalogue) -> list[str]:
    """The names of the groups ``route`` accepts, in the reference's order where it
    lists them, then alphabetically."""
    names = {cat.groups_by_id[g].name for g in route.groups if g in cat.groups_by_id}
    order = {n: i for i, n in enumerate(ref.token_groups if ref else ())}
    return sorted(names, key=lambda n: (order.get(n, len(order)), n))


def _tag(template: str) -> str:
    for prefix, tag in _TAGS:
        if template == prefix or template.startswith(prefix + "/"):
            return tag
    return "Other"


def _path_parameters(route: Route, ref: Operation | None) -> list[dict[str, Any]]:
    known = {
        p["name"]: p
        for p in (ref.spec.get("parameters", []) if ref else [])
        if p.get("in") == "path"
    }
    out = []
    for seg in route.segments:
        if not seg.startswith("{"):
            continue
        name = seg[1:-1]
        if name in known:
            out.append(copy.deepcopy(known[name]))
        else:
            schema = dict(_ID_SCHEMA) if name.endswith("_id") else {"type": "string"}
            out.append({"in": "path", "name": name, "required": True, "schema": schema})
    return out


def _merge_parameters(
    base: list[dict[str, Any]], extra: Iterable[Mapping[str, Any]]
) -> list[dict[str, Any]]:
    out = list(base)
    index = {(p.get("in"), p.get("name")): i for i, p in enumerate(out)}
    for p in extra:
        key = (p.get("in"), p.get("name"))
        if key in index:
            out[index[key]] = dict(p)
        else:
            index[key] = len(out)
            out.append(dict(p))
    return out


def _security(route: Route, ref: Operation | None) -> list[dict[str, Any]]:
    if route.access is Access.PUBLIC:
        return []
    if route.access is Access.ADMIN:
        return [{"cfaccounts_admin": []}]
    if ref is not None and "security" in ref.spec:
        return copy.deepcopy(ref.spec["security"])
    return copy.deepcopy(_DEFAULT_SECURITY)


def operation(route: Route, cat: Catalogue, *, admin: bool = False) -> dict[str, Any]:
    """The OpenAPI operation object for one route."""
    ref = None if admin else reference_operation(route)
    spec = ref.spec if ref else {}
    extra = dict(route.openapi or {})
    unknown = set(extra) - set(_ROUTE_KEYS)
    if unknown:
        raise ValueError(
            f"{route.operation_id}: unknown OpenAPI fields {sorted(unknown)}"
        )
    op: dict[str, Any] = {
        "operationId": route.operation_id,
        "summary": route.summary or spec.get("summary", ""),
        "tags": list(
            extra.get("tags")
            or spec.get("tags")
            or [ADMIN_TAG if admin else _tag(route.template)]
        ),
    }
    description = extra.get("description", spec.get("description"))
    if description:
        op["description"] = description
    query = [p for p in spec.get("parameters", []) if p.get("in") != "path"]
    params = _merge_parameters(
        _path_parameters(route, ref) + copy.deepcopy(query),
        extra.get("parameters", ()),
    )
    if params:
        op["parameters"] = params
    body = extra.get("requestBody", spec.get("requestBody"))
    if body is not None:
        op["requestBody"] = copy.deepcopy(body)
    responses = copy.deepcopy(spec.get("responses", {}))
    responses.update(copy.deepcopy(dict(extra.get("responses", {}))))
    if "200" not in responses:
        name = "cfaccountsAdminResult" if admin else "cfaccountsEnvelope"
        responses["200"] = {
            "description": f"{op['summary']} response",
            **_json_ref(name),
        }
    if "4XX" not in responses:
        responses["4XX"] = {
            "description": f"{op['summary']} failure",
            **_json_ref("cfaccountsFailure"),
        }
    op["responses"] = responses
    op["security"] = _security(route, ref)
    if extra.get("deprecated", spec.get("deprecated")):
        op["deprecated"] = True
    names = group_names(route, ref, cat)
    if names:
        op["x-api-token-group"] = names
    for key in ("x-cfPermissionsRequired", "x-cfPlanAvailability"):
        if key in spec:
            op[key] = copy.deepcopy(spec[key])
    op["x-cfaccounts-access"] = route.access.value
    return op


def build_document(
    api: Iterable[Route],
    admin: Iterable[Route] = (),
    *,
    prefix: str = "/client/v4",
    cat: Catalogue | None = None,
) -> dict[str, Any]:
    """The OpenAPI 3.0.3 document of these routes. API paths are relative to the one
    ``servers`` entry (the API prefix); administration paths carry their own."""
    cat = cat or catalogue()
    ref_doc = reference()
    paths: dict[str, dict[str, Any]] = {}
    for route in api:
        paths.setdefault(route.template, {})[route.method.lower()] = operation(
            route, cat
        )
    for route in admin:
        key = ADMIN_PREFIX + route.template
        item = paths.setdefault(key, {"servers": [{"url": "/"}]})
        item[route.method.lower()] = operation(route, cat, admin=True)
    paths = {p: paths[p] for p in sorted(paths)}
    schemas = _components(paths, ref_doc)
    schemes = copy.deepcopy(ref_doc["components"].get("securitySchemes", {}))
    schemes.pop("user_service_key", None)  # no operation of this family takes it
    schemes["cfaccounts_admin"] = dict(_ADMIN_SCHEME)
    tags: list[str] = []
    for item in paths.values():
        for method, op in item.items():
            if method != "servers":
                tags.extend(t for t in op["tags"] if t not in tags)
    return {
        "openapi": "3.0.3",
        "info": {
            "title": "cfaccounts: the Cloudflare API v4 Accounts family",
            "version": __version__,
            "description": (
                "Generated by the running server from its routes. Request and "
                "response schemas of the operations Cloudflare publishes are those "
                "of the reference document shipped with cfaccounts "
                "(BSD-3-Clause, Cloudflare, Inc.)."
            ),
        },
        "servers": [{"url": prefix.rstrip("/") or "/", "description": "the API"}],
        "security": copy.deepcopy(_DEFAULT_SECURITY),
        "tags": [{"name": t} for t in tags],
        "paths": paths,
        "components": {"schemas": schemas, "securitySchemes": schemes},
    }


def _components(paths: dict[str, Any], ref_doc: dict[str, Any]) -> dict[str, Any]:
    """The reference components the operations reach (transitively), plus this
    server's own."""
    out: dict[str, Any] = {}
    pending = list(refs_in(paths))
    seen: set[str] = set()
    while pending:
        ref = pending.pop()
        if ref in seen:
            continue
        seen.add(ref)
        name = ref.rsplit("/", 1)[-1]
        if name in OWN_SCHEMAS:
            continue
        target = resolve(ref_doc, ref)
        out[name] = copy.deepcopy(target)
        pending.extend(refs_in(target))
    for name, schema in OWN_SCHEMAS.items():
        out[name] = copy.deepcopy(schema)
    return {k: out[k] for k in sorted(out)}
