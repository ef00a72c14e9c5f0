"""Checks JSON read back from a file this run did not write (a `--store`) with pydantic, against the type its reader
has (a dataclass, a TypedDict, `list[X]`, `X | None`, ... or a `record` of several merged), so that a damaged or
forged value is refused where it is read, in one line: `data.result.size is "big", not a valid integer`.

Strict, as JSON: no "3" for 3 (an integer is a number), an object for a dataclass, a list for a tuple; every
field without a default must be there, and no other (a dataclass is built with `**`) unless a record allows it.
"""

from __future__ import annotations

import dataclasses
import functools
import json
import typing
from typing import Any, Literal, NotRequired, Required

import pydantic
from typing_extensions import TypedDict  # pydantic reads `typing.TypedDict` only from Python 3.12

JSON_OBJECT = dict[str, Any]  # the least a stored record is
STRICT = pydantic.ConfigDict(strict=True, extra="forbid")  # inherited by nested dataclasses and TypedDicts


@functools.cache
def record(name: str, *parts: type, extra: Literal["forbid", "allow"] = "forbid") -> type:
    """A JSON object with the fields of the dataclasses and TypedDicts `parts` (a later one's field wins), each
    required as its part says; `extra="allow"`: any other field too."""
    fields: dict[str, Any] = {}
    for part in parts:
        hints = typing.get_type_hints(part, include_extras=True)
        if dataclasses.is_dataclass(part):
            for f in dataclasses.fields(part):
                optional = f.default is not dataclasses.MISSING or f.default_factory is not dataclasses.MISSING
                fields[f.name] = NotRequired[hints[f.name]] if optional else hints[f.name]
        else:  # its markers first: `__required_keys__` misses them on 3.11 with postponed annotations
            marked = {k for k, hint in hints.items() if typing.get_origin(hint) in (Required, NotRequired)}
            required = marked | getattr(part, "__required_keys__", frozenset())
            fields |= {k: h if k in required else NotRequired[h] for k, h in hints.items()}
    typed_dict: Any = TypedDict  # called with a computed name and fields: a class built at run time for pydantic
    shape = typed_dict(name, fields)
    shape.__pydantic_config__ = pydantic.ConfigDict(strict=True, extra=extra)
    return shape


@functools.lru_cache(maxsize=256)
def _adapter(shape: Any) -> pydantic.TypeAdapter:
    if dataclasses.is_dataclass(shape) or typing.is_typeddict(shape):  # pydantic takes no config for these
        return pydantic.TypeAdapter(record(shape.__name__, shape))
    return pydantic.TypeAdapter(shape, config=STRICT)


def problem(value: Any, shape: Any, where: str = "the value") -> str | None:
    """What makes `value` (parsed JSON) not of `shape`, naming where (`data.result.size`); None when it is."""
    try:  # a lone surrogate (kept by `json`, refused by pydantic's parser) is checked as "?"
        _adapter(shape).validate_json(json.dumps(value, ensure_ascii=False).encode(errors="replace"))
        return None
    except RecursionError:
        return f"{where} cannot be checked: nested too deep"
    except pydantic.ValidationError as exc:
        error = exc.errors(include_url=False)[0]
    kind, loc, message = error["type"], error["loc"], error["msg"]
    if kind == "json_invalid":  # nested deeper than pydantic's parser goes
        return f"{where} cannot be checked: {error['ctx']['error'].partition(' at line')[0]}"
    if kind in ("missing", "extra_forbidden", "unexpected_keyword_argument"):
        path, key = _walk(loc[:-1], value, where)[0] or "it", loc[-1]
        if kind != "missing":
            return f"{path} has an unknown field {key!r}"
        return f"{path} has no item [{key}]" if isinstance(key, int) else f"{path} has no field {key!r}"
    path, at = _walk(loc, value, where)
    if kind == "literal_error":
        message = f"Input should be one of {error['ctx']['expected']}"
    shown = json.dumps(at)
    shown = shown if len(shown) <= 60 else shown[:57] + "..."
    wanted = message.removeprefix("Input should be ")
    return f"{path} is {shown}, not {wanted}" if wanted != message else f"{path} is {shown}: {message}"


def _walk(loc: tuple[int | str, ...], value: Any, where: str) -> tuple[str, Any]:
    """The path (`data.candidates[0]`) and value `loc` leads to; a step naming no field or item is a union tag."""
    for step in loc:
        if isinstance(value, dict) and step in value:
            value, where = value[step], f"{where}.{step}" if where else str(step)
        elif isinstance(value, list) and isinstance(step, int) and step < len(value):
            value, where = value[step], f"{where}[{step}]"
    return where, value
