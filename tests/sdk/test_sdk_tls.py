"""The SDK against a PBX serving HTTPS with its own certificate, as the PBX does by default."""

from __future__ import annotations

import ssl
from pathlib import Path

import pytest
import trustme

from yspbx.client import Client, ConnectError
from yspbx.testing import ServerProcess

pytestmark = pytest.mark.slow


def test_tls_verification_options(tmp_path: Path) -> None:
    ca = trustme.CA()
    cert = ca.issue_cert("127.0.0.1")
    cert_file, key_file = tmp_path / "cert.pem", tmp_path / "key.pem"
    cert.cert_chain_pems[0].write_to_path(str(cert_file))
    cert.private_key_pem.write_to_path(str(key_file))
    extra = ("--tls-cert", str(cert_file), "--tls-key", str(key_file))
    with ServerProcess(extra_args=extra) as server:
        trusting = ssl.create_default_context()
        ca.configure_trust(trusting)
        with Client(server.url, username="api", password="yspbx-demo", verify=trusting) as pbx:
            assert pbx.system.device_info().device_name == "Yeastar S100"
        with Client(server.url, username="api", password="yspbx-demo", verify=False) as pbx:
            assert pbx.system.device_info().device_name == "Yeastar S100"
        with (
            Client(server.url, username="api", password="yspbx-demo", retries=0) as pbx,
            pytest.raises(ConnectError, match="CERTIFICATE_VERIFY_FAILED"),
        ):
            pbx.login()
