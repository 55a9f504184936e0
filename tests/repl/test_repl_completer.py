"""Tab completion: commands, their words, paths for /upload, session ids."""

from __future__ import annotations

from prompt_toolkit.completion import CompleteEvent
from prompt_toolkit.document import Document

from nemochat.repl.commands import default_registry
from nemochat.repl.completer import ReplCompleter
from nemochat.repl.sessions import KnownSession


def complete(completer: ReplCompleter, text: str) -> list:
    return list(completer.get_completions(Document(text, len(text)), CompleteEvent(completion_requested=True)))


def applied(text: str, completion) -> str:
    return text[: len(text) + completion.start_position] + completion.text


SESSIONS = [KnownSession("abc123-session", "Rainy Tokyo", 1_700_000_000), KnownSession("abd999-session", None, 0)]


def make() -> ReplCompleter:
    return ReplCompleter(default_registry(), lambda: SESSIONS)


def test_slash_ex_completes_to_export():
    (only,) = complete(make(), "/ex")
    assert applied("/ex", only) == "/export "
    assert "download" in only.display_meta_text


def test_a_bare_slash_offers_every_command_with_its_help():
    found = complete(make(), "/")
    assert len(found) == len(default_registry())
    assert all(c.display_meta_text for c in found)


def test_chat_text_is_never_completed():
    assert complete(make(), "make a video of /ex") == []
    assert complete(make(), "hello") == []
    assert complete(make(), "/ex\nmore") == []


def test_session_ids_and_the_word_new():
    found = complete(make(), "/session ab")
    assert [c.text for c in found] == ["abc123-session", "abd999-session"]
    assert "Rainy Tokyo" in found[0].display_meta_text
    assert [c.text for c in complete(make(), "/session n")] == ["new"]
    assert [applied("/session abc", c) for c in complete(make(), "/session abc")] == ["/session abc123-session"]


def test_a_broken_session_store_does_not_break_typing():
    def boom():
        raise RuntimeError("db locked")

    assert [c.text for c in complete(ReplCompleter(default_registry(), boom), "/session ")] == ["new"]


def test_upload_completes_media_files_and_folders(tmp_path, monkeypatch):
    (tmp_path / "clip one.mp4").write_bytes(b"x")
    (tmp_path / "notes.txt").write_text("x")
    (tmp_path / "shots").mkdir()
    monkeypatch.chdir(tmp_path)
    names = sorted(applied("/upload ", c) for c in complete(make(), "/upload "))
    assert names == ["/upload clip\\ one.mp4", "/upload shots/"]  # a folder with its "/": the next Tab goes in
    # an escaped space already typed still completes
    assert [applied("/upload clip\\ o", c) for c in complete(make(), "/upload clip\\ o")] == ["/upload clip\\ one.mp4"]
    # the second argument completes too
    assert [applied("/upload a.png sh", c) for c in complete(make(), "/upload a.png sh")] == ["/upload a.png shots/"]


def test_export_completes_any_path(tmp_path, monkeypatch):
    (tmp_path / "notes.txt").write_text("x")
    monkeypatch.chdir(tmp_path)
    assert [c.text for c in complete(make(), "/export no")] == ["tes.txt"]


def test_help_completes_command_names():
    assert [c.text for c in complete(make(), "/help up")] == ["upload"]


def test_provider_commands_complete_their_action():
    assert [c.text for c in complete(make(), "/sora s")] == ["submit", "status"]
    assert [c.text for c in complete(make(), "/veo st")] == ["status"]
    assert [c.text for c in complete(make(), "/sora submit --pro")] == ["--prompt "]
    assert [c.text for c in complete(make(), "/sora submit --model-tier sora2-")] == ["sora2-pro-standard", "sora2-pro-high"]
    assert complete(make(), "/veo submit --prompt ") == []  # the user's own words
    flags = [c.text for c in complete(make(), "/veo submit --prompt x --")]
    assert "--aspect-ratio " in flags and "--prompt " not in flags and "--demo " not in flags
