"""What a bad scenario file is told: the file, the key and the problem, in one line.

pydantic's own messages name neither the file nor the key the way a TOML author writes it
(``inbound[0].rate``); this module turns a ``ValidationError`` into that form, and suggests the
nearest known key when a key is not one the format has.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Sequence
from typing import Any

from pydantic import BaseModel, ValidationError


class ScenarioError(ValueError):
    """A scenario that cannot be loaded; ``str(e)`` is ``"source: key: problem"``."""

    def __init__(self, source: str, key: str, problem: str) -> None:
        self.source = source
        self.key = key
        self.problem = problem
        # Every problem pydantic found (this one first); one line each, for a user who wants all.
        self.problems: list[ScenarioError] = [self]
        super().__init__(f"{source}: {key}: {problem}")


def key_path(loc: Iterable[str | int]) -> str:
    """``("inbound", 0, "rate")`` as ``inbound[0].rate``."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out or "(top)"


def _model_at(root: type[BaseModel], loc: Sequence[str | int]) -> type[BaseModel] | None:
    """The model class whose fields hold the last element of ``loc`` (for key suggestions)."""
    model: Any = root
    for part in loc[:-1]:
        if isinstance(part, int):
            continue
        fields = getattr(model, "model_fields", None)
        if not fields:
            return None
        field = next((f for n, f in fields.items() if (f.alias or n) == part), None)
        if field is None:
            return None
        model = _inner_model(field.annotation)
        if model is None:
            return None
    return model if isinstance(model, type) and issubclass(model, BaseModel) else None


def _inner_model(annotation: Any) -> type[BaseModel] | None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in getattr(annotation, "__args__", ()):
        found = _inner_model(arg)
        if found is not None:
            return found
    return None


def known_keys(model: type[BaseModel]) -> list[str]:
    return [f.alias or n for n, f in model.model_fields.items()]


def suggest(word: str, choices: Iterable[str]) -> str:
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f"; did you mean {close[0]!r}?" if close else ""


def _problem(error: Any, root: type[BaseModel], loc: Sequence[str | int]) -> str:
    kind = error["type"]
    ctx = error.get("ctx") or {}
    value = error.get("input")
    if kind == "extra_forbidden" and loc:
        model = _model_at(root, loc)
        hint = suggest(str(loc[-1]), known_keys(model)) if model is not None else ""
        return f"unknown key{hint}"
    if kind == "missing":
        return "is required"
    if kind in ("greater_than_equal", "greater_than", "less_than_equal", "less_than"):
        op = {
            "greater_than_equal": ">=",
            "greater_than": ">",
            "less_than_equal": "<=",
            "less_than": "<",
        }[kind]
        bound = next(iter(ctx.values()), "?")
        if isinstance(bound, float) and bound.is_integer():
            bound = int(bound)
        return f"must be {op} {bound} (got {value!r})"
    if kind in ("too_short", "too_long"):
        if kind == "too_short" and ctx.get("min_length") == 1:
            return "must not be empty"
        if kind == "too_short":
            want = f"at least {ctx.get('min_length')}"
        else:
            want = f"at most {ctx.get('max_length')}"
        have = ctx.get("actual_length", len(value) if hasattr(value, "__len__") else "?")
        return f"must have {want} values (has {have})"
    if kind == "string_pattern_mismatch":
        return f"must match {ctx.get('pattern')} (got {value!r})"
    if kind in ("int_type", "int_parsing", "int_from_float"):
        return f"must be a whole number (got {value!r})"
    if kind in ("float_type", "float_parsing"):
        return f"must be a number (got {value!r})"
    if kind == "string_type":
        return f"must be a string (got {value!r})"
    if kind in ("list_type",):
        return f"must be a list (got {value!r})"
    if kind in ("dict_type", "model_type", "model_attributes_type"):
        model = _model_at(root, [*loc, ""])
        if model is not None and model.__name__ == "Distribution":
            return f"must be seconds or a distribution table such as {{dist = ...}} (got {value!r})"
        return f"must be a table (got {value!r})"
    if kind == "bool_type" or kind == "bool_parsing":
        return f"must be true or false (got {value!r})"
    if kind == "literal_error":
        return f"must be {ctx.get('expected', 'one of the allowed values')} (got {value!r})"
    if kind == "value_error":
        return str(ctx.get("error", error["msg"]))
    return str(error["msg"])


def from_validation(
    source: str, root: type[BaseModel], exc: ValidationError, prefix: Sequence[str | int] = ()
) -> ScenarioError:
    """The first error of ``exc`` as a :class:`ScenarioError` (all of them in ``.problems``)."""
    found: list[ScenarioError] = []
    for error in exc.errors():
        loc = [p for p in error["loc"] if not _is_union_tag(p)]
        full = [*prefix, *loc]
        found.append(ScenarioError(source, key_path(full), _problem(error, root, full)))
    first = found[0]
    first.problems = found
    return first


def _is_union_tag(part: Any) -> bool:
    """pydantic names the member of a union in ``loc`` (``float``, ``list[str]``,
    ``function-after[...]``); the file has no such key (keys are lower-case words)."""
    return isinstance(part, str) and (
        part in ("float", "int", "str", "bool", "none")
        or "[" in part
        or part.startswith("function-")
    )
