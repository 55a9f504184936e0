"""GUI translation: the agent's "click/open/drag" talk becomes what a terminal user can do."""

import pytest

from nemochat.core.gui import GuiAction, Translation, gui_actions, translate_gui

def kinds(translation: Translation) -> list[str]:
    return [action.kind for action in translation.actions]


@pytest.mark.parametrize(
    ("backend", "expected", "action_kinds"),
    [
        # export
        ("Click the Export button to download it.", "Export it (/export) to download it.", ["export"]),
        ("Then click Export.", "Then export it (/export).", ["export"]),
        ("Click **Export** in the top-right corner.", "Export it (/export).", ["export"]),
        ("Hit the Download button.", "Export it (/export).", ["export"]),
        ("The Export button is at the top.", "The /export command is at the top.", ["export"]),
        ("Use the export button to save it.", "Use the /export command to save it.", ["export"]),
        ("点击导出按钮即可下载视频。", "导出（/export）即可下载视频。", ["export"]),
        ("点击右上角的导出按钮", "导出（/export）", ["export"]),
        ("完成后点击「导出」。", "完成后导出（/export）。", ["export"]),
        ("使用导出按钮保存。", "使用导出（/export）保存。", ["export"]),
        # the timeline preview
        ("Preview it in the timeline.", "Check the track summary (/status).", ["status"]),
        ("You can see the changes in the timeline.", "You can check the track summary (/status).", ["status"]),
        ("请在时间线上预览效果。", "请查看轨道摘要（/status）。", ["status"]),
        # panels
        ("Open the media panel to see your clips.", "Check /status to see your clips.", ["status"]),
        ("open the Effects tab", "check /status", ["status"]),
        ("打开媒体面板查看素材。", "用 /status 查看素材。", ["status"]),
        # drag and drop
        ("Drag the clip onto the timeline.", "Tell me what to move and I'll do it.", ["edit"]),
        ("You can drag and drop the music to the audio track.", "You can tell me what to move and I'll do it.", ["edit"]),
        ("将片段拖拽到时间线上。", "告诉我要移动什么，我来操作。", ["edit"]),
        ("你可以拖动字幕调整位置", "你可以告诉我要移动什么，我来操作", ["edit"]),
        # other buttons: a request to the agent, no action
        ("Click the Generate button to start.", "Ask me to generate to start.", []),
        ('Click "Apply Filter" to confirm.', "Ask me to apply filter to confirm.", []),
        ("click the add music button", "ask me to add music", []),
        ("Click Export Settings", "Ask me to export settings", []),
        ("点击「生成」按钮", "让我来生成", []),
        # buttons that are really the status action
        ("点击预览按钮", "查看轨道摘要（/status）", ["status"]),
        ("Click the Preview button.", "Check the track summary (/status).", ["status"]),
    ],
)
def test_gui_phrases_are_translated(backend, expected, action_kinds):
    translation = translate_gui(backend)
    assert translation.text == expected
    assert kinds(translation) == action_kinds
    assert gui_actions(backend) == translation.actions  # what the turn offers is what the translation found


def test_the_protocol_example_reads_naturally():
    translation = translate_gui("Preview it in the timeline, then click the Export button to download it.")
    assert translation.text == "Check the track summary (/status), then export it (/export) to download it."
    assert translation.actions == (
        GuiAction("status", "/status", "Preview it in the timeline"),
        GuiAction("export", "/export", "click the Export button"),
    )


def test_actions_are_deduplicated_in_order_of_appearance():
    text = "Drag the clip onto the timeline, open the media panel, then click Export. Or click the Export button."
    translation = translate_gui(text)
    assert kinds(translation) == ["edit", "status", "export"]
    assert gui_actions(text) == translation.actions
    assert translation.text == (
        "Tell me what to move and I'll do it, check /status, then export it (/export). Or export it (/export)."
    )


def test_mixed_languages_in_one_text():
    translation = translate_gui("点击导出按钮。Or preview it in the timeline.")
    assert translation.text == "导出（/export）。Or check the track summary (/status)."
    assert kinds(translation) == ["export", "status"]


def test_markdown_around_the_phrases_is_kept():
    text = "**Next steps:**\n1. Preview it in the timeline\n2. Click the **Export** button\n\n> Enjoy!"
    assert translate_gui(text).text == (
        "**Next steps:**\n1. Check the track summary (/status)\n2. Export it (/export)\n\n> Enjoy!"
    )


@pytest.mark.parametrize(
    "text",
    [
        "Add a click track at 120 bpm.",
        "A slow camera pan across the timeline of history.",
        "I added the title to the timeline.",
        "The video has been exported.",
        "视频已导出，时间线上有三条轨道。",
        "状态很好的猫在跳舞",
        "Click here to learn more.",
        "Click the button below.",
        "The beat drop hits at 0:30.",
        "She opens the window and looks outside.",
        "",
    ],
)
def test_text_without_gui_instructions_is_untouched(text):
    assert translate_gui(text) == Translation(text, ())
    assert gui_actions(text) == ()


@pytest.mark.parametrize(
    "text",
    [
        "Preview it in the timeline, then click the Export button to download it.",
        "Click the Generate button, open the media panel and drag the clip onto the timeline.",
        "请在时间线上预览效果，然后点击导出按钮。将片段拖拽到时间线上，打开媒体面板查看。点击「生成」按钮",
    ],
)
def test_translation_is_idempotent(text):
    once = translate_gui(text)
    twice = translate_gui(once.text)
    assert once.text != text
    assert twice == Translation(once.text, ())


def test_the_quick_look_changes_nothing():
    """translate_gui compiles only the rules whose words are in the text (for
    speed): on any text it must give what all the rules together give."""
    import random
    import re

    from nemochat.core import gui

    everything = re.compile("|".join(f"(?P<{name}>{pattern})" for name, pattern in gui._RULES))

    def reference(text: str) -> gui.Translation:
        actions: list[GuiAction] = []

        def rewrite(match: re.Match[str]) -> str:
            kind, replacement = gui._translate(match)
            if kind is not None and all(a.kind != kind for a in actions):
                actions.append(GuiAction(kind, gui._COMMANDS[kind], match.group()))
            return gui._match_case(match.group(), replacement)

        return gui.Translation(everything.sub(rewrite, text), tuple(actions))

    words = (
        "click tap press hit the The THE Export button icon option timeline player preview open Open drag it onto into "
        "panel tab sidebar library media window up your see watch in on review check Download \"Export\" **Export** "
        "at top right corner of screen video clip HIT OPEN Drag clıck preſs timelıne 点击 导出 按钮 下载 时间线 预览 打开 面板 拖动 字幕 「导出」 将字幕"
    ).split()
    rng = random.Random(7)
    for _ in range(5_000):
        text = "".join(rng.choice(words) + rng.choice([" ", "  ", "\n", "\n\n", "", ", ", "。", "\t"]) for _ in range(rng.randint(1, 10)))
        assert translate_gui(text) == reference(text), text
