"""API keys resolved as NanoPhoto's scripts do, never printed; local images
published only with --upload-local."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from nemochat.clients.nanophoto import DEMO_KEY, SORA_SKILL, VEO_SKILL, key_hint, resolve_api_key
from nemochat.errors import AuthError

STILL = Path(__file__).resolve().parents[2] / "fixtures" / "media" / "still.png"


def openclaw(home: Path, skill: str, key: str) -> None:
    path = home / ".openclaw" / "openclaw.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"skills": {"entries": {skill: {"enabled": True, "env": {"NANOPHOTO_API_KEY": key}}}}}))


def test_the_flag_wins(tmp_path):
    openclaw(tmp_path, SORA_SKILL, "from-file")
    assert resolve_api_key(SORA_SKILL, flag="from-flag", settings_key="from-config", env={"NANOPHOTO_API_KEY": "from-env"}, home=tmp_path) == "from-flag"


def test_then_the_environment(tmp_path):
    openclaw(tmp_path, SORA_SKILL, "from-file")
    assert resolve_api_key(SORA_SKILL, flag=None, settings_key="from-config", env={"NANOPHOTO_API_KEY": "from-env"}, home=tmp_path) == "from-env"


@pytest.mark.parametrize("skill", [SORA_SKILL, VEO_SKILL])
def test_then_openclaw_at_the_skills_own_path(tmp_path, skill):
    openclaw(tmp_path, skill, f"{skill}-key")
    assert resolve_api_key(skill, flag=None, settings_key="from-config", env={}, home=tmp_path) == f"{skill}-key"
    other = VEO_SKILL if skill == SORA_SKILL else SORA_SKILL
    assert resolve_api_key(other, flag=None, settings_key="from-config", env={}, home=tmp_path) == "from-config"


def test_then_nemochats_own_config(tmp_path):
    (tmp_path / ".openclaw").mkdir()
    (tmp_path / ".openclaw" / "openclaw.json").write_text("{not json")
    assert resolve_api_key(SORA_SKILL, flag=None, settings_key="from-config", env={}, home=tmp_path) == "from-config"


def test_no_key_at_all_is_an_auth_error(tmp_path):
    with pytest.raises(AuthError) as info:
        resolve_api_key(SORA_SKILL, flag=None, settings_key=None, env={}, home=tmp_path)
    assert info.value.exit_code == 3 and "nanophoto.ai/settings/apikeys" in info.value.action


def test_the_demo_uses_its_own_key(tmp_path):
    assert resolve_api_key(SORA_SKILL, flag=None, settings_key="real", env={"NANOPHOTO_API_KEY": "real"}, home=tmp_path, demo=True) == DEMO_KEY


def test_key_hint_does_not_reveal_the_key():
    hint = key_hint("np-secret-key-1234")
    assert "secret" not in hint and "1234" not in hint and hint == key_hint("np-secret-key-1234")


def test_the_key_from_openclaw_is_used_over_http(cli, providers, isolated_home, monkeypatch):
    monkeypatch.delenv("NANOPHOTO_API_KEY")
    openclaw(isolated_home, SORA_SKILL, "openclaw-key-777")
    run = cli("--json", "sora", "submit", "--prompt", "a cat", "--yes")
    assert run.code == 0
    assert providers.requests_to("/api/sora-2/generate")[0].key == "openclaw-key-777"


def test_the_key_is_never_printed_even_with_debug(cli, providers, env):
    run = cli("--debug", "sora", "submit", "--prompt", "a cat", "--yes", "--follow", "--no-download")
    assert run.code == 0
    assert "POST" in run.err  # the requests are logged...
    assert env["NANOPHOTO_API_KEY"] not in run.out + run.err  # ...without the key
    run = cli("--debug", "--json", "sora", "status", "--task-id", "task_nope", "--api-key", "flag-key-424242")
    assert "flag-key-424242" not in run.out + run.err


# -- local images -----------------------------------------------------------------------------------


def test_upload_local_publishes_the_file_first_and_uses_its_url(cli, sim, providers):
    run = cli("--json", "sora", "submit", "--prompt", "animate it", "--image-url", str(STILL), "--upload-local", "--yes")
    assert run.code == 0, run.out
    [upload] = sim.world.uploads
    assert upload.filename == "still.png"
    [submit] = providers.requests_to("/api/sora-2/generate")
    assert submit.json["mode"] == "imageToVideo" and submit.json["imageUrls"] == [upload.cdn_url]
    assert run.of("upload")[0]["files"][0]["cdn_url"] == upload.cdn_url


def test_upload_local_keeps_public_urls_as_they_are(cli, sim, providers):
    shots = [{"id": "s1", "prompt": "go", "generationType": "FIRST_AND_LAST_FRAMES_2_VIDEO", "imageUrls": [str(STILL), "https://example.com/last.png"]}]
    run = cli("--json", "veo", "submit", "--shots-json", json.dumps(shots), "--upload-local", "--yes")
    assert run.code == 0, run.out
    [upload] = sim.world.uploads
    [submit] = providers.requests_to("/api/veo-3/generate")
    assert submit.json["shots"][0]["imageUrls"] == [upload.cdn_url, "https://example.com/last.png"]


def test_declining_the_cost_uploads_nothing(cli, sim, providers, monkeypatch):
    import nemochat.commands.common as common

    monkeypatch.setattr(common, "tty_confirm", lambda: (lambda question: False))
    run = cli("--json", "sora", "submit", "--prompt", "animate it", "--image-url", str(STILL), "--upload-local")
    assert run.code == 0
    assert any("nothing was spent" in n["message"] for n in run.of("notice"))
    assert sim.world.uploads == [] and providers.requests == []
