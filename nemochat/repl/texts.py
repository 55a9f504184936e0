"""What the REPL says in its own words, in English and Chinese (Settings.lang)."""

from __future__ import annotations

_TEXTS: dict[str, dict[str, str]] = {
    "en": {
        "welcome": "Welcome to NemoVideo. Describe a video and the agent will make it, then edit it with you.",
        "demo": (
            "Demo: a simulator on this machine plays the agent. Nothing is sent anywhere, the credits are "
            "pretend, every video is a 10-second sample clip (rain over a neon street), and there is no web page. "
            "Your demo projects are kept for the next `nemochat --demo`."
        ),
        "demo_no_page": "The demo has no web page: its projects live only on this machine. /export makes the video.",
        "try": "Try saying:",
        "keys": "/help lists commands · Alt-Enter adds a line · Ctrl-C stops · Ctrl-D quits",
        "connecting": "connecting…",
        "toolbar_demo": "demo",
        "ready": "Ready.",
        "ready_new": "Ready: a new project.",
        "ready_resumed": "Ready: back in project {sid}.",
        "open_link": "Open it in your browser: ",
        "long_prompt": (
            "Tip: prompts under 300 characters work best; keep one visual style "
            "(e.g. not hand-drawn and photorealistic at once)."
        ),
        "stopped": (
            "Stopped. Your message was not sent again, but the agent may still be "
            "working on it on the server{what}. /status shows what reached the project."
        ),
        "stopped_what": " ({label})",
        "stopped_unsent": "Stopped. Nothing reached the agent: NemoVideo was not reached, and your message was not sent.",
        "stopped_command": "Stopped.",
        "stopped_connecting": "Stopped trying to reach NemoVideo. Type anything to try again.",
        "busy": "still answering (Ctrl-C stops it)",
        "held": "{command}: shown when the answer ends",
        "ctrl_c_idle": "(Ctrl-D or /quit to leave)",
        "quit_confirm": "{what}: still running. Quit anyway?",
        "bye": "Bye.",
        "answer_yes": "yes",
        "answer_no": "no",
        "thinking": "Thinking",
        "agent_answer": "the agent's answer",
        "question_dismissed": "(question dismissed: just type what you want instead)",
        "retry": "Type anything to try again.",
        "retry_fallback": (
            "Type anything to try again; if NemoVideo is still out of reach, a video request "
            "will offer Sora 2 instead (asked first, with the cost)."
        ),
        "unexpected": "✗ Unexpected error: {error}",
        "unexpected_debug": "  Run with --debug for details; the chat goes on.",
    },
    "zh": {
        "welcome": "欢迎使用 NemoVideo。描述你想要的视频,智能体会生成它,再和你一起剪辑。",
        "demo": "演示模式:由本机上的模拟器扮演智能体。不会向任何地方发送数据,积分是虚拟的,每个视频都是10秒的示例片段(霓虹街道上的雨),也没有网页。演示项目会保留到下一次 `nemochat --demo`。",
        "demo_no_page": "演示没有网页:它的项目只保存在本机。用 /export 生成视频。",
        "try": "试试这样说:",
        "keys": "/help 查看命令 · Alt-Enter 换行 · Ctrl-C 停止 · Ctrl-D 退出",
        "connecting": "连接中…",
        "toolbar_demo": "演示",
        "ready": "已就绪。",
        "ready_new": "已就绪:新项目。",
        "ready_resumed": "已就绪:回到项目 {sid}。",
        "open_link": "在浏览器中打开:",
        "long_prompt": "提示:提示词最好少于300个字符,并保持一种视觉风格(例如不要同时要求手绘和写实)。",
        "stopped": "已停止。你的消息没有被重新发送,但智能体可能仍在服务器上处理{what}。用 /status 查看项目里已有的内容。",
        "stopped_what": "({label})",
        "stopped_unsent": "已停止。没有连上 NemoVideo,你的消息没有发出,智能体什么也没收到。",
        "stopped_command": "已停止。",
        "stopped_connecting": "已停止连接 NemoVideo。输入任何内容即可重试。",
        "busy": "还在回答(Ctrl-C 停止)",
        "held": "{command}:回答结束后显示",
        "ctrl_c_idle": "(按 Ctrl-D 或输入 /quit 退出)",
        "quit_confirm": "{what}仍在运行。仍要退出吗?",
        "bye": "再见。",
        "answer_yes": "是",
        "answer_no": "否",
        "thinking": "思考中",
        "agent_answer": "智能体的回答",
        "question_dismissed": "(问题已关闭:直接输入你想要的即可)",
        "retry": "输入任何内容即可重试。",
        "retry_fallback": "输入任何内容即可重试;如果仍然连不上 NemoVideo,请求视频时会改为提供 Sora 2(会先询问,并说明费用)。",
        "unexpected": "✗ 意外错误:{error}",
        "unexpected_debug": "  用 --debug 运行可查看详情;聊天可以继续。",
    },
}

EXAMPLES: dict[str, tuple[str, ...]] = {
    "en": (
        "Generate a 10-second video of a rainy Tokyo street at night with neon reflections",
        "Create a product video of a white sneaker on a clean studio background, rotating 360°",
        "Make a short cinematic clip of a lone astronaut crossing a red desert at golden hour",
    ),
    "zh": (
        "生成一段10秒视频,展现雨夜东京街道,湿漉漉的路面倒映着霓虹灯光",
        "为极简白色运动鞋制作产品展示视频,干净的工作室背景,360度旋转",
        "制作一段电影感短片,黄金时刻一位孤独宇航员穿越红色沙漠星球",
    ),
}

LONG_PROMPT_CHARS = 300


def lang_of(code: str | None) -> str:
    return "zh" if (code or "").lower().startswith("zh") else "en"


def text(lang: str, key: str, **values: object) -> str:
    table = _TEXTS[lang_of(lang)]
    return table.get(key, _TEXTS["en"][key]).format(**values)


def examples(lang: str) -> tuple[str, ...]:
    return EXAMPLES[lang_of(lang)]
