"""The message catalogue: what nemochat itself writes, in English and Chinese
(``--lang``/``NEMO_LANG``), for the views, the jobs and /help.

``say(lang, key, **values)`` formats one message; ``command_help`` gives a
slash command's /help line; a key missing in a
language is a bug that tests/core/test_texts.py finds (both tables must
have the same keys and the same ``{placeholders}``). The REPL's greeting
and hints are in ``repl/texts.py``, checked by the same test.
"""

from __future__ import annotations

from collections.abc import Mapping

CATALOGUE: dict[str, dict[str, str]] = {
    "en": {
        # credits and the timeline (/credits, /status, `nemochat credits|status`)
        "credits": "Credits: ",
        "credits_available": "{available} available",
        "credits_rest": " · {frozen} frozen · {total} total",
        "untitled": "Untitled project",
        "empty_draft": "(empty draft: nothing on the timeline yet)",
        "track.video": "Video",
        "track.audio": "BGM",
        "track.text": "Title",
        "track.other": "Track",
        "track.typed": "Track (type {code})",
        "track.empty": "empty",
        "track.more": " +{count} more",
        # what a turn did
        "changes.none": "The agent answered without text, and the timeline did not change.",
        "changes.after_drop": "The connection dropped, but this reached the project:",
        "changes.silent": "The agent made these changes without replying:",
        "cut_off": "(the answer was cut off here)",
        "artifact_saved": "The agent saved {name} in the project.",
        "stopped_here": "(stopped here)",
        # uploads
        "upload.name": "Name",
        "upload.type": "Type",
        "upload.duration": "Duration",
        "upload.resolution": "Resolution",
        "upload.added": "✓ Added to your project: the agent can use them in your next message.",
        "upload.unconfirmed": "Uploaded, but the backend did not say it added them to the project.",
        # the session line of a one-shot command
        "session.new": "New session {sid}",
        "session.resumed": "Resumed session {sid}",
        "session.demo": " (demo: a simulator on this machine, nothing is sent anywhere)",
        "session.link": "Open this project in your browser: ",
        # offers of a one-shot command (the REPL asks instead)
        "offer.export": "export the video",
        "offer.status": "see the tracks",
        "offer.edit": "change the timeline",
        "offer.run": "→ To {what}, run {command}.",
        "offer.describe": "→ To {what}, just describe the change.",
        "answer_hint": 'Answer with the letter(s), e.g. nemochat ask "A" (or "A,C" where several are allowed).',
        # sessions in the chat
        "session.this": "This session: {sid}",
        "session.hint": "/session new starts another; /sessions lists the ones you used.",
        "thoughts.shown": "The agent's thoughts are shown, dimmed.",
        "thoughts.hidden": "The agent's thoughts are hidden.",
        "session.same": "That is this session already.",
        "sessions.none": "No sessions yet on this backend.",
        "sessions.switch": "Switch with /session ID (Tab completes the id).",
        "open.no_link": "No link to open for this session.",
        "open.opened": "Opened {target}",
        "open.last": "Your last export: {target}",
        "provider.not_submitted": "Not submitted; nothing was spent.",
        "provider.cost": "{what} costs {price}. Submit? [y/N]",
        "provider.price": "{cost} NanoPhoto credits",
        "provider.price_gateway": "whatever your gateway charges",
        "provider.submitting": "Submitting {what}: {price}.",
        # the ledger's commands (sessions, log, jobs)
        "sessions.none_but_demo": "No sessions yet with NemoVideo; the demo has {count}: nemochat --demo sessions",
        "sessions.none_start": "No sessions yet. Start one with: nemochat (or nemochat --demo to try it offline)",
        "turns.one": "{count} turn",
        "turns.many": "{count} turns",
        "log.none": "No sessions yet: nothing to show.",
        # a session's history (`nemochat log`, the recap when a session is resumed)
        "log.session": "session {sid} · {backend}",
        "log.dates": "started {started} · last used {used} · {turns}",
        "log.shown": "{turns} (the last {count} shown)",
        "log.you": "you: ",
        "log.agent": "agent: ",
        "log.agent_asks": "agent asks: ",
        "log.agent_silent": "agent (no text): ",
        "log.thinking": "(thinking) ",
        "log.cut_off": " (cut off)",
        "log.changed": "Changed without a word: ",
        "log.silent": "No answer, and nothing changed.",
        "log.error": "✗ Error{code}: {message}",
        "log.unfinished": "(unfinished: nothing more was received)",
        "log.credits": "Credits: {before} → {after}",
        "log.earlier": "Earlier in this session:",
        "log.stopped": "(the answer stopped here)",
        "jobs.none_yet": "No jobs yet: exports and Sora/Veo videos show up here.",
        # `nemochat config show`
        "config.file": "# config file: {path}",
        "config.not_yet": " (not created yet)",
        "config.change": "# change one with: nemochat config set KEY VALUE",
        "config.env_only": "# from the environment or flags only:",
        "config.ignored": "# ignored in the file: {name} (not a setting nemochat keeps there)",
        "config.source.default": "default",
        "config.source.locale": "locale",
        "config.source.flag": "flag",
        "config.source.env": "env",
        "config.source.file": "file",
        "demo.sample": "Demo: the simulator's project was empty, so its 10-second sample clip (rain on a neon street) is on the timeline.",
        # export and transfers
        "export.rendering": "Rendering your video on NemoVideo (render {id}).",
        "export.saved": "✓ Saved ",
        "export.rendered": "✓ Rendered: ",
        "export.play": "  Play it with: nemochat open (or /open in the chat)",
        "transfer.Rendering": "Rendering",
        "transfer.Downloading": "Downloading",
        # background jobs
        "job.export": "Export",
        "job.sora": "Sora video",
        "job.veo": "Veo video",
        "job.gateway": "Gateway video",
        "job.started": "{label} runs in the background (job #{id}). Keep chatting; /jobs shows how it is doing.",
        "job.already": "An export is already running; /jobs shows how it is doing.",
        "job.finished": "✓ {label} finished{took}",
        "job.play": "  /open plays it.",
        "job.stopped": "{label} stopped{took}.",
        "job.failed": "✗ {label} failed: {error}",
        "job.line": "#{id} {label} · {doing} · {took}",
        "job.line_done": "#{id} {label} · done in {took}",
        "job.line_failed": "#{id} {label} · failed after {took}",
        "job.line_cancelled": "#{id} {label} · stopped after {took}",
        "job.stage.starting": "starting",
        "job.stage.rendering": "rendering",
        "job.stage.downloading": "downloading",
        "job.stage.working": "working",
        "jobs.none": "No background jobs yet. /export runs one.",
        "jobs.usage": "/jobs takes nothing, or: cancel N",
        "jobs.usage_example": "For example: /jobs cancel 1 (/jobs lists the numbers).",
        "jobs.no_such": "No job #{id}",
        "jobs.listed": "/jobs lists them.",
        "command.unknown": "Unknown command /{word}.{hint} /help lists them.",
        "command.did_you_mean": " Did you mean /{close}?",
        "jobs.cancel_hint": "/jobs cancel N stops one.",
        "jobs.not_running": "Job #{id} is not running ({status}).",
        "job.status.done": "done",
        "job.status.failed": "failed",
        "job.status.cancelled": "stopped",
        "jobs.no_cancel": "NanoPhoto cannot cancel a paid video: it goes on there, and `nemochat jobs` keeps its task id.",
        # /help
        "help.more": "Anything else goes to the agent; “credits”, “status”, “export” work without a slash.",
        "help.keys": "Enter sends · Alt-Enter new line · Ctrl-R history · Ctrl-C stops · Ctrl-D quits",
        # Sora/Veo/gateway videos
        "video.gateway": "the gateway",
        "video.shot": " shot {shot}",
        "video.cost": " · {credits} credits",
        "video.ready": "✓ Video ready ({name}{shot}{cost})",
        "video.saved": "  Saved ",
        "video.failed": "✗ {name}{shot} failed (task {task})",
        "video.unknown": "? {name}: the submit's answer was lost; job #{job} is marked unknown",
        "video.processing": "→ {name}{shot}: task {task} is processing",
        "video.takes_minutes": "{label} usually takes a few minutes; first check in {wait} s.",
        "video.slow_down": "{label} asked us to slow down; next check in {wait} s.",
        "video.still_processing": "{label}: still processing{detail}.",
        "video.submitted": "Submitted. Follow it with: {command}",
        "video.follow": "Follow it with: {command}",
        # the client's notices while it retries
        "notice.client_id": "The server did not accept our client id; created a new one.",
        "notice.token_expired": "Your token expired; getting a new one.",
        "notice.unreachable": "NemoVideo unreachable, retrying in {wait} s ({retry}/{retries})…",
        "notice.unreachable_now": "NemoVideo unreachable, retrying now ({retry}/{retries})…",
        "notice.slow_down": "The server asked us to slow down; retrying in {wait} s.",
        # the REPL's toolbar, the turn's notices, the fallback's question
        "toolbar.session": "session {sid}",
        "toolbar.offline": "not connected",
        "toolbar.credits": "{credits} credits",
        "still_working": "Still working… ({took})",
        "artifact.saved": "saved {name}",
        "handoff": "→ {agent}",
        "session.gone": "That session no longer exists on the server; starting a new one.",
        "session.title": "Session {sid}",
        "recovery.dropped": "The connection dropped. Your message was NOT sent again (the agent may still be working on it). Checking the project state in {wait} s…",
        "recovery.again": "No change yet; checking again in {wait} s…",
        "fallback.ask": "NemoVideo can't generate now ({why}). Generate with {what} instead? [y/N]",
        "fallback.why.no credits": "no credits",
        "fallback.why.it is unreachable": "it is unreachable",
        "fallback.why.it is busy": "it is busy",
        "fallback.why.it is failing": "it is failing",
        "fallback.sora": "Sora 2{tier} via NanoPhoto for {cost} credits",
        "fallback.gateway": "Sora 2 via your video gateway ({model}, {duration} s, {orientation})",
        "fallback.declined": "OK: nothing generated, no credits spent.",
        "fallback.generating": "Generating with {what}.",
        "unit.minute": "minute",
        "unit.s": "s",
    },
    "zh": {
        "credits": "积分:",
        "credits_available": "可用 {available}",
        "credits_rest": " · 冻结 {frozen} · 总计 {total}",
        "untitled": "未命名项目",
        "empty_draft": "(草稿是空的:时间线上还没有内容)",
        "track.video": "视频",
        "track.audio": "背景音乐",
        "track.text": "标题",
        "track.other": "轨道",
        "track.typed": "轨道(类型 {code})",
        "track.empty": "空",
        "track.more": " 另有 {count} 个",
        "changes.none": "智能体没有回复文字,时间线也没有变化。",
        "changes.after_drop": "连接断开了,但这些改动已经写入项目:",
        "changes.silent": "智能体没有回复,但做了这些改动:",
        "cut_off": "(回答在这里中断了)",
        "artifact_saved": "智能体已在项目中保存 {name}。",
        "stopped_here": "(在这里停止了)",
        "upload.name": "名称",
        "upload.type": "类型",
        "upload.duration": "时长",
        "upload.resolution": "分辨率",
        "upload.added": "✓ 已添加到项目:智能体可以在你的下一条消息中使用它们。",
        "upload.unconfirmed": "已上传,但后端没有确认已把它们添加到项目。",
        "session.new": "新会话 {sid}",
        "session.resumed": "继续会话 {sid}",
        "session.demo": "(演示:本机上的模拟器,不会向任何地方发送数据)",
        "session.link": "在浏览器中打开这个项目:",
        "offer.export": "导出视频",
        "offer.status": "查看轨道",
        "offer.edit": "修改时间线",
        "offer.run": "→ 要{what},请运行 {command}。",
        "offer.describe": "→ 要{what},直接描述你想要的改动即可。",
        "answer_hint": '用字母回答,例如 nemochat ask "A"(可多选时用 "A,C")。',
        "session.this": "当前会话:{sid}",
        "session.hint": "/session new 开始新会话;/sessions 列出你用过的会话。",
        "thoughts.shown": "智能体的思考过程会以淡色显示。",
        "thoughts.hidden": "智能体的思考过程已隐藏。",
        "session.same": "已经是当前会话。",
        "sessions.none": "这个后端上还没有会话。",
        "sessions.switch": "用 /session ID 切换(Tab 可补全 ID)。",
        "open.no_link": "这个会话没有可打开的链接。",
        "open.opened": "已打开 {target}",
        "open.last": "你上次导出的视频:{target}",
        "provider.not_submitted": "未提交;没有花费任何积分。",
        "provider.cost": "{what} 需要 {price}。提交吗? [y/N]",
        "provider.price": "{cost} 个 NanoPhoto 积分",
        "provider.price_gateway": "你的网关所收取的费用",
        "provider.submitting": "正在提交 {what}:{price}。",
        "sessions.none_but_demo": "还没有 NemoVideo 会话;演示里有 {count} 个:nemochat --demo sessions",
        "sessions.none_start": "还没有会话。开始一个:nemochat(或用 nemochat --demo 离线试用)",
        "turns.one": "{count} 轮",
        "turns.many": "{count} 轮",
        "log.none": "还没有会话:没有可显示的内容。",
        "log.session": "会话 {sid} · {backend}",
        "log.dates": "开始于 {started} · 最近使用 {used} · {turns}",
        "log.shown": "{turns}(显示最后 {count} 轮)",
        "log.you": "你:",
        "log.agent": "智能体:",
        "log.agent_asks": "智能体提问:",
        "log.agent_silent": "智能体(无文字):",
        "log.thinking": "(思考)",
        "log.cut_off": "(被中断)",
        "log.changed": "没有回复,但做了改动:",
        "log.silent": "没有回答,也没有改动。",
        "log.error": "✗ 错误{code}:{message}",
        "log.unfinished": "(未完成:之后没有再收到内容)",
        "log.credits": "积分:{before} → {after}",
        "log.earlier": "这个会话之前的内容:",
        "log.stopped": "(回答在这里停止了)",
        "jobs.none_yet": "还没有任务:导出和 Sora/Veo 视频会显示在这里。",
        "config.file": "# 配置文件:{path}",
        "config.not_yet": "(尚未创建)",
        "config.change": "# 修改一项:nemochat config set 键 值",
        "config.env_only": "# 只能通过环境变量或命令行参数设置:",
        "config.ignored": "# 文件中被忽略:{name}(nemochat 不在文件里保存这个设置)",
        "config.source.default": "默认",
        "config.source.locale": "系统语言",
        "config.source.flag": "参数",
        "config.source.env": "环境变量",
        "config.source.file": "文件",
        "demo.sample": "演示:模拟器里的项目是空的,所以时间线上放了它的10秒示例片段(霓虹街道上的雨)。",
        "export.rendering": "正在 NemoVideo 上渲染你的视频(渲染 {id})。",
        "export.saved": "✓ 已保存 ",
        "export.rendered": "✓ 已渲染:",
        "export.play": "  播放:nemochat open(聊天中用 /open)",
        "transfer.Rendering": "渲染",
        "transfer.Downloading": "下载",
        "job.export": "导出",
        "job.sora": "Sora 视频",
        "job.veo": "Veo 视频",
        "job.gateway": "网关视频",
        "job.started": "{label}在后台运行(任务 #{id})。可以继续聊天;/jobs 查看进度。",
        "job.already": "已有一个导出在运行;/jobs 查看进度。",
        "job.finished": "✓ {label}完成{took}",
        "job.play": "  /open 播放。",
        "job.stopped": "{label}已停止{took}。",
        "job.failed": "✗ {label}失败:{error}",
        "job.line": "#{id} {label} · {doing} · {took}",
        "job.line_done": "#{id} {label} · 用时 {took} 完成",
        "job.line_failed": "#{id} {label} · {took} 后失败",
        "job.line_cancelled": "#{id} {label} · {took} 后停止",
        "job.stage.starting": "开始中",
        "job.stage.rendering": "渲染中",
        "job.stage.downloading": "下载中",
        "job.stage.working": "处理中",
        "jobs.none": "还没有后台任务。/export 会启动一个。",
        "jobs.usage": "/jobs 不带参数,或者:cancel N",
        "jobs.usage_example": "例如:/jobs cancel 1(/jobs 列出编号)。",
        "jobs.no_such": "没有任务 #{id}",
        "jobs.listed": "/jobs 列出所有任务。",
        "command.unknown": "没有命令 /{word}。{hint}/help 列出所有命令。",
        "command.did_you_mean": "你是想用 /{close} 吗?",
        "jobs.cancel_hint": "/jobs cancel N 停止一个任务。",
        "jobs.not_running": "任务 #{id} 没有在运行({status})。",
        "job.status.done": "已完成",
        "job.status.failed": "已失败",
        "job.status.cancelled": "已停止",
        "jobs.no_cancel": "NanoPhoto 无法取消已付费的视频:它会继续生成,`nemochat jobs` 保留了它的任务 ID。",
        "help.more": "其他内容都会发给智能体;“积分”“状态”“导出”不用斜杠也可以。",
        "help.keys": "Enter 发送 · Alt-Enter 换行 · Ctrl-R 历史 · Ctrl-C 停止 · Ctrl-D 退出",
        "video.gateway": "网关",
        "video.shot": " 镜头 {shot}",
        "video.cost": " · {credits} 积分",
        "video.ready": "✓ 视频已就绪({name}{shot}{cost})",
        "video.saved": "  已保存 ",
        "video.failed": "✗ {name}{shot} 失败(任务 {task})",
        "video.unknown": "? {name}:提交的回应丢失了;任务 #{job} 标记为未知",
        "video.processing": "→ {name}{shot}:任务 {task} 处理中",
        "video.takes_minutes": "{label} 通常需要几分钟;{wait} 秒后第一次查询。",
        "video.slow_down": "{label} 要求放慢速度;{wait} 秒后再查询。",
        "video.still_processing": "{label}:仍在处理{detail}。",
        "video.submitted": "已提交。用这个命令跟进:{command}",
        "video.follow": "用这个命令跟进:{command}",
        "notice.client_id": "服务器不接受我们的客户端 ID;已创建一个新的。",
        "notice.token_expired": "你的令牌已过期;正在获取新令牌。",
        "notice.unreachable": "连不上 NemoVideo,{wait} 秒后重试({retry}/{retries})…",
        "notice.unreachable_now": "连不上 NemoVideo,正在重试({retry}/{retries})…",
        "notice.slow_down": "服务器要求放慢速度;{wait} 秒后重试。",
        "toolbar.session": "会话 {sid}",
        "toolbar.offline": "未连接",
        "toolbar.credits": "{credits} 积分",
        "still_working": "仍在处理…({took})",
        "artifact.saved": "已保存 {name}",
        "handoff": "→ 转交给 {agent}",
        "session.gone": "服务器上已没有这个会话;正在开始一个新会话。",
        "session.title": "会话 {sid}",
        "recovery.dropped": "连接断开了。你的消息没有被重新发送(智能体可能仍在处理)。{wait} 秒后检查项目状态…",
        "recovery.again": "还没有变化;{wait} 秒后再检查…",
        "fallback.ask": "NemoVideo 现在无法生成({why})。改用{what}生成吗? [y/N]",
        "fallback.why.no credits": "积分不足",
        "fallback.why.it is unreachable": "连接不上",
        "fallback.why.it is busy": "服务繁忙",
        "fallback.why.it is failing": "服务出错",
        "fallback.sora": "NanoPhoto 上的 Sora 2{tier},花费 {cost} 积分,",
        "fallback.gateway": "你的视频网关上的 Sora 2({model},{duration} 秒,{orientation})",
        "fallback.declined": "好的:没有生成任何内容,没有花费积分。",
        "fallback.generating": "正在用{what}生成。",
        "unit.minute": "分钟",
        "unit.s": "秒",
    },
}


# /help in Chinese: each built-in command's line (English is the registry's own, repl/commands.py).
HELP_ZH: dict[str, str] = {
    "credits": "你的积分余额",
    "status": "项目的时间线:轨道、片段、时长",
    "export": "渲染视频并下载 MP4(在后台进行)",
    "upload": "把本地文件或公开链接添加到项目",
    "sora": '直接使用 Sora 2,例如 /sora submit --prompt "冲浪的猫"(/sora submit --help 查看参数)',
    "veo": '直接使用 Veo 3.1,例如 /veo submit --prompt "冲浪的猫"(/veo submit --help 查看参数)',
    "gateway": 'OpenAI 风格的视频网关,例如 /gateway submit --prompt "冲浪的猫"',
    "session": "当前会话;`new` 开始新会话,填 ID 重新打开一个",
    "sessions": "你在这里用过的会话,最新的在前",
    "jobs": "后台任务(导出、视频)及其进度;`cancel N` 停止一个",
    "preview": "视频的关键帧:上一个视频、某个任务的(/preview 3)或某个文件的",
    "open": "播放上次导出的视频,否则在浏览器中打开项目",
    "thoughts": "显示或隐藏智能体的思考过程(淡色,与回答分开)",
    "clear": "清屏",
    "help": "本列表;/help 命令 查看单个命令",
    "quit": "退出(Ctrl-D 也可以)",
}


def lang_of(code: str | None) -> str:
    return "zh" if (code or "").lower().startswith("zh") else "en"


def say(lang: str | None, key: str, default: str | None = None, **values: object) -> str:
    """The message ``key`` in ``lang`` (English when the language has none);
    ``default`` for keys that may not exist (a command added by a plugin)."""
    table = CATALOGUE[lang_of(lang)]
    template = table.get(key) or CATALOGUE["en"].get(key)
    if template is None:
        if default is None:
            raise KeyError(key)
        return default.format(**phrased(lang, values)) if values else default
    if not values and "{" not in template:  # (most lines: the toolbar's words, on every redraw)
        return template
    return template.format_map(_Blank(phrased(lang, values)))


class _Blank(dict):  # type: ignore[type-arg]
    """A value a message names and its error did not give (an optional part: the proxy) is said as nothing."""

    def __missing__(self, name: str) -> str:
        return ""


def phrased(lang: str | None, values: Mapping[str, object]) -> Mapping[str, object]:
    """``values`` with what nemochat itself put there in ``lang``: a catalogue line
    (``Said``), a list of them, an error; in Chinese also its phrases ("Sending your
    message", "the video URL", "5 minutes"). Anything else (a server's words) as is."""
    import re

    zh = lang_of(lang) == "zh"
    table = CATALOGUE[lang_of(lang)]

    def one(value: object) -> object:
        if isinstance(value, Said) and value.key:
            return said_in(lang, value)
        if isinstance(value, tuple):  # a list: "'Intro' 0-5 s, 'Rain' 5-10 s"
            return ("," if zh else ", ").join(str(one(v)) for v in value)
        if hasattr(value, "say"):  # an error named in the message
            return value.say(lang)[0]
        if not zh or not isinstance(value, str):
            return value
        if "doing." + value in table:
            return table["doing." + value]
        if (time := re.fullmatch(r"(\d+(?:\.\d+)?) (minutes?|s)", value)) is not None:
            return f"{time[1]} {table['unit.' + time[2].rstrip('s') if time[2] != 's' else 'unit.s']}"
        return value

    return {name: one(value) for name, value in values.items()}


class Said(str):
    """An English line that also names its catalogue message (``key``, ``values``),
    for code that passes plain strings along (a client's ``notify``)."""

    key: str = ""
    values: tuple[tuple[str, object], ...] = ()  # strings, or a catalogue line, a list of them, an error

    @classmethod
    def of(cls, key: str, **values: object) -> Said:
        said = cls(say("en", key, None, **values))
        # (a catalogue line, a list of them or an error among the values is kept as is: a view says it in its language)
        said.key = key
        said.values = tuple((k, v if isinstance(v, (Said, tuple)) or hasattr(v, "say") else str(v)) for k, v in values.items())
        return said


def said_in(lang: str | None, text: str) -> str:
    """``text`` in ``lang`` when it is a catalogue line (``Said``), else as it is."""
    key = getattr(text, "key", "")
    return say(lang, key, **dict(text.values)) if key else text  # type: ignore[attr-defined]


def command_help(lang: str | None, name: str, english: str) -> str:
    """A slash command's /help line: the registry's English, else its translation."""
    return HELP_ZH.get(name, english) if lang_of(lang) == "zh" else english


def say_error(lang: str | None, key: str, values: dict[str, str], message: str, action: str, action_key: str = "") -> tuple[str, str]:
    """An error's line and advice in ``lang``: ``error.KEY`` (and ``error.KEY.action``,
    or ``error.ACTION_KEY`` when the advice was given apart, when the error has advice)
    from the catalogue; the English ones when not keyed. ``what`` (the step that
    failed: "Sending your message") is translated too."""
    if not key or lang_of(lang) == "en":
        return message, action
    table = CATALOGUE[lang_of(lang)]
    if "error." + key not in table:
        return message, action
    values = {name: str(value) for name, value in phrased(lang, values).items()}  # the step that failed, who answered
    if "problem" in values:
        values = {**values, "problem": argparse_words(lang_of(lang), values["problem"])}
    advice = table.get(f"error.{action_key}" if action_key else f"error.{key}.action", action) if action else ""
    return say(lang, "error." + key, **values), advice.format(**values) if advice is not action else advice


from nemochat.core import cli_texts, error_texts_app, error_texts_clients, rule_texts  # noqa: E402  (more of the catalogue)
from nemochat.core.error_texts import DOING, ERRORS, argparse_words  # noqa: E402  (the errors' half of the catalogue)

for _lang in CATALOGUE:
    CATALOGUE[_lang].update(ERRORS[_lang])
    CATALOGUE[_lang].update(error_texts_clients.ERRORS[_lang])
    CATALOGUE[_lang].update(error_texts_app.ERRORS[_lang])
    CATALOGUE[_lang].update(error_texts_app.NOTICES[_lang])
    CATALOGUE[_lang].update(cli_texts.ERRORS[_lang])
    CATALOGUE[_lang].update(cli_texts.TEXTS[_lang])
    CATALOGUE[_lang].update(rule_texts.ERRORS[_lang])
    CATALOGUE[_lang].update(rule_texts.TEXTS[_lang])
    CATALOGUE[_lang].update({"doing." + english: words for english, words in DOING[_lang].items()})
