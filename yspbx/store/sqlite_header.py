"""Reading a SQLite file's first bytes without dropping the process's locks on the file.

SQLite locks a database with POSIX advisory locks, and POSIX releases every lock a process holds
on a file as soon as the process closes *any* descriptor of that file. A plain
``open(path).read()`` in a process that has connections open therefore drops their locks
silently. Another process whose connection then closes takes the file's exclusive lock, believes
it was the last user, checkpoints and deletes the write-ahead log and its index; this process's
connections go on writing into the deleted files, and every commit they make from then on is
lost (seen in a test: two servers on one file, a login committed by one never reached the file).

So the header is read through one descriptor per file that is opened once and kept while any
store of this process uses the file (:func:`hold` / :func:`release`), and closed only after the
last of them closed its connections.
"""

from __future__ import annotations

import os
import threading
from dataclasses import dataclass


@dataclass
class _Held:
    descriptor: int | None  # None until the file exists and was first read
    users: int


_lock = threading.Lock()
_held: dict[str, _Held] = {}


def hold(path: str) -> None:
    """A store of this process is about to use ``path``."""
    with _lock:
        _held.setdefault(path, _Held(None, 0)).users += 1


def release(path: str) -> None:
    """A store of this process closed its connections to ``path``."""
    with _lock:
        held = _held.get(path)
        if held is None:
            return
        held.users -= 1
        if held.users == 0:
            del _held[path]
            if held.descriptor is not None:
                os.close(held.descriptor)


def read_header(path: str, size: int) -> bytes:
    """The first ``size`` bytes of ``path`` (raises ``FileNotFoundError`` like ``open``).

    Through the kept descriptor when a store holds the file: it sees the file's current bytes
    (a file overwritten in place), while a file deleted or replaced is the caller's to notice by
    its identity. Without a holder, a descriptor of its own, opened and closed: no store of this
    process has connections to lose."""
    with _lock:
        held = _held.get(path)
        if held is None:
            with open(path, "rb") as file:
                return file.read(size)
        if held.descriptor is None:
            held.descriptor = os.open(path, os.O_RDONLY | os.O_CLOEXEC)
        return os.pread(held.descriptor, size, 0)
