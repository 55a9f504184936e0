"""The floors nemochat is measured against: the least any client built on the
same libraries could do. Each runs as a fresh process and imports only what
its mode needs.

    python bench/floor.py raw URL      # /run_sse read with httpx aiter_raw(), nothing parsed
    python bench/floor.py sse URL      # ... with httpx-sse aiter_sse() + json.loads per event
    python bench/floor.py first URL    # sse, printing the first text at once (time to first text)
    python bench/floor.py show URL     # sse, printing every piece of text as it comes (the screen's lag)
    python bench/floor.py prompt       # import the five dependencies, build a PromptSession and
                                       # an AsyncClient, draw the prompt (time to a prompt)

The stream modes get a token and a session from the simulator first (the
same endpoints nemochat uses), then POST /run_sse as nemochat does.
"""

from __future__ import annotations

import sys


async def _open(base: str):
    import httpx

    client = httpx.AsyncClient(base_url=base, timeout=httpx.Timeout(30.0), trust_env=False)
    import os
    import uuid

    token = (await client.post("/api/auth/anonymous-token", headers={"X-Client-Id": f"floor-{uuid.uuid4()}-{os.getpid()}"})).json()["data"]["token"]
    auth = {"Authorization": f"Bearer {token}"}
    session = (await client.post("/api/tasks/me/with-session/nemo_agent", headers=auth, json={"task_name": "floor", "language": "en"})).json()["data"]
    body = {"app_name": "nemo_agent", "user_id": "me", "session_id": session["session_id"], "new_message": {"parts": [{"text": "go"}]}}
    request = client.build_request("POST", "/run_sse", json=body, headers={**auth, "Accept": "text/event-stream"}, timeout=httpx.Timeout(None))
    return client, request


async def stream(mode: str, base: str) -> int:
    client, request = await _open(base)
    count = 0
    try:
        response = await client.send(request, stream=True)
        try:
            if mode == "raw":
                async for chunk in response.aiter_raw():
                    count += len(chunk)
            else:
                import json

                from httpx_sse import EventSource

                async for event in EventSource(response).aiter_sse():
                    payload = json.loads(event.data)
                    count += 1
                    if mode == "first":
                        sys.stdout.write(payload["content"]["parts"][0]["text"] + "\n")
                        sys.stdout.flush()
                    elif mode == "show" and payload.get("partial"):
                        sys.stdout.write(payload["content"]["parts"][0]["text"])
                        sys.stdout.flush()
        finally:
            await response.aclose()
    finally:
        await client.aclose()
    return count


def prompt() -> None:
    import httpx
    import httpx_sse  # noqa: F401
    import platformdirs  # noqa: F401
    import rich  # noqa: F401
    from prompt_toolkit import PromptSession

    session: PromptSession[str] = PromptSession()
    client = httpx.AsyncClient()  # noqa: F841  (built, as a client would)
    try:
        session.prompt("› ")
    except (EOFError, KeyboardInterrupt):
        pass


def main() -> None:
    mode = sys.argv[1]
    if mode == "prompt":
        prompt()
        return
    import asyncio

    count = asyncio.run(stream(mode, sys.argv[2]))
    if mode not in ("first", "show"):
        print(count)


if __name__ == "__main__":
    main()
