"""Value checks shared by every object kind: the character and length rules the PBX's web forms
apply, written once.

Each check returns whether a value is acceptable; :class:`Checker` turns a failed check into
the errno of the object kind being validated, so the same rule answers ``10017`` for an
extension and ``10019`` for a queue.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass

from yspbx.errors import Errno, PbxError

# Characters the PBX refuses in passwords (and spaces).
PASSWORD_FORBIDDEN = frozenset(" ;&\"'\\<>`|")
# Characters the PBX refuses in object names such as IVR and queue names (and spaces).
NAME_FORBIDDEN = frozenset(" :!$()/#;,[]\"=<>&'`^%@{}|")
# Free text (user names, e-mail addresses) may hold spaces, but never markup or control bytes.
TEXT_FORBIDDEN = frozenset(';&"\\<>`|')

_LABEL = r"[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
_HOSTNAME = re.compile(rf"(?=.{{1,253}}$){_LABEL}(\.{_LABEL})*")
_EMAIL = re.compile(r"[^@\s]{1,64}@[^@\s]{1,255}")
# Dial patterns: digits, the wildcards X Z N, ranges in brackets, '.' and '!' (Asterisk style).
_PATTERN = re.compile(r"[0-9XxZzNn.!\[\]\-+*#]*")


def printable(value: str) -> bool:
    return value.isprintable()


def digits(value: str, max_length: int, min_length: int = 0) -> bool:
    return min_length <= len(value) <= max_length and (not value or value.isdigit())


def free_text(value: str, max_length: int, min_length: int = 0) -> bool:
    return (
        min_length <= len(value) <= max_length
        and value.isprintable()
        and not TEXT_FORBIDDEN.intersection(value)
    )


def object_name(value: str, max_length: int = 31) -> bool:
    """A name as IVR, queue, trunk and route names are written: no spaces, no markup."""
    return (
        1 <= len(value) <= max_length
        and value.isprintable()
        and not NAME_FORBIDDEN.intersection(value)
        and value.lower() != "all"  # "all" means every object in queries and deletes
    )


def password(value: str, max_length: int, min_length: int = 0) -> bool:
    return (
        min_length <= len(value) <= max_length
        and value.isprintable()
        and not PASSWORD_FORBIDDEN.intersection(value)
    )


def letters_digits(value: str, max_length: int, min_length: int = 0) -> bool:
    return min_length <= len(value) <= max_length and (not value or value.isalnum())


def host(value: str) -> bool:
    """An IP address or a DNS name."""
    try:
        ipaddress.ip_address(value)
        return True
    except ValueError:
        return bool(_HOSTNAME.fullmatch(value))


def port(value: str) -> bool:
    return value.isdigit() and len(value) <= 5 and 1 <= int(value) <= 65535


def email(value: str) -> bool:
    return not value or (len(value) <= 127 and bool(_EMAIL.fullmatch(value)))


def dial_pattern(value: str, max_length: int = 127) -> bool:
    return len(value) <= max_length and bool(_PATTERN.fullmatch(value))


def number(value: str) -> bool:
    """An extension, IVR, queue, ring group or paging group number."""
    return digits(value, 15, 1)


def one_of(*allowed: object) -> Callable[[object], bool]:
    choices = frozenset(allowed)
    return lambda value: value in choices


def in_range(low: int, high: int, step: int = 1) -> Callable[[object], bool]:
    return lambda value: (
        isinstance(value, int) and low <= value <= high and (value - low) % step == 0
    )


Rule = Callable[[object], bool]


def text_rule(check: Callable[[str], bool]) -> Rule:
    return lambda value: isinstance(value, str) and check(value)


def list_rule(check: Callable[[str], bool]) -> Rule:
    return lambda value: (
        isinstance(value, list) and all(isinstance(item, str) and check(item) for item in value)
    )


@dataclass(frozen=True, slots=True)
class FieldRule:
    rule: Rule
    errno: Errno


class Checker:
    """Applies per-field rules to the fields a change touched, raising the kind's errno."""

    def __init__(self, default_errno: Errno, rules: Mapping[str, Rule | FieldRule]) -> None:
        self.default_errno = default_errno
        self.rules = {
            name: rule if isinstance(rule, FieldRule) else FieldRule(rule, default_errno)
            for name, rule in rules.items()
        }

    def fields(self, obj: object, changed: Collection[str]) -> None:
        for name in changed:
            field_rule = self.rules.get(name)
            if field_rule is not None and not field_rule.rule(getattr(obj, name)):
                raise PbxError(field_rule.errno, f"invalid {name}: {getattr(obj, name)!r}")

    def fail(self, detail: str, errno: Errno | None = None) -> PbxError:
        return PbxError(errno or self.default_errno, detail)


def renamed(obj: object, current: object | None, key: str, changed: Collection[str]) -> bool:
    """Whether the change gives ``obj`` a new ``key`` (or it is new): then it must be free."""
    return key in changed and (current is None or getattr(obj, key) != getattr(current, key))


def touched(changed: Collection[str], *names: str) -> bool:
    return any(name in changed for name in names)


def missing(items: Iterable[str], known: Collection[str]) -> list[str]:
    return [item for item in items if item not in known]
