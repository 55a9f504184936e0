"""One-shot commands under --lang zh: what nemochat itself
prints (the session line, the turn's notices, `log --markdown`, `jobs`,
`sessions`, an error, argparse's complaint) has no English sentence. The
simulated agent answers in English: its words are the server's, not ours."""

from __future__ import annotations

import re

# Latin that stays in Chinese: names, commands, flags, ids, paths, units, values one types.
_VERBATIM = re.compile(
    r"'[^']*'|\{[^}]*\}|https?://\S+|\S*[/.~]\S*\w|\b\w*\d\w*\b|\b\w+(?:[-_]\w+)+\b|\b[A-Z][A-Z0-9_]+\b|--?[a-z][\w-]*|`[^`]*`"
    r"|\b(?:NemoVideo|NanoPhoto|Sora|Veo|nemochat|demo|ask|status|export|sessions|jobs|log|render|completed|Ctrl|COMMAND)\b"
)


def english(text: str) -> list[str]:
    return re.findall(r"[A-Za-z]{3,}", _VERBATIM.sub(" ", text))


def test_one_shot_commands_speak_chinese(nemochat, tmp_path):
    zh = ("--demo", "--lang", "zh")
    asked = nemochat(*zh, "ask", "make a 10 second video of a rainy street")
    assert asked.returncode == 0, asked.stderr
    assert english(asked.stderr) == [], asked.stderr  # the session line, the tool lines, the notices (the answer is on stdout)
    log = nemochat(*zh, "log", "--markdown")
    assert log.returncode == 0 and "- **会话:**" in log.stdout and "## 1. 你 ·" in log.stdout
    assert "Session" not in log.stdout and "You" not in log.stdout
    sessions = nemochat(*zh, "sessions")
    assert sessions.returncode == 0 and " · 演示" in sessions.stdout and "· demo" not in sessions.stdout
    (tmp_path / "a-file").write_text("")
    exported = nemochat(*zh, "export", "-o", str(tmp_path / "a-file" / "clip.mp4"))  # a place no file can go
    assert exported.returncode == 2 and "是文件,不是文件夹;请用 -o 路径 换一个位置" in exported.stderr, exported.stderr
    assert english(exported.stderr) == [], exported.stderr
    jobs = nemochat(*zh, "jobs")
    assert jobs.returncode == 0
    usage = nemochat(*zh, "jobs", "--kind", "nope")
    assert usage.returncode == 2 and "错误:参数 --kind 的值 'nope' 无效" in usage.stderr and english(usage.stderr) == [], usage.stderr


def test_an_error_and_its_advice_in_chinese_and_in_english(nemochat):
    zh = nemochat("--lang", "zh", "open")
    en = nemochat("--lang", "en", "open")
    assert zh.returncode == en.returncode == 2
    assert zh.stderr == "✗ 还没有导出过视频。\n  请先导出:nemochat export(聊天中用 /export)。\n"
    assert en.stderr == "✗ Nothing exported yet.\n  Export first: nemochat export (or /export in the chat).\n"
    as_json = nemochat("--lang", "zh", "--json", "open")  # --json stays English: scripts read it
    assert '"message": "Nothing exported yet."' in as_json.stdout
