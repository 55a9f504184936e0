"""Bad bytes, broken files and broken disks: one clear line and the right exit
code, never "unexpected error". The real program in a
subprocess; read-only and full disks are small tmpfs mounts (root only, as CI
runs; skipped elsewhere)."""

from __future__ import annotations

import json
import os
import subprocess
import uuid
from pathlib import Path

import pytest
from cli.conftest import NO_WAITS
from pty_zygote import NEMOCHAT
from rogue_server import Reply, rogue_server


def run_bytes(zygotes, *args: str, stdin: bytes, env: dict | None = None) -> subprocess.CompletedProcess:
    """The program in its own process (forked from the zygote: tests/pty_zygote.py), ``stdin`` piped in."""
    return zygotes.run(NEMOCHAT, list(args), input=stdin, text=False, timeout=60,
                       env={**os.environ, **NO_WAITS, **(env or {})}, cwd=os.getcwd())


def clear_failure(result, code: int) -> str:
    err = result.stderr if isinstance(result.stderr, str) else result.stderr.decode("utf-8", "replace")
    assert result.returncode == code, err
    assert "unexpected error" not in err and "Traceback" not in err
    return err


def test_text_that_is_not_utf8_is_refused_before_any_request(nemochat, sim, world, zygotes):
    result = nemochat("ask", "\udcff\udcfe hi", "--api-base", sim.base_url)  # the bytes ff fe in argv
    assert "not valid UTF-8" in clear_failure(result, 2)
    piped = run_bytes(zygotes, "ask", "-", "--api-base", sim.base_url, stdin=b"\xff\xfe hi")
    assert b"stdin is not valid UTF-8" in piped.stderr and piped.returncode == 2
    from_env = nemochat("ask", "hi", "--api-base", sim.base_url, env={"NEMO_SESSION": "s\udcff"})
    assert "NEMO_SESSION is not valid UTF-8" in clear_failure(from_env, 2)
    assert world.requests == []  # no token, no session, nothing sent


def test_a_file_name_that_is_not_utf8_is_uploaded_with_a_readable_name(nemochat, sim, world, tmp_path):
    clip = tmp_path / os.fsdecode(b"\xff-clip.mp4")
    clip.write_bytes(b"\0" * 1000)
    result = nemochat("upload", str(clip), "--api-base", sim.base_url)
    clear_failure(result, 0)
    assert "\ufffd-clip.mp4" in result.stdout
    assert [u.filename for u in world.uploads] == ["\ufffd-clip.mp4"]


def test_a_binary_config_file_is_a_usage_error(nemochat, tmp_path):
    config = tmp_path / "config.toml"
    config.write_bytes(b"\x7fELF\x02\x01\x01\0\0\0\xd0\xff")
    result = nemochat("credits", "--demo", env={"NEMOCHAT_CONFIG": str(config)})
    assert "not valid TOML" in clear_failure(result, 2)


def test_a_session_answer_with_a_null_id_is_a_backend_error(nemochat):
    def answer(request):
        if request.path == "/api/auth/anonymous-token":
            return Reply(200, json.dumps({"code": 0, "data": {"token": "nmv_usr_rogue1", "expires_at": 4102444800}}))
        return Reply(200, json.dumps({"code": 0, "data": {"session_id": None, "task_id": None}}))

    with rogue_server(answer) as rogue:
        result = nemochat("status", "--api-base", rogue.url)
    assert "no session id" in clear_failure(result, 5) + result.stdout


# -- the ledger --------------------------------------------------------------------------------


def ledger_file(home: Path) -> Path:
    return home / ".local" / "share" / "nemochat" / "ledger.db"


def test_a_corrupt_ledger_blocks_only_the_commands_that_need_it(nemochat, sim, world, isolated_home):
    assert nemochat("credits", "--api-base", sim.base_url).returncode == 0
    ledger_file(isolated_home).write_bytes(b"this is not a database" * 100)
    for suffix in ("-wal", "-shm"):
        Path(str(ledger_file(isolated_home)) + suffix).unlink(missing_ok=True)
    credits = nemochat("credits", "--api-base", sim.base_url)
    assert "not kept in the history" in clear_failure(credits, 0) and "100 available" in credits.stdout
    sessions = nemochat("sessions", "--api-base", sim.base_url)
    assert "cannot open the ledger" in clear_failure(sessions, 2)


# -- read-only and full disks (tmpfs) ----------------------------------------------------------


@pytest.fixture
def small_disk(tmp_path, isolated_home, monkeypatch):
    """A 512 KiB tmpfs as the home folder: ``disk.remount("ro")``, ``disk.fill()``."""
    mount = tmp_path / f"disk-{uuid.uuid4().hex[:6]}"
    mount.mkdir()
    try:
        mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=512k,mode=0700", "tmpfs", str(mount)], capture_output=True).returncode == 0
    except OSError:  # no mount command (Windows)
        mounted = False
    if not mounted:
        pytest.skip("cannot mount a tmpfs here (not root)")

    class Disk:
        path = mount

        def remount(self, mode: str) -> None:
            subprocess.run(["mount", "-o", f"remount,{mode}", str(mount)], check=True)

        def fill(self) -> None:
            with open(mount / "filler", "wb") as handle:
                try:
                    while True:
                        handle.write(b"\0" * 65536)
                        handle.flush()
                except OSError:
                    pass

    for var, sub in (("HOME", ""), ("XDG_CONFIG_HOME", ".config"), ("XDG_DATA_HOME", ".local/share"), ("XDG_STATE_HOME", ".local/state")):
        monkeypatch.setenv(var, str(mount / sub))
    try:
        yield Disk()
    finally:
        subprocess.run(["umount", "-l", str(mount)], capture_output=True)


def test_fresh_state_folders_on_a_read_only_disk(nemochat, sim, world, small_disk):
    small_disk.remount("ro")
    result = nemochat("credits", "--api-base", sim.base_url)
    assert "Read-only file system" in clear_failure(result, 2)
    as_json = nemochat("credits", "--json", "--api-base", sim.base_url)
    last = json.loads(as_json.stdout.splitlines()[-1])
    assert as_json.returncode == 2 and last["type"] == "error" and "Read-only file system" in last["message"]


def test_a_read_only_ledger_still_lets_credits_work(nemochat, sim, world, small_disk):
    assert nemochat("credits", "--api-base", sim.base_url).returncode == 0  # token cached, ledger made
    small_disk.remount("ro")
    result = nemochat("credits", "--api-base", sim.base_url)
    err = clear_failure(result, 0)
    assert "100 available" in result.stdout and "not kept in the history" in err


def test_a_full_disk(nemochat, sim, world, small_disk):
    made = nemochat("ask", "make a 10s rainy Tokyo clip", "--json", "--api-base", sim.base_url)
    session = json.loads(made.stdout.splitlines()[0])["session_id"]
    small_disk.fill()
    credits = nemochat("credits", "--api-base", sim.base_url)
    assert "available" in credits.stdout and "not kept in the history" in clear_failure(credits, 0)
    out = small_disk.path / "out.mp4"
    export = nemochat("export", "-o", str(out), "--session", session, "--api-base", sim.base_url,
                      env={"NEMOCHAT_EXPORT_FIRST_POLL": "0", "NEMOCHAT_EXPORT_MAX_POLL": "0"})
    assert "No space left on device" in clear_failure(export, 2) + export.stdout
    assert not out.exists()


@pytest.mark.parametrize("balance", ["NaN", "-Infinity", "1e999"])
def test_credits_that_are_not_finite_numbers_are_never_shown(nemochat, balance):
    body = f'{{"code": 0, "data": {{"available": {balance}, "frozen": 0, "total": {balance}}}}}'
    with rogue_server(lambda request: Reply(200, body)) as rogue:
        result = nemochat("credits", "--api-base", rogue.url, "--token", "nmv_usr_given1")
    err = clear_failure(result, 5)
    assert "answered something unexpected" in err + result.stdout
    assert "nan" not in result.stdout.lower() and "inf" not in result.stdout.lower()
