"""What a process sees of how it was started: printed as one JSON line, then
it waits for lines (a window change is reported; "exit N" ends it with N).
tests/test_pty_zygote.py runs it spawned and forked from the zygote, and compares."""

import json
import locale
import os
import signal
import sys

TERMINAL = sys.stdin.isatty()


def report(event: str, **more) -> None:
    print(json.dumps({"event": event, **more}), flush=True)


def streams() -> dict:
    return {name: {"encoding": s.encoding, "errors": s.errors, "line_buffering": s.line_buffering,
                   "write_through": s.write_through, "isatty": s.isatty(), "fileno": s.fileno(), "name": s.name,
                   "is_dunder": s is getattr(sys, f"__{name}__")}
            for name, s in (("stdin", sys.stdin), ("stdout", sys.stdout), ("stderr", sys.stderr))}


signal.signal(signal.SIGWINCH, lambda *_: report("winch", size=tuple(os.get_terminal_size())))
report(
    "start",
    argv=sys.argv, path0=sys.path[0], cwd=os.getcwd(), env=dict(os.environ), streams=streams(),
    size=tuple(os.get_terminal_size()) if TERMINAL else None,
    session_leader=os.getsid(0) == os.getpid(), foreground=os.tcgetpgrp(0) == os.getpgrp() if TERMINAL else None,
    handlers={name: repr(signal.getsignal(getattr(signal, name))) for name in ("SIGINT", "SIGHUP", "SIGTERM", "SIGPIPE", "SIGCHLD", "SIGQUIT")},
    blocked=sorted(int(s) for s in signal.pthread_sigmask(signal.SIG_BLOCK, [])),
    open_fds=sorted(int(fd) for fd in os.listdir("/proc/self/fd") if int(fd) > 2 and os.path.exists(f"/proc/self/fd/{fd}")),
    locale=locale.setlocale(locale.LC_CTYPE), preferred=locale.getpreferredencoding(False), flags=list(sys.flags),
    umask=os.umask(0o22),
)
for line in sys.stdin:
    if line.startswith("exit "):
        sys.exit(int(line.split()[1]))
    report("line", text=line.rstrip("\n"))
