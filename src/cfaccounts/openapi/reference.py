"""The reference OpenAPI document shipped with cfaccounts (``catalog/data/openapi-
accounts.json``, cut from Cloudflare's published API schemas), read once and indexed
by operation."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")


@dataclass(frozen=True, slots=True)
class Operation:
    """One operation of an OpenAPI document: where it is and its object."""

    method: str  # upper case
    path: str
    spec: dict[str, Any]

    @property
    def operation_id(self) -> str:
        return str(self.spec.get("operationId", ""))

    @property
    def key(self) -> tuple[str, str]:
        return self.method, self.path

    @property
    def token_groups(self) -> list[str]:
        return list(self.spec.get("x-api-token-group") or [])


def operations(doc: dict[str, Any]) -> Iterator[Operation]:
    """Every operation of ``doc``, in document order."""
    for path, item in doc.get("paths", {}).items():
        for method, spec in item.items():
            if method in METHODS:
                yield Operation(method.upper(), path, spec)


@cache
def reference() -> dict[str, Any]:
    """The shipped reference document (parsed once; callers must not mutate it)."""
    text = (
        resources.files("cfaccounts.catalog")
        .joinpath("data", "openapi-accounts.json")
        .read_text(encoding="utf-8")
    )
    doc: dict[str, Any] = json.loads(text)
    return doc


@cache
def reference_operations() -> tuple[Operation, ...]:
    return tuple(operations(reference()))


def by_operation_id() -> dict[str, Operation]:
    return {op.operation_id: op for op in reference_operations()}


def by_key() -> dict[tuple[str, str], Operation]:
    return {op.key: op for op in reference_operations()}


def resolve(doc: dict[str, Any], ref: str) -> Any:
    """The object a local ``$ref`` (``#/components/...``) points at."""
    if not ref.startswith("#/"):
        raise ValueError(f"only local references are supported: {ref}")
    node: Any = doc
    for part in ref[2:].split("/"):
        node = node[part.replace("~1", "/").replace("~0", "~")]
    return node


def refs_in(value: Any) -> Iterator[str]:
    """Every ``$ref`` string inside ``value``."""
    if isinstance(value, dict):
        for k, v in value.items():
            if k == "$ref" and isinstance(v, str):
                yield v
            else:
                yield from refs_in(v)
    elif isinstance(value, list):
        for v in value:
            yield from refs_in(v)
