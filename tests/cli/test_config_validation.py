"""A backend address in the config file must be a URL: `config set` refuses
one that is not (before it reaches the file), and when one is there anyway
(written by hand), `config show` and `config unset` still work so the user
can repair it."""

from __future__ import annotations

import json

import pytest


@pytest.fixture
def config(tmp_path):
    path = tmp_path / "config.toml"
    return path, {"NEMOCHAT_CONFIG": str(path)}


@pytest.mark.parametrize(
    ("key", "value"),
    [("api_base", "notaurl"), ("api_base", "mega-api-prod.nemovideo.ai"), ("nanophoto_api_base", "ftp://nanophoto.ai"),
     ("gateway_url", "http://")],
)
def test_config_set_refuses_a_backend_that_is_not_a_url(nemochat, config, key, value):
    path, env = config
    path.write_text('lang = "zh"\n')
    result = nemochat("config", "set", key, value, env=env)
    assert result.returncode == 2 and result.stdout == ""
    [line] = result.stderr.splitlines()
    assert f"{key} 必须是 http(s) 地址" in line and repr(value) in line  # (the file says lang = "zh")
    assert path.read_text() == 'lang = "zh"\n', "nothing written"
    assert nemochat("credits", "--demo", env=env).returncode == 0, "the file still works"


def test_config_set_takes_a_url_and_an_empty_gateway(nemochat, config):
    path, env = config
    assert nemochat("config", "set", "api_base", "http://127.0.0.1:8080/api", env=env).returncode == 0
    assert nemochat("config", "set", "gateway_url", "", env=env).returncode == 0  # "": no gateway
    assert path.read_text() == 'api_base = "http://127.0.0.1:8080/api"\ngateway_url = ""\n'


def test_a_bad_address_already_in_the_file_can_be_seen_and_removed(nemochat, config):
    path, env = config
    path.write_text('api_base = "notaurl"\nlang = "zh"\n')
    assert nemochat("credits", env=env).returncode == 2  # every other command stops at it, naming the file

    shown = nemochat("config", "show", env=env)
    assert shown.returncode == 0
    [api_base] = [line for line in shown.stdout.splitlines() if line.startswith("api_base ")]
    assert "notaurl" in api_base and f"文件 {path}" in api_base  # (the file says lang = "zh")
    assert f"file {path}:api_base 必须是 http(s) 地址" in shown.stderr and "config unset" in shown.stderr
    as_json = [json.loads(line) for line in nemochat("config", "show", "--json", env=env).stdout.splitlines()]
    assert {"type": "config", "key": "api_base", "value": "notaurl", "source": f"file {path}", "in_file": True} in as_json

    removed = nemochat("config", "unset", "api_base", env=env)
    assert removed.returncode == 0 and removed.stdout == f"已从 {path} 删除 api_base\n"  # (in the file's language)
    assert path.read_text() == 'lang = "zh"\n'
    clean = nemochat("config", "show", env=env)
    assert clean.returncode == 0 and clean.stderr == ""


def test_a_bad_address_in_the_file_can_be_replaced_with_config_set(nemochat, config):
    path, env = config
    path.write_text('api_base = "notaurl"\n')
    fixed = nemochat("config", "set", "api_base", "https://mega-api-prod.nemovideo.ai", env=env)
    assert fixed.returncode == 0, fixed.stderr
    assert path.read_text() == 'api_base = "https://mega-api-prod.nemovideo.ai"\n'
