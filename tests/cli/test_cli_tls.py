"""The client verbs against a PBX serving HTTPS with a certificate this machine does not trust,
as every S-Series unit does out of the box (its certificate is self-signed).

The refusal is the first error an integrator meets on real hardware: it must be one line
naming ``--ca-file`` and ``--insecure``, and both must then work.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import trustme

from tests.support.cli_support import creds, run
from yspbx.testing import ServerProcess

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def https_pbx(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    """A server with a certificate of its own CA; the URL, and that CA's certificate."""
    folder = tmp_path_factory.mktemp("tls")
    ca = trustme.CA()
    cert = ca.issue_cert("127.0.0.1")
    cert_file, key_file, ca_file = folder / "cert.pem", folder / "key.pem", folder / "ca.pem"
    cert.cert_chain_pems[0].write_to_path(str(cert_file))
    cert.private_key_pem.write_to_path(str(key_file))
    ca.cert_pem.write_to_path(str(ca_file))
    with ServerProcess(
        extra_args=("--tls-cert", str(cert_file), "--tls-key", str(key_file))
    ) as pbx:
        yield pbx.url, ca_file


def test_an_untrusted_certificate_names_ca_file_and_insecure(
    https_pbx: tuple[str, Path],
) -> None:
    url, _ = https_pbx
    result = run(*creds(url), "check")
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    assert result.output == (
        f"yspbx: {url} presented a TLS certificate this machine does not trust (unable to get "
        "local issuer certificate); S-Series PBXs ship a self-signed certificate: trust it with "
        "--ca-file FILE (the PBX's certificate, or the CA that signed it, as PEM), or skip the "
        "check with --insecure\n"
    )


def test_the_simulator_verbs_say_the_same(https_pbx: tuple[str, Path]) -> None:
    url, _ = https_pbx
    result = run("--pbx", url, "sim", "state")
    assert result.exit_code == 1
    assert result.output.startswith(
        f"yspbx: the simulator at {url} presented a TLS certificate this machine does not trust"
    )
    assert "--insecure\n" in result.output


def test_ca_file_trusts_the_pbx(https_pbx: tuple[str, Path]) -> None:
    url, ca_file = https_pbx
    result = run("--ca-file", str(ca_file), *creds(url), "check")
    assert result.exit_code == 0, result.output
    assert "OK logged in" in result.output
    in_environment = run(*creds(url), "info", env={"YSPBX_PBX_CA_FILE": str(ca_file)})
    assert in_environment.exit_code == 0, in_environment.output
    assert run("--ca-file", str(ca_file), "--pbx", url, "sim", "state").exit_code == 0


def test_insecure_skips_the_check(https_pbx: tuple[str, Path]) -> None:
    url, _ = https_pbx
    result = run("--insecure", *creds(url), "check")
    assert result.exit_code == 0, result.output
    assert "OK logged in" in result.output


def test_a_missing_or_wrong_ca_file_is_a_usage_error(
    https_pbx: tuple[str, Path], tmp_path: Path
) -> None:
    url, _ = https_pbx
    missing = run("--ca-file", str(tmp_path / "nope.pem"), *creds(url), "check")
    assert missing.exit_code == 2
    assert missing.output == (
        f"yspbx: cannot read the CA file {tmp_path / 'nope.pem'}: No such file or directory; "
        "give --ca-file a PEM file holding the PBX's certificate (or the CA that signed it)\n"
    )
    junk = tmp_path / "junk.pem"
    junk.write_text("not a certificate\n", encoding="utf-8")
    wrong = run("--ca-file", str(junk), *creds(url), "check")
    assert wrong.exit_code == 2
    assert wrong.output == (
        f"yspbx: the CA file {junk} holds no PEM certificate (a file that starts with "
        "-----BEGIN CERTIFICATE-----); export the PBX's certificate as PEM\n"
    )


def test_a_certificate_for_another_name_says_so(tmp_path: Path) -> None:
    ca = trustme.CA()
    cert = ca.issue_cert("pbx.example.com")
    cert_file, key_file, ca_file = tmp_path / "cert.pem", tmp_path / "key.pem", tmp_path / "ca.pem"
    cert.cert_chain_pems[0].write_to_path(str(cert_file))
    cert.private_key_pem.write_to_path(str(key_file))
    ca.cert_pem.write_to_path(str(ca_file))
    with ServerProcess(
        extra_args=("--tls-cert", str(cert_file), "--tls-key", str(key_file))
    ) as pbx:
        result = run("--ca-file", str(ca_file), *creds(pbx.url), "check")
    assert result.exit_code == 1
    assert result.output.startswith(f"yspbx: {pbx.url} presented a TLS certificate")
    assert result.output.endswith(
        "use the address the certificate was made for, or skip the check with --insecure\n"
    )
