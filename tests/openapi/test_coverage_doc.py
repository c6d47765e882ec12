"""docs/coverage.md is the generated report of the current routes."""

from __future__ import annotations

from pathlib import Path

from cfaccounts.api import api_routes
from cfaccounts.openapi.coverage import COMMAND, render

DOC = Path(__file__).resolve().parents[2] / "docs" / "coverage.md"


def test_the_coverage_report_is_up_to_date() -> None:
    assert DOC.exists(), f"docs/coverage.md is missing; run: {COMMAND}"
    assert DOC.read_text(encoding="utf-8") == render(api_routes()), (
        f"docs/coverage.md is out of date; run: {COMMAND}"
    )


def test_the_report_lists_every_reference_operation_once() -> None:
    from cfaccounts.openapi.reference import reference_operations

    text = render(api_routes())
    for op in reference_operations():
        assert text.count(f"`{op.path}` | `{op.operation_id}`") == 1
