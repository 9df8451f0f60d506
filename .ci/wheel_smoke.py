"""The steps of ``.ci/wheel-smoke``, each run by the Python that should pass it.

``contents WHEEL SDIST`` (any Python): the wheel holds every file of the package and no test;
the sdist holds the tests, docs and licence. ``sdk`` (a venv with the bare wheel): the SDK
imports, the server's and command line's packages are absent, and the console script says which
extra to install. ``server`` (the same venv with ``[server]``): ``yspbx --version``, a server
start, one login through the installed SDK.
"""

from __future__ import annotations

import os
import queue
import subprocess
import sys
import tarfile
import threading
import zipfile
from pathlib import Path

SOURCE = Path(__file__).resolve().parent.parent


def fail(message: str) -> None:
    print(f"wheel-smoke: FAILED: {message}", file=sys.stderr)
    raise SystemExit(1)


def contents(wheel: str, sdist: str) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    if any(name.startswith("tests/") for name in names):
        fail("the wheel ships the tests")
    package = {
        path.relative_to(SOURCE).as_posix()
        for path in (SOURCE / "yspbx").rglob("*")
        if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".pyc"
    }
    missing = sorted(package - names)
    if missing:
        fail(f"the wheel lacks package files: {missing}")
    if not any(n.endswith(".dist-info/licenses/LICENSE") or n.endswith("/LICENSE") for n in names):
        fail("the wheel has no LICENSE")
    entry_points = next(n for n in names if n.endswith(".dist-info/entry_points.txt"))
    text = zipfile.ZipFile(wheel).read(entry_points).decode()
    if "yspbx = yspbx.cli:main" not in text or "yspbx = yspbx.pytest_plugin" not in text:
        fail(f"the wheel's entry points are not the console script and pytest plugin: {text}")
    with tarfile.open(sdist) as archive:
        inside = {name.split("/", 1)[1] for name in archive.getnames() if "/" in name}
    for needed in ("LICENSE", "README.md", "pyproject.toml", "tests/conftest.py", "docs/sdk.md"):
        if needed not in inside:
            fail(f"the sdist lacks {needed}")
    print(f"  wheel: {len(names)} files, every package file, no tests; sdist: {len(inside)} files")


def sdk() -> None:
    from importlib.util import find_spec

    import yspbx
    from yspbx import ApiError, AsyncClient, Client, ReportReceiver

    if not Path(yspbx.__file__).is_relative_to(sys.prefix):
        fail(f"yspbx was imported from {yspbx.__file__}, not from the venv")
    present = [m for m in ("uvicorn", "typer", "rich", "pydantic_settings") if find_spec(m)]
    if present:
        fail(f"the bare wheel brought the extras' packages: {present}")
    print(f"  SDK imports: {Client.__name__}, {AsyncClient.__name__}, {ReportReceiver.__name__}")
    print(f"  ApiError prints as {ApiError.__module__}.{ApiError.__qualname__}")
    script = Path(sys.prefix) / "bin" / "yspbx"
    answer = subprocess.run([script, "--version"], capture_output=True, text=True, timeout=60)
    if answer.returncode != 1 or "pip install 'yspbx[cli]'" not in answer.stderr:
        fail(f"yspbx without the cli extra answered {answer.returncode}: {answer.stderr!r}")
    print(f"  yspbx --version: {answer.stderr.strip()}")


def _listening_url(process: subprocess.Popen[str], timeout: float = 60.0) -> str:
    lines: queue.Queue[str | None] = queue.Queue()

    def read() -> None:
        assert process.stdout is not None
        for line in process.stdout:
            lines.put(line.rstrip("\n"))
        lines.put(None)

    threading.Thread(target=read, daemon=True).start()
    seen: list[str] = []
    while True:
        try:
            line = lines.get(timeout=timeout)
        except queue.Empty:
            fail(f"the server did not start within {timeout} s: {seen}")
        if line is None:
            fail(f"the server exited: {seen}")
        assert line is not None
        seen.append(line)
        if line.startswith("yspbx listening on "):
            return line.rsplit(" ", 1)[1]


def server() -> None:
    from yspbx import Client

    script = Path(sys.prefix) / "bin" / "yspbx"
    answer = subprocess.run([script, "--version"], capture_output=True, text=True, timeout=60)
    if answer.returncode != 0 or not answer.stdout.startswith("yspbx "):
        fail(f"yspbx --version answered {answer.returncode}: {answer.stdout!r} {answer.stderr!r}")
    print(f"  {answer.stdout.strip()}")
    process = subprocess.Popen(
        [script, "serve", "--port", "0", "--store", "memory://", "--log-level", "warning"],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    try:
        url = _listening_url(process)
        with Client(url, username="api", password="yspbx-demo") as pbx:
            pbx.login()
            info = pbx.system.device_info()
        print(f"  served {url}; logged in; {info.device_name}, serial {info.serial_number}")
    finally:
        process.terminate()
        process.wait(20)


if __name__ == "__main__":
    step, *arguments = sys.argv[1:]
    if step == "contents":
        contents(*arguments)
    elif step == "sdk":
        sdk()
    else:
        server()
