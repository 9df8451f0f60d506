"""API sessions: tokens with a sliding lifetime, the login lockout, and report targets.

The rules, written once above the stores (:mod:`yspbx.store` keeps the data): ``manager``
(login, heartbeat, logout, token checks, the coalesced refresh), ``lockout`` (failed logins
per IP), ``targets`` (where a session's reports go, and which targets are refused), ``models``
(the session as stored).
"""
