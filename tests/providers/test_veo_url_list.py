"""Veo answering ``videoUrl`` as a list: not a URL, so the
shot has none; one clear error, never a crash."""

from __future__ import annotations

import json

from rogue_server import Reply, rogue_server

VEO = ["veo", "submit", "--shots-json", json.dumps([{"id": "s1", "prompt": "a beach"}]), "--yes", "--follow"]


def test_a_video_url_given_as_a_list_is_no_url(cli, ledger, monkeypatch):
    def answer(request):
        if request.path.endswith("/generate"):
            return Reply(200, json.dumps({"success": True, "shots": [{"shotId": "s1", "taskId": "t1"}]}))
        return Reply(200, json.dumps({"shots": [{"taskId": "t1", "status": "completed", "videoUrl": ["http://x/a.mp4", {"u": 1}]}]}))

    with rogue_server(answer) as rogue:
        monkeypatch.setenv("NANOPHOTO_API_URL", rogue.url)
        run = cli("--json", *VEO)
    assert run.code == 5, run.err
    [error] = run.of("error")
    assert error["code"] == "no_video_url"
    with ledger() as book:
        [job] = book.jobs()
    assert job.error == "the answer had no video URL"
