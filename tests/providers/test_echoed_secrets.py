"""A server that echoes the API key or token back in an error: the key is
neither printed nor stored."""

from __future__ import annotations

import json

from rogue_server import Reply, rogue_server

ROGUE_KEY = "np-rogue-key-8642097531"


def test_a_nanophoto_401_echoing_the_key_is_shown_and_stored_without_it(cli, ledger, monkeypatch):
    answer = {"success": False, "errorCode": "LOGIN_REQUIRED", "error": f"invalid API key {ROGUE_KEY} (key={ROGUE_KEY})"}
    with rogue_server(lambda request: Reply(401, json.dumps(answer))) as rogue:
        monkeypatch.setenv("NANOPHOTO_API_URL", rogue.url)
        for argv in (("sora", "submit", "--prompt", "a cat", "--yes"), ("--json", "sora", "submit", "--prompt", "a cat", "--yes")):
            run = cli(*argv, "--api-key", ROGUE_KEY)
            assert run.code == 3, run.err
            assert ROGUE_KEY not in run.out + run.err
            assert "invalid API key" in run.out + run.err  # the rest of the server's words are kept
        assert rogue.seen[0].headers["authorization"] == f"Bearer {ROGUE_KEY}"
    with ledger() as book:
        jobs = book.jobs()
    assert jobs and all(job.error and ROGUE_KEY not in job.error for job in jobs)


def test_a_failed_task_echoing_the_key_is_shown_and_stored_without_it(cli, ledger, monkeypatch):
    def answer(request):
        if request.path.endswith("/generate"):
            return Reply(200, json.dumps({"success": True, "taskId": "task_1"}))
        return Reply(200, json.dumps({"taskId": "task_1", "status": "failed", "errorCode": "GENERATION_FAILED",
                                      "error": f"quota of {ROGUE_KEY} exhausted"}))

    with rogue_server(answer) as rogue:
        monkeypatch.setenv("NANOPHOTO_API_URL", rogue.url)
        run = cli("sora", "submit", "--prompt", "a cat", "--yes", "--follow", "--api-key", ROGUE_KEY)
    assert run.code == 5, run.err
    assert ROGUE_KEY not in run.out + run.err and "exhausted" in run.out + run.err
    with ledger() as book:
        [job] = book.jobs()
    assert job.error and "exhausted" in job.error and ROGUE_KEY not in job.error


def test_a_configured_key_is_hidden_from_agent_text_shown_and_stored(cli, sim, world, env, isolated_home):
    # The agent (a NemoVideo server) echoes the NanoPhoto key configured in the environment.
    from nemochat.settings import Paths
    from nemochat.store import Ledger, ledger_path

    world.set_faults(replay_stream={"path": str(_echo_stream(isolated_home, env["NANOPHOTO_API_KEY"]))})
    run = cli("ask", "hello")
    assert run.code == 0, run.err
    assert env["NANOPHOTO_API_KEY"] not in run.out + run.err and "your key is" in run.out
    with Ledger(ledger_path(Paths.default())) as book:
        [session] = book.sessions()
        bodies = [item.body for turn in book.turns(session.id) for item in turn.items]
    assert any("your key is" in body for body in bodies) and not any(env["NANOPHOTO_API_KEY"] in body for body in bodies)


def _echo_stream(folder, key: str):
    path = folder / "echo.sse"
    event = {"content": {"role": "model", "parts": [{"text": f"your key is {key}, keep it safe"}]}, "partial": False}
    path.write_text(f"data: {json.dumps(event)}\n\n")
    return path
