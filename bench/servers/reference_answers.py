"""The bytes every reference server answers with: the same as yspbx's default PBX.

They are produced by yspbx itself (the default config's extension list), so a reference server
never does less work than yspbx only because it answers something smaller.
"""

from __future__ import annotations

import hashlib
import json
import secrets

USERNAME = "api"
PASSWORD_MD5 = hashlib.md5(b"yspbx-demo").hexdigest()


def extension_list_body() -> bytes:
    from yspbx.settings import load_settings

    settings = load_settings()
    extensions = []
    for ext in settings.extensions:
        status = (
            "Unavailable" if not ext.registered else ("Idle" if ext.type == "FXS" else "Registered")
        )
        entry = {"extnumber": ext.number, "status": status, "type": ext.type}
        if ext.port:
            entry["port"] = ext.port
        entry["username"] = ext.username
        entry["agentid"] = ext.agentid
        extensions.append(entry)
    body = {"status": "Success", "extlist": extensions}
    return json.dumps(body, separators=(",", ":")).encode()


def new_token() -> str:
    return secrets.token_hex(16)


FAILED_TOKEN = b'{"status":"Failed","errno":"20004"}'
FAILED_LOGIN = b'{"status":"Failed","errno":"20003"}'
FAILED_JSON = b'{"status":"Failed","errno":"20000"}'
