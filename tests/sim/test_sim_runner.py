"""Starting and stopping the simulator, its time scale, and real streaming."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import httpx
import pytest
from sim_helpers import Backend

from nemochat.sim import SimWorld, agent, start_simulator
from nemochat.sim.stream import split_pieces
from nemochat.sim.world import Settings

ROOT = Path(__file__).resolve().parents[2]


def test_port_0_gets_a_real_port_and_stop_frees_it():
    with start_simulator(time_scale=0) as sim:
        port = int(sim.base_url.rsplit(":", 1)[1])
        assert sim.base_url == f"http://127.0.0.1:{port}" and port > 0
        assert httpx.get(f"{sim.base_url}/cdn/media/still.png").status_code == 200
    with pytest.raises(httpx.ConnectError):
        httpx.get(f"{sim.base_url}/cdn/media/still.png")


def test_time_scale_from_the_environment(monkeypatch):
    monkeypatch.setenv("NEMOCHAT_SIM_TIME_SCALE", "0.25")
    with start_simulator() as sim:
        assert sim.world.settings.time_scale == 0.25


def test_a_given_world_keeps_its_time_scale(monkeypatch):
    monkeypatch.setenv("NEMOCHAT_SIM_TIME_SCALE", "3")
    world = SimWorld(Settings(time_scale=0))
    with start_simulator(world=world) as sim:
        assert sim.world is world and world.settings.time_scale == 0


def test_events_are_flushed_as_they_happen_and_stop_ends_open_streams(capfd):
    sim = start_simulator(time_scale=0)
    sim.world.set_faults(slow_heartbeats={"interval_s": 0.02, "silence_s": 30})
    with httpx.Client(base_url=sim.base_url, timeout=10) as http:
        account = Backend(http).account()
        with http.stream("POST", "/run_sse", json=Backend.run_body(account, "hello"),
                         headers=account.headers) as response:
            first = next(response.iter_lines())
            # flushed as it happened: the 30 s turn is still running on the server
            assert not sim.world.wait_until_idle(timeout=0)
        assert first == ": ping"
    sim.stop()
    assert not sim._thread.is_alive()  # the server ended (stop's join did not merely give up)
    assert sim.world.wait_until_idle(timeout=0)
    assert capfd.readouterr().err == ""


def test_demo_time_scale_makes_a_generate_turn_take_seconds():
    settings = Settings()
    script = agent.generate_script(agent.TurnContext("make a 10s rainy Tokyo clip", "http://sim", 10), zh=False)
    seconds = sum(settings.think_s + len(split_pieces(step.text)) * settings.piece_s
                  if isinstance(step, agent.ModelCall) else getattr(settings, step.wait)
                  for step in script.steps)
    assert 6 <= seconds <= 10


def test_serve_forever_reports_its_url_and_stops_on_ctrl_c():
    script = ("from nemochat.sim import serve_forever\n"
              "try:\n"
              "    serve_forever(time_scale=0, on_ready=lambda url: print(url, flush=True))\n"
              "except KeyboardInterrupt:\n"
              "    print('stopped', flush=True)\n")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, env=env)
    try:
        url = proc.stdout.readline().strip()
        assert httpx.get(f"{url}/cdn/media/still.png").status_code == 200
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=10)
    finally:
        proc.kill()
    assert out == "stopped\n"
    assert err == ""
