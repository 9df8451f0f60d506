"""The API reference in ``docs/pbx-api/`` against what the server declares.

Every endpoint the server serves is documented, with every field it reads, every errno it
declares, and examples whose keys are the endpoint's own; every endpoint documented is served;
the errno table is ``yspbx/errors.py``'s. (The report examples are checked byte for byte in
``tests/reports/test_pbx_api_reports.py``.)
"""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from tests.support.pbx_api_docs import REFERENCE, Section, all_sections, pages
from yspbx.api import all_endpoints
from yspbx.api.registry import Endpoint
from yspbx.errors import Errno

ENDPOINTS = {e.path: e for e in all_endpoints() if e.dialect == "1.1.0"}
ENDPOINT_PAGES = (
    "sessions.md",
    "system-extensions.md",
    "trunks-routes.md",
    "ivrs-queues-paging.md",
    "calls.md",
    "call-services.md",
    "files.md",
)
_ROW_NAME = re.compile(r"^\| `([a-z_]+/[a-z_]+|[a-z_]+)` \|", re.MULTILINE)
_ERRNO_RANGE = re.compile(r"`(\d{5})`-`(\d{5})`")


def _documented() -> dict[str, Section]:
    """Each endpoint's section: its own heading, or the section whose table has its row."""
    endpoint_sections = [s for s in all_sections() if s.page in ENDPOINT_PAGES]
    found = {s.name: s for s in reversed(endpoint_sections) if s.name is not None}
    for section in endpoint_sections:
        if section.name is not None:
            continue
        for name in _ROW_NAME.findall(section.text):
            headed = name in found and found[name].name == name
            # Without a heading, the innermost section holding its row: the one about that group.
            if (
                name in ENDPOINTS
                and not headed
                and (name not in found or found[name].level < section.level)
            ):
                found[name] = section
    return found


DOCUMENTED = _documented()


def _errnos(section: Section) -> set[str]:
    text = section.text + "\n" + section.preamble
    found = set(re.findall(r"`(\d{5})`", text))
    for low, high in _ERRNO_RANGE.findall(text):
        found |= {str(n) for n in range(int(low), int(high) + 1)}
    return found


def _referenced(section: Section) -> list[Section]:
    """The sections of the endpoints this one names (``the fields of `siptrunk/add` ``)."""
    names = set(re.findall(r"`([a-z_]+/[a-z_]+)`", section.text))
    return [DOCUMENTED[name] for name in sorted(names) if name in DOCUMENTED]


def _json_blocks(section: Section) -> list[dict[str, Any]]:
    return [json.loads(block.text) for block in section.blocks if block.language == "json"]


@pytest.mark.parametrize("path", sorted(ENDPOINTS))
def test_every_served_endpoint_is_documented(path: str) -> None:
    assert path in DOCUMENTED, f"{path} has no section in docs/pbx-api/"


def test_every_documented_endpoint_is_served() -> None:
    headings = {
        section.name
        for section in all_sections()
        if section.page in ENDPOINT_PAGES and section.name is not None
    }
    assert headings - set(ENDPOINTS) == set()


@pytest.mark.parametrize("path", sorted(ENDPOINTS))
def test_every_field_the_server_reads_is_documented(path: str) -> None:
    section = DOCUMENTED[path]
    around = [section, *_referenced(section)]
    missing = [
        field.name
        for field in ENDPOINTS[path].fields
        if not any(s.mentions(field.name) for s in around)
    ]
    assert missing == []


@pytest.mark.parametrize("path", sorted(ENDPOINTS))
def test_every_errno_the_server_declares_is_documented(path: str) -> None:
    section = DOCUMENTED[path]
    declared = {errno.value for errno in ENDPOINTS[path].errors}
    assert declared - _errnos(section) == set()


def _answer_keys(endpoint: Endpoint) -> set[str]:
    return {"status", *endpoint.response}


@pytest.mark.parametrize("path", sorted(ENDPOINTS))
def test_examples_use_the_endpoints_own_keys(path: str) -> None:
    section = DOCUMENTED[path]
    if section.name != path:
        rows = _ROW_NAME.findall(section.text)
        candidates = [ENDPOINTS[name] for name in rows if name in ENDPOINTS]
    else:
        candidates = [ENDPOINTS[path]]
    fields = {field.name for endpoint in candidates for field in endpoint.fields}
    required = set.intersection(*(set(endpoint.required) for endpoint in candidates))
    for example in _json_blocks(section):
        if "status" not in example:
            assert set(example) <= fields, example
            assert required <= set(example), example
        elif example["status"] == "Failed":
            assert set(example) == {"status", "errno"}
            assert example["errno"] in {errno.value for errno in Errno}
        else:
            assert example["status"] == "Success"
            answer = set.union(*(_answer_keys(endpoint) for endpoint in candidates))
            assert set(example) <= answer, example
            assert set(candidates[0].response) <= set(example), example


def test_every_endpoint_with_fields_or_an_answer_has_an_example() -> None:
    bare = [
        path
        for path, endpoint in ENDPOINTS.items()
        if (endpoint.fields or endpoint.response)
        and DOCUMENTED[path].name == path
        and not DOCUMENTED[path].blocks
    ]
    assert bare == []


def test_the_errno_table_is_the_servers() -> None:
    rows = re.findall(
        r"^\| `(\d{5})` \| `([A-Z0-9_]+)` \|", (REFERENCE / "errors.md").read_text(), re.MULTILINE
    )
    assert sorted(rows) == sorted((errno.value, errno.name) for errno in Errno)


def test_the_index_links_every_page() -> None:
    index = (REFERENCE / "README.md").read_text()
    for page in pages():
        if page.name != "README.md":
            assert f"]({page.name})" in index, page.name
