"""Several first runs at once (real processes, one fresh home): one client id,
one token request, and every run succeeds. (The processes are forked from the
zygote, tests/pty_zygote.py: separate processes as a fresh start's are, without
its second of imports each.)"""

from __future__ import annotations

import os
from cli.conftest import NO_WAITS
from pty_zygote import NEMOCHAT
from shared_helpers import WAIT

RUNS = 5


def test_concurrent_first_runs_share_one_client_id_and_one_token(sim, world, isolated_home, zygotes):
    # The server grants one token per client id (as the real one does) and
    # answers slowly, so the runs' first requests overlap.
    world.configure(token_retry_after_s=0, token_hold_s=1.0)
    env = {**os.environ, **NO_WAITS}
    runs = [
        zygotes.popen(NEMOCHAT, ["credits", "--json", "--api-base", sim.base_url], env=env, cwd=os.getcwd())
        for _ in range(RUNS)
    ]
    results = [(run.wait(timeout=6 * WAIT), *run.communicate()) for run in runs]
    assert [code for code, _, _ in results] == [0] * RUNS, [err for _, _, err in results]
    tokens = world.requests_to("/api/auth/anonymous-token")
    assert len(tokens) == 1
    client_id = (isolated_home / ".config" / "nemovideo" / "client_id").read_text().strip()
    assert tokens[0].headers["x-client-id"] == client_id
    assert len({r.auth for r in world.requests_to("/api/credits")}) == 1  # one token, shared
