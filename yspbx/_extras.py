"""The package's optional parts, and the one sentence that says how to install a missing one.

``pip install yspbx`` is the SDK alone (httpx, pydantic, Starlette for the report receiver);
the server, the command line and the Redis store are extras, as httpx keeps its command line
in ``httpx[cli]``. Whatever needs an extra asks :func:`require` first, so a missing one reads
as an instruction rather than as an ``ImportError`` from deep inside.
"""

from __future__ import annotations

from importlib.util import find_spec

# The modules each extra brings that yspbx imports (pyproject.toml lists the packages).
EXTRAS: dict[str, tuple[str, ...]] = {
    "server": ("uvicorn", "pydantic_settings", "typer", "rich"),
    "cli": ("typer", "rich", "uvicorn"),
    "redis": ("redis",),
}


class MissingExtra(ImportError):
    """Something was asked of yspbx that needs an extra which is not installed."""

    def __init__(self, extra: str, what: str, module: str) -> None:
        self.extra = extra
        self.module = module
        super().__init__(
            f"{what} needs yspbx's {extra!r} extra (module {module!r} is missing): "
            f"pip install 'yspbx[{extra}]'",
            name=module,
        )


def missing_modules(extra: str) -> list[str]:
    return [module for module in EXTRAS[extra] if find_spec(module) is None]


def require(extra: str, what: str) -> None:
    """Raise :class:`MissingExtra` when ``extra`` is not installed; ``what`` needs it."""
    missing = missing_modules(extra)
    if missing:
        raise MissingExtra(extra, what, missing[0])
