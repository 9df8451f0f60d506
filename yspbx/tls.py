"""The server's certificate and key, checked before anything starts.

uvicorn loads them only once it is starting, and a missing file or a key that does not belong to
the certificate surfaces there as a page of traceback ending in ``[Errno 2] No such file or
directory`` without the file's name. :func:`check_tls_files` loads them the way the server will,
first, and says in one sentence which file is wrong and how to fix it.
"""

from __future__ import annotations

import ssl
from pathlib import Path

SELF_SIGNED_HINT = (
    "for a test certificate: openssl req -x509 -newkey rsa:2048 -nodes -days 365 "
    "-subj /CN=localhost -keyout key.pem -out cert.pem"
)


class TlsFileError(ValueError):
    """The certificate or key given to ``yspbx serve`` cannot serve HTTPS."""


def _readable(path: Path, what: str, option: str) -> None:
    try:
        with path.open("rb"):
            pass
    except OSError as exc:
        raise TlsFileError(
            f"cannot read the TLS {what} {path}: {exc.strerror or exc}; give {option} the path "
            f"of a PEM file ({SELF_SIGNED_HINT})"
        ) from None


def check_tls_files(cert: Path, key: Path) -> None:
    """Raise :class:`TlsFileError` unless ``cert`` and ``key`` make a usable server identity."""
    _readable(cert, "certificate", "--tls-cert (server.tls_cert)")
    _readable(key, "key", "--tls-key (server.tls_key)")
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    try:
        # Reads the certificates alone: what fails here is the certificate file.
        context.load_verify_locations(cafile=str(cert))
    except (ssl.SSLError, ValueError):
        raise TlsFileError(
            f"the TLS certificate {cert} holds no PEM certificate (a file that starts with "
            "-----BEGIN CERTIFICATE-----); give --tls-cert the certificate and --tls-key its key"
        ) from None
    asked_password = False

    def no_password() -> bytes:
        nonlocal asked_password
        asked_password = True
        return b""

    try:
        context.load_cert_chain(str(cert), str(key), password=no_password)
    except ssl.SSLError as exc:
        if "KEY_VALUES_MISMATCH" in str(exc) or exc.reason == "KEY_VALUES_MISMATCH":
            raise TlsFileError(
                f"the TLS key {key} does not belong to the certificate {cert}; give --tls-key "
                "the private key the certificate was made with"
            ) from None
        if asked_password:
            raise TlsFileError(
                f"the TLS key {key} is encrypted with a passphrase, which yspbx cannot ask "
                f"for; decrypt it once: openssl pkey -in {key} -out key-plain.pem"
            ) from None
        raise TlsFileError(
            f"the TLS key {key} holds no PEM private key (a file that starts with -----BEGIN "
            "PRIVATE KEY-----); give --tls-key the certificate's private key"
        ) from None
