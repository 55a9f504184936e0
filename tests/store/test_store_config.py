"""Settings in layers (defaults < config file < environment < flags), where
each value came from, and ``nemochat config path|show|set|unset``."""

from __future__ import annotations

import json
import stat

import pytest

from nemochat.cli import main
from nemochat.errors import UsageError
from nemochat.settings import Paths, Settings
from nemochat import config_file as cf


@pytest.fixture
def config_path(isolated_home):
    path = Paths.default().config / "config.toml"
    path.parent.mkdir(parents=True, exist_ok=True)
    return path


def test_each_layer_overrides_the_one_below(config_path):
    config_path.write_text('api_base = "https://file.example"\nlang = "zh"\nsora_interval = 5\nshow_thoughts = false\n')
    env = {"NEMO_LANG": "en", "NEMOCHAT_SORA_INTERVAL": "7.5", "NO_COLOR": "1"}
    settings, sources = Settings.load_with_sources(env, api_base="https://flag.example")
    assert settings.api_base == "https://flag.example" and sources["api_base"] == "flag --api-base"
    assert settings.lang == "en" and sources["lang"] == "env NEMO_LANG"
    assert settings.sora_interval == 7.5 and sources["sora_interval"] == "env NEMOCHAT_SORA_INTERVAL"
    assert settings.show_thoughts is False and sources["show_thoughts"] == f"file {config_path}"
    assert settings.no_color is True and sources["no_color"] == "env NO_COLOR"
    assert settings.stream_cap == 900.0 and sources["stream_cap"] == "default"
    assert Settings.load(env).sora_interval == 7.5  # load() is the same without the sources


def test_the_locale_is_below_the_file(config_path):
    assert Settings.load_with_sources({"LANG": "zh_CN.UTF-8"})[1]["lang"] == "locale"
    config_path.write_text('lang = "en"\n')
    assert Settings.load({"LANG": "zh_CN.UTF-8"}).lang == "en"


def test_a_file_with_a_wrong_type_is_a_usage_error(config_path):
    config_path.write_text('sora_interval = "soon"\n')
    with pytest.raises(UsageError, match="sora_interval must be a number"):
        Settings.load({})
    config_path.write_text("this is = = not toml\n")
    with pytest.raises(UsageError, match="not valid TOML"):
        Settings.load({})


def test_secrets_and_unknown_keys_in_the_file_are_ignored(config_path):
    config_path.write_text('token = "fake-from-file-0000"\nfuture_key = 1\n')
    settings = Settings.load({})
    assert settings.token is None
    assert cf.unknown_keys(config_path) == ["token", "future_key"]


def test_every_wait_is_a_config_key():
    keys = set(cf.config_keys())
    waits = {"poll_interval", "connect_timeout", "request_timeout", "stream_cap", "still_working_every", "retry_after_default",
             "recovery_first_wait", "recovery_interval", "recovery_reads"}  # fmt: skip
    assert waits <= keys
    assert {"api_base", "lang", "output_dir", "fallback_provider", "fallback_ask", "show_thoughts", "no_color"} <= keys
    assert not keys & set(cf.SECRET_KEYS)


# -- the command -------------------------------------------------------------------------------------


def test_config_path(capsys, config_path):
    assert main(["config", "path"]) == 0
    assert capsys.readouterr().out.strip() == str(config_path)


def test_config_set_writes_atomically_and_keeps_comments(capsys, config_path):
    config_path.write_text("# my settings\nlang = \"en\"  # English please\n\n[future]\nx = 1\n")
    assert main(["config", "set", "lang", "zh"]) == 0
    assert main(["config", "set", "sora_interval", "12"]) == 0
    assert main(["config", "set", "show_thoughts", "off"]) == 0
    assert main(["config", "set", "output_dir", 'C:\\videos "mine"']) == 0
    text = config_path.read_text()
    assert text.startswith("# my settings\nlang = \"zh\"\n")
    assert text.index("sora_interval = 12.0") < text.index("[future]")  # top-level keys stay above tables
    settings = Settings.load({})
    assert (settings.lang, settings.sora_interval, settings.show_thoughts, settings.output_dir) == ("zh", 12.0, False, 'C:\\videos "mine"')
    assert stat.S_IMODE(config_path.stat().st_mode) == 0o600
    assert not [p for p in config_path.parent.iterdir() if p.name != "config.toml"]  # no temp file left
    assert main(["config", "unset", "lang"]) == 0
    assert "lang" not in config_path.read_text() and "sora_interval" in config_path.read_text()
    assert "saved in" in capsys.readouterr().out


@pytest.mark.parametrize(
    "argv, message",
    [
        (["config", "set", "colour", "blue"], "unknown config key"),
        (["config", "set", "sora_interval", "soon"], "must be a number"),
        (["config", "set", "sora_interval", "-1"], "must be a number >= 0"),
        (["config", "set", "recovery_reads", "2.5"], "whole number"),
        (["config", "set", "fallback_provider", "sora3"], "one of sora2, gateway, none"),
        (["config", "set", "show_thoughts", "maybe"], "true or false"),
        (["config", "set", "token", "nmv_usr_abcdef"], "is a secret"),
        (["config", "set", "lang"], "needs a KEY and a VALUE"),
        (["config", "set"], "needs a KEY"),
        (["config", "bogus"], ""),
    ],
)
def test_config_set_refuses_bad_input(capsys, config_path, argv, message):
    assert main(argv) == 2
    assert message in capsys.readouterr().err
    assert not config_path.exists()


def test_config_show_says_where_each_value_came_from_and_masks_secrets(capsys, config_path, monkeypatch):
    config_path.write_text("still_working_every = 60\nmystery = 1\n")
    monkeypatch.setenv("NEMO_TOKEN", "fake-supersecret-9876")
    monkeypatch.setenv("NANOPHOTO_API_KEY", "np-secret-key-4321")
    assert main(["config", "show", "--lang", "en"]) == 0
    out = capsys.readouterr().out
    lines = {line.split(" = ")[0].strip(): line for line in out.splitlines() if " = " in line}
    assert "60.0" in lines["still_working_every"] and f"(file {config_path})" in lines["still_working_every"]
    assert "(flag --lang)" in lines["lang"]
    assert "****9876" in lines["token"] and "(env NEMO_TOKEN)" in lines["token"]
    assert "****4321" in lines["nanophoto_api_key"]
    assert "supersecret" not in out and "np-secret" not in out
    assert "(default)" in lines["stream_cap"]
    assert "mystery" in out  # an unknown key is pointed out


def test_config_show_json(capsys, isolated_home, monkeypatch):
    monkeypatch.setenv("NEMO_TOKEN", "fake-supersecret-9876")
    assert main(["config", "show", "--json"]) == 0
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert lines[-1] == {"type": "done"}
    by_key = {line["key"]: line for line in lines[:-1]}
    assert by_key["token"]["value"] == "****9876" and by_key["token"]["source"] == "env NEMO_TOKEN"
    assert by_key["api_base"] == {"type": "config", "key": "api_base", "value": "https://mega-api-prod.nemovideo.ai", "source": "default", "in_file": True}


def test_another_config_file_can_be_named(tmp_path, monkeypatch, capsys):
    other = tmp_path / "elsewhere.toml"
    other.write_text('lang = "zh"\n')
    monkeypatch.setenv("NEMOCHAT_CONFIG", str(other))
    assert Settings.load().lang == "zh"
    assert main(["config", "path"]) == 0
    assert capsys.readouterr().out.strip() == str(other)


def test_a_broken_file_is_reported_not_overwritten(capsys, config_path):
    config_path.write_text("[oops\n")
    assert main(["config", "set", "lang", "zh"]) == 2
    assert "not valid TOML" in capsys.readouterr().err
    assert config_path.read_text() == "[oops\n"
    assert main(["config", "show"]) == 2
    config_path.write_text('lang = \nsora_interval = 3\n')  # setting the broken key mends it
    assert main(["config", "set", "lang", "zh"]) == 0
    assert Settings.load({}).lang == "zh"
