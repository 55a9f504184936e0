"""The errors' half of the message catalogue (merged into ``core.texts.CATALOGUE``).

An error raised with ``key="K"`` is shown as ``error.K`` (its advice as
``error.K.action``) in the user's language; its English ``message`` stays
what logs and ``--json`` carry. The English entries say what the raise
sites say, with the server's details left to the English message.
"""

from __future__ import annotations

ERRORS: dict[str, dict[str, str]] = {
    "en": {
        "error.network.connect": "{what}: could not connect to {host}{proxy}{notes}",
        "error.network.connect_timeout": "{what}: timed out connecting to {host}{proxy}{notes}",
        "error.network.timeout": "{what}: timed out waiting for an answer from {host}{proxy}{notes}",
        "error.network.cut": "{what}: the connection to {host}{proxy} was cut before an answer came{notes}",
        "error.network.connect.action": "Check your connection (or --api-base) and try again.",
        "error.network.connect_timeout.action": "Check your connection (or --api-base) and try again.",
        "error.network.timeout.action": "Check your connection (or --api-base) and try again.",
        "error.network.cut.action": "Check your connection (or --api-base) and try again.",
        "error.network.provider.action": "Check your connection and {setting}, now {shown}.",
        "error.network.deadline": "{what}: no whole answer in time",
        "error.network.deadline.action": "The server is answering too slowly; try again later.",
        "error.bad_answer": "{who} answered something unexpected ({what})",
        "error.bad_answer.action": "Try again in a moment; if it keeps happening, check --api-base (is it NemoVideo's API?).",
        "error.failed": "{what} failed",
        "error.token_rejected": "{what}: the token was rejected",
        "error.session_not_found": "{what}: session not found",
        "error.credits": "{what}: not enough credits",
        "error.credits.register": "Not enough credits for this.",
        "error.credits.register.action": "Register to get more credits: {link}",
        "error.credits.top_up": "Not enough credits for this.",
        "error.credits.top_up.action": "Top up at nemovideo.ai.",
        "error.rate_limited": "{what}: rate limited",
        "error.rate_limited.wait": "{what}: the server asks us to wait longer than we wait",
        "error.rate_limited.wait.action": "Try again later.",
        "error.forbidden": "{what}: forbidden",
        "error.forbidden.action": "Check --token / NEMO_TOKEN.",
        "error.refused": "{what}: the server refused the request",
        "error.backend_failed": "{what} failed",
        "error.backend_failed.action": "Try again in a moment; if it keeps failing, the service may be down.",
        "error.stream.dropped": "The connection dropped mid-answer.",
        "error.stream.dropped.action": "Nothing was resent. Check later with `nemochat status`; the agent may still finish the job.",
        "error.stream.before": "The connection dropped before the answer began.",
        "error.stream.before.action": "Nothing was resent. Check later with `nemochat status`; the agent may still finish the job.",
        "error.stream.cap": "No end after {cap}; stopped listening.",
        "error.stream.cap.action": "Nothing was resent. Check later with `nemochat status`; the agent may still finish the job.",
        "error.nanophoto.credits": "{what}: not enough NanoPhoto credits",
        "error.nanophoto.credits.action": "Top up at https://nanophoto.ai.",
        "error.nanophoto.key": "{what}: NanoPhoto refused the API key",
        "error.nanophoto.key.action": "Check your key at {page}.",
        "error.usage.export": "/export takes at most one path",
        "error.usage.export.action": "Quote a path with spaces: /export 'my video.mp4'",
        "error.usage.upload": "/upload needs a file or a URL",
        "error.usage.upload.action": "For example: /upload ~/clips/intro.mp4 https://example.com/logo.png",
        "error.usage.session": "/session takes one word: new, or a session id",
        "error.usage.thoughts": "/thoughts takes on or off",
        "error.usage.thoughts.action": "Show the agent's thinking with /thoughts on, hide it with /thoughts off.",
        "error.usage.no_command": "No command /{word}",
        "error.usage.no_command.action": "/help lists them all.",
        "error.usage.no_session": "No session {sid} on this backend.",
        "error.usage.no_session.action": "/sessions lists the ones you used.",
        "error.usage.preview": "/preview takes one job number or one path",
        "error.usage.preview.action": "Quote a path with spaces: /preview 'my clip.mp4'",
        "error.usage.no_job": "No job #{id}",
        "error.usage.no_job.action": "/jobs lists them.",
        "error.usage.no_file": "Job #{id} has no file on disk to preview.",
        "error.usage.no_file.action": "/jobs says how it went.",
        "error.usage.no_video": "No video to preview yet.",
        "error.usage.no_video.action": "/export makes one; /preview PATH shows any file.",
        "error.usage.provider": "/{name} needs submit or status: for example, /{name} submit --prompt \"a rainy Tokyo street\" (/{name} submit --help lists the flags)",
        "error.usage.flags": "{prog}: {problem} ({command} submit --help lists the flags)",
    },
    "zh": {
        "error.network.connect": "{what}:无法连接 {host}{proxy}{notes}",
        "error.network.connect_timeout": "{what}:连接 {host}{proxy} 超时{notes}",
        "error.network.timeout": "{what}:等待 {host}{proxy} 的回应超时{notes}",
        "error.network.cut": "{what}:还没收到回应,与 {host}{proxy} 的连接就断开了{notes}",
        "error.network.connect.action": "请检查网络连接(或 --api-base)后重试。",
        "error.network.connect_timeout.action": "请检查网络连接(或 --api-base)后重试。",
        "error.network.timeout.action": "请检查网络连接(或 --api-base)后重试。",
        "error.network.cut.action": "请检查网络连接(或 --api-base)后重试。",
        "error.network.provider.action": "请检查网络连接和 {setting},当前为 {shown}。",
        "error.network.deadline": "{what}:没有及时收到完整的回应",
        "error.network.deadline.action": "服务器回应太慢;请稍后再试。",
        "error.bad_answer": "{who} 返回了无法识别的内容({what})",
        "error.bad_answer.action": "请稍后再试;如果一直这样,请检查 --api-base(它是 NemoVideo 的 API 吗?)。",
        "error.failed": "{what}失败",
        "error.token_rejected": "{what}:令牌被拒绝",
        "error.session_not_found": "{what}:找不到会话",
        "error.credits": "{what}:积分不足",
        "error.credits.register": "积分不足。",
        "error.credits.register.action": "注册以获得更多积分:{link}",
        "error.credits.top_up": "积分不足。",
        "error.credits.top_up.action": "请在 nemovideo.ai 充值。",
        "error.rate_limited": "{what}:请求太频繁,被限流了",
        "error.rate_limited.wait": "{what}:服务器要求等待的时间超过了我们愿意等待的时间",
        "error.rate_limited.wait.action": "请稍后再试。",
        "error.forbidden": "{what}:没有权限",
        "error.forbidden.action": "请检查 --token / NEMO_TOKEN。",
        "error.refused": "{what}:服务器拒绝了这个请求",
        "error.backend_failed": "{what}失败",
        "error.backend_failed.action": "请稍后再试;如果一直失败,服务可能暂时不可用。",
        "error.stream.dropped": "回答到一半时连接断开了。",
        "error.stream.dropped.action": "没有重新发送任何内容。稍后用 `nemochat status` 查看;智能体可能仍会完成任务。",
        "error.stream.before": "回答开始前连接就断开了。",
        "error.stream.before.action": "没有重新发送任何内容。稍后用 `nemochat status` 查看;智能体可能仍会完成任务。",
        "error.stream.cap": "{cap} 后仍未结束;已停止接收。",
        "error.stream.cap.action": "没有重新发送任何内容。稍后用 `nemochat status` 查看;智能体可能仍会完成任务。",
        "error.nanophoto.credits": "{what}:NanoPhoto 积分不足",
        "error.nanophoto.credits.action": "请在 https://nanophoto.ai 充值。",
        "error.nanophoto.key": "{what}:NanoPhoto 拒绝了这个 API 密钥",
        "error.nanophoto.key.action": "请在 {page} 检查你的密钥。",
        "error.usage.export": "/export 最多接受一个路径",
        "error.usage.export.action": "带空格的路径请加引号:/export '我的 视频.mp4'",
        "error.usage.upload": "/upload 需要一个文件或链接",
        "error.usage.upload.action": "例如:/upload ~/clips/intro.mp4 https://example.com/logo.png",
        "error.usage.session": "/session 只接受一个词:new,或一个会话 ID",
        "error.usage.thoughts": "/thoughts 只接受 on 或 off",
        "error.usage.thoughts.action": "/thoughts on 显示智能体的思考过程,/thoughts off 隐藏。",
        "error.usage.no_command": "没有命令 /{word}",
        "error.usage.no_command.action": "/help 列出所有命令。",
        "error.usage.no_session": "这个后端上没有会话 {sid}。",
        "error.usage.no_session.action": "/sessions 列出你用过的会话。",
        "error.usage.preview": "/preview 只接受一个任务编号或一个路径",
        "error.usage.preview.action": "带空格的路径请加引号:/preview '我的 片段.mp4'",
        "error.usage.no_job": "没有任务 #{id}",
        "error.usage.no_job.action": "/jobs 列出所有任务。",
        "error.usage.no_file": "任务 #{id} 在磁盘上没有可预览的文件。",
        "error.usage.no_file.action": "/jobs 查看它的结果。",
        "error.usage.no_video": "还没有可预览的视频。",
        "error.usage.no_video.action": "/export 会生成一个;/preview 路径 可预览任何文件。",
        "error.usage.provider": "/{name} 需要 submit 或 status,例如:/{name} submit --prompt \"雨夜东京街道\"(/{name} submit --help 列出所有参数)",
        "error.usage.flags": "{prog}:{problem}({command} submit --help 列出所有参数)",
    },
}

# The steps an error names ("Sending your message: rate limited"), by their English.
DOING: dict[str, dict[str, str]] = {
    "en": {},
    "zh": {
        "Cancelling the render": "取消渲染",
        "Checking the gateway task": "查询网关任务",
        "Checking the render": "查询渲染",
        "Creating a session": "创建会话",
        "Getting a token": "获取令牌",
        "Getting the project link": "获取项目链接",
        "Reading credits": "读取积分",
        "Reading the project state": "读取项目状态",
        "Sending your message": "发送你的消息",
        "Starting the render": "开始渲染",
        "Submitting to the video gateway": "提交到视频网关",
        "Waiting for the render": "等待渲染",
        "Submitting to Sora 2": "提交到 Sora 2",
        "Checking the Sora 2 task": "查询 Sora 2 任务",
        "Submitting to Veo 3.1": "提交到 Veo 3.1",
        "Checking the Veo 3.1 shots": "查询 Veo 3.1 镜头",
        "Uploading": "上传",
        "Generating through the gateway's chat": "通过网关的对话接口生成",
        "The gateway": "网关",
        "Gateway": "网关",
    },
}
from nemochat.core.error_texts_app import PHRASES  # noqa: E402

DOING["zh"].update(PHRASES)
DOING["en"] = {english: english for english in DOING["zh"]}

# argparse's own complaints (a chat command's flags), as Chinese words around the flags named.
ARGPARSE_ZH: tuple[tuple[str, str], ...] = (
    (r"the following arguments are required: (.+)", r"缺少参数:\1"),
    (r"unrecognized arguments: (.+)", r"无法识别的参数:\1"),
    (r"argument (\S+): expected one argument", r"参数 \1 需要一个值"),
    (r"argument (\S+): invalid choice: (.+?) \(choose from (.+)\)", r"参数 \1 的值 \2 无效(可选:\3)"),
    (r"argument (\S+): invalid \w+ value: (.+)", r"参数 \1 的值无效:\2"),
    (r"argument (\S+): (.+)", r"参数 \1:\2"),
)


def argparse_words(lang: str, problem: str) -> str:
    """argparse's message in ``lang`` (its English when no pattern fits)."""
    import re

    if lang != "zh":
        return problem
    for pattern, words in ARGPARSE_ZH:
        if re.fullmatch(pattern, problem):
            return re.sub(pattern, words, problem)
    return problem
