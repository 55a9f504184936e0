"""A download killed with kill -9 is resumed by the next run with Range, from
the ``.part`` it left. Real processes; the CDN is a
loopback server that stalls halfway through the first answer."""

from __future__ import annotations

import json
import os
import signal
import threading
import time

from pty_zygote import NEMOCHAT
from rogue_server import Reply, rogue_server
from shared_helpers import WAIT

VIDEO = bytes(range(256)) * 4096  # 1 MiB
HALF = len(VIDEO) // 2


def wait_until(condition, what: str) -> None:
    deadline = time.monotonic() + WAIT
    while not condition():
        assert time.monotonic() < deadline, f"gave up waiting: {what}"
        time.sleep(0.01)


def test_a_download_killed_mid_way_resumes_with_range(tmp_path, isolated_home, zygotes):
    half_sent, release = threading.Event(), threading.Event()

    def stall_halfway(handler) -> None:
        handler.send_response(200)
        for name, value in {"Content-Length": str(len(VIDEO)), "ETag": '"v1"', "Content-Type": "video/mp4"}.items():
            handler.send_header(name, value)
        handler.end_headers()
        handler.wfile.write(VIDEO[:HALF])
        handler.wfile.flush()
        half_sent.set()
        release.wait(WAIT)  # the client is killed meanwhile
        handler.close_connection = True

    def rest(handler, start: int) -> None:
        handler.send_response(206)
        for name, value in {"Content-Length": str(len(VIDEO) - start), "ETag": '"v1"',
                            "Content-Range": f"bytes {start}-{len(VIDEO) - 1}/{len(VIDEO)}"}.items():
            handler.send_header(name, value)
        handler.end_headers()
        handler.wfile.write(VIDEO[start:])

    def answer(request):
        if request.path.startswith("/api/"):
            return Reply(200, json.dumps({"taskId": "t1", "status": "completed", "videoUrl": rogue.url + "/v.mp4?sig=1"}))
        wanted = request.headers.get("range", "")
        if wanted.startswith("bytes=") and request.headers.get("if-range") == '"v1"':
            return lambda handler: rest(handler, int(wanted[6:].rstrip("-")))
        return stall_halfway

    out = tmp_path / "videos"
    out.mkdir()
    with rogue_server(answer) as rogue:
        env = {**os.environ, "NANOPHOTO_API_URL": rogue.url, "NANOPHOTO_API_KEY": "np-key-1234567",
               "NEMOCHAT_OUTPUT_DIR": str(out), "NEMOCHAT_SORA_INITIAL_DELAY": "0", "NEMOCHAT_SORA_INTERVAL": "0"}
        argv = ["sora", "status", "--task-id", "t1", "--follow"]  # (processes forked from the zygote: tests/pty_zygote.py)
        first = zygotes.popen(NEMOCHAT, argv, env=env, cwd=os.getcwd())
        try:
            assert half_sent.wait(WAIT)
            part = out / "sora2-t1.mp4.part"
            wait_until(lambda: part.exists() and part.stat().st_size == HALF, f"half of the video in the .part: {list(out.iterdir())} {[p.stat().st_size for p in out.iterdir()]}")
        finally:
            first.send_signal(signal.SIGKILL)
            first.communicate(WAIT)
            release.set()
        assert part.stat().st_size == HALF  # kill -9 left it

        second = zygotes.run(NEMOCHAT, argv, env=env, cwd=os.getcwd(), timeout=6 * WAIT)
        assert second.returncode == 0, second.stderr
        downloads = [r for r in rogue.seen if r.path.startswith("/v.mp4")]
    assert downloads[-1].headers.get("range") == f"bytes={HALF}-" and len(downloads) == 2
    assert (out / "sora2-t1.mp4").read_bytes() == VIDEO
    assert sorted(p.name for p in out.iterdir()) == ["sora2-t1.mp4"]  # no .part, no note left
    assert "Resuming the download" in second.stderr
