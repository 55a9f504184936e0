"""One-shot output in one-shot words: to a file or a pipe
a paragraph is one line, whatever COLUMNS says (only a terminal wraps), and
the agent's "click Export" becomes `nemochat export`, never the REPL's
/export, in the text, in the hints and in --json."""

from __future__ import annotations

import json

from nemochat.core.gui import translate_gui

FINAL = ("All set: I added a Lo-fi soundtrack at 35% volume and an “Urban Dreams” title for the first 3 seconds. "
         "Check the track summary (`nemochat status`), then export it (`nemochat export`) to download it.")


def test_ask_to_a_file_keeps_each_paragraph_on_one_line(nemochat, sim, world):
    result = nemochat("ask", "make a 10s rainy Tokyo clip", "--api-base", sim.base_url, env={"COLUMNS": "50"})
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].startswith("Here's your 10-second clip of rainy Tokyo") and lines[0].endswith("a title.")
    assert FINAL in lines and max(map(len, lines)) > 50
    assert "/export" not in result.stdout + result.stderr and "/status" not in result.stdout + result.stderr
    assert "run nemochat export" in result.stderr


def test_json_text_speaks_one_shot_words(nemochat, sim, world):
    result = nemochat("--json", "ask", "make a 10s rainy Tokyo clip", "--api-base", sim.base_url)
    texts = [line["text"] for line in map(json.loads, result.stdout.splitlines()) if line["type"] == "text"]
    assert texts[-1] == FINAL


def test_one_shot_translation_names_the_commands():
    assert translate_gui("Click the Export button.", one_shot=True).text == "Export it (`nemochat export`)."
    assert translate_gui("Click the Export button.").text == "Export it (/export)."
    assert translate_gui("在时间线上预览", one_shot=True).text == "查看轨道摘要（`nemochat status`）"
    assert translate_gui("Open the media panel", one_shot=True).text == "Check `nemochat status`"


def test_a_silent_turn_says_what_changed_plainly(nemochat, sim, world):
    result = nemochat("ask", 'add the title "Neon"', "--api-base", sim.base_url)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[:2] == ["The agent made these changes without replying:", "  • added a text track: 'Neon' 0-3 s"]
    assert "New session " in result.stderr
    shown = result.stderr.split("New session ")[1].split()[0]
    assert len(shown) == 8 and shown.isalnum(), "one short id form (8 characters), not cut mid-id"


def test_one_shot_commands_in_chinese(nemochat, sim, world, tmp_path):
    zh = {"NEMO_LANG": "zh", "NEMOCHAT_EXPORT_FIRST_POLL": "0.01", "NEMOCHAT_OUTPUT_DIR": str(tmp_path)}
    assert nemochat("credits", "--api-base", sim.base_url, env=zh).stdout == "积分:可用 100 · 冻结 0 · 总计 100\n"
    made = nemochat("ask", "make a 10s rainy Tokyo clip", "--api-base", sim.base_url, env=zh)
    assert "新会话 " in made.stderr and "✓ 正在生成视频" in made.stderr and "→ 要导出视频,请运行 nemochat export。" in made.stderr
    exported = nemochat("export", "--api-base", sim.base_url, env=zh)
    assert exported.returncode == 0, exported.stderr
    assert exported.stdout == f"✓ 已保存 {tmp_path / 'rainy-Tokyo'}-{exported.stdout.strip()[-12:-4]}.mp4\n"
    assert "下载: " in exported.stderr and "播放:nemochat open" in exported.stderr


def test_the_demos_hints_name_the_demo(nemochat, tmp_path):
    """A plain `nemochat status` asks the real backend, not the demo's world:
    a --demo one-shot's hints (and the agent's text) say `nemochat --demo status`."""
    made = nemochat("--demo", "ask", "make a 10s rainy Tokyo clip")
    assert made.returncode == 0, made.stderr
    assert "(`nemochat --demo status`)" in made.stdout and "(`nemochat --demo export`)" in made.stdout
    assert "→ To export the video, run nemochat --demo export." in made.stderr
    assert "`nemochat status`" not in made.stdout + made.stderr
    plain = translate_gui("Click the Export button.", one_shot=True).text
    assert plain == "Export it (`nemochat export`).", "the demo's words stay with the demo's command"


def test_log_and_the_resume_recap_in_chinese(nemochat, sim, world):
    """`nemochat log` and the recap of a resumed session were English whatever --lang said."""
    zh = {"NEMO_LANG": "zh"}
    made = nemochat("ask", "make a 10s rainy Tokyo clip", "--api-base", sim.base_url, env=zh)
    assert made.returncode == 0, made.stderr
    log = nemochat("log", "--api-base", sim.base_url, env=zh).stdout
    assert "开始于 " in log and "1 轮" in log and "] 你:make a 10s rainy Tokyo clip" in log
    assert "  智能体:Here's your 10-second clip" in log and "  · 正在生成视频" in log
    assert "you:" not in log and "agent:" not in log and "started " not in log
    assert "] you: make a 10s rainy Tokyo clip" in nemochat("log", "--api-base", sim.base_url).stdout
    sid = log.split("会话 ")[1].split()[0]
    resumed = nemochat("--session", sid, "status", "--api-base", sim.base_url, env=zh)
    assert "这个会话之前的内容:" in resumed.stderr + resumed.stdout and "  你:make a 10s" in resumed.stderr + resumed.stdout
