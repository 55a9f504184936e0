"""A backend address carrying a user name or password is refused (exit 2)
wherever it comes from, and the password is never echoed."""

from __future__ import annotations

import pytest

SECRET = "Pw0rd-s3cret"
BAD = f"http://user:{SECRET}@127.0.0.1:9"


@pytest.mark.parametrize(
    "how",
    ["flag", "env NEMO_API_URL", "env NANOPHOTO_API_URL", "env SORA_GATEWAY_URL", "config file"],
)
def test_credentials_in_a_backend_url_are_refused_without_echoing_them(nemochat, tmp_path, how):
    config = tmp_path / "config.toml"
    env = {"NEMOCHAT_CONFIG": str(config)}
    args = ["credits"]
    if how == "flag":
        args += ["--api-base", BAD]
    elif how == "config file":
        config.write_text(f'api_base = "{BAD}"\n')
    else:
        env[how.split()[1]] = BAD
    result = nemochat(*args, env=env)
    assert result.returncode == 2, result.stderr
    assert "user name or password" in result.stderr
    assert SECRET not in result.stdout + result.stderr
    assert "Traceback" not in result.stderr


def test_config_set_refuses_credentials_and_show_masks_them(nemochat, tmp_path):
    config = tmp_path / "config.toml"
    env = {"NEMOCHAT_CONFIG": str(config)}
    refused = nemochat("config", "set", "nanophoto_api_base", BAD, env=env)
    assert refused.returncode == 2 and SECRET not in refused.stderr and not config.exists()
    config.write_text(f'api_base = "{BAD}"\n')  # written by hand
    shown = nemochat("config", "show", env=env)
    assert shown.returncode == 0
    assert SECRET not in shown.stdout + shown.stderr and "127.0.0.1:9" in shown.stdout
