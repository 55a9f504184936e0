"""parse_payload: the ``data`` of one SSE event in, typed agent events out.

Both dialects of ``/run_sse`` (ADK Event JSON and NemoVideo's typed events),
the mid-run error shapes, and garbage: whatever arrives, the answer is a
tuple of events, never an exception.
"""

from __future__ import annotations

import json

import pytest

from nemochat.core.events import (
    AgentError,
    ArtifactSaved,
    Handoff,
    error_words,
    Heartbeat,
    Question,
    QuestionItem,
    QuestionOption,
    Text,
    ToolCall,
    ToolResult,
    parse_all,
    parse_payload,
)


def adk(*parts, **fields) -> str:
    """An ADK event as adk_web_server dumps it (compact camelCase JSON)."""
    event = {"content": {"parts": list(parts), "role": "model"}, "invocationId": "e-1", "author": "nemo_agent", "id": "ev-1"}
    event.update(fields)
    return json.dumps(event, ensure_ascii=False, separators=(",", ":"))


ASK_ARGS = {
    "title": "A few choices",
    "questions": [
        {
            "id": "style",
            "prompt": "Which style?",
            "options": [{"id": "cinematic", "label": "Cinematic"}, {"id": "anime", "label": "Anime"}],
            "allow_multiple": False,
        },
        {"id": "extras", "prompt": "Add any?", "options": [{"id": "bgm", "label": "Music"}, {"id": "subs", "label": "Subtitles"}], "allow_multiple": True},
    ],
}


# -- keep-alives ------------------------------------------------------------------------


@pytest.mark.parametrize("data", ["", " ", "\n", "\t \n"])
def test_empty_data_is_a_heartbeat(data):
    assert parse_payload(data) == (Heartbeat(),)


@pytest.mark.parametrize("data", ['{"type":"heartbeat"}', '{"type":"ping"}', '{"type":"heartbeat","ts":1767225600}'])
def test_typed_heartbeat(data):
    assert parse_payload(data) == (Heartbeat(),)


# -- ADK text -----------------------------------------------------------------------------


def test_adk_partial_text_carries_its_piece_and_its_stream():
    (event,) = parse_payload(adk({"text": "Hello, "}, partial=True))
    assert event == Text("Hello, ", partial=True, stream="e-1/nemo_agent")


def test_adk_final_text_is_not_partial():
    assert parse_payload(adk({"text": "Hello, world."}, partial=False)) == (Text("Hello, world.", stream="e-1/nemo_agent"),)


def test_adk_event_without_partial_field_is_final():
    (event,) = parse_payload(adk({"text": "Done."}))
    assert event.partial is False


def test_partial_must_be_the_boolean_true():
    (event,) = parse_payload(adk({"text": "x"}, partial="true"))
    assert event.partial is False


def test_stream_links_invocation_and_author():
    one = parse_payload(adk({"text": "a"}, invocationId="e-7", author="director"))
    two = parse_payload(adk({"text": "b"}, invocationId="e-7", author="editor"))
    assert one[0].stream == "e-7/director"
    assert two[0].stream == "e-7/editor"


def test_event_id_plays_no_part_in_the_stream():
    first = parse_payload(adk({"text": "a"}, id="same"))
    second = parse_payload(adk({"text": "a"}, id="other"))
    assert first == second


def test_thought_part_is_marked_as_thought():
    events = parse_payload(adk({"thought": True, "text": "Planning the edit."}, {"text": "Done."}))
    assert events == (
        Text("Planning the edit.", stream="e-1/nemo_agent", thought=True),
        Text("Done.", stream="e-1/nemo_agent"),
    )


def test_thought_must_be_the_boolean_true():
    (event,) = parse_payload(adk({"thought": "yes", "text": "visible"}))
    assert event.thought is False


def test_adjacent_text_parts_of_one_event_are_one_text():
    events = parse_payload(adk({"text": "Done! "}, {"text": "Trimmed to 8 s. "}, {"text": "Music fades at 0:08."}))
    assert events == (Text("Done! Trimmed to 8 s. Music fades at 0:08.", stream="e-1/nemo_agent"),)


def test_text_parts_separated_by_a_call_stay_apart():
    events = parse_payload(adk({"text": "First."}, {"functionCall": {"name": "edit_multitrack", "args": {}}}, {"text": "Then."}))
    assert [type(e).__name__ for e in events] == ["Text", "ToolCall", "Text"]
    assert (events[0].text, events[2].text) == ("First.", "Then.")


def test_unknown_parts_between_texts_do_not_split_the_text():
    events = parse_payload(adk({"text": "Look "}, {"inlineData": {"mimeType": "image/png", "data": "AAAA"}}, {"text": "here."}))
    assert events == (Text("Look here.", stream="e-1/nemo_agent"),)


def test_text_with_a_thought_signature_is_still_text():
    (event,) = parse_payload(adk({"thoughtSignature": "c2ln", "text": "Visible answer."}))
    assert event == Text("Visible answer.", stream="e-1/nemo_agent")


# -- ADK tools ----------------------------------------------------------------------------


def test_function_call_becomes_a_tool_call_with_its_args_and_id():
    (event,) = parse_payload(adk({"functionCall": {"id": "adk-1", "args": {"duration": 10}, "name": "generate_video"}}))
    assert event == ToolCall("generate_video", call_id="adk-1")
    assert event.args == {"duration": 10}


def test_function_call_with_non_dict_args_gets_empty_args():
    (event,) = parse_payload(adk({"functionCall": {"name": "generate_music", "args": "[1, 2]"}}))
    assert event.name == "generate_music"
    assert event.args == {}


def test_function_response_becomes_a_tool_result():
    (event,) = parse_payload(
        adk({"functionResponse": {"id": "adk-1", "name": "generate_video", "response": {"status": "success"}}}, role="user")
    )
    assert event == ToolResult("generate_video", call_id="adk-1")
    assert event.response == {"status": "success"}


def test_text_and_call_in_one_final_keep_their_order():
    events = parse_payload(adk({"text": "Generating now."}, {"functionCall": {"name": "generate_video", "args": {}}}, partial=False))
    assert [type(e) for e in events] == [Text, ToolCall]


# -- ask_question -------------------------------------------------------------------------


def test_ask_question_call_becomes_a_question():
    (event,) = parse_payload(adk({"functionCall": {"id": "adk-9", "name": "ask_question", "args": ASK_ARGS}}))
    assert event == Question(
        "A few choices",
        (
            QuestionItem("style", "Which style?", (QuestionOption("cinematic", "Cinematic"), QuestionOption("anime", "Anime")), False),
            QuestionItem("extras", "Add any?", (QuestionOption("bgm", "Music"), QuestionOption("subs", "Subtitles")), True),
        ),
    )


def test_typed_ask_question_tool_call_is_a_question_too():
    (event,) = parse_payload(json.dumps({"type": "tool_call", "name": "ask_question", "args": ASK_ARGS}))
    assert isinstance(event, Question)
    assert [item.id for item in event.items] == ["style", "extras"]


def test_option_missing_id_or_label_borrows_the_other():
    args = {"title": "t", "questions": [{"id": "q", "prompt": "p", "options": [{"label": "Only label"}, {"id": "only_id"}]}]}
    (event,) = parse_payload(adk({"functionCall": {"name": "ask_question", "args": args}}))
    assert event.items[0].options == (QuestionOption("Only label", "Only label"), QuestionOption("only_id", "only_id"))


def test_allow_multiple_must_be_the_boolean_true():
    args = {"title": "t", "questions": [{"id": "q", "prompt": "p", "options": [], "allow_multiple": "yes"}]}
    (event,) = parse_payload(adk({"functionCall": {"name": "ask_question", "args": args}}))
    assert event.items[0].allow_multiple is False


@pytest.mark.parametrize("questions", [None, [], 5, "pick one", {"id": "q"}, [None, 3, "x"]])
def test_ask_question_without_usable_questions_stays_a_tool_call(questions):
    (event,) = parse_payload(adk({"functionCall": {"name": "ask_question", "args": {"title": "t", "questions": questions}}}))
    assert event == ToolCall("ask_question")


@pytest.mark.parametrize("options", [None, 7, "a,b", {"id": "a"}, [None, "a", 1]])
def test_garbage_options_give_a_question_without_options(options):
    args = {"title": "t", "questions": [{"id": "q", "prompt": "Pick", "options": options}]}
    (event,) = parse_payload(adk({"functionCall": {"name": "ask_question", "args": args}}))
    assert event == Question("t", (QuestionItem("q", "Pick", ()),))


# -- the typed dialect ---------------------------------------------------------------------


def test_typed_text_is_a_complete_text():
    assert parse_payload('{"type":"text","content":"Your clip is ready."}') == (Text("Your clip is ready."),)


@pytest.mark.parametrize("content", [None, 5, ["a"], {"x": 1}])
def test_typed_text_without_string_content_is_nothing(content):
    assert parse_payload(json.dumps({"type": "text", "content": content})) == ()


def test_typed_tool_call_and_result():
    call = parse_payload('{"type":"tool_call","name":"suno","args":{"prompt":"piano"},"id":"t1"}')
    result = parse_payload('{"type":"tool_result","name":"suno","result":{"status":"completed"}}')
    assert call == (ToolCall("suno", call_id="t1"),)
    assert call[0].args == {"prompt": "piano"}
    assert result == (ToolResult("suno"),)
    assert result[0].response == {"status": "completed"}


def test_typed_error():
    assert parse_payload('{"type":"error","message":"render failed","code":"E42"}') == (AgentError("render failed", "E42"),)


def test_typed_event_with_error_null_is_not_an_error():
    assert parse_payload('{"type":"tool_result","name":"suno","result":{},"error":null}') == (ToolResult("suno"),)
    assert parse_payload('{"type":"heartbeat","error":null}') == (Heartbeat(),)


@pytest.mark.parametrize("data", ['{"type":"done"}', '{"type":"progress","percent":40}', '{"type":5}'])
def test_unknown_typed_events_are_nothing(data):
    assert parse_payload(data) == ()


# -- errors during the run ------------------------------------------------------------------


def test_error_payload_is_an_agent_error():
    # the status word is the code (--json's `code`)
    assert parse_payload('{"error": "429 RESOURCE_EXHAUSTED"}') == (AgentError("429 RESOURCE_EXHAUSTED", "RESOURCE_EXHAUSTED"),)


_REPR = "503 UNAVAILABLE. {'error': {'code': 503, 'status': 'UNAVAILABLE', 'message': 'The model is overloaded. Please try again later.'}}"


def test_adk_2_failed_run_says_the_message_inside_the_repr():
    # ADK 2.x: {"error": "ServerError: <str(e)>", "error_details": {...}}
    data = json.dumps({"error": f"ServerError: {_REPR}", "error_details": {"error_type": "ServerError", "error_message": _REPR}})
    assert parse_payload(data) == (AgentError("The model is overloaded. Please try again later.", "UNAVAILABLE"),)


def test_error_code_event_says_the_message_inside_the_repr():
    data = json.dumps({"errorCode": "UNAVAILABLE", "errorMessage": _REPR, "author": "nemo_agent"})
    assert parse_payload(data) == (AgentError("The model is overloaded. Please try again later.", "UNAVAILABLE"),)


@pytest.mark.parametrize(
    "text, words",
    [
        ("""400 INVALID_ARGUMENT. {"error": {"code": 400, "message": "Request contains an invalid argument.", "status": "X"}}""",
         "Request contains an invalid argument."),
        ("""500 INTERNAL. {'error': {'message': "the user's clip is too long", 'code': 500}}""", "the user's clip is too long"),
        ("ValueError: the shot list is empty", "the shot list is empty"),
        ("Malformed function call: edit(x=1", "Malformed function call: edit(x=1"),
        ("{'message': ''}", "{'message': ''}"),  # nothing inside: the text as it is
    ],
)
def test_error_words(text, words):
    assert error_words(text) == words


def test_error_payload_with_a_nested_message():
    assert parse_payload('{"error": {"message": "quota exceeded", "code": 429}}') == (AgentError("quota exceeded"),)


def test_error_payload_with_a_code():
    assert parse_payload('{"error": "no credits", "code": 2001}') == (AgentError("no credits", "2001"),)


def test_empty_error_still_says_something():
    (event,) = parse_payload('{"error": ""}')
    assert isinstance(event, AgentError) and event.message


def test_old_fstring_error_that_is_not_json_is_still_an_error():
    # adk_web_server once did f'data: {{"error": "{str(e)}"}}': quotes in str(e) break the JSON
    data = '{"error": "boom: \'x\' failed (got "None")"}'
    with pytest.raises(ValueError):
        json.loads(data)
    assert parse_payload(data) == (AgentError("boom: 'x' failed (got \"None\")"),)


def test_fstring_error_cut_at_its_first_newline_is_still_an_error():
    # a newline in str(e) ends the data line: only the start of the payload arrives
    assert parse_payload('{"error": "1 validation error for FunctionCall') == (AgentError("1 validation error for FunctionCall"),)


def test_loose_error_drops_only_its_own_quotes():
    (event,) = parse_payload("{'error': 'failed on 'x''}")
    assert event == AgentError("failed on 'x'")


def test_adk_error_code_and_message():
    data = json.dumps({"errorCode": "MALFORMED_FUNCTION_CALL", "errorMessage": "Malformed call", "invocationId": "e-1", "author": "a"})
    assert parse_payload(data) == (AgentError("Malformed call", "MALFORMED_FUNCTION_CALL"),)


def test_adk_error_code_alone_names_the_code():
    (event,) = parse_payload('{"errorCode":"SAFETY","invocationId":"e-1","author":"a"}')
    assert event.code == "SAFETY"
    assert "SAFETY" in event.message


def test_adk_error_comes_after_the_content_of_its_event():
    events = parse_payload(adk({"text": "Partly done."}, errorCode="MAX_TOKENS", errorMessage="The answer was cut"))
    assert [type(e) for e in events] == [Text, AgentError]


def test_error_key_next_to_content_is_an_adk_event():
    events = parse_payload(json.dumps({"error": "ignored", "content": {"parts": [{"text": "hi"}]}}))
    assert events == (Text("hi", stream="/"),)


def test_finish_reason_stop_is_not_an_error():
    assert parse_payload(adk({"text": "ok"}, finishReason="STOP")) == (Text("ok", stream="e-1/nemo_agent"),)


# -- garbage ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "data",
    [
        "null", "42", "-1.5", "true", '"a string"', "[]", '[{"text": "no"}]',
        "hello world", "[DONE]", "undefined", '{"partial": tru', "<html>502 Bad Gateway</html>", "{",
    ],
)
def test_data_that_is_not_a_json_object_is_nothing(data):
    assert parse_payload(data) == ()


@pytest.mark.parametrize(
    "payload",
    [
        {},
        {"id": "x"},
        {"invocationId": "e-1", "author": "a", "actions": {"artifactDelta": {}, "stateDelta": {"k": 1}}},
        {"content": None},
        {"content": "text"},
        {"content": []},
        {"content": {}},
        {"content": {"parts": None}},
        {"content": {"parts": "abc"}},
        {"content": {"parts": {"text": "not a list"}}},
        {"content": {"parts": [None, 1, "x", [], {"text": None}, {"text": 5}, {"functionCall": "x"}, {"functionResponse": []}]}},
        {"content": {"parts": [{"futurePart": {"kind": "sticker"}}, {"executableCode": {"code": "print(1)"}}]}},
        {"kind": "metrics", "latency_ms": 812},
    ],
)
def test_objects_without_known_content_are_nothing(payload):
    assert parse_payload(json.dumps(payload)) == ()


def test_unknown_top_level_fields_do_not_matter():
    plain = parse_payload(adk({"text": "Same."}))
    noisy = parse_payload(adk({"text": "Same."}, groundingMetadata={"q": []}, someFutureField={"x": [1]}, usageMetadata={"totalTokenCount": 9}))
    assert noisy == plain


def test_function_call_with_missing_name_still_parses():
    (event,) = parse_payload(adk({"functionCall": {"args": {"a": 1}}}))
    assert event == ToolCall("")


def test_non_string_ids_are_text():
    (event,) = parse_payload(adk({"functionCall": {"id": 17, "name": "edit_multitrack"}}))
    assert event.call_id == "17"


# -- a read's worth at once (parse_all) ----------------------------------------------------------


def _recorded_payloads() -> list[str]:
    from pathlib import Path

    from nemochat.clients.sse import SSEBatcher

    out: list[str] = []
    for path in sorted((Path(__file__).parents[2] / "fixtures" / "sse").glob("*.sse")):
        batcher = SSEBatcher()
        out += batcher.feed(path.read_bytes().decode("utf-8", "replace")) + batcher.flush()
    return out


# What json.loads takes and a faster parser may refuse: each must still be read as json.loads reads it.
STRICT_PARSER_EDGES = [
    adk({"text": "NaN time"}, partial=True, timestamp=float("nan")),
    adk({"text": "big"}, partial=True, timestamp=float("inf")),
    '{"content":{"parts":[{"text":"lone \\ud800 surrogate"}]},"partial":true,"invocationId":"e-1","author":"a"}',
    "  " + adk({"text": "padded"}, partial=True) + "  ",
]


def test_parse_all_reads_a_batch_as_parse_payload_reads_each():
    batch = _recorded_payloads() + STRICT_PARSER_EDGES + ["", "null", "[DONE]", '{"error": "got "x""}', adk({"text": "x"}, errorCode="E")]
    assert len(batch) > 100
    expected = [event for data in batch for event in parse_payload(data)]
    assert parse_all(batch) == expected
    assert any(isinstance(e, Text) and e.partial for e in expected) and any(isinstance(e, AgentError) for e in expected)


@pytest.mark.parametrize("data", STRICT_PARSER_EDGES)
def test_what_json_accepts_still_parses(data):
    (event,) = parse_payload(data)
    assert isinstance(event, Text) and event.text


def test_saved_artifacts_and_handoffs_come_from_actions():
    data = {"author": "a", "actions": {"stateDelta": {"k": 1}, "artifactDelta": {"storyboard.md": 0}, "transferToAgent": "music_director"}}
    assert parse_payload(json.dumps(data)) == (ArtifactSaved("storyboard.md", 0), Handoff("music_director"))


def test_the_transfer_call_and_its_response_are_not_tools():
    call = {"content": {"parts": [{"text": "Over to music."}, {"functionCall": {"id": "adk-1", "name": "transfer_to_agent", "args": {"agent_name": "m"}}}]}}
    response = {"content": {"parts": [{"functionResponse": {"id": "adk-1", "name": "transfer_to_agent", "response": {"result": None}}}]},
                "actions": {"transferToAgent": "m"}}
    assert parse_payload(json.dumps(call)) == (Text("Over to music.", stream="/"),)
    assert parse_payload(json.dumps(response)) == (Handoff("m"),)


def test_error_words_takes_linear_time_on_hostile_text():
    # a backslash run with no closing quote: no catastrophic backtracking (this returns at once)
    hostile = "'message': '" + "\\" * 5000 + "x" * 5000
    assert error_words(hostile) == hostile
    assert error_words("{'message': 'it\\'s down'}") == "it's down"
