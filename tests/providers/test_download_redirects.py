"""A video URL redirecting to ``file://`` (or any other scheme) is refused at
once, not retried as a dropped connection."""

from __future__ import annotations

import json

from rogue_server import Reply, rogue_server


def test_a_file_redirect_is_refused_once(cli, monkeypatch):
    def answer(request):
        if request.path.startswith("/api/"):
            return Reply(200, json.dumps({"taskId": "t1", "status": "completed", "videoUrl": rogue.url + "/v.mp4"}))
        return Reply(302, "", {"Location": "file:///etc/passwd"})

    with rogue_server(answer) as rogue:
        monkeypatch.setenv("NANOPHOTO_API_URL", rogue.url)
        run = cli("--json", "sora", "status", "--task-id", "t1", "--follow")
        fetched = [r for r in rogue.seen if r.path == "/v.mp4"]
    assert run.code == 5, run.err
    assert len(fetched) == 1
    assert not [n for n in run.of("notice") if "dropped" in n["message"] or "trying again" in n["message"]]
    [error] = run.of("error")
    assert "file://" in error["message"] and "not followed" in error["message"]
