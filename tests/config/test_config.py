"""Configuration: TOML over the packaged default, environment variables over both."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import write_config
from tests.support.helpers import Api
from yspbx.settings import ConfigError, default_config_text, load_settings
from yspbx.testing import ServerProcess


def test_packaged_default_has_the_pbx_the_product_promises() -> None:
    settings = load_settings()
    assert settings.api.username == "api"
    assert settings.api.password.get_secret_value() == "yspbx-demo"
    assert settings.api.token_ttl == 1800
    assert settings.api.lockout_threshold == 5
    assert settings.api.lockout_seconds == 600
    assert settings.server.port == 8088
    assert settings.server.store == "sqlite:///./.yspbx/state.db"
    numbers = [e.number for e in settings.extensions]
    assert [str(n) for n in range(1000, 1010)] == numbers[:10]
    types = {t.type for t in settings.trunks}
    assert {"SIP", "GSM"} <= types
    assert settings.trunks[0].type == "SIP"
    assert not settings.trunks[0].inbound_answer_control
    assert any(t.inbound_answer_control for t in settings.trunks)
    assert any(t.inbound_destination_control for t in settings.trunks)
    assert [i.number for i in settings.ivrs] == ["6200"]
    assert [q.number for q in settings.queues] == ["6700"]
    assert [r.number for r in settings.ringgroups] == ["6300"]
    assert [p.number for p in settings.paginggroups] == ["6400"]
    assert "welcome" in settings.prompts


def test_user_file_is_merged_over_the_default(tmp_path: Path) -> None:
    path = write_config(tmp_path, '[api]\npassword = "s3cret"\n')
    settings = load_settings(path)
    assert settings.api.password.get_secret_value() == "s3cret"
    assert settings.api.username == "api"
    assert len(settings.extensions) >= 10


def test_environment_overrides_the_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = write_config(tmp_path, "[api]\ntoken_ttl = 60\n")
    monkeypatch.setenv("YSPBX_API_TOKEN_TTL", "90")
    monkeypatch.setenv("YSPBX_API_ALLOWED_IPS", '["10.0.0.0/8"]')
    settings = load_settings(path)
    assert settings.api.token_ttl == 90
    assert [str(n) for n in settings.api.allowed_ips] == ["10.0.0.0/8"]


def test_ipv4_mapped_allowed_ips_are_read_as_ipv4(tmp_path: Path) -> None:
    # Clients are compared in IPv4 spelling (docs/deploy.md, "Client addresses").
    path = write_config(
        tmp_path, '[api]\nallowed_ips = ["::ffff:10.0.0.0/104", "::1", "fd00::/8"]\n'
    )
    settings = load_settings(path)
    assert [str(n) for n in settings.api.allowed_ips] == ["10.0.0.0/8", "::1/128", "fd00::/8"]


def test_error_names_the_file_the_key_and_the_problem(tmp_path: Path) -> None:
    path = write_config(tmp_path, '[api]\ntoken_ttl = "soon"\n')
    with pytest.raises(ConfigError) as caught:
        load_settings(path)
    message = str(caught.value)
    assert str(path) in message
    assert "api.token_ttl" in message
    assert "number" in message


def test_error_names_an_unknown_key(tmp_path: Path) -> None:
    path = write_config(tmp_path, '[api]\npasword = "typo"\n')
    with pytest.raises(ConfigError, match=r"api\.pasword: unknown key"):
        load_settings(path)


def test_error_names_the_environment_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("YSPBX_API_LOCKOUT_THRESHOLD", "zero")
    with pytest.raises(ConfigError, match="environment variable YSPBX_API_LOCKOUT_THRESHOLD"):
        load_settings()


def test_toml_syntax_error(tmp_path: Path) -> None:
    path = write_config(tmp_path, "[api\nusername = 1\n")
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_settings(path)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="cannot read it"):
        load_settings(tmp_path / "absent.toml")


def test_dangling_reference_is_refused(tmp_path: Path) -> None:
    path = write_config(
        tmp_path,
        '[[outroutes]]\nname = "x"\nprefix = "9"\ntrunks = ["Nowhere"]\n',
    )
    with pytest.raises(ConfigError, match=r"outroutes\[0\]\.trunks: no trunk named 'Nowhere'"):
        load_settings(path)


def test_bad_time_zone_is_refused(tmp_path: Path) -> None:
    path = write_config(tmp_path, '[device]\ntimezone = "Mars/Olympus"\n')
    with pytest.raises(ConfigError, match=r"device\.timezone"):
        load_settings(path)


@pytest.mark.slow
def test_server_uses_the_config_and_env(tmp_path: Path) -> None:
    path = write_config(tmp_path, '[api]\nusername = "crm"\n')
    env = {"YSPBX_API_PASSWORD": "password"}
    with ServerProcess(config=path, env=env) as server:
        api = Api(server.url)
        answer = api.call(
            "login",
            {"username": "crm", "password": "5f4dcc3b5aa765d61d8327deb882cf99", "port": "8260"},
        )
        assert answer["status"] == "Success"


@pytest.mark.slow
def test_serve_reports_a_config_error_and_exits(tmp_path: Path) -> None:
    path = write_config(tmp_path, "[api]\nlockout_threshold = 0\n")
    process = ServerProcess(config=path, startup_timeout=15)
    with pytest.raises(RuntimeError, match=r"api\.lockout_threshold"):
        process.start()


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ('[[inroutes]]\nname = "Default"\ntrunks = ["GSM1"]\ndesttype = "hangup"\n', "inroutes"),
        ('[[trunks]]\nname = "Extra"\nid = 1\n', "trunks"),
    ],
)
def test_duplicate_names_and_ids_are_refused(tmp_path: Path, text: str, key: str) -> None:
    path = write_config(tmp_path, default_config_text() + "\n" + text)
    with pytest.raises(ConfigError, match=rf"{key}\[\d+\]\.(name|id)"):
        load_settings(path)


def test_extension_groups_must_name_existing_extensions(tmp_path: Path) -> None:
    path = write_config(tmp_path, '[[extensiongroups]]\nname = "Ghosts"\nmembers = ["9999"]\n')
    with pytest.raises(ConfigError, match=r"extensiongroups\[0\]\.members: no extension 9999"):
        load_settings(path)
