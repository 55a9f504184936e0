"""Routing what the user typed: short commands are intents, everything else goes to the agent."""

import pytest

from nemochat.core.router import Intent, route_intent

# The files that "exist" in these tests; `is_file` is injected, so no disk is touched.
EXISTING_FILES = {
    "/home/me/clip.mp4",
    "/home/me/My Video.mp4",
    "/home/me/photo.png",
    "~/Movies/cat.mov",
    "./intro.mp4",
    "notes.txt",
    "C:\\Users\\me\\clip.mp4",
    "C:\\Users\\me\\My Video.mp4",
    "hello",  # a file named like a word must not swallow the word "hello"
}


def route(text: str) -> Intent:
    return route_intent(text, is_file=EXISTING_FILES.__contains__)


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        # credits
        ("credits", "credits"),
        ("Credits?", "credits"),
        ("  my credits please  ", "credits"),
        ("balance", "credits"),
        ("what's my balance?", "credits"),
        ("how many credits do I have", "credits"),
        ("How many credits do I have left?", "credits"),
        ("can you show me my credit balance", "credits"),
        ("remaining credits", "credits"),
        ("积分", "credits"),
        ("积分？", "credits"),
        ("余额", "credits"),
        ("剩余积分", "credits"),
        ("我还有多少积分", "credits"),
        ("帮我查一下积分", "credits"),
        ("请问我的余额是多少？", "credits"),
        ("还有积分吗", "credits"),
        # status
        ("status", "status"),
        ("STATUS!", "status"),
        ("what's the status?", "status"),
        ("show tracks", "status"),
        ("show me the tracks", "status"),
        ("show the timeline", "status"),
        ("show timeline", "status"),
        ("what's in my project?", "status"),
        ("project status", "status"),
        ("status of the project", "status"),
        ("状态", "status"),
        ("查看状态", "status"),
        ("显示轨道", "status"),
        ("时间线上有什么？", "status"),
        ("项目里有什么", "status"),
        # export
        ("export", "export"),
        ("Export!", "export"),
        ("download", "export"),
        ("download it", "export"),
        ("export the video", "export"),
        ("please export it", "export"),
        ("can you download the final video?", "export"),
        ("send me the video", "export"),
        ("export as mp4", "export"),
        ("export to mp4", "export"),
        ("导出为MP4", "export"),
        ("导出", "export"),
        ("导出视频", "export"),
        ("帮我导出一下", "export"),
        ("请把视频导出", "export"),
        ("把视频发给我", "export"),
        ("下载", "export"),
        # upload
        ("upload", "upload"),
        ("Upload my video", "upload"),
        ("上传", "upload"),
        ("请上传", "upload"),
        ("上传这个视频", "upload"),
    ],
)
def test_short_commands_route_to_their_intent(text, kind):
    intent = route(text)
    assert intent.kind == kind
    assert intent.text == text.strip()


@pytest.mark.parametrize(
    "text",
    [
        # creative requests that merely contain a command word
        "make a video and export it in 4k",
        "add lo-fi music",
        "generate a clip about my credit card",
        "download speed in the scene should look fast",
        "balance the audio levels",
        "show a status bar on a phone screen",
        "a slow camera pan across the timeline of history",
        "export it in 4k",
        "upload a photo of the beach at dusk",
        "uploaded files look great",
        "how many credits does a 10 second video cost?",
        "what can you do?",
        "hello",  # even though a file called "hello" exists
        "make it 1/2 speed",
        "状态很好的猫",
        "生成一个关于积分的视频",
        "下载速度很快的画面",
        "导出按钮在哪里",
        "上传视频到抖音",
        "积分有什么用",
        # plain conversation and edge cases
        "Generate a 10-second video of a rainy Tokyo street at night",
        "",
        "   ",
        "?",
    ],
)
def test_everything_else_is_a_message_for_the_agent(text):
    assert route(text) == Intent("message", text.strip())


@pytest.mark.parametrize(
    ("text", "paths"),
    [
        ("upload /home/me/clip.mp4", ("/home/me/clip.mp4",)),
        ("upload ~/Movies/cat.mov https://example.com/b.png", ("~/Movies/cat.mov", "https://example.com/b.png")),
        ("Upload: '/home/me/My Video.mp4'", ("/home/me/My Video.mp4",)),
        ("please upload these files: a.mp4 b.png", ("a.mp4", "b.png")),
        ("upload /not/there.mp4", ("/not/there.mp4",)),  # the upload flow reports it missing
        ("upload file:///home/me/My%20Video.mp4", ("/home/me/My Video.mp4",)),
        ("上传 /home/me/clip.mp4", ("/home/me/clip.mp4",)),
        ("上传：https://example.com/a.mp4", ("https://example.com/a.mp4",)),
        ("upload", ()),
    ],
)
def test_upload_command_takes_paths_and_urls(text, paths):
    assert route(text) == Intent("upload", text, paths=paths)


@pytest.mark.parametrize(
    ("text", "paths"),
    [
        # what terminals paste when files are dropped on them
        ("/home/me/clip.mp4", ("/home/me/clip.mp4",)),
        ("/home/me/clip.mp4 ", ("/home/me/clip.mp4",)),
        ("'/home/me/My Video.mp4' ", ("/home/me/My Video.mp4",)),
        ('"/home/me/My Video.mp4"', ("/home/me/My Video.mp4",)),
        ("/home/me/My\\ Video.mp4", ("/home/me/My Video.mp4",)),
        ("/home/me/My Video.mp4", ("/home/me/My Video.mp4",)),  # pasted raw, spaces and all
        ("'/home/me/clip.mp4' '/home/me/photo.png'", ("/home/me/clip.mp4", "/home/me/photo.png")),
        ("file:///home/me/clip.mp4", ("/home/me/clip.mp4",)),
        ("file://localhost/home/me/My%20Video.mp4", ("/home/me/My Video.mp4",)),
        ("~/Movies/cat.mov", ("~/Movies/cat.mov",)),  # is_file gets it as typed and expands ~ itself
        ("./intro.mp4", ("./intro.mp4",)),
        ("notes.txt", ("notes.txt",)),
        ("C:\\Users\\me\\clip.mp4", ("C:\\Users\\me\\clip.mp4",)),
        ('"C:\\Users\\me\\My Video.mp4"', ("C:\\Users\\me\\My Video.mp4",)),
    ],
)
def test_dropped_existing_files_are_an_upload(text, paths):
    assert route(text) == Intent("upload", text.strip(), paths=paths)


@pytest.mark.parametrize(
    "text",
    [
        "/home/me/missing.mp4",  # not an existing file
        "/home/me/clip.mp4 and make it pop",  # a file plus words
        "'/home/me/clip.mp4",  # unbalanced quote
        "file://server/share/clip.mp4",  # a remote file URL
    ],
)
def test_paths_that_are_not_dropped_files_are_messages(text):
    assert route(text).kind == "message"


@pytest.mark.parametrize(
    ("text", "output"),
    [
        ("export to ~/a.mp4", "~/a.mp4"),
        ("Export the video to /tmp/out.mp4", "/tmp/out.mp4"),
        ("please download it as ./final.mp4", "./final.mp4"),
        ("export to '~/My Movies/a.mp4'", "~/My Movies/a.mp4"),
        ("export to ~/My Movies/a.mp4", "~/My Movies/a.mp4"),
        ("save to clip.mp4", "clip.mp4"),
        ("export the video to /tmp/x.mp4 please", "/tmp/x.mp4"),
        ("export to a.mp4, thanks!", "a.mp4"),
        ("导出到 ~/a.mp4", "~/a.mp4"),
        ("帮我把视频导出到 /tmp/猫.mp4", "/tmp/猫.mp4"),
    ],
)
def test_export_to_a_path(text, output):
    assert route(text) == Intent("export", text, output=output)


def test_a_plain_export_has_no_output():
    assert route("export").output is None


def test_a_failing_is_file_check_counts_as_no_file():
    def explode(path: str) -> bool:
        raise ValueError("embedded null byte")

    assert route_intent("/tmp/a\x00.mp4", is_file=explode).kind == "message"


def test_is_file_receives_the_unescaped_path():
    seen: list[str] = []

    def record(path: str) -> bool:
        seen.append(path)
        return True

    route_intent("~/My\\ Clips/a\\ b.mp4", is_file=record)
    assert "~/My Clips/a b.mp4" in seen
