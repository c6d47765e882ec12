"""Checking JSON values against OpenAPI 3.0 schemas, and reducing schemas to their
shape, without a JSON Schema library.

Covers what the Accounts-family documents use: ``$ref`` (local), ``type``,
``nullable``, ``enum``, ``properties``/``required``, ``additionalProperties: false``,
``items``, ``allOf``/``anyOf``/``oneOf``, string ``minLength``/``maxLength``/``format``
(date-time, email) and number ``minimum``/``maximum``. Unknown keywords are ignored.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from .reference import resolve

_TYPES: dict[str, tuple[type, ...]] = {
    "object": (dict,),
    "array": (list,),
    "string": (str,),
    "integer": (int,),
    "number": (int, float),
    "boolean": (bool,),
}

# The keywords that say what a value may be; descriptions, examples and vendor
# extensions are left out of a schema's shape.
SHAPE_KEYS = frozenset(
    {
        "type",
        "nullable",
        "enum",
        "properties",
        "required",
        "additionalProperties",
        "items",
        "allOf",
        "anyOf",
        "oneOf",
        "format",
        "minLength",
        "maxLength",
        "minimum",
        "maximum",
        "pattern",
    }
)


def problems(
    schema: Any, value: Any, doc: dict[str, Any], where: str = "$"
) -> list[str]:
    """What is wrong with ``value`` under ``schema`` (whose ``$ref``s point into
    ``doc``); empty when it conforms."""
    if not isinstance(schema, dict):
        return []
    if "$ref" in schema:
        return problems(resolve(doc, schema["$ref"]), value, doc, where)
    out: list[str] = []
    for sub in schema.get("allOf", ()):
        out += problems(sub, value, doc, where)
    for key in ("anyOf", "oneOf"):
        options = schema.get(key)
        if options and not any(not problems(o, value, doc, where) for o in options):
            out.append(f"{where}: matches none of {key}")
    if value is None:
        if schema.get("nullable") or None in schema.get("enum", ()):
            return out
        if "type" in schema or "enum" in schema:
            out.append(f"{where}: null where {schema.get('type', 'a value')} belongs")
        return out
    if "enum" in schema and value not in schema["enum"]:
        out.append(f"{where}: {value!r} is not one of {schema['enum']}")
    kind = schema.get("type")
    if kind is not None:
        allowed = _TYPES.get(kind, (object,))
        is_bool = isinstance(value, bool)
        if not isinstance(value, allowed) or (is_bool and kind != "boolean"):
            out.append(f"{where}: {type(value).__name__} where {kind} belongs")
            return out
    if isinstance(value, dict):
        out += _object(schema, value, doc, where)
    elif isinstance(value, list):
        items = schema.get("items")
        for i, item in enumerate(value):
            out += problems(items, item, doc, f"{where}[{i}]")
    elif isinstance(value, str):
        out += _string(schema, value, where)
    elif isinstance(value, (int, float)) and not isinstance(value, bool):
        if "minimum" in schema and value < schema["minimum"]:
            out.append(f"{where}: {value} is below {schema['minimum']}")
        if "maximum" in schema and value > schema["maximum"]:
            out.append(f"{where}: {value} is above {schema['maximum']}")
    return out


def _object(
    schema: dict[str, Any], value: dict[str, Any], doc: dict[str, Any], where: str
) -> list[str]:
    out = [
        f"{where}: {name} is required"
        for name in schema.get("required", ())
        if name not in value
    ]
    props = schema.get("properties", {})
    for name, item in value.items():
        if name in props:
            out += problems(props[name], item, doc, f"{where}.{name}")
        elif schema.get("additionalProperties") is False:
            out.append(f"{where}: {name} is not allowed")
        elif isinstance(schema.get("additionalProperties"), dict):
            out += problems(
                schema["additionalProperties"], item, doc, f"{where}.{name}"
            )
    return out


def _string(schema: dict[str, Any], value: str, where: str) -> list[str]:
    out = []
    if "maxLength" in schema and len(value) > schema["maxLength"]:
        out.append(f"{where}: longer than {schema['maxLength']}")
    if "minLength" in schema and len(value) < schema["minLength"]:
        out.append(f"{where}: shorter than {schema['minLength']}")
    fmt = schema.get("format")
    if fmt == "date-time":
        try:
            datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            out.append(f"{where}: {value!r} is not a date-time")
    elif fmt == "email" and "@" not in value:
        out.append(f"{where}: {value!r} is not an email address")
    return out


def shape(schema: Any, doc: dict[str, Any], _depth: int = 0) -> Any:
    """``schema`` with references resolved and only the keywords that constrain
    values kept, so that two documents' schemas can be compared for equality."""
    if _depth > 40:
        return "..."  # a recursive schema; deep enough to compare
    if isinstance(schema, list):
        return [shape(s, doc, _depth + 1) for s in schema]
    if not isinstance(schema, dict):
        return schema
    if "$ref" in schema:
        return shape(resolve(doc, schema["$ref"]), doc, _depth + 1)
    out: dict[str, Any] = {}
    for key, value in schema.items():
        if key not in SHAPE_KEYS:
            continue
        if key == "properties":
            out[key] = {k: shape(v, doc, _depth + 1) for k, v in value.items()}
        elif key in ("items", "additionalProperties", "allOf", "anyOf", "oneOf"):
            out[key] = shape(value, doc, _depth + 1)
        elif key == "required":
            out[key] = sorted(value)
        else:
            out[key] = value
    return out
