"""What the client verbs share: the connection options and turning failures into advice.

A command-line user hitting an unreachable PBX, a wrong password or a lockout needs to know
what happened and what to do next, not a traceback; every client verb runs inside
:func:`explained` for that. The SDK is imported only when a verb runs, so ``yspbx serve``
does not pay for it.
"""

from __future__ import annotations

import json
import logging
import ssl
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

import typer
from rich.console import Console
from rich.table import Column, Table

if TYPE_CHECKING:
    import httpx

    from yspbx.client import Client, Simulator

DEFAULT_SIM_URL = "http://127.0.0.1:8088"

console = Console(highlight=False)
errors = Console(stderr=True, highlight=False)


@dataclass
class CliState:
    """The root options, handed to every verb through ``ctx.obj``.

    ``transport``/``sim_transport`` are for tests that run verbs without a network.
    """

    pbx: str | None = None
    username: str | None = None
    password: str | None = None
    password_md5: str | None = None
    verify: bool = True
    ca_file: Path | None = None
    timeout: float = 10.0
    sim_token: str | None = None
    transport: httpx.BaseTransport | None = None
    sim_transport: httpx.BaseTransport | None = None


def listing(*headers: str, wrap: str | None = None) -> Table:
    """A table of ids and numbers, compact enough for an 80-column terminal. Ids and numbers
    are meant to be copied into the next command, so no column is cut or wrapped but ``wrap``
    (by default the last one), which wraps when the terminal is narrow: between words, and
    inside a word (a report's JSON body) rather than cutting it."""
    wrapping = headers[-1] if wrap is None else wrap
    columns = [
        Column(
            header,
            no_wrap=header != wrapping,
            overflow="fold" if header == wrapping else "ellipsis",
        )
        for header in headers
    ]
    return Table(*columns, box=None, padding=(0, 2, 0, 0), header_style="bold")


def state_of(ctx: typer.Context) -> CliState:
    state = ctx.find_root().obj
    return state if isinstance(state, CliState) else CliState()


def fail(message: str, code: int = 1) -> NoReturn:
    errors.print(f"[bold red]yspbx:[/] {message}", soft_wrap=True)
    raise typer.Exit(code)


def tls_verification(state: CliState) -> bool | ssl.SSLContext:
    """``--insecure``: no check; ``--ca-file``: trust that certificate; else the system's CAs."""
    if not state.verify:
        return False
    if state.ca_file is None:
        return True
    try:
        return ssl.create_default_context(cafile=str(state.ca_file))
    except ssl.SSLError:  # before OSError, of which it is a kind
        fail(
            f"the CA file {state.ca_file} holds no PEM certificate (a file that starts with "
            "-----BEGIN CERTIFICATE-----); export the PBX's certificate as PEM",
            2,
        )
    except OSError as exc:
        fail(
            f"cannot read the CA file {state.ca_file}: {exc.strerror or exc}; give --ca-file a "
            "PEM file holding the PBX's certificate (or the CA that signed it)",
            2,
        )


def open_client(ctx: typer.Context) -> Client:
    from yspbx.client import Client

    # The verbs explain failures themselves; the SDK's own warnings would say it twice.
    logging.getLogger("yspbx.client").setLevel(logging.ERROR)
    state = state_of(ctx)
    if not state.pbx:
        fail("give the PBX's address with --pbx URL (or YSPBX_PBX_URL)", 2)
    if not state.username:
        fail("give the API user name with --username (or YSPBX_PBX_USERNAME)", 2)
    if state.password is None and state.password_md5 is None:
        fail("give the API password with --password (or YSPBX_PBX_PASSWORD)", 2)
    return Client(
        state.pbx,
        username=state.username,
        password=state.password if state.password_md5 is None else None,
        password_md5=state.password_md5,
        verify=tls_verification(state),
        timeout=state.timeout,
        transport=state.transport,
    )


def open_simulator(ctx: typer.Context) -> Simulator:
    from yspbx.client import Simulator

    state = state_of(ctx)
    return Simulator(
        state.pbx or DEFAULT_SIM_URL,
        token=state.sim_token,
        verify=tls_verification(state),
        timeout=state.timeout,
        transport=state.sim_transport,
    )


@contextmanager
def explained(target: str) -> Iterator[None]:
    """Turn the SDK's errors into one line of what happened and one of what to do."""
    from yspbx.client import (
        ApiError,
        BadCredentialsError,
        ConnectError,
        LockoutError,
        ResponseError,
        SimulatorError,
        TransportError,
        TransportTimeout,
    )

    try:
        yield
    except LockoutError as exc:
        until = datetime.fromtimestamp(exc.retry_at).strftime("%H:%M:%S")
        fail(
            f"this machine's IP is locked out of the PBX API at {target} (errno 20002): too "
            f"many failed logins.\nWait until {until} at the latest (the lock lasts 10 "
            "minutes), or have an administrator delete it from the PBX's blocked list "
            "(Settings > System > Security > IP Auto Defense > Blocked IP Address, tagged "
            "API-IP); on a yspbx simulator: yspbx sim unblock <ip>."
        )
    except BadCredentialsError as exc:
        fail(
            f"the PBX at {target} refused the user name or password (errno {exc.errno}).\n"
            "Check --username and --password (YSPBX_PBX_USERNAME, YSPBX_PBX_PASSWORD) against "
            "the PBX's API settings (Settings > PBX > General > API). Do not retry blindly: "
            "5 failed logins in a row lock this IP out for 10 minutes."
        )
    except ApiError as exc:
        fail(f"the PBX refused {exc.endpoint or 'the request'}: errno {exc.errno} ({exc.meaning})")
    except ConnectError as exc:
        refused = _refused_certificate(exc)
        if refused is not None:
            fail(_untrusted(target, refused))
        fail(
            f"cannot reach {target}: {exc.__cause__ or exc}\nCheck the address and port "
            "(the PBX serves the API on its web port, HTTPS 8088 by default), that it is "
            "running, and that no firewall is in the way."
        )
    except TransportTimeout:
        fail(f"{target} did not answer in time; try again, or raise --timeout")
    except TransportError as exc:
        fail(f"the exchange with {target} failed: {exc}")
    except ResponseError as exc:
        fail(f"{target} answered something that is not the S-Series API: {exc}")
    except SimulatorError as exc:
        fail(f"the simulator refused: {exc.detail or exc.error} ({exc.status_code})")


def _refused_certificate(exc: BaseException) -> ssl.SSLCertVerificationError | None:
    """The certificate check that failed under an SDK error, if that is what it was."""
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, ssl.SSLCertVerificationError):
            return seen
        seen = seen.__cause__ or seen.__context__
    return None


# OpenSSL: X509_V_ERR_CERT_HAS_EXPIRED; X509_V_ERR_HOSTNAME_MISMATCH, _IP_ADDRESS_MISMATCH.
_EXPIRED, _OTHER_NAME = 10, (62, 64)


def _untrusted(target: str, refused: ssl.SSLCertVerificationError) -> str:
    """One line: why the PBX's certificate was refused, and the options that get past it."""
    reason = refused.verify_message or refused.reason or "certificate verify failed"
    if refused.verify_code in _OTHER_NAME:
        fix = "use the address the certificate was made for, or skip the check with --insecure"
    elif refused.verify_code == _EXPIRED:
        fix = "renew the PBX's certificate, or skip the check with --insecure"
    else:
        fix = (
            "S-Series PBXs ship a self-signed certificate: trust it with --ca-file FILE (the "
            "PBX's certificate, or the CA that signed it, as PEM), or skip the check with "
            "--insecure"
        )
    return f"{target} presented a TLS certificate this machine does not trust ({reason}); {fix}"


def print_json(value: Any) -> None:
    from pydantic import BaseModel

    if isinstance(value, BaseModel):
        value = value.model_dump(mode="json")
    elif isinstance(value, list):
        value = [v.model_dump(mode="json") if isinstance(v, BaseModel) else v for v in value]
    console.print_json(json.dumps(value))
