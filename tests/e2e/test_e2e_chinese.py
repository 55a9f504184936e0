"""A Chinese session: under --lang zh, a typical flow
(greeting, a turn, the export offer, the export's notice, /jobs, Ctrl-C)
shows no English of nemochat's own. What may stay Latin: command names,
ids, file names, product names and what the (simulated) agent writes."""

from __future__ import annotations

import re

import pytest
from prompt_toolkit.utils import get_cwidth

pytestmark = pytest.mark.timeout(120)

# Latin words nemochat may show in Chinese: names, commands, keys, units, the agent's own text.
ALLOWED = re.compile(
    r"https?://\S+|URL|task_\w+|submit|status|sora2|portrait|landscape|(/[^\s/]+){2,}|\S+\.mp4|fps|h264|Lo-fi|"
    r"NemoVideo|NanoPhoto|Sora|Veo|nemochat|demo|Enter|Alt|Ctrl|MP4|mp4|Tab|ID|"
    r"/[a-z]+|--[a-z-]+|cancel N|\b[a-z]+\b\s*(?=\[)|#\d+|\d+(\.\d+)?\s*(s|MB|KB|%)?|[0-9a-f]{4,}|Y/n|y/N"
)


def english_words(line: str) -> list[str]:
    return re.findall(r"[A-Za-z]{3,}", ALLOWED.sub(" ", line))


def idle(term) -> None:
    """Like Term.wait_idle_prompt, in Chinese: /help jobs answers after everything queued."""
    seen = term.count("及其进度")
    term.line("/help jobs")
    term.until(lambda: term.count("及其进度") > seen)


def nemochat_lines(term) -> list[str]:
    """The screen's lines less the (simulated, English) agent's answers and the user's own lines."""
    out, in_answer, lines, wrapped = [], False, [], False
    for line in term.lines():  # a line wrapped at the edge, joined back (the words cut in two)
        if wrapped:
            lines[-1] += line
        else:
            lines.append(line)
        wrapped = get_cwidth(line) >= term.columns - 1
    for line in lines:
        in_answer = in_answer or line.startswith(("Here's your", "All set"))
        if not line.strip():
            in_answer = False
        if not in_answer and not line.startswith("›") and "▀" not in line:  # (nor the preview's picture)
            out.append(line)
    return out


def test_a_chinese_session_shows_no_english_of_its_own(spawn, sim):
    term = spawn("--api-base", sim.base_url, "--lang", "zh")
    term.expect(r"已就绪")
    idle(term)
    term.line("生成一段10秒的雨夜东京视频")
    term.expect(r"现在导出视频吗")
    term.line("y")  # the export offer, taken
    term.expect(r"任务 #1")
    term.line("/jobs")
    term.until(lambda: "#1 导出 ·" in term.text())
    term.until(lambda: "导出完成" in term.text())  # the job's notice, with the file's path
    term.line("/preview 1 2")  # a usage error, and its advice
    term.until(lambda: "带空格的路径请加引号" in term.text())
    term.type("\x03")  # Ctrl-C at an idle prompt: the toolbar's hint
    term.until(lambda: any("会话" in line and "积分" in line and "Ctrl-D" in line for line in term.screen.display))
    idle(term)
    assert "是" in term.text()  # the offer's answer, echoed
    english = {line: english_words(line) for line in nemochat_lines(term) if english_words(line)}
    assert english == {}, "\n".join(f"{words}: {line}" for line, words in english.items())


def test_sora_in_a_chinese_chat_asks_and_reports_in_chinese(spawn, sim):
    env = {"NANOPHOTO_API_URL": sim.base_url, "NANOPHOTO_API_KEY": "sk-test"}
    term = spawn("--api-base", sim.base_url, "--lang", "zh", env=env)
    term.expect(r"已就绪")
    term.line("/sora submit --bogus")  # argparse's complaint, in Chinese
    term.until(lambda: "无法识别的参数:--bogus" in term.text())
    term.line('/sora submit --prompt "冲浪的猫" --initial-status-delay 0 --status-check-interval 0.2')
    term.until(lambda: "提交吗? [y/N]" in term.text())
    term.line("y")
    term.until(lambda: "视频已就绪" in term.text())
    idle(term)
    english = {line: english_words(line) for line in nemochat_lines(term) if english_words(line)}
    assert english == {}, "\n".join(f"{words}: {line}" for line, words in english.items())
