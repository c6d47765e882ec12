"""Every operation of the shipped reference document has a route in the server."""

from __future__ import annotations

from cfaccounts.api import api_routes
from cfaccounts.openapi.reference import reference_operations


def test_every_reference_operation_has_a_route() -> None:
    served = {(r.method, r.template) for r in api_routes()}
    missing = [
        f"{op.method} {op.path} ({op.operation_id})"
        for op in reference_operations()
        if op.key not in served
    ]
    assert not missing, "operations without a route:\n  " + "\n  ".join(missing)
