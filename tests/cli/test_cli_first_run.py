"""What a new user meets first: ``--version``, ``init``, ``serve``'s refusals, a missing extra.

Every refusal is one line on stderr naming the file or the package and the fix, with a
non-zero exit status and no traceback. ``serve`` checks everything before it starts a server,
so these run in process.
"""

from __future__ import annotations

import sys
from importlib.metadata import version
from pathlib import Path

import pytest
import trustme
from cryptography.hazmat.primitives import serialization

from tests.support.cli_support import run
from yspbx.cli import main
from yspbx.cli.init import starter_config_text


def _one_line_error(output: str) -> str:
    lines = output.strip().splitlines()
    assert len(lines) == 1, output
    assert "Traceback" not in output
    assert lines[0].startswith("yspbx: ")
    return lines[0]


def test_version() -> None:
    result = run("--version")
    assert result.exit_code == 0
    assert result.output == f"yspbx {version('yspbx')}\n"


def test_init_writes_the_starter_and_never_overwrites_unasked(tmp_path: Path) -> None:
    path = tmp_path / "pbx.toml"
    result = run("init", str(path))
    assert result.exit_code == 0, result.output
    assert path.read_text(encoding="utf-8") == starter_config_text()
    assert f"yspbx serve --config {path}" in result.output
    path.write_text("# mine\n", encoding="utf-8")
    refused = run("init", str(path))
    assert refused.exit_code == 2
    assert _one_line_error(refused.output) == (
        f"yspbx: {path} exists already; choose another file, or add --force to overwrite it"
    )
    assert path.read_text(encoding="utf-8") == "# mine\n"
    assert run("init", str(path), "--force").exit_code == 0
    assert path.read_text(encoding="utf-8") == starter_config_text()


def test_init_into_a_missing_folder_says_so(tmp_path: Path) -> None:
    result = run("init", str(tmp_path / "nope" / "pbx.toml"))
    assert result.exit_code == 1
    assert _one_line_error(result.output) == (
        f"yspbx: cannot write {tmp_path / 'nope' / 'pbx.toml'}: No such file or directory"
    )


def test_a_config_error_is_one_line_before_anything_starts(tmp_path: Path) -> None:
    path = tmp_path / "pbx.toml"
    path.write_text('[[extensions]]\nnumber = "2001"\nname = "Al"\n', encoding="utf-8")
    result = run("serve", "--config", str(path), "--port", "0")
    assert result.exit_code == 2
    assert _one_line_error(result.output) == (
        f"yspbx: config error in {path}: extensions[0].name: unknown key; did you mean 'username'?"
    )


@pytest.fixture(scope="module")
def pems(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("pems")
    ca = trustme.CA()
    cert, other = ca.issue_cert("127.0.0.1"), ca.issue_cert("127.0.0.1")
    files = {name: folder / f"{name}.pem" for name in ("cert", "key", "other_key", "junk")}
    cert.cert_chain_pems[0].write_to_path(str(files["cert"]))
    cert.private_key_pem.write_to_path(str(files["key"]))
    other.private_key_pem.write_to_path(str(files["other_key"]))
    files["junk"].write_text("not a PEM file\n", encoding="utf-8")
    key = serialization.load_pem_private_key(cert.private_key_pem.bytes(), password=None)
    files["encrypted_key"] = folder / "encrypted.pem"
    files["encrypted_key"].write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.BestAvailableEncryption(b"secret"),
        )
    )
    return files


def _serve_tls(cert: Path | str, key: Path | str) -> str:
    result = run(
        "serve",
        "--store",
        "memory://",
        "--port",
        "0",
        "--tls-cert",
        str(cert),
        "--tls-key",
        str(key),
    )
    assert result.exit_code == 2
    return _one_line_error(result.output)


def test_a_missing_certificate_is_named_with_the_fix(pems: dict[str, Path]) -> None:
    assert _serve_tls("missing.pem", pems["key"]) == (
        "yspbx: cannot read the TLS certificate missing.pem: No such file or directory; give "
        "--tls-cert (server.tls_cert) the path of a PEM file (for a test certificate: openssl "
        "req -x509 -newkey rsa:2048 -nodes -days 365 -subj /CN=localhost -keyout key.pem -out "
        "cert.pem)"
    )


def test_a_missing_key_is_named_with_the_fix(pems: dict[str, Path]) -> None:
    assert _serve_tls(pems["cert"], "missing-key.pem").startswith(
        "yspbx: cannot read the TLS key missing-key.pem: No such file or directory; give "
        "--tls-key (server.tls_key) the path of a PEM file"
    )


def test_a_file_that_is_no_certificate(pems: dict[str, Path]) -> None:
    assert _serve_tls(pems["junk"], pems["key"]) == (
        f"yspbx: the TLS certificate {pems['junk']} holds no PEM certificate (a file that starts "
        "with -----BEGIN CERTIFICATE-----); give --tls-cert the certificate and --tls-key its key"
    )


def test_a_file_that_is_no_key(pems: dict[str, Path]) -> None:
    assert _serve_tls(pems["cert"], pems["junk"]) == (
        f"yspbx: the TLS key {pems['junk']} holds no PEM private key (a file that starts with "
        "-----BEGIN PRIVATE KEY-----); give --tls-key the certificate's private key"
    )


def test_a_key_of_another_certificate(pems: dict[str, Path]) -> None:
    assert _serve_tls(pems["cert"], pems["other_key"]) == (
        f"yspbx: the TLS key {pems['other_key']} does not belong to the certificate "
        f"{pems['cert']}; give --tls-key the private key the certificate was made with"
    )


def test_an_encrypted_key(pems: dict[str, Path]) -> None:
    key = pems["encrypted_key"]
    assert _serve_tls(pems["cert"], key) == (
        f"yspbx: the TLS key {key} is encrypted with a passphrase, which yspbx cannot ask for; "
        f"decrypt it once: openssl pkey -in {key} -out key-plain.pem"
    )


def test_a_certificate_without_its_key(pems: dict[str, Path]) -> None:
    result = run("serve", "--store", "memory://", "--tls-cert", str(pems["cert"]))
    assert result.exit_code == 2
    assert _one_line_error(result.output) == (
        "yspbx: --tls-cert and --tls-key go together: give the certificate and its key"
    )


def test_serve_without_the_server_extra_says_what_to_install(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(sys.modules, "uvicorn", None)  # as if it were not installed
    result = run("serve", "--store", "memory://", "--port", "0")
    assert result.exit_code == 2
    assert _one_line_error(result.output) == (
        "yspbx: yspbx serve needs yspbx's 'server' extra (module 'uvicorn' is missing): "
        "pip install 'yspbx[server]'"
    )


def test_the_command_without_the_cli_extra_says_what_to_install(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setitem(sys.modules, "typer", None)
    monkeypatch.setattr(sys, "argv", ["yspbx", "--version"])
    with pytest.raises(SystemExit) as exited:
        main()
    assert exited.value.code == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    assert _one_line_error(captured.err) == (
        "yspbx: the yspbx command line needs yspbx's 'cli' extra (module 'typer' is missing): "
        "pip install 'yspbx[cli]'"
    )
