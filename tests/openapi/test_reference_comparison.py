"""The served OpenAPI document against the reference copy shipped in the package:
the same operations, and for each operation in both the same operationId, accepted
permission groups, parameters and response shapes, except for the deliberate
differences listed below, each with its reason."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from cfaccounts.openapi.conform import shape
from cfaccounts.openapi.reference import Operation, operations, reference

from ..conftest import RunningServer

AUDIT_V2 = "/accounts/{account_id}/logs/audit"
ORGANIZATION = "/user/organizations/{organization_id}"

# Operations the server has beyond the reference, by (method, path).
EXTRA_OPERATIONS: dict[tuple[str, str], str] = {
    ("GET", "/accounts/{account_id}/audit_logs"): (
        "the v1 audit log: the reference leaves it out, the SDK still calls it "
        "(client.audit_logs.list)"
    ),
    ("GET", AUDIT_V2 + "/product_categories"): (
        "audit product categories: in the SDK "
        "(client.accounts.logs.audit.product_categories), not in the reference"
    ),
    ("GET", AUDIT_V2 + "/{id}/history"): (
        "a resource's audit history: in the SDK "
        "(client.accounts.logs.audit.history), not in the reference"
    ),
    ("GET", "/accounts/{account_id}/iam/permission_groups"): (
        "IAM permission groups: in the SDK (client.iam.permission_groups), not in "
        "the reference"
    ),
    ("GET", "/accounts/{account_id}/iam/permission_groups/{permission_group_id}"): (
        "IAM permission groups: in the SDK, not in the reference"
    ),
    ("GET", "/accounts/{account_id}/iam/resource_groups"): (
        "IAM resource groups: in the SDK (client.iam.resource_groups), not in the "
        "reference"
    ),
    ("GET", "/accounts/{account_id}/iam/resource_groups/{resource_group_id}"): (
        "IAM resource groups: in the SDK, not in the reference"
    ),
    ("POST", "/accounts/{account_id}/iam/resource_groups"): (
        "IAM resource groups: in the SDK, not in the reference"
    ),
    ("PUT", "/accounts/{account_id}/iam/resource_groups/{resource_group_id}"): (
        "IAM resource groups: in the SDK, not in the reference"
    ),
    ("DELETE", "/accounts/{account_id}/iam/resource_groups/{resource_group_id}"): (
        "IAM resource groups: in the SDK, not in the reference"
    ),
    ("GET", "/memberships"): "memberships: in the SDK (client.memberships) only",
    ("GET", "/memberships/{membership_id}"): "memberships: in the SDK only",
    ("PUT", "/memberships/{membership_id}"): "memberships: in the SDK only",
    ("DELETE", "/memberships/{membership_id}"): "memberships: in the SDK only",
}

# Every path under this prefix is the server's own administration API.
ADMIN_PREFIX = "/_cfaccounts/"

# Differences in one aspect of an operation both documents have, by
# (method, path, aspect); aspect is "groups", "parameters" or "responses".
DIFFERENT_ASPECTS: dict[tuple[str, str, str], str] = {
    ("GET", AUDIT_V2, "parameters"): (
        "the server also documents the .not form of every filter and the "
        "deprecated audit_log_id, which it accepts and the reference leaves out"
    ),
    ("GET", ORGANIZATION, "groups"): (
        "the reference lists no groups; the server asks for Memberships Read or "
        "Write, as it does to list organizations, so a token cannot read an "
        "organization it may not list"
    ),
    ("DELETE", ORGANIZATION, "groups"): (
        "the reference lists no groups; leaving an organization changes a "
        "membership, so the server asks for Memberships Write"
    ),
}


@pytest.fixture(scope="module")
def served(server: RunningServer) -> dict[str, Any]:
    r = httpx.get(f"{server.url}/_cfaccounts/openapi.json")
    assert r.status_code == 200
    doc: dict[str, Any] = r.json()
    return doc


def _pairs(served: dict[str, Any]) -> list[tuple[Operation, Operation]]:
    ours = {op.key: op for op in operations(served)}
    return [(ours[op.key], op) for op in operations(reference()) if op.key in ours]


def _parameters(doc: dict[str, Any], op: Operation) -> dict[tuple[str, str], Any]:
    return {
        (p["in"], p["name"]): (
            bool(p.get("required", False)),
            bool(p.get("explode", True)),
            shape(p.get("schema"), doc),
        )
        for p in op.spec.get("parameters", [])
    }


def _responses(doc: dict[str, Any], op: Operation) -> dict[str, Any]:
    out = {}
    for code, response in op.spec.get("responses", {}).items():
        schema = response.get("content", {}).get("application/json", {}).get("schema")
        out[code] = shape(schema, doc)
    return out


def test_the_server_has_no_operation_the_list_does_not_explain(
    served: dict[str, Any],
) -> None:
    known = {op.key for op in operations(reference())}
    unexplained = [
        f"{m} {p}"
        for m, p in (op.key for op in operations(served))
        if (m, p) not in known
        and (m, p) not in EXTRA_OPERATIONS
        and not p.startswith(ADMIN_PREFIX)
    ]
    assert not unexplained, (
        "operations beyond the reference; add each to EXTRA_OPERATIONS with a "
        "reason:\n  " + "\n  ".join(unexplained)
    )


def test_every_listed_difference_still_exists(served: dict[str, Any]) -> None:
    known = {op.key for op in operations(reference())}
    assert not [k for k in EXTRA_OPERATIONS if k in known], "now in the reference"
    stale = []
    for ours, ref in _pairs(served):
        for aspect, same in (
            ("groups", set(ours.token_groups) == set(ref.token_groups)),
            (
                "parameters",
                _parameters(served, ours) == _parameters(reference(), ref),
            ),
            ("responses", _responses(served, ours) == _responses(reference(), ref)),
        ):
            if same and (*ours.key, aspect) in DIFFERENT_ASPECTS:
                stale.append((*ours.key, aspect))
    assert not stale, f"listed differences that no longer exist: {stale}"


def test_operation_ids_and_tags_match(served: dict[str, Any]) -> None:
    for ours, ref in _pairs(served):
        assert ours.operation_id == ref.operation_id, ours.key
        assert ours.spec["tags"] == ref.spec["tags"], ours.key


def _explained(key: tuple[str, str], aspect: str) -> bool:
    return (*key, aspect) in DIFFERENT_ASPECTS


def test_accepted_permission_groups_match(served: dict[str, Any]) -> None:
    for ours, ref in _pairs(served):
        if not _explained(ours.key, "groups"):
            assert set(ours.token_groups) == set(ref.token_groups), ours.key


def test_parameters_match(served: dict[str, Any]) -> None:
    for ours, ref in _pairs(served):
        mine, theirs = _parameters(served, ours), _parameters(reference(), ref)
        if _explained(ours.key, "parameters"):
            # Additions only: every reference parameter is still there, unchanged.
            assert {k: mine.get(k) for k in theirs} == theirs, ours.key
        else:
            assert mine == theirs, ours.key


def test_response_shapes_match(served: dict[str, Any]) -> None:
    for ours, ref in _pairs(served):
        if not _explained(ours.key, "responses"):
            assert _responses(served, ours) == _responses(reference(), ref), ours.key


def test_request_bodies_match(served: dict[str, Any]) -> None:
    for ours, ref in _pairs(served):
        body = ours.spec.get("requestBody", {})
        theirs = ref.spec.get("requestBody", {})
        assert bool(body) == bool(theirs), ours.key
        if body:
            a = body["content"]["application/json"]["schema"]
            b = theirs["content"]["application/json"]["schema"]
            assert shape(a, served) == shape(b, reference()), ours.key
