"""A session as a flat tuple, for stores that keep sessions in process memory.

Tuples of strings and numbers are untracked by the garbage collector, so 100,000 live sessions
cost a full collection nothing (as objects they made every full collection walk them all, a
pause of 100+ ms); and every reader gets a :class:`Session` of its own to change.
"""

from __future__ import annotations

from yspbx.sessions.models import ReportTarget, Session

SessionRow = tuple[str, str, float, float, str, int, str, bool, str, int, str]


def session_row(session: Session) -> SessionRow:
    target = session.target
    return (
        session.token,
        session.client_ip,
        session.created_at,
        session.expires_at,
        target.ip,
        target.port,
        target.url,
        target.absolute,
        target.absolute_host,
        target.absolute_port,
        session.version,
    )


def row_session(row: SessionRow) -> Session:
    token, client_ip, created, expires, ip, port, url, absolute, host, host_port, version = row
    target = ReportTarget(ip, port, url, absolute, host, host_port)
    return Session(token, client_ip, created, expires, target, version)
