"""``nemochat completion bash|zsh|fish``: scripts read off the real parser,
checked by the shells themselves (zsh and fish only where installed)."""

from __future__ import annotations

import shutil
import subprocess

import pytest

from nemochat.cli import main
from nemochat.commands.parser import COMMANDS, build_parser
from nemochat.commands.completion import describe, script_for
from nemochat.config_file import config_keys


@pytest.fixture(scope="module")
def scripts(tmp_path_factory):
    folder = tmp_path_factory.mktemp("completion")
    paths = {}
    for shell in ("bash", "zsh", "fish"):
        paths[shell] = folder / f"nemochat.{shell}"
        paths[shell].write_text(script_for(shell, build_parser()))
    return paths


def bash_complete(script, *words, cwd=None):
    """What bash offers after ``nemochat WORDS...`` (the last word is the one being typed)."""
    line = " ".join(f"'{w}'" for w in ("nemochat", *words))
    code = f'source "{script}"; COMP_WORDS=({line}); COMP_CWORD={len(words)}; _nemochat; printf "%s\\n" "${{COMPREPLY[@]}}"'
    done = subprocess.run(["bash", "-c", code], capture_output=True, text=True, timeout=30, cwd=cwd)
    assert done.returncode == 0, done.stderr
    return done.stdout.split()


def test_the_command_prints_the_script(capsys):
    assert main(["completion", "bash"]) == 0
    assert "complete -o filenames -F _nemochat nemochat" in capsys.readouterr().out
    assert main(["completion", "tcsh"]) == 2


def test_every_command_and_flag_is_described():
    globals_, commands = describe(build_parser())
    names = {c.name for c in commands}
    assert {spec.name for spec in COMMANDS} <= names
    flags = {f for o in globals_ for f in o.flags}
    assert {"--api-base", "--session", "--json", "--demo", "--record", "-y", "--yes"} <= flags
    log = next(c for c in commands if c.name == "log")
    assert {f for o in log.options for f in o.flags} == {"--markdown", "--last", "--thoughts"}
    record = next(o for o in globals_ if "--record" in o.flags)
    assert record.takes_value and record.path


def test_bash_syntax_and_words(scripts):
    subprocess.run(["bash", "-n", str(scripts["bash"])], check=True)
    assert {"config", "completion"} <= set(bash_complete(scripts["bash"], "co"))
    assert {"path", "show", "set", "unset"} <= set(bash_complete(scripts["bash"], "config", ""))
    keys = set(bash_complete(scripts["bash"], "config", "set", ""))
    assert set(config_keys()) <= keys and "path" not in keys
    assert bash_complete(scripts["bash"], "--json", "log", "--ma") == ["--markdown"]
    assert bash_complete(scripts["bash"], "completion", "") and set(bash_complete(scripts["bash"], "completion", "z")) == {"zsh"}
    assert bash_complete(scripts["bash"], "--lang", "") == []  # a value, not a flag


def test_bash_completes_files_where_a_file_goes(scripts, tmp_path):
    (tmp_path / "turn.sse").write_text("")
    assert "turn.sse" in bash_complete(scripts["bash"], "replay", "tu", cwd=tmp_path)
    assert "turn.sse" in bash_complete(scripts["bash"], "--record", "tu", cwd=tmp_path)
    assert "turn.sse" not in bash_complete(scripts["bash"], "credits", "tu", cwd=tmp_path)


def test_bash_follows_nested_commands(scripts):
    globals_, commands = describe(build_parser())
    nested = [c for c in commands if " " in c.name]
    if not nested:
        pytest.skip("no command has commands of its own")
    parent, child = nested[0].name.split(" ")
    assert child in bash_complete(scripts["bash"], parent, "")
    own = [f for o in nested[0].options for f in o.flags if f.startswith("--")]
    if own:
        assert own[0] in bash_complete(scripts["bash"], parent, child, own[0][:4])


@pytest.mark.skipif(shutil.which("zsh") is None, reason="zsh is not installed")
def test_zsh_syntax_and_registration(scripts):
    subprocess.run(["zsh", "-n", str(scripts["zsh"])], check=True)
    code = f'autoload -U compinit; compinit -u -D; source "{scripts["zsh"]}"; print -r -- $_comps[nemochat]'
    done = subprocess.run(["zsh", "-f", "-c", code], capture_output=True, text=True, timeout=30)
    assert done.stdout.strip() == "_nemochat", done.stderr


@pytest.mark.skipif(shutil.which("fish") is None, reason="fish is not installed")
def test_fish_syntax_and_words(scripts):
    subprocess.run(["fish", "--no-execute", str(scripts["fish"])], check=True)

    def offered(line):
        done = subprocess.run(["fish", "--no-config", "-c", f'source "{scripts["fish"]}"; complete -C "{line}"'], capture_output=True, text=True, timeout=30)
        assert done.returncode == 0, done.stderr
        return {row.split("\t")[0] for row in done.stdout.splitlines()}

    assert {"config", "log", "sessions"} <= offered("nemochat ")
    assert {"path", "show", "set", "unset"} <= offered("nemochat config ")
    assert "sora_interval" in offered("nemochat config set ")
    assert "--markdown" in offered("nemochat log --")
    assert "--record" in offered("nemochat --")


def test_bash_completes_an_options_values(scripts, tmp_path):
    (tmp_path / "high.txt").write_text("")
    assert bash_complete(scripts["bash"], "export", "--quality", "", cwd=tmp_path) == ["low", "medium", "high"]
    assert bash_complete(scripts["bash"], "sora", "submit", "--mode", "i") == ["imageToVideo"]
    assert bash_complete(scripts["bash"], "--json", "veo", "submit", "--resolution", "") == ["720p", "1080p", "4k"]
    assert bash_complete(scripts["bash"], "jobs", "--kind", "v") == ["veo3.1"]


@pytest.mark.skipif(shutil.which("fish") is None, reason="fish is not installed")
def test_fish_offers_values_not_files_for_a_valued_option(scripts, tmp_path):
    (tmp_path / "clip.mp4").write_text("")

    def offered(line):
        done = subprocess.run(["fish", "--no-config", "-c", f'source "{scripts["fish"]}"; complete -C "{line}"'],
                              capture_output=True, text=True, timeout=30, cwd=tmp_path)
        assert done.returncode == 0, done.stderr
        return {row.split("\t")[0] for row in done.stdout.splitlines()}

    assert offered("nemochat export --quality ") == {"low", "medium", "high"}
    assert offered("nemochat sora submit --aspect-ratio ") == {"portrait", "landscape"}
    assert "clip.mp4" not in offered("nemochat sora submit --prompt ")
    assert "clip.mp4" in offered("nemochat export -o ")
    assert "-x" in scripts["fish"].read_text().split("-l quality", 1)[1].split("\n")[0]
