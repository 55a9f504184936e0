"""The simulated answers of NanoPhoto (Sora 2, Veo 3.1) and the video
gateway, per protocol.md sections 2-4; state, faults and routes are in
sim.providers."""

from __future__ import annotations

import asyncio
import json
from typing import Any
from collections.abc import AsyncIterator

from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse

from nemochat.sim.faults import SimulatedDrop
from nemochat.sim.providers import ProviderState, Task, _CutResponse, _gateway_error, _nanophoto_error, _video_url

SORA_COSTS = {("sora2", "10"): 4, ("sora2", "15"): 8, ("sora2-pro-standard", "10"): 60,
              ("sora2-pro-standard", "15"): 100, ("sora2-pro-high", "10"): 120, ("sora2-pro-high", "15"): 240}
VEO_COSTS = {"720p": 10, "1080p": 14, "4k": 30}


def _submitted(state: ProviderState, answer: dict[str, Any]) -> Response:
    if state.take("drop_submit"):
        return _CutResponse(json.dumps(answer).encode(), media_type="application/json")
    return JSONResponse(answer)


def _public(urls: Any) -> bool:
    return isinstance(urls, list) and all(isinstance(u, str) and u.startswith(("http://", "https://")) for u in urls)


# -- Sora 2 -------------------------------------------------------------------------------


async def sora_generate(request: Request, state: ProviderState, key: str, body: dict[str, Any]) -> Response:
    if not str(body.get("prompt") or "").strip():
        raise _nanophoto_error("PROMPT_REQUIRED")
    if body.get("mode") == "imageToVideo" and not body.get("imageUrls"):
        raise _nanophoto_error("IMAGE_REQUIRED")
    if "imageUrls" in body and not _public(body["imageUrls"]):
        raise _nanophoto_error("IMAGE_URLS_REQUIRED")
    cost = SORA_COSTS.get((body.get("modelTier", "sora2"), str(body.get("videoDuration", "10"))), 4)
    if not state.charge(key, cost):
        raise _nanophoto_error("INSUFFICIENT_CREDITS", requiredCredits=cost)
    task = state.new_task("sora2", key, cost)
    return _submitted(state, {"success": True, "status": "processing", "taskId": task.task_id, "message": "Video generation in progress"})


async def sora_status(request: Request, state: ProviderState, key: str, body: dict[str, Any]) -> Response:
    task_id = body.get("taskId")
    if not task_id:
        raise _nanophoto_error("TASK_ID_REQUIRED")
    transient = _transient_status(state)
    if transient:
        return transient
    task = state.poll(str(task_id), key)
    if task is None:
        raise _nanophoto_error("TASK_NOT_FOUND")
    return JSONResponse(_sora_answer(request, task))


def _sora_answer(request: Request, task: Task) -> dict[str, Any]:
    if task.status == "completed":
        return {"success": True, "status": "completed", "videoUrl": _video_url(request, task.task_id),
                "taskId": task.task_id, "generationTime": 120, "creditsUsed": task.cost}
    if task.status == "failed":
        return {"success": False, "status": "failed", "error": "Video generation failed",
                "errorCode": "GENERATION_FAILED", "taskId": task.task_id}
    progress = "queued" if task.polls <= 1 else "generating"
    return {"success": True, "status": "processing", "progress": progress,
            "message": f"Video generation {progress}", "taskId": task.task_id}


def _transient_status(state: ProviderState) -> Response | None:
    if state.take("status_drop"):
        return _CutResponse(b'{"success": true, "status": "processing"}', media_type="application/json")
    if state.take("status_5xx"):
        return _nanophoto_error("INTERNAL_ERROR").response
    return None


# -- Veo 3.1 -------------------------------------------------------------------------------

_VEO_IMAGES = {"TEXT_2_VIDEO": (0, 0), "FIRST_AND_LAST_FRAMES_2_VIDEO": (1, 2), "REFERENCE_2_VIDEO": (1, 3)}


async def veo_generate(request: Request, state: ProviderState, key: str, body: dict[str, Any]) -> Response:
    shots = body.get("shots")
    if not isinstance(shots, list) or not shots or len(shots) > 21:
        raise _nanophoto_error("SHOTS_REQUIRED")
    for shot in shots:
        if not isinstance(shot, dict) or not str(shot.get("prompt") or "").strip():
            raise _nanophoto_error("PROMPT_REQUIRED")
        kind = shot.get("generationType")
        low, high = _VEO_IMAGES.get(kind, (0, 0)) if isinstance(kind, str) else (0, 0)
        images = shot.get("imageUrls") or []
        if not low <= len(images) <= high:
            raise _nanophoto_error("INVALID_IMAGE_COUNT")
        if images and not _public(images):
            raise _nanophoto_error("IMAGE_URLS_REQUIRED")
    cost = VEO_COSTS.get(body.get("resolution", "720p"), 10) * len(shots)
    if not state.charge(key, cost):
        raise _nanophoto_error("INSUFFICIENT_CREDITS", requiredCredits=cost)
    per_shot = cost // len(shots)
    tasks = [state.new_task("veo3.1", key, per_shot, shot_id=str(s.get("id"))) for s in shots]
    return _submitted(state, {"success": True, "status": "processing",
                              "shots": [{"shotId": t.shot_id, "taskId": t.task_id} for t in tasks]})


async def veo_status(request: Request, state: ProviderState, key: str, body: dict[str, Any]) -> Response:
    pairs = body.get("taskIds")
    if not isinstance(pairs, list) or not pairs:
        raise _nanophoto_error("TASK_IDS_REQUIRED")
    transient = _transient_status(state)
    if transient:
        return transient
    shots = []
    for pair in pairs:
        task = state.poll(str(pair.get("taskId") if isinstance(pair, dict) else ""), key)
        if task is None:
            raise _nanophoto_error("TASK_NOT_FOUND")
        answer = _sora_answer(request, task)
        answer.pop("success", None)
        shots.append({"shotId": pair.get("shotId"), **answer})
    states = {s["status"] for s in shots}
    overall = "processing" if "processing" in states else "failed" if "failed" in states else "completed"
    return JSONResponse({"success": True, "status": overall, "resolution": body.get("resolution"), "shots": shots})


# -- the gateway ---------------------------------------------------------------------------


async def gateway_create(request: Request, state: ProviderState, key: str, body: dict[str, Any]) -> Response:
    required = ("images", "model", "orientation", "prompt", "size", "duration")
    if any(f not in body for f in required) or body.get("model") not in ("sora-2", "sora-2-pro"):
        raise _gateway_error("invalid_request_error")
    if body["model"] == "sora-2-pro" and body.get("size") != "large":
        raise _gateway_error("invalid_request_error")
    if not state.charge(key, 1):
        raise _gateway_error("insufficient_quota")
    task = state.new_task("gateway", key, 1)
    return _submitted(state, {"id": task.task_id, "status": "pending", "status_update_time": int(state.clock() * 1000)})


async def gateway_query(request: Request, state: ProviderState, key: str, body: dict[str, Any]) -> Response:
    transient = _transient_status(state)
    if transient:
        return transient
    task = state.poll(request.query_params.get("id", ""), key)
    if task is None:
        raise _gateway_error("not_found")
    status = {"processing": "processing" if task.polls > 1 else "pending"}.get(task.status, task.status)
    url = _video_url(request, task.task_id) if task.status == "completed" else None
    error = "generation failed" if task.status == "failed" else None
    if state.faults.query_shape == 2:
        return JSONResponse({"code": 0, "data": {"id": task.task_id, "status": status, "output": {"url": url}, "fail_reason": error}})
    return JSONResponse({"id": task.task_id, "status": status, "video_url": url, "error": error,
                         "status_update_time": int(state.clock() * 1000)})


async def gateway_chat(request: Request, state: ProviderState, key: str, body: dict[str, Any]) -> Response:
    messages = body.get("messages")
    if not body.get("stream") or not isinstance(messages, list) or not messages:
        raise _gateway_error("invalid_request_error")
    if not state.charge(key, 1):
        raise _gateway_error("insufficient_quota")
    task = state.new_task("gateway", key, 1)
    drop = state.take("chat_drop")
    url = _video_url(request, task.task_id)
    pieces = ["Generating your video", "…\n\n", "Progress: 35%\n", "Progress: 80%\n",
              f"\nDone! [Watch the video]({url})\n"]

    async def chunks() -> AsyncIterator[bytes]:
        base = {"id": f"chatcmpl-{task.task_id}", "object": "chat.completion.chunk", "model": body.get("model")}
        yield _sse({**base, "choices": [{"index": 0, "delta": {"role": "assistant", "content": ""}}]})
        for n, piece in enumerate(pieces):
            if drop and n == 3:
                raise SimulatedDrop("chat_drop")
            yield _sse({**base, "choices": [{"index": 0, "delta": {"content": piece}}]})
            await asyncio.sleep(0)
        yield _sse({**base, "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]})
        yield b"data: [DONE]\n\n"

    return StreamingResponse(chunks(), media_type="text/event-stream")


def _sse(obj: dict[str, Any]) -> bytes:
    return f"data: {json.dumps(obj, ensure_ascii=False)}\n\n".encode()
