"""/run_sse: every script, in ADK and typed shapes, and ADK's pre-stream errors."""

from __future__ import annotations

import pytest
from sim_helpers import Account, Backend, calls, responses, texts


def test_generate_streams_partials_then_a_final_repeating_the_text(backend: Backend, account: Account):
    events = backend.events(account, "make a 10s rainy Tokyo clip")
    finals_with_text = [e for e in events if e.get("partial") is False and texts([e])]
    assert len(finals_with_text) == 2  # one per LLM call that talks
    pieces: list[str] = []
    for event in events:
        if event.get("partial") is True:
            pieces += texts([event])
        elif texts([event]):
            assert "".join(pieces) == texts([event])[0]
            pieces = []
    assert texts(finals_with_text)[0].startswith("Here's your 10-second clip of rainy Tokyo")
    assert "click the Export button" in texts(finals_with_text)[1]


def test_generate_runs_the_two_stage_tool_loop(backend: Backend, account: Account):
    events = backend.events(account, "generate a video of a lone astronaut")
    assert calls(events) == ["generate_video_with_seedance", "generate_music", "edit_multitrack"]
    assert responses(events) == calls(events)
    video_call = next(p["functionCall"] for e in events for p in e.get("content", {}).get("parts", [])
                      if "functionCall" in p)
    assert video_call["args"] == {"prompt": "generate a video of a lone astronaut", "duration": 10}
    video_result = next(p["functionResponse"] for e in events for p in e.get("content", {}).get("parts", [])
                        if "functionResponse" in p)
    assert video_result["id"] == video_call["id"]
    assert video_result["response"]["video_url"].endswith("/cdn/media/clip.mp4")


def test_adk_event_ids(backend: Backend, account: Account):
    events = backend.events(account, "make a 10s rainy Tokyo clip")
    assert {e["invocationId"] for e in events} == {events[0]["invocationId"]}
    assert {e["author"] for e in events} == {"nemo_agent"}
    ids = [e["id"] for e in events]
    repeated = {i for i in ids if ids.count(i) > 1}
    assert len(repeated) == 1  # only the artifact event comes twice


def test_artifact_event_is_sent_twice_with_the_same_id(backend: Backend, account: Account):
    events = backend.events(account, "make a 10s rainy Tokyo clip")
    ids = [e["id"] for e in events]
    first = next(i for i, e in enumerate(events) if ids.count(e["id"]) == 2)
    content_event, delta_event = events[first], events[first + 1]
    assert content_event["id"] == delta_event["id"]
    assert content_event["actions"]["artifactDelta"] == {}
    assert "functionResponse" in content_event["content"]["parts"][0]
    assert "content" not in delta_event
    [(name, version)] = delta_event["actions"]["artifactDelta"].items()
    assert name.endswith(".mp4") and version == 0


def test_tools_send_heartbeat_comments_while_they_run(backend: Backend, account: Account):
    body = backend.raw(account, "make a 10s rainy Tokyo clip")
    assert body.count(": ping\n\n") == 3
    assert body.index("functionCall") < body.index(": ping") < body.index("functionResponse")


def test_generate_updates_the_draft(backend: Backend, account: Account):
    backend.events(account, "make a 15s city timelapse video")
    state = backend.state(account)
    draft = state["draft"]
    assert [t["tt"] for t in draft["t"]] == [0, 1, 7]
    video, bgm, title = (t["sg"][0] for t in draft["t"])
    assert (video["st"], video["et"], video["n"]) == (0, 15000, "city timelapse")
    assert (bgm["n"], bgm["vl"], bgm["et"]) == ("Lo-fi", 35, 15000)
    assert (title["tx"], title["st"], title["et"]) == ("Urban Dreams", 0, 3000)
    assert draft["d"] == 15000
    assert state["generated_media"][0]["url"].endswith("/cdn/media/clip.mp4")


@pytest.mark.parametrize("text, seconds", [("make a 5s clip", 5), ("create a 15 second video", 15),
                                           ("generate a video", 10)])
def test_generate_respects_the_requested_duration(backend: Backend, account: Account, text, seconds):
    events = backend.events(account, text)
    assert f"{seconds}-second" in texts(events, partial=False)[0]
    assert backend.state(account)["draft"]["t"][0]["sg"][0]["et"] == seconds * 1000


def test_generate_costs_credits(backend: Backend, account: Account):
    backend.events(account, "make a clip")
    assert backend.credits(account) == {"available": 90, "frozen": 0, "total": 90}


def test_generate_without_enough_credits_is_2001(backend: Backend, account: Account, http, world):
    world.set_credits(5, account.user_id)
    response = http.post("/run_sse", json=backend.run_body(account, "make a clip"), headers=account.headers)
    body = response.json()
    assert body["code"] == 2001
    assert body["data"] == {"user_id": account.user_id, "required": 10, "available": 5}
    assert world.user(account.user_id).credits == 5


def test_music(backend: Backend, account: Account):
    backend.events(account, "make a 5s clip")
    events = backend.events(account, "add some lo-fi music")
    assert calls(events) == ["generate_music"]
    assert texts(events, partial=False) == ["Added a Lo-fi background track at 35% volume under the whole video."]
    [bgm] = [t for t in backend.state(account)["draft"]["t"] if t["tt"] == 1]
    assert [(s["n"], s["vl"], s["et"]) for s in bgm["sg"]] == [("Lo-fi", 35, 5000)]


def test_suno_is_named_when_asked(backend: Backend, account: Account):
    assert calls(backend.events(account, "use suno for the bgm")) == ["suno"]


def test_title_is_a_silent_turn(backend: Backend, account: Account):
    events = backend.events(account, "add a title 'Night Walk'")
    assert texts(events) == []
    assert calls(events) == ["edit_multitrack"] == responses(events)
    [title] = [t for t in backend.state(account)["draft"]["t"] if t["tt"] == 7]
    assert [(s["tx"], s["st"], s["et"]) for s in title["sg"]] == [("Night Walk", 0, 3000)]


@pytest.mark.parametrize("text, title", [
    ("make the title say Neon Dreams", "Neon Dreams"), ("change the title to Night Walk.", "Night Walk"),
    ("把标题改成霓虹之梦", "霓虹之梦"), ("add a title", "Urban Dreams")])
def test_the_title_is_the_one_asked_for_quoted_or_not(backend: Backend, account: Account, text, title):
    backend.events(account, text)
    [track] = [t for t in backend.state(account)["draft"]["t"] if t["tt"] == 7]
    assert [s["tx"] for s in track["sg"]] == [title]


@pytest.mark.parametrize("text, said", [
    ("add rain sounds", "“add rain sounds” is one for the real agent"),
    ("make it brighter", "“make it brighter” is one for the real agent"),
    ("加上雨声", "“加上雨声”要由真正的智能体来做")])
def test_an_edit_the_demo_cannot_do_is_said_and_spends_nothing(backend: Backend, account: Account, world, text, said):
    backend.events(account, "make a 5s clip")
    before = (backend.state(account)["draft"], world.user(account.user_id).credits)
    events = backend.events(account, text)
    assert calls(events) == []
    assert said in texts(events, partial=False)[0]
    assert (backend.state(account)["draft"], world.user(account.user_id).credits) == before


def test_choice_asks_a_question(backend: Backend, account: Account):
    events = backend.events(account, "which style should we use?")
    [call] = [p["functionCall"] for e in events for p in e["content"]["parts"] if "functionCall" in p]
    assert call["name"] == "ask_question"
    assert call["args"]["title"] == "Pick a style"
    first, second = call["args"]["questions"]
    assert set(first) == {"id", "prompt", "options", "allow_multiple"}
    assert first["options"][0] == {"id": "a", "label": "Cinematic"}
    assert (first["allow_multiple"], second["allow_multiple"]) == (False, True)
    assert texts(events) == []


def test_chat_answer_with_a_thought(backend: Backend, account: Account):
    events = backend.events(account, "what can you do?")
    final = events[-1]
    assert final["partial"] is False and final["finishReason"] == "STOP"
    thought, answer = final["content"]["parts"]
    assert thought["thought"] is True
    assert "".join(texts(events, partial=True)) == answer["text"]
    assert "Good question" in answer["text"]


@pytest.mark.parametrize("question", ["what's the status of my video?", "is my video ready", "我的视频怎么样了?"])
def test_a_question_is_answered_and_generates_nothing(backend: Backend, account: Account, world, question):
    events = backend.events(account, question)
    assert calls(events) == []
    assert "empty" in texts(events, partial=False)[0] or "空" in texts(events, partial=False)[0]
    assert world.user(account.user_id).credits == world.settings.starting_credits


def test_a_question_after_a_generation_describes_the_project(backend: Backend, account: Account):
    backend.events(account, "make a 10s rainy Tokyo clip")
    [answer] = texts(backend.events(account, "what's the status of my video?"), partial=False)
    assert answer.startswith("Your video “rainy Tokyo” is done: 10 seconds on 3 tracks")


def test_chat_without_a_question_has_no_thought(backend: Backend, account: Account):
    events = backend.events(account, "hello there")
    assert not any(p.get("thought") for e in events for p in e["content"]["parts"])
    assert texts(events, partial=False)[0].startswith("Hi!")


def test_chinese_gets_chinese(backend: Backend, account: Account):
    events = backend.events(account, "生成一段5秒的雨夜东京视频")
    assert calls(events)[0] == "generate_video_with_seedance"
    finals = texts(events, partial=False)
    assert finals[0].startswith("这是你的5秒视频")
    assert "导出" in finals[1]
    assert backend.state(account)["draft"]["t"][2]["sg"][0]["tx"] == "都市梦想"


@pytest.mark.parametrize("text, expected", [
    ("make a 10s rainy Tokyo clip", [
        {"type": "tool_call", "name": "generate_video_with_seedance"}, {"type": "heartbeat"},
        {"type": "tool_result", "name": "generate_video_with_seedance"},
        {"type": "text"}, {"type": "tool_call", "name": "generate_music"}, {"type": "heartbeat"},
        {"type": "tool_result", "name": "generate_music"},
        {"type": "tool_call", "name": "edit_multitrack"}, {"type": "heartbeat"},
        {"type": "tool_result", "name": "edit_multitrack"},
        {"type": "text"}]),
    ("add music", [{"type": "tool_call", "name": "generate_music"}, {"type": "heartbeat"},
                   {"type": "tool_result", "name": "generate_music"}, {"type": "text"}]),
    ("add a title", [{"type": "tool_call", "name": "edit_multitrack"}, {"type": "heartbeat"},
                     {"type": "tool_result", "name": "edit_multitrack"}]),
    ("choose a style", [{"type": "tool_call", "name": "ask_question"}]),
    ("hello", [{"type": "text"}]),
])
def test_typed_shape_for_every_script(backend: Backend, account: Account, world, text, expected):
    world.set_faults(payload_shape="typed")
    events = backend.events(account, text)
    assert [{k: e[k] for k in ("type", "name") if k in e} for e in events] == expected
    for event in events:
        assert set(event) <= {"type", "content", "name", "args", "result"}
    assert all(e["content"] for e in events if e["type"] == "text")


def test_typed_text_is_whole(backend: Backend, account: Account, world):
    world.set_faults(payload_shape="typed")
    [event] = backend.events(account, "hello")
    assert event["content"].startswith("Hi! I'm your NemoVideo agent.")
    assert event["content"].endswith("ready to export.")


def test_bad_body_is_422(http, account: Account):
    response = http.post("/run_sse", json={"app_name": "nemo_agent"}, headers=account.headers)
    assert response.status_code == 422
    missing = {tuple(d["loc"]) for d in response.json()["detail"]}
    assert ("body", "session_id") in missing and ("body", "new_message", "parts") in missing


def test_unknown_session_is_adk_404(http, backend: Backend, account: Account):
    body = {**backend.run_body(account, "hi"), "session_id": "gone"}
    response = http.post("/run_sse", json=body, headers=account.headers)
    assert response.status_code == 404
    assert response.json() == {"detail": "Session not found: gone"}


def test_messages_are_kept_in_the_session(backend: Backend, account: Account, world):
    backend.events(account, "hello")
    backend.events(account, "add music")
    assert world.session(account.session_id).messages == ["hello", "add music"]


def test_reset_during_a_turn_is_harmless(sim, backend: Backend, account: Account, world, capfd):
    world.configure(time_scale=1, generation_s=0.2, think_s=0, piece_s=0, tool_s=0)
    with backend.http.stream("POST", "/run_sse", json=backend.run_body(account, "make a clip"),
                             headers=account.headers) as response:
        assert next(response.iter_lines()).startswith("data: ")
        world.reset()
    assert world.wait_until_idle()
    assert capfd.readouterr().err == ""


@pytest.mark.parametrize("text, first", [
    ("make a clip", "Here's your 10-second clip — cinematic lighting"),
    ("Generate a 15-second video of a lone astronaut walking across a red desert planet at golden hour",
     "Here's your 15-second clip of a lone astronaut walking across a red desert planet at…"),
    ("生成一段视频", "这是你的10秒视频——"),
])
def test_generate_names_what_was_asked(backend: Backend, account: Account, text, first):
    assert texts(backend.events(account, text), partial=False)[0].startswith(first)
