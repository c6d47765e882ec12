"""The coverage report (``docs/coverage.md``): every operation of the reference
document, whether the server implements it and the permission groups it accepts, then
the operations the server has beyond the reference.

Regenerate with ``python -m cfaccounts.openapi.coverage > docs/coverage.md``.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable

from ..catalog import Catalogue, catalogue
from ..http.routing import Access, Route
from .generate import group_names, reference_operation
from .reference import Operation, reference_operations

COMMAND = "python -m cfaccounts.openapi.coverage > docs/coverage.md"

_WHO = {
    Access.PUBLIC: "no credentials",
    Access.ADMIN: "the admin token",
    Access.AUTHENTICATED: "any valid credential",
    Access.ACCOUNT: "a credential holding one of the groups on the account",
    Access.USER: "a user-level credential holding one of the groups on the user",
}


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def _groups(names: Iterable[str]) -> str:
    listed = ", ".join(names)
    return listed or "(none listed)"


def _access(route: Route) -> str:
    return _WHO[route.access]


def render(routes: Iterable[Route], cat: Catalogue | None = None) -> str:
    """The report as Markdown, for these API routes."""
    cat = cat or catalogue()
    routes = list(routes)
    by_key = {(r.method, r.template): r for r in routes}
    ops = reference_operations()
    matched: dict[tuple[str, str], Route] = {}
    for op in ops:
        route = by_key.get(op.key) or next(
            (r for r in routes if r.operation_id == op.operation_id), None
        )
        if route is not None:
            matched[op.key] = route
    done = len(matched)
    lines = [
        "# Operation coverage",
        "",
        "Generated from the reference OpenAPI document shipped in",
        "`src/cfaccounts/catalog/data/openapi-accounts.json` and the server's routes",
        "by",
        "",
        f"    {COMMAND}",
        "",
        "Do not edit it by hand: a test fails when it is out of date.",
        "",
        f"**{done} of {len(ops)}** operations of the reference are implemented.",
        "The groups are the API-token permission groups an operation accepts (any one",
        "is enough): the server's own list where it implements the operation, else",
        "the reference's.",
        "",
        "A running server describes itself at `GET /_cfaccounts/openapi.json` (no",
        "credentials needed): an OpenAPI 3.0.3 document generated from its routes,",
        "with the reference's parameters and schemas for the operations above, the",
        "accepted groups as `x-api-token-group`, and its `servers` entry set to the",
        "API prefix (`/client/v4` by default).",
        "",
    ]
    tags: dict[str, list[Operation]] = {}
    for op in ops:
        tags.setdefault((op.spec.get("tags") or ["Other"])[0], []).append(op)
    for tag, tag_ops in tags.items():
        lines += [
            f"## {tag}",
            "",
            "| Method | Path | Operation | Implemented | Who may call it | Groups |",
            "| --- | --- | --- | --- | --- | --- |",
        ]
        for op in tag_ops:
            route = matched.get(op.key)
            if route is None:
                who, names, state = "", op.token_groups, "no"
            else:
                who = _access(route)
                names = group_names(route, op, cat)
                state = "yes"
            lines.append(
                f"| {op.method} | `{op.path}` | `{_cell(op.operation_id)}` "
                f"{_cell(op.spec.get('summary', ''))} | {state} | {who} | "
                f"{_cell(_groups(names))} |"
            )
        lines.append("")
    extra = [
        r
        for r in routes
        if reference_operation(r) is None and (r.method, r.template) not in matched
    ]
    if extra:
        lines += [
            "## Beyond the reference",
            "",
            "Operations the official SDK knows that the reference document does not "
            "describe.",
            "",
            "| Method | Path | Operation | Who may call it | Groups |",
            "| --- | --- | --- | --- | --- |",
        ]
        for r in sorted(extra, key=lambda r: (r.template, r.method)):
            lines.append(
                f"| {r.method} | `{r.template}` | `{_cell(r.operation_id)}` "
                f"{_cell(r.summary)} | {_access(r)} | "
                f"{_cell(_groups(group_names(r, None, cat)))} |"
            )
        lines.append("")
    return "\n".join(lines)


def main() -> None:
    from ..api import api_routes

    sys.stdout.write(render(api_routes()))


if __name__ == "__main__":
    main()
