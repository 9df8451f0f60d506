"""Loading scenario files: the built-in library, and what a bad file is told (file, key,
problem, in one line)."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

import pytest

from yspbx.scenarios import (
    Distribution,
    ScenarioError,
    builtin_names,
    builtin_text,
    load,
    load_builtin,
    load_file,
)

SPEC = ["burst", "call-centre", "hotel-night", "small-office"]


def test_the_library_holds_the_four_named_scenarios() -> None:
    assert builtin_names() == SPEC


@pytest.mark.parametrize("name", SPEC)
def test_each_builtin_loads_and_says_what_it_is(name: str) -> None:
    scenario = load_builtin(name)
    assert scenario.name == name
    assert scenario.description
    assert scenario.duration > 0
    packaged = resources.files("yspbx.scenarios").joinpath("library", f"{name}.toml")
    assert builtin_text(name) == packaged.read_text(encoding="utf-8")
    sources = scenario.inbound + scenario.outbound + scenario.wakeups + scenario.sms
    assert sources, "a built-in without traffic"


def test_an_unknown_builtin_name_gets_a_suggestion() -> None:
    with pytest.raises(KeyError, match="did you mean 'burst'"):
        builtin_text("brust")


def test_the_call_centre_has_fifty_agents_two_queues_and_an_ivr_front() -> None:
    scenario = load_builtin("call-centre")
    objects = scenario.pbx_objects()
    numbers = [e["number"] for e in objects["extensions"]]
    assert numbers == [str(n) for n in range(2000, 2050)]
    assert [q["number"] for q in objects["queues"]] == ["6710", "6711"]
    (route,) = objects["inroutes"]
    assert (route["desttype"], route["dest"]) == ("ivr", objects["ivrs"][0]["number"])
    agents = {e for group in scenario.agents for e in group.extensions}
    assert agents == set(numbers)
    (hotline,) = scenario.inbound
    assert hotline.did == route["did"]
    assert hotline.profile is not None
    assert 9_000 <= sum(hotline.profile) * 1.0 <= 11_000  # calls per hour over the day


def test_a_file_is_named_by_its_path(tmp_path: Path) -> None:
    path = tmp_path / "mine.toml"
    path.write_text('name = "x"\n[[inbound]]\ndid = "1"\nrate = -5\n', encoding="utf-8")
    with pytest.raises(ScenarioError) as error:
        load_file(path)
    assert str(error.value) == f"{path}: inbound[0].rate: must be >= 0 (got -5)"
    assert (error.value.source, error.value.key) == (str(path), "inbound[0].rate")
    with pytest.raises(ScenarioError, match=r"missing\.toml: \(file\): "):
        load_file(tmp_path / "missing.toml")


INBOUND = '[[inbound]]\ndid = "5503340"\n'


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("name = 3", "name: must be a string (got 3)"),
        ("seed = 'one'", "seed: must be a whole number (got 'one')"),
        ("duraton = 60", "duraton: unknown key; did you mean 'duration'?"),
        ("duration = '10 hours'", "duration: must be seconds or a duration such as"),
        ("duration = 0", "duration: must be > 0 (got 0.0)"),
        ("start = '8am'", "start: must be a time of day such as '08:00' (got '8am')"),
        (INBOUND + "rate = -1", "inbound[0].rate: must be >= 0 (got -1)"),
        (INBOUND + "rate = 'many'", "inbound[0].rate: must be a number (got 'many')"),
        (INBOUND + "rtae = 5", "inbound[0].rtae: unknown key; did you mean 'rate'?"),
        (INBOUND, "inbound[0]: needs exactly one of rate, profile, at or count (has none)"),
        (
            INBOUND + "rate = 5\nprofile = [" + "1, " * 24 + "]",
            "inbound[0]: needs exactly one of rate, profile, at or count (has rate and profile)",
        ),
        (
            INBOUND + "profile = [" + "1, " * 23 + "]",
            "inbound[0].profile: must have 24 values, one per hour of the day (has 23)",
        ),
        (
            INBOUND + "profile = [" + "1, " * 23 + "-2]",
            "inbound[0].profile[23]: must be >= 0 (got -2)",
        ),
        (
            INBOUND + "rate = 1\nhangup_early = 1.5",
            "inbound[0].hangup_early: must be <= 1 (got 1.5)",
        ),
        (
            INBOUND + "rate = 1\ntalk = { dist = 'gamma', mean = 3 }",
            "inbound[0].talk.dist: must be 'fixed', 'uniform', 'exponential', 'normal' or "
            "'lognormal' (got 'gamma')",
        ),
        (
            INBOUND + "rate = 1\ntalk = { dist = 'normal', mean = 3 }",
            "inbound[0].talk: dist 'normal' needs mean and sd",
        ),
        (
            INBOUND + "rate = 1\ntalk = { dist = 'uniform', low = 9, high = 3 }",
            "inbound[0].talk: high (3.0) must be >= low (9.0)",
        ),
        (
            INBOUND + "rate = 1\ntalk = { dist = 'exponential', maen = 3 }",
            "inbound[0].talk.maen: unknown key; did you mean 'mean'?",
        ),
        (
            INBOUND + "rate = 1\ntalk = -4",
            "inbound[0].talk: value must be a finite number >= 0 (got -4.0)",
        ),
        (
            INBOUND + "rate = 1\ntalk = 'long'",
            "inbound[0].talk: must be seconds or a distribution table such as {dist = ...} "
            "(got 'long')",
        ),
        (
            INBOUND + "rate = 1\nivr = { 'one' = 1 }",
            "inbound[0].ivr: IVR key 'one' is not digits, '*' or '#' ('' = none)",
        ),
        (
            INBOUND + "rate = 1\ncallers = ['+49 30 #']",
            "inbound[0].callers: '+49 30 #' is not a number or pattern",
        ),
        (
            "[[agents]]\nqueue = '6710'\nextensions = ['2049-2000']",
            "agents[0].extensions: range '2049-2000' ends before it starts",
        ),
        (
            "[[agents]]\nqueue = '6710'\nextensions = ['2000-99999']",
            "agents[0].extensions: range '2000-99999' has more than 10000 numbers",
        ),
        (
            "[[agents]]\nqueue = '6710'\nextensions = ['2000']\nlogin = '24:00'",
            "agents[0].login: must be a time of day such as '08:00' (got '24:00')",
        ),
        ("[phones]\ntransfer = 0.2", "phones: transfer > 0 needs transfer_to"),
        (
            "[[phones.groups]]\nextensions = ['1000']\nanswer_afer = 3",
            "phones.groups[0].answer_afer: unknown key; did you mean 'answer_after'?",
        ),
        ("[pbx]\nqueus = []", "pbx.queus: unknown key; did you mean 'queues'?"),
        (
            "[[pbx.extension_ranges]]\nfirst = '2000'\ncount = 0",
            "pbx.extension_ranges[0].count: must be >= 1 (got 0)",
        ),
        (
            "[[wakeups]]\nrooms = ['1009']\nat = 6",
            "wakeups[0].at: must be a time of day such as '08:00' (got 6)",
        ),
        (
            "[[sms]]\ntrunk = 'GSM1'\nto = '1'\nrate = 1\ntext = []",
            "sms[0].text: must not be empty",
        ),
        (
            INBOUND + "name = 'a'\nrate = 1\n" + INBOUND + "name = 'a'\nrate = 2",
            "inbound[1].name: 'a' is used twice",
        ),
        (INBOUND + "count = 5\nwindow = [9, 3]", "inbound[0]: window [9.0, 3.0] must end after"),
        ("inbound = [", "(toml): not valid TOML: "),
        ("Name = 'x'", "Name: unknown key; did you mean 'name'?"),
        (INBOUND + "rate = 1\ncallers = []", "inbound[0].callers: must not be empty"),
        ("[[outbound]]\nfrom = []\nto = '1'\nrate = 1", "outbound[0].from: must not be empty"),
        (
            "[[agents]]\nqueue = '6700'\nextensions = [true]",
            "agents[0].extensions[0]: must be a string (got True)",
        ),
    ],
)
def test_a_bad_file_is_told_file_key_and_problem(text: str, message: str) -> None:
    with pytest.raises(ScenarioError) as error:
        load(text, "call-centre.toml")
    assert str(error.value).startswith(f"call-centre.toml: {message}")
    assert str(error.value) == f"{error.value.source}: {error.value.key}: {error.value.problem}"


def test_durations_times_and_ranges_in_their_written_forms() -> None:
    scenario = load(
        """
        start = "07:30"
        duration = "1h30m"
        [phones]
        dnd = ["2000-2002", "1004"]
        transfer = 0.5
        transfer_to = "6700"
        [[phones.groups]]
        extensions = ["0100-0101"]
        talk = { dist = "uniform", low = 1, high = 2 }
        """
    )
    assert scenario.start_of_day == 7.5 * 3600
    assert scenario.duration == 5400
    assert scenario.phones.dnd == ["2000", "2001", "2002", "1004"]
    assert scenario.phones.transfer_to == ["6700"]
    assert scenario.phones.for_extension("0101").talk == Distribution(dist="uniform", low=1, high=2)
    assert scenario.phones.for_extension("0102").talk == Distribution.fixed(120)
    assert scenario.phones.for_extension("0101").transfer == 0.5


def test_every_problem_of_a_file_is_kept_the_first_one_told() -> None:
    with pytest.raises(ScenarioError) as error:
        load("duraton = 5\nseed = 'x'", "f.toml")
    assert [str(p) for p in error.value.problems] == [
        "f.toml: seed: must be a whole number (got 'x')",
        "f.toml: duraton: unknown key; did you mean 'duration'?",
    ]
    assert error.value.problems[0] is error.value


def test_numbers_may_be_written_without_quotes() -> None:
    scenario = load(
        "[[inbound]]\ndid = 5503340\nrate = 1\n"
        "[[agents]]\nqueue = 6700\nextensions = [1001, '2000-2001']"
    )
    assert scenario.inbound[0].did == "5503340"
    assert (scenario.agents[0].queue, scenario.agents[0].extensions) == (
        "6700",
        ["1001", "2000", "2001"],
    )


def test_unnamed_sources_are_named_by_their_place() -> None:
    scenario = load(INBOUND + "rate = 1\n" + INBOUND + "rate = 2\n")
    assert [s.name for s in scenario.inbound] == ["inbound[0]", "inbound[1]"]
