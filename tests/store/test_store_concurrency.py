"""Several nemochat processes on one ledger: nothing lost, nothing corrupted,
the schema created once, and the shared request budget never overspent."""

from __future__ import annotations

import os
import sqlite3

from nemochat.store import Ledger
from nemochat.store.schema import CURRENT_VERSION

WORKERS, ROUNDS, LIMIT = 6, 40, 100

WORKER = """
import sys
from pathlib import Path
from nemochat.store import Ledger

path, name, rounds, limit = Path(sys.argv[1]), sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
with Ledger(path) as ledger:  # every worker opens a database that does not exist yet
    for i in range(rounds):
        sid = f"{name}-{i % 5}"
        ledger.touch_session("https://api.example", sid)
        turn = ledger.open_turn(sid, f"{name} says {i}")
        item = ledger.add_item(turn, "text", "piece", complete=False)
        ledger.extend_item(item, " and more")
        ledger.add_item(turn, "tool", "generate_video")
        ledger.finish_turn(turn, silent=False)
        job = ledger.add_job("sora2", {"n": i}, session_id=sid)
        ledger.set_job_task(job, f"{name}-task-{i}")
        ledger.update_job(job, status="completed", url=f"https://cdn/{name}/{i}.mp4")
        ledger.log_request(f"key-{name}", 1000.0 + i)
    granted = sum(ledger.reserve_request("SHARED", 5000.0, limit=limit) for _ in range(rounds))
print(granted)
"""


def test_concurrent_processes_do_not_corrupt_the_ledger(tmp_path, zygotes):
    path = tmp_path / "ledger.db"
    script = tmp_path / "worker.py"
    script.write_text(WORKER, encoding="utf-8")
    # separate processes, forked from the zygote (tests/pty_zygote.py): no interpreter start-up each
    workers = [
        zygotes.popen(str(script), [str(path), f"w{n}", str(ROUNDS), str(LIMIT)], env=dict(os.environ), cwd=os.getcwd())
        for n in range(WORKERS)
    ]
    results = [w.communicate(timeout=100) for w in workers]
    assert [w.returncode for w in workers] == [0] * WORKERS, [err for _, err in results]

    # the shared budget: exactly LIMIT requests granted across all processes
    assert sum(int(out) for out, _ in results) == LIMIT

    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert conn.execute("PRAGMA user_version").fetchone()[0] == CURRENT_VERSION
    conn.close()

    with Ledger(path) as ledger:
        sessions = ledger.sessions(limit=None)
        assert len(sessions) == WORKERS * 5
        assert sum(s.turns for s in sessions) == WORKERS * ROUNDS
        for s in sessions:
            for turn in ledger.turns(s.id):
                assert turn.messages == ("piece and more",) and turn.tools == ("generate_video",) and turn.finished
        assert len(ledger.jobs(limit=10_000)) == WORKERS * ROUNDS
        assert ledger.job_by_task("w3-task-17").urls == ("https://cdn/w3/17.mp4",)
        assert all(ledger.count_requests(f"key-w{n}", since=0) == ROUNDS for n in range(WORKERS))
