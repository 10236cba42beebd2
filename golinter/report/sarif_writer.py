"""Serialise sarif-om objects to JSON-ready data without dropping meaningful values.

sarif-om's stock serialisers (jschema_to_python) leave out every value equal to its schema
default, so a result's explicit `level: "warning"` would vanish and GitHub would apply the
rule's default level instead. This writer walks the attrs fields in declaration order, names
each by its `schema_property_name` metadata and emits every value except:
- None (not set);
- sarif-om's -1 sentinels for unset indexes, offsets and ranks (the field's default is -1,
  which the schema defines as "not set"): never a meaningful value;
- empty lists and dicts, which the schema lets us omit, except the properties in KEEP_EMPTY
  (`results`: GitHub rejects a run without it).
"""
from __future__ import annotations

from enum import Enum
from typing import Union

import attr

JsonValue = Union[str, int, float, bool, None, list["JsonValue"], dict[str, "JsonValue"]]

KEEP_EMPTY = frozenset({"results"})


def _is_unset_sentinel(field: attr.Attribute[object], value: object) -> bool:
    return (isinstance(value, (int, float)) and not isinstance(value, bool)
            and value == -1 and field.default == -1)


def to_json(value: object) -> JsonValue:
    """A JSON-ready copy of `value`: attrs objects, lists, dicts, enums and scalars."""
    cls = type(value)
    if attr.has(cls):
        out: dict[str, JsonValue] = {}
        for field in attr.fields(cls):
            item = getattr(value, field.name)
            if item is None or _is_unset_sentinel(field, item):
                continue
            name = str(field.metadata.get("schema_property_name", field.name))
            converted = to_json(item)
            if converted in ({}, []) and name not in KEEP_EMPTY:
                continue
            out[name] = converted
        return out
    if isinstance(value, Enum):
        return to_json(value.value)
    if isinstance(value, (list, tuple)):
        return [to_json(item) for item in value]
    if isinstance(value, dict):
        return {str(key): to_json(item) for key, item in value.items() if item is not None}
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    raise TypeError(f"cannot serialise {type(value).__name__} in a SARIF log")
