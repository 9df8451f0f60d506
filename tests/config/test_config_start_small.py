"""A PBX of one's own: ``base = "empty"``, the starter file, and errors that say what to do.

Replacing one of the demo PBX's tables used to fail one reference at a time until every other
table was blanked by hand; these tests hold the messages to naming every table at once and
both ways out, and check that following the advice really gives a PBX that loads.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.conftest import write_config
from tests.support.docs import DOCS, code_blocks
from yspbx.cli.init import starter_config_text
from yspbx.object_tables import PBX_TABLES
from yspbx.pbx.models import Device
from yspbx.settings import ConfigError, load_settings

THREE_EXTENSIONS = """
[[extensions]]
number = "2001"
username = "Alice"

[[extensions]]
number = "2002"

[[extensions]]
number = "2003"
"""


def _error(tmp_path: Path, text: str) -> str:
    with pytest.raises(ConfigError) as caught:
        load_settings(write_config(tmp_path, text))
    return str(caught.value)


def test_an_empty_base_keeps_only_the_files_objects_and_the_default_settings(
    tmp_path: Path,
) -> None:
    settings = load_settings(write_config(tmp_path, 'base = "empty"\n' + THREE_EXTENSIONS))
    assert [e.number for e in settings.extensions] == ["2001", "2002", "2003"]
    assert settings.extensions[0].username == "Alice"
    for table in PBX_TABLES[1:]:
        assert getattr(settings, table) == [], table
    default = load_settings()
    assert settings.api == default.api
    assert settings.device == default.device
    assert settings.prompts == default.prompts


def test_the_default_base_is_what_a_file_without_base_gets(tmp_path: Path) -> None:
    explicit = load_settings(write_config(tmp_path, 'base = "default"\n[api]\nusername = "x"\n'))
    assert explicit == load_settings(write_config(tmp_path, '[api]\nusername = "x"\n'))
    assert [q.number for q in explicit.queues] == ["6700"]


def test_an_unknown_base_names_both(tmp_path: Path) -> None:
    message = _error(tmp_path, 'base = "blank"\n')
    assert message.endswith(
        "yspbx.toml: base: 'blank' is not a base; use \"default\" (the packaged demo PBX's "
        'objects, which your tables replace one by one) or "empty" (no PBX objects but the '
        "ones your file lists)"
    )


def test_replacing_one_default_table_names_every_other_to_empty_and_the_base(
    tmp_path: Path,
) -> None:
    message = _error(tmp_path, THREE_EXTENSIONS)
    assert "your file replaces [[extensions]], but [[extensiongroups]], [[outroutes]], " in message
    assert "[[queues]], [[ringgroups]], [[paginggroups]] still come from the packaged default" in (
        message
    )
    assert "queues[0].agents: no extension 1001, 1002" in message
    assert 'with base = "empty" at the top of the file' in message
    assert (
        "or empty those tables: extensiongroups = [], outroutes = [], queues = [], "
        "ringgroups = [], paginggroups = []" in message
    )
    # Both pieces of advice work as given.
    emptying = re.search(r"empty those tables: (.*?) \(or", message)
    assert emptying is not None
    tables = "\n".join(emptying.group(1).split(", "))
    settings = load_settings(write_config(tmp_path, tables + "\n" + THREE_EXTENSIONS))
    assert [e.number for e in settings.extensions] == ["2001", "2002", "2003"]
    assert settings.trunks[0].name == "SIP-Carrier"  # kept: nothing named it
    with_base = load_settings(write_config(tmp_path, 'base = "empty"\n' + THREE_EXTENSIONS))
    assert len(with_base.extensions) == 3


def test_replacing_the_trunks_names_the_routes(tmp_path: Path) -> None:
    message = _error(tmp_path, '[[trunks]]\nname = "Carrier-B"\n')
    assert "your file replaces [[trunks]], but [[inroutes]], [[outroutes]] still come" in message
    assert "inroutes[0].trunks: no trunk named 'SIP-Carrier'" in message
    assert "empty those tables: inroutes = [], outroutes = []" in message


def test_emptying_a_group_the_routes_name_is_part_of_the_advice(tmp_path: Path) -> None:
    # The default's outbound route names the group "Support", whose members are gone too.
    message = _error(tmp_path, THREE_EXTENSIONS.replace("2001", "1001"))
    assert "extensiongroups = [], outroutes = []" in message


def test_a_reference_of_the_files_own_says_what_exists(tmp_path: Path) -> None:
    message = _error(
        tmp_path,
        'base = "empty"\n'
        + THREE_EXTENSIONS
        + '[[queues]]\nnumber = "6700"\nagents = ["2001", "2009", "2010"]\n'
        + '[[inroutes]]\nname = "In"\ntrunks = ["Nowhere"]\ndesttype = "extension"\n',
    )
    assert message.endswith(
        "yspbx.toml: inroutes[0].trunks: no trunk named 'Nowhere' (the trunks: none); "
        "queues[0].agents: no extension 2009, 2010 (the extensions: 2001, 2002, 2003)"
    )


def test_a_number_taken_by_the_default_pbx_says_where_it_comes_from(tmp_path: Path) -> None:
    message = _error(tmp_path, '[[extensions]]\nnumber = "6200"\n')
    assert message.endswith(
        "yspbx.toml: ivrs[0].number: 6200 is already used by extensions[0] (ivrs come from "
        "the packaged default PBX: choose another number, empty them with ivrs = [], or start "
        'from an empty PBX with base = "empty")'
    )


def test_an_unknown_key_inside_an_array_reads_like_the_others(tmp_path: Path) -> None:
    message = _error(tmp_path, 'base = "empty"\n[[extensions]]\nnumber = "2001"\nname = "Al"\n')
    assert message.endswith("yspbx.toml: extensions[0].name: unknown key; did you mean 'username'?")
    message = _error(tmp_path, '[[trunks]]\nname = "T"\ntrunk_type = "peer"\n')
    assert message.endswith("trunks[0].trunk_type: unknown key; did you mean 'trunktype'?")


def test_an_unknown_key_in_a_section_is_told_the_nearest_one(tmp_path: Path) -> None:
    assert _error(tmp_path, '[api]\npasword = "x"\n').endswith(
        "yspbx.toml: api.pasword: unknown key; did you mean 'password'?"
    )
    assert _error(tmp_path, "[device]\nzzz = 1\n").endswith("yspbx.toml: device.zzz: unknown key")


def test_a_missing_required_key_is_named(tmp_path: Path) -> None:
    message = _error(tmp_path, 'base = "empty"\n[[extensions]]\nusername = "Al"\n')
    assert message.endswith("yspbx.toml: extensions[0].number: missing: this key is required")


def test_the_minimal_example_of_the_docs_loads(tmp_path: Path) -> None:
    (example,) = code_blocks(DOCS / "configuration.md", "toml", "Start small: a PBX of your own")
    settings = load_settings(write_config(tmp_path, example))
    assert [(e.number, e.username) for e in settings.extensions] == [
        ("2001", "Alice"),
        ("2002", "Bob"),
        ("2003", "Carol"),
    ]
    assert not settings.trunks
    assert not settings.queues


def test_the_starter_file_loads_on_an_empty_base(tmp_path: Path) -> None:
    text = starter_config_text()
    assert text.count("\nbase = ") == 1
    settings = load_settings(write_config(tmp_path, text))
    assert [e.number for e in settings.extensions] == ["1000", "1001", "1002"]
    assert [t.name for t in settings.trunks] == ["SIP-Carrier"]
    assert [r.name for r in settings.inroutes] == ["Default"]
    assert [r.name for r in settings.outroutes] == ["External"]
    assert not settings.queues
    assert not settings.ivrs
    # Its commented-out objects are valid too, once uncommented.
    uncommented = re.sub(r"(?m)^# (?=\[\[|[a-z_]+ = )", "", text)
    more = load_settings(write_config(tmp_path, uncommented))
    assert [q.number for q in more.queues] == ["6700"]
    assert [i.number for i in more.ivrs] == ["6200"]


def test_the_documented_default_time_zone_is_the_real_one() -> None:
    text = (DOCS / "configuration.md").read_text(encoding="utf-8")
    assert f"| `device.timezone` | `{Device().timezone}` |" in text
    assert Device().timezone == load_settings().device.timezone
