"""One certificate store per process for every client that verifies TLS the default way.

httpx builds a new ``ssl.SSLContext`` for each client and loads the whole CA bundle into it:
tens of milliseconds of CPU per client, most of the cost of making one. Applications (and the
pytest plugin, which makes clients per test) create many clients against the same PBXs, so the
default context is built once and shared; an ``SSLContext`` is safe to share between clients
and threads. A context of the caller's own (``verify=ctx``) or ``verify=False`` is used as
given. The shared one reads ``SSL_CERT_FILE`` / ``SSL_CERT_DIR`` when the first client is made.
"""

from __future__ import annotations

import functools
import ssl

import httpx


@functools.cache
def _default_context() -> ssl.SSLContext:
    return httpx.create_ssl_context()


def tls_verify(verify: bool | ssl.SSLContext) -> bool | ssl.SSLContext:
    """What to pass httpx as ``verify``: the shared default context for ``True``."""
    return _default_context() if verify is True else verify
