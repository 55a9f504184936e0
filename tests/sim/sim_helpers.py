"""Helpers for the simulator tests: a tiny protocol.md client and event filters."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import httpx
from httpx_sse import connect_sse

ATTRIBUTION = {"X-Skill-Source": "nemochat", "X-Skill-Version": "0.1.0", "X-Skill-Platform": "terminal"}


@dataclass(frozen=True)
class Account:
    client_id: str
    token: str
    user_id: str
    session_id: str
    task_id: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}", **ATTRIBUTION}


class Backend:
    """The calls a client makes, kept short for the tests."""

    def __init__(self, http: httpx.Client) -> None:
        self.http = http
        self._clients = 0

    def account(self) -> Account:
        self._clients += 1
        client_id = f"client-{self._clients}"
        token = self.http.post("/api/auth/anonymous-token", headers={"X-Client-Id": client_id}).json()["data"]
        session = self.http.post("/api/tasks/me/with-session/nemo_agent",
                                 json={"task_name": "project", "language": "en"},
                                 headers={"Authorization": f"Bearer {token['token']}", **ATTRIBUTION}).json()["data"]
        return Account(client_id, token["token"], token["user_id"], session["session_id"], session["task_id"])

    @staticmethod
    def run_body(account: Account, text: str) -> dict[str, Any]:
        return {"app_name": "nemo_agent", "user_id": "me", "session_id": account.session_id,
                "new_message": {"parts": [{"text": text}]}}

    def events(self, account: Account, text: str) -> list[dict[str, Any]]:
        """A turn's data payloads, parsed with httpx-sse."""
        with connect_sse(self.http, "POST", "/run_sse", json=self.run_body(account, text),
                         headers={**account.headers, "Accept": "text/event-stream"}) as source:
            return [json.loads(sse.data) for sse in source.iter_sse()]

    def raw(self, account: Account, text: str) -> str:
        """A turn's body exactly as sent (comments included)."""
        response = self.http.post("/run_sse", json=self.run_body(account, text), headers=account.headers)
        assert response.status_code == 200, response.text
        return response.text

    def state(self, account: Account) -> dict[str, Any]:
        response = self.http.get(f"/api/state/nemo_agent/me/{account.session_id}/latest",
                                 headers=account.headers)
        return response.json()["data"]["state"]

    def credits(self, account: Account) -> dict[str, int]:
        return self.http.get("/api/credits/balance/simple", headers=account.headers).json()["data"]


def texts(events: list[dict[str, Any]], *, partial: bool | None = None) -> list[str]:
    """The answer texts of ADK events (no thoughts), filtered on `partial`."""
    return [part["text"] for e in events if partial is None or e.get("partial", False) == partial
            for part in e.get("content", {}).get("parts", []) if "text" in part and not part.get("thought")]


def calls(events: list[dict[str, Any]]) -> list[str]:
    return [p["functionCall"]["name"] for e in events
            for p in e.get("content", {}).get("parts", []) if "functionCall" in p]


def responses(events: list[dict[str, Any]]) -> list[str]:
    return [p["functionResponse"]["name"] for e in events
            for p in e.get("content", {}).get("parts", []) if "functionResponse" in p]
