"""``make run`` installs what serving needs and nothing more; ``make run PORT=9000`` serves there.

Read from ``make``'s dry run (``-n``, every target as if out of date: ``-B``), which prints the
commands a fresh clone would run without running them.
"""

from __future__ import annotations

import os
import subprocess

from tests.support.docs import ROOT

# Under `make test` the suite runs inside make: a make started from it would inherit its flags.
_OUTER_MAKE = ("MAKEFLAGS", "MFLAGS", "MAKELEVEL", "MAKEOVERRIDES")


def _dry_run(*arguments: str) -> list[str]:
    env = {k: v for k, v in os.environ.items() if k not in _OUTER_MAKE}
    done = subprocess.run(
        ["make", "--no-print-directory", "-n", "-B", *arguments],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
    )
    assert done.returncode == 0, done.stderr
    return [line.strip() for line in done.stdout.splitlines()]


def test_make_run_installs_the_server_extra_only() -> None:
    commands = _dry_run("run")
    installs = [c for c in commands if "pip install" in c]
    assert installs == [".venv/bin/python -m pip install --quiet -e '.[server]'"]
    assert commands[-1] == ".venv/bin/yspbx serve"


def test_make_run_takes_a_port_and_a_host() -> None:
    assert _dry_run("run", "PORT=9000")[-1] == ".venv/bin/yspbx serve --port 9000"
    assert _dry_run("run", "PORT=9000", "HOST=0.0.0.0")[-1] == (
        ".venv/bin/yspbx serve --port 9000 --host 0.0.0.0"
    )


def test_make_test_adds_the_test_tools() -> None:
    installs = [c for c in _dry_run("test") if "pip install" in c]
    assert installs == [".venv/bin/python -m pip install --quiet -e '.[test]'"]


def test_the_readme_says_how_to_pick_the_port() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert readme.startswith("# yspbx\n\n```sh\nmake run    # ")
    assert "`make run PORT=9000`" in readme
