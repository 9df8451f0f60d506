"""Reading a scenario: TOML text or file to a validated :class:`Scenario`, and the built-in
library packaged beside this module (``library/<name>.toml``)."""

from __future__ import annotations

import tomllib
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path

from pydantic import ValidationError

from yspbx.scenarios.errors import ScenarioError, from_validation, suggest
from yspbx.scenarios.model import SOURCE_KINDS, Scenario


def load(text: str, source: str = "<scenario>") -> Scenario:
    """The scenario ``text`` says; :class:`ScenarioError` naming ``source``, key and problem."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ScenarioError(source, "(toml)", f"not valid TOML: {exc}") from None
    try:
        scenario = Scenario.model_validate(data)
    except ValidationError as exc:
        raise from_validation(source, Scenario, exc) from None
    _check(scenario, source)
    return scenario


def load_file(path: str | Path) -> Scenario:
    """The scenario in the file ``path``; errors name the file as given."""
    file = Path(path)
    try:
        text = file.read_text(encoding="utf-8")
    except OSError as exc:
        raise ScenarioError(str(path), "(file)", exc.strerror or str(exc)) from None
    except UnicodeDecodeError:
        raise ScenarioError(str(path), "(file)", "not UTF-8 text") from None
    return load(text, file.name if file.name == str(path) else str(path))


def _check(scenario: Scenario, source: str) -> None:
    """Checks across tables that pydantic's per-field validation cannot make."""
    for kind in SOURCE_KINDS:
        seen: set[str] = set()
        for i, entry in enumerate(getattr(scenario, kind)):
            if entry.name in seen:
                raise ScenarioError(source, f"{kind}[{i}].name", f"{entry.name!r} is used twice")
            seen.add(entry.name)


def _library() -> Traversable:
    return resources.files("yspbx.scenarios").joinpath("library")


def builtin_names() -> list[str]:
    """The built-in scenarios, by name, sorted."""
    return sorted(
        entry.name.removesuffix(".toml")
        for entry in _library().iterdir()
        if entry.name.endswith(".toml")
    )


def builtin_text(name: str) -> str:
    """The packaged TOML of the built-in ``name``; ``KeyError`` (with a hint) when unknown."""
    names = builtin_names()
    if name not in names:
        raise KeyError(f"no built-in scenario {name!r}{suggest(name, names)}")
    return _library().joinpath(f"{name}.toml").read_text(encoding="utf-8")


def load_builtin(name: str) -> Scenario:
    return load(builtin_text(name), f"{name}.toml")
