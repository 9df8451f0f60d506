"""Small clients for the tests: the PBX API as an application server speaks it, and /sim/v1."""

from __future__ import annotations

import hashlib
import json
from typing import Any

import httpx

from yspbx.client._verify import tls_verify

PASSWORD = "yspbx-demo"
PASSWORD_MD5 = hashlib.md5(PASSWORD.encode()).hexdigest()
API = "/api/v1.1.0/"


def client(base_url: str, local_address: str = "127.0.0.1", **kwargs: Any) -> httpx.Client:
    """An HTTP client whose requests come from ``local_address`` (127.0.0.x acts as a host)."""
    verify = tls_verify(kwargs.pop("verify", True))
    transport = httpx.HTTPTransport(local_address=local_address, verify=verify)
    return httpx.Client(base_url=base_url, transport=transport, timeout=10.0, **kwargs)


class Api:
    """Raw S-Series API calls: what goes on the wire is what the test wrote."""

    def __init__(self, base_url: str, local_address: str = "127.0.0.1") -> None:
        self.http = client(base_url, local_address)

    def post(
        self,
        endpoint: str,
        body: Any = None,
        token: str | None = None,
        content: bytes | None = None,
    ) -> httpx.Response:
        params = {"token": token} if token is not None else None
        if content is None and body is not None:
            content = json.dumps(body).encode()
        return self.http.post(
            API + endpoint,
            params=params,
            content=content,
            headers={"Content-Type": "application/json; charset=utf-8"},
        )

    def call(self, endpoint: str, body: Any = None, token: str | None = None) -> dict[str, Any]:
        response = self.post(endpoint, body, token)
        assert response.status_code == 200, response.text
        data = response.json()
        assert isinstance(data, dict)
        return data

    def login(self, password: str = PASSWORD_MD5, **fields: str) -> dict[str, Any]:
        body = {"username": "api", "password": password, "port": "8260", **fields}
        return self.call("login", body)

    def token(self, **fields: str) -> str:
        answer = self.login(**fields)
        assert answer["status"] == "Success", answer
        return str(answer["token"])

    def close(self) -> None:
        self.http.close()


class Sim:
    """The control plane."""

    def __init__(self, base_url: str) -> None:
        self.http = client(base_url)

    def get(self, path: str) -> Any:
        response = self.http.get("/sim/v1" + path)
        assert response.status_code == 200, response.text
        return response.json()

    def post(self, path: str, body: Any = None) -> Any:
        response = self.http.post("/sim/v1" + path, json=body if body is not None else {})
        assert response.status_code == 200, response.text
        return response.json()

    def advance(self, seconds: float) -> float:
        return float(self.post("/clock/advance", {"seconds": seconds})["now"])

    def reset(self) -> None:
        self.post("/reset")

    def close(self) -> None:
        self.http.close()


def failed(errno: str) -> dict[str, str]:
    return {"status": "Failed", "errno": errno}
