"""``--help`` in Chinese: every help line, description and section of the
parsers (commands/parser.py, commands/providers.py, cli_help.py), by its
English, and argparse's own words (``usage:``, ``options``...). The parsers
keep their English where they are defined; ``commands.parser.build_parser``
puts these in place for ``--lang zh``. A line of --help without its Chinese
here fails tests/core/test_help_texts.py.
"""

from __future__ import annotations

import argparse
from typing import Any

HELP_ZH: dict[str, str] = {
    # argparse's own words, and the sections nemochat adds
    "usage: ": "用法:",
    "error: ": "错误:",
    "positional arguments": "位置参数",
    "options": "选项",
    "global options": "全局选项",
    "examples": "示例",
    "environment": "环境变量",
    "exit codes": "退出码",
    "show this help message and exit": "显示此帮助并退出",
    "print the version and exit": "显示版本并退出",
    # nemochat
    "Chat with an AI video agent from your terminal.": "在终端里和 AI 视频智能体聊天。",
    "NemoVideo backend, an http(s) URL (env NEMO_API_URL)": "NemoVideo 后端,一个 http(s) 地址(环境变量 NEMO_API_URL)",
    "a NemoVideo token: skips the anonymous bootstrap (env NEMO_TOKEN)": "NemoVideo 令牌:跳过匿名初始化(环境变量 NEMO_TOKEN)",
    "resume this session (env NEMO_SESSION; default: the last one)": "继续这个会话(环境变量 NEMO_SESSION;默认:上一个)",
    "session language, e.g. en or zh (env NEMO_LANG; default: the locale's)": "会话语言,例如 en 或 zh(环境变量 NEMO_LANG;默认:系统语言)",
    "one JSON object per line on stdout (for scripts)": "在标准输出上每行一个 JSON 对象(供脚本使用)",
    "use the embedded simulator on 127.0.0.1: no account, no network": "使用 127.0.0.1 上的内置模拟器:无需账号,无需网络",
    "save every agent stream in DIR as a replayable fixture": "把智能体的每个数据流保存到 DIR,可供回放",
    "override every status-poll interval (seconds)": "覆盖所有状态查询的间隔(秒)",
    "do not ask before spending credits": "花费积分前不再询问",
    "never fall back to Sora/Veo": "从不改用 Sora/Veo",
    "more detail on stderr": "在标准错误输出上显示更多细节",
    "tracebacks and requests on stderr (tokens redacted), and a debug log in the state folder":
        "在标准错误输出上显示回溯和请求(令牌已隐去),并在状态文件夹里写调试日志",
    # the commands
    "one turn through the same router as the REPL, then exit": "和聊天界面一样处理一轮对话,然后退出",
    "show the credit balance": "显示积分余额",
    "show the session's timeline": "显示会话的时间线",
    "the sessions this machine has used, newest first": "本机用过的会话,最新的在前",
    "a session's transcript (the last one, or --session ID)": "会话的记录(上一个会话,或 --session ID)",
    "renders and Sora/Veo videos, newest first": "渲染和 Sora/Veo 视频,最新的在前",
    "the config file: path, show (with sources), set KEY VALUE, unset KEY": "配置文件:path、show(含来源)、set 键 值、unset 键",
    "a completion script for bash, zsh or fish": "bash、zsh 或 fish 的补全脚本",
    "render a recorded SSE stream as a live turn would, offline": "离线回放录制的 SSE 数据流,和实时对话显示得一样",
    "render the session's draft, wait, download the MP4": "渲染会话的草稿,等待,然后下载 MP4",
    "upload local files and/or public URLs to the session": "把本地文件和/或公开链接上传到会话",
    "open the last exported video (or print its path)": "打开上次导出的视频(或打印它的路径)",
    "NanoPhoto Sora 2 directly: submit | status": "直接使用 NanoPhoto Sora 2:submit | status",
    "NanoPhoto Veo 3.1 directly: submit | status": "直接使用 NanoPhoto Veo 3.1:submit | status",
    "an OpenAI-style video gateway: submit | status": "OpenAI 风格的视频网关:submit | status",
    "a video's keyframes as a contact sheet (FILE, or --last)": "视频的关键帧拼图(文件,或 --last)",
    "run the simulator of every backend in the foreground": "在前台运行所有后端的模拟器",
    # their arguments
    'what to say; text piped in comes first, then these words ("-": only stdin)': '要说的话;管道传入的文字在前,然后是这些词("-":只读标准输入)',
    "at most N sessions (default 50)": "最多 N 个会话(默认 50)",
    "as Markdown (redirect it to a FILE.md)": "输出为 Markdown(重定向到 文件.md)",
    "only the last N turns": "只显示最后 N 轮",
    "include the agent's thoughts": "包括智能体的思考过程",
    "only jobs of this kind": "只显示这一类任务",
    "only jobs that are not finished": "只显示未完成的任务",
    "at most N jobs (default 50)": "最多 N 个任务(默认 50)",
    "where the file is, every value and its source, or change one": "文件在哪里、每个值及其来源,或修改一个值",
    "a setting, e.g. lang or sora_interval": "一个设置项,例如 lang 或 sora_interval",
    "the new value (for set)": "新的值(用于 set)",
    "the shell to complete for": "要补全的 shell",
    "recorded .sse streams (several: each under its name, one after another)": "录制的 .sse 数据流(多个时:依次显示,各自带上名字)",
    "the file to write (or a folder for the default name)": "要写入的文件(或一个文件夹,使用默认文件名)",
    "output format (the renderer makes mp4)": "输出格式(渲染器生成 mp4)",
    "output quality (default high)": "输出质量(默认 high)",
    "replace an existing file instead of picking a new name": "覆盖已有文件,而不是另取一个名字",
    "fetch this render (one that is running or done) instead of starting one": "获取这个渲染(正在进行或已完成的),而不是开始新的渲染",
    "local files and/or public http(s) URLs": "本地文件和/或公开的 http(s) 链接",
    "a video file": "一个视频文件",
    "the last video nemochat exported or downloaded": "nemochat 上次导出或下载的视频",
    "address to listen on (default 127.0.0.1)": "监听地址(默认 127.0.0.1)",
    "port (default: any free port)": "端口(默认:任意空闲端口)",
    # Sora 2, Veo 3.1, a gateway
    "submit a Sora 2 video": "提交一个 Sora 2 视频",
    "check (or --follow) a Sora 2 task": "查询(或 --follow 跟进)一个 Sora 2 任务",
    "submit a Sora 2 video. Its cost is shown, and asked about, before anything is spent.": "提交一个 Sora 2 视频。花费任何积分前都会先显示费用并征得同意。",
    "what the video shows (required)": "视频的内容(必填)",
    "textToVideo (default), or imageToVideo with --image-url": "textToVideo(默认),或配合 --image-url 使用 imageToVideo",
    "sora2 (default), sora2-pro-standard or sora2-pro-high": "sora2(默认)、sora2-pro-standard 或 sora2-pro-high",
    "portrait (default) or landscape": "portrait(默认)或 landscape",
    "seconds: 10 (default) or 15": "秒数:10(默认)或 15",
    "a public image URL (repeatable); a local file needs --upload-local": "一个公开的图片链接(可重复);本地文件需要 --upload-local",
    "wait before the first check (default 120)": "第一次查询前的等待(默认 120)",
    "between checks (default 20)": "两次查询之间的间隔(默认 20)",
    "NanoPhoto API key (else NANOPHOTO_API_KEY, else ~/.openclaw/openclaw.json)": "NanoPhoto API 密钥(否则用 NANOPHOTO_API_KEY,再否则用 ~/.openclaw/openclaw.json)",
    "keep polling until the video is ready, then download it": "持续查询直到视频就绪,然后下载",
    "stop following after S seconds (the job goes on)": "S 秒后停止跟进(任务会继续)",
    'raw {"stage": ..., "response": ...} JSON lines, like NanoPhoto\'s script': '原始的 {"stage": ..., "response": ...} JSON 行,和 NanoPhoto 的脚本一样',
    "where the video goes (default: the current folder)": "视频保存的位置(默认:当前文件夹)",
    "show the video URL only": "只显示视频链接",
    "upload local images to your NemoVideo session and use their public URLs": "把本地图片上传到你的 NemoVideo 会话,并使用它们的公开链接",
    "default: the newest open Sora job of the ledger": "默认:历史记录中最新的未完成 Sora 任务",
    "between checks with --follow (default 20)": "使用 --follow 时两次查询之间的间隔(默认 20)",
    "submit Veo 3.1 shots": "提交 Veo 3.1 镜头",
    "check (or --follow) Veo 3.1 shots": "查询(或 --follow 跟进)Veo 3.1 镜头",
    "submit Veo 3.1 shots (8 s each). Its cost is shown, and asked about, before anything is spent.": "提交 Veo 3.1 镜头(每个 8 秒)。花费任何积分前都会先显示费用并征得同意。",
    "one 8 s shot from this prompt (for several shots: --shots-json)": "用这个提示词生成一个 8 秒的镜头(多个镜头:--shots-json)",
    "of the --prompt shot: 16:9 (default) or 9:16": "--prompt 镜头的画面比例:16:9(默认)或 9:16",
    'the shots: [{"id", "prompt", "generationType", "aspectRatio", "imageUrls"?}, ...]; generationType TEXT_2_VIDEO, '
    "FIRST_AND_LAST_FRAMES_2_VIDEO (1-2 images), REFERENCE_2_VIDEO (1-3 images); aspectRatio 16:9 or 9:16":
        '镜头列表:[{"id", "prompt", "generationType", "aspectRatio", "imageUrls"?}, ...];generationType 为 TEXT_2_VIDEO、'
        "FIRST_AND_LAST_FRAMES_2_VIDEO(1-2 张图片)或 REFERENCE_2_VIDEO(1-3 张图片);aspectRatio 为 16:9 或 9:16",
    "720p (default); 1080p or 4k for a single shot": "720p(默认);单个镜头可用 1080p 或 4k",
    '[{"shotId", "taskId"}, ...] (default: the newest open Veo job)': '[{"shotId", "taskId"}, ...](默认:最新的未完成 Veo 任务)',
    "the resolution of the submit": "提交时的分辨率",
    "submit to an OpenAI-style video gateway (SORA_GATEWAY_URL)": "提交到 OpenAI 风格的视频网关(SORA_GATEWAY_URL)",
    "check (or --follow) a gateway task": "查询(或 --follow 跟进)一个网关任务",
    "submit to an OpenAI-style video gateway (SORA_GATEWAY_URL). Its cost is shown, and asked about, before anything is spent.":
        "提交到 OpenAI 风格的视频网关(SORA_GATEWAY_URL)。花费任何积分前都会先显示费用并征得同意。",
    "sora-2 (default) or sora-2-pro": "sora-2(默认)或 sora-2-pro",
    "small or large (sora-2-pro: large only)": "small 或 large(sora-2-pro 只能用 large)",
    "/v1/video/create (default) or the streamed chat path": "/v1/video/create(默认)或流式对话接口",
    "the status path (default /v1/video/query)": "状态查询路径(默认 /v1/video/query)",
    "the task id (default: the newest open gateway job)": "任务 ID(默认:最新的未完成网关任务)",
    # the epilogs (cli_help.py)
    "the same as --api-base, --token, --session, --lang": "等同于 --api-base、--token、--session、--lang",
    "the client id (else the one shared with NemoVideo's tools)": "客户端 ID(否则使用与 NemoVideo 工具共用的那个)",
    "Sora 2 / Veo 3.1 through NanoPhoto": "通过 NanoPhoto 使用 Sora 2 / Veo 3.1",
    "an OpenAI-style video gateway": "OpenAI 风格的视频网关",
    "any setting, e.g. NEMOCHAT_EXPORT_DEADLINE=900 (`nemochat config show` lists them)": "任意设置项,例如 NEMOCHAT_EXPORT_DEADLINE=900(`nemochat config show` 列出所有设置)",
    "another config file": "另一个配置文件",
    "proxies (or: nemochat config set proxy URL)": "代理(或:nemochat config set proxy 地址)",
    "trusted CAs (or: nemochat config set ca_bundle FILE)": "受信任的 CA(或:nemochat config set ca_bundle 文件)",
    "no colours": "不使用颜色",
    "done": "完成",
    "an unexpected error (a bug): --debug shows the traceback": "意外错误(程序缺陷):--debug 显示回溯",
    "bad usage or bad input": "用法或输入有误",
    "authentication failed": "认证失败",
    "not enough credits, or the plan does not allow it": "积分不足,或套餐不支持",
    "the backend or the network failed (after the retries that are safe)": "后端或网络出错(已做过安全的重试)",
    "interrupted (Ctrl-C)": "已中断(Ctrl-C)",
    "try everything against the built-in simulator (no account, no network)": "用内置模拟器体验所有功能(无需账号,无需网络)",
    "the chat (REPL)": "聊天界面(REPL)",
    "one turn, then exit": "一轮对话,然后退出",
    "render, wait, download the MP4": "渲染、等待、下载 MP4",
    "Sora 2 directly": "直接使用 Sora 2",
    "one JSON object per line, for scripts": "每行一个 JSON 对象,供脚本使用",
    "a command's own options": "某个命令自己的选项",
    "the text from stdin": "从标准输入读取文字",
    "into a folder, under the default name": "保存到一个文件夹,使用默认文件名",
    "fetch a render already started": "获取一个已经开始的渲染",
    "every value and where it comes from": "每个值及其来源",
    "in ~/.bashrc": "写在 ~/.bashrc 里",
    "in ~/.zshrc, after compinit": "写在 ~/.zshrc 里,放在 compinit 之后",
    "then: nemochat --api-base http://127.0.0.1:8765": "然后:nemochat --api-base http://127.0.0.1:8765",
    "six keyframes and one line; the sheet saved as clip.preview.png": "六个关键帧和一行说明;拼图保存为 clip.preview.png",
    "the last video nemochat saved, for scripts": "nemochat 上次保存的视频,供脚本使用",
    "the newest open Sora job": "最新的未完成 Sora 任务",
    "the newest open Veo job": "最新的未完成 Veo 任务",
    "The global options (--json, --demo, --yes, --api-base, ...: see `nemochat --help`) work here too.":
        "全局选项(--json、--demo、--yes、--api-base……:见 `nemochat --help`)在这里也可以用。",
    "Full reference: docs/cli-reference.md; the contract: docs/cli-contract.md.": "完整参考:docs/cli-reference.md;约定:docs/cli-contract.md。",
}


def help_in(lang: str | None, english: str) -> str:
    """A line of --help in ``lang`` (its English when it has no translation)."""
    return HELP_ZH.get(english, english) if (lang or "").lower().startswith("zh") else english


class _ChineseFormatter(argparse.RawDescriptionHelpFormatter):
    """argparse's headings and ``usage:`` in Chinese."""

    def add_usage(self, usage: Any, actions: Any, groups: Any, prefix: str | None = None) -> None:
        super().add_usage(usage, actions, groups, help_in("zh", "usage: ") if prefix is None else prefix)

    def start_section(self, heading: str | None) -> None:
        super().start_section(help_in("zh", heading) if heading else heading)


def speak(parser: argparse.ArgumentParser, lang: str) -> None:
    """Every line of ``parser``'s --help (and its commands') in ``lang``: the
    help of each option, each description and epilog (``help_epilog(lang)``,
    set by cli_help.decorate); argparse's words through the formatter, its
    errors through ``cli_help.Parser.error`` (which reads ``lang``)."""
    chinese = (lang or "").lower().startswith("zh")
    for p in _parsers(parser):
        p.formatter_class = _ChineseFormatter if chinese else argparse.RawDescriptionHelpFormatter
        if hasattr(p, "language"):  # cli_help.Parser: its errors, and no language to look up any more
            p.lang, p.language = ("zh" if chinese else "en"), None  # type: ignore[attr-defined]
        if not chinese:
            continue
        if hasattr(p, "help_epilog"):
            p.epilog = p.help_epilog(lang)
        p.description = help_in(lang, p.description) if p.description else p.description
        for action in p._actions:
            if action.help and action.help != argparse.SUPPRESS:
                action.help = help_in(lang, action.help)
            if isinstance(action, argparse._SubParsersAction):
                for choice in action._choices_actions:
                    choice.help = help_in(lang, choice.help) if choice.help else choice.help


def _parsers(parser: argparse.ArgumentParser) -> list[argparse.ArgumentParser]:
    """``parser`` and every command's under it, nested ones too."""
    found = [parser]
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for sub in action.choices.values():
                found += _parsers(sub)
    return found
