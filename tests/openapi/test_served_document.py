"""The OpenAPI document the server serves at /_cfaccounts/openapi.json: open to
anyone, generated from the routes, and internally sound."""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest

from cfaccounts.api import admin_routes, api_routes
from cfaccounts.catalog import catalogue, groups
from cfaccounts.http import Access, Request, Response, RouteTable, ok
from cfaccounts.openapi import build_document
from cfaccounts.openapi.reference import operations, refs_in, resolve

from ..conftest import RunningServer, bearer


@pytest.fixture
def served(server: RunningServer) -> dict[str, Any]:
    r = httpx.get(f"{server.url}/_cfaccounts/openapi.json")
    assert r.status_code == 200, r.text
    assert r.headers["content-type"] == "application/json"
    doc: dict[str, Any] = r.json()
    return doc


def test_no_credentials_are_needed_and_bad_ones_do_not_matter(
    server: RunningServer,
) -> None:
    url = f"{server.url}/_cfaccounts/openapi.json"
    assert httpx.get(url, headers=bearer("not a token")).status_code == 200


def test_it_is_openapi_3_0_3_with_the_api_prefix_as_server(
    served: dict[str, Any], server: RunningServer
) -> None:
    assert served["openapi"] == "3.0.3"
    assert served["servers"] == [
        {"url": server.settings.prefix, "description": "the API"}
    ]
    assert served["info"]["title"] and served["info"]["version"]


def test_every_route_is_an_operation_with_its_access_and_groups(
    served: dict[str, Any],
) -> None:
    ops = {op.key: op.spec for op in operations(served)}
    cat = catalogue()
    for route in api_routes():
        op = ops[(route.method, route.template)]
        assert op["operationId"] == route.operation_id
        assert op["x-cfaccounts-access"] == route.access.value
        names = {cat.groups_by_id[g].name for g in route.groups}
        assert set(op.get("x-api-token-group", [])) == names
        assert op["summary"]
    for route in admin_routes():
        op = ops[(route.method, "/_cfaccounts" + route.template)]
        assert op["tags"] == ["cfaccounts administration"]
    assert len(ops) == len(api_routes()) + len(admin_routes())


def test_administration_paths_are_outside_the_api_prefix(
    served: dict[str, Any],
) -> None:
    for path, item in served["paths"].items():
        if path.startswith("/_cfaccounts/"):
            assert item["servers"] == [{"url": "/"}]
        else:
            assert "servers" not in item


def test_operation_ids_are_unique(served: dict[str, Any]) -> None:
    ids = [op.operation_id for op in operations(served)]
    assert len(ids) == len(set(ids))


def test_every_reference_resolves(served: dict[str, Any]) -> None:
    for ref in set(refs_in(served)):
        assert resolve(served, ref) is not None, ref


def test_path_parameters_match_the_templates(served: dict[str, Any]) -> None:
    for op in operations(served):
        in_path = re.findall(r"{([^}]+)}", op.path)
        declared = [
            p["name"] for p in op.spec.get("parameters", []) if p["in"] == "path"
        ]
        assert declared == in_path, op.key
        for p in op.spec.get("parameters", []):
            if p["in"] == "path":
                assert p["required"] is True


def test_security_follows_access(served: dict[str, Any]) -> None:
    for op in operations(served):
        access = op.spec["x-cfaccounts-access"]
        if access == "public":
            assert op.spec["security"] == []
        elif access == "admin":
            assert op.spec["security"] == [{"cfaccounts_admin": []}]
        else:
            assert op.spec["security"], op.key
            for requirement in op.spec["security"]:
                assert set(requirement) <= set(served["components"]["securitySchemes"])


def test_the_document_is_generated_from_whatever_routes_exist() -> None:
    table = RouteTable()

    @table.get(
        "/accounts/{account_id}/widgets/{widget_id}",
        operation_id="widget-details",
        access=Access.ACCOUNT,
        groups=groups("Billing Read", "Account Settings Read"),
        openapi={"tags": ["Widgets"]},
    )
    def widget(req: Request) -> Response:
        """Widget Details"""
        return ok(None)

    doc = build_document(table.routes, prefix="")
    assert doc["servers"][0]["url"] == "/"
    op = doc["paths"]["/accounts/{account_id}/widgets/{widget_id}"]["get"]
    assert op["operationId"] == "widget-details"
    assert op["summary"] == "Widget Details"
    assert op["tags"] == ["Widgets"]
    assert op["x-api-token-group"] == ["Account Settings Read", "Billing Read"]
    assert [p["name"] for p in op["parameters"]] == ["account_id", "widget_id"]
    assert op["parameters"][1]["schema"]["pattern"] == "^[0-9a-f]{32}$"
    assert set(op["responses"]) == {"200", "4XX"}
    assert doc["components"]["schemas"]["cfaccountsEnvelope"]


def test_a_route_with_an_unknown_openapi_field_is_refused() -> None:
    table = RouteTable()

    @table.get(
        "/things", operation_id="things", access=Access.PUBLIC, openapi={"respones": {}}
    )
    def things(req: Request) -> Response:
        """Things"""
        return ok([])

    with pytest.raises(ValueError, match="respones"):
        build_document(table.routes)
