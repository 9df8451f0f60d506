"""HTTPS, as the PBX serves its API by default, with a certificate made for the test."""

from __future__ import annotations

import ssl
from pathlib import Path

import httpx
import pytest
import trustme

from tests.support.helpers import API, PASSWORD_MD5
from yspbx.testing import ServerProcess

pytestmark = pytest.mark.slow


def test_https_login_and_request(tmp_path: Path) -> None:
    ca = trustme.CA()
    cert = ca.issue_cert("127.0.0.1", "localhost")
    cert_file, key_file, ca_file = tmp_path / "cert.pem", tmp_path / "key.pem", tmp_path / "ca.pem"
    cert.cert_chain_pems[0].write_to_path(str(cert_file))
    cert.private_key_pem.write_to_path(str(key_file))
    ca.cert_pem.write_to_path(str(ca_file))
    extra = ("--tls-cert", str(cert_file), "--tls-key", str(key_file))
    with ServerProcess(extra_args=extra) as server:
        assert server.url.startswith("https://127.0.0.1:")
        trusting = ssl.create_default_context(cafile=str(ca_file))
        with httpx.Client(base_url=server.url, verify=trusting) as client:
            login = client.post(
                API + "login", json={"username": "api", "password": PASSWORD_MD5, "port": "8260"}
            ).json()
            assert login["status"] == "Success"
            info = client.post(API + "deviceinfo/query", params={"token": login["token"]}).json()
            assert info["status"] == "Success"
        with pytest.raises(httpx.ConnectError), httpx.Client(base_url=server.url) as untrusting:
            untrusting.post(API + "login", json={})
