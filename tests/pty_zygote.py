"""Start ``nemochat`` in a pseudo-terminal without paying for a fresh interpreter.

A fresh ``nemochat`` spends most of its first second importing
prompt_toolkit, rich, httpx and itself. The zygote is a Python process that
has imported them once and does nothing else: asked to spawn, it forks a child
onto a new pseudo-terminal (``os.forkpty``: a new session whose controlling
terminal is the pty, as pexpect's spawn makes it), and the child sets up what
``exec`` would have (argv, environment, working directory, window size, the
standard streams on the terminal, fds 3 and up closed) and runs the console
script's ``sys.exit(main())``. It ends as the real one does, as far as
anyone can see (threads joined, atexit handlers run, streams flushed, the
same status), without tearing down every module the zygote imported.

The test gets the terminal's master end and the child's pid: signals go
straight to the child; its exit status comes from the zygote (its parent).
A zygote serves one environment as far as the interpreter's start-up reads it
(``PYTHON*``, ``LANG``, ``LC_*``: sys.flags, sys.path, the streams'
encoding); ``Zygotes`` keeps one per such environment.

Run as a script, this file is the zygote; imported, it is the client.
"""

from __future__ import annotations

import json
import os
import selectors
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Mapping
from pathlib import Path

import pexpect
from pexpect.fdpexpect import fdspawn

_STATUS = struct.Struct("i")
NEMOCHAT = str(Path(sys.executable).with_name("nemochat"))  # the console script: what the zygote's children run


def startup_env(env: Mapping[str, str]) -> tuple[tuple[str, str], ...]:
    """The variables a Python interpreter reads as it starts."""
    return tuple(sorted((k, v) for k, v in env.items() if k.startswith(("PYTHON", "LC_")) or k == "LANG"))


# -- the client (in the test process) -------------------------------------------------


def _signal(pid: int, sig: int) -> None:
    """``os.kill``, for a child that may have ended: the zygote reaps it
    before its status reaches us, so "alive" can be a moment out of date."""
    try:
        os.kill(pid, sig)
    except ProcessLookupError:
        pass


class ExitStatus:
    """A zygote child's exit status, as the zygote (its parent) sends it when the child ends."""

    def __init__(self, pid: int, channel: socket.socket) -> None:
        self.pid, self._channel = pid, channel
        self.status: int | None = None
        self.exitstatus: int | None = None
        self.signalstatus: int | None = None

    def ended(self, timeout: float | None) -> bool:
        """True once the child has ended (waiting at most ``timeout``; None: until it does)."""
        if self.status is not None:
            return True
        self._channel.settimeout(timeout)
        try:
            data = self._channel.recv(_STATUS.size)
        except (TimeoutError, BlockingIOError):
            return False
        self._channel.close()
        if len(data) < _STATUS.size:  # the zygote died: no status to give
            raise pexpect.ExceptionPexpect(f"the zygote lost child {self.pid}")
        self.status = _STATUS.unpack(data)[0]
        if os.WIFEXITED(self.status):
            self.exitstatus = os.WEXITSTATUS(self.status)
        elif os.WIFSIGNALED(self.status):
            self.signalstatus = os.WTERMSIG(self.status)
        return True


class ZygoteChild(fdspawn):
    """pexpect on the master end of a zygote child's terminal: what the tests
    use of ``pexpect.spawn`` (expect, send, read_nonblocking, ``pid``,
    ``isalive``, ``wait``, ``exitstatus``, ``terminate``)."""

    def __init__(self, fd: int, exit: ExitStatus, **kwargs) -> None:
        super().__init__(fd, **kwargs)
        self.pid, self._exit = exit.pid, exit
        # A pause before each send, as a person's keys come apart (pexpect.spawn
        # pauses 0.05 s; fdspawn not at all): an Escape is not read as Alt with the next key.
        self.delaybeforesend = 0.02

    def send(self, s) -> int:
        if self.delaybeforesend is not None:
            time.sleep(self.delaybeforesend)
        return super().send(s)

    def _ended(self, timeout: float | None) -> bool:
        if not self._exit.ended(timeout):
            return False
        self.status, self.exitstatus, self.signalstatus = self._exit.status, self._exit.exitstatus, self._exit.signalstatus
        return True

    def isalive(self) -> bool:
        return not self._ended(0)

    def wait(self) -> int | None:
        self._ended(None)
        return self.exitstatus

    def sendintr(self) -> None:
        """As pexpect's: the terminal's interrupt character (the kernel sends the program SIGINT)."""
        import termios

        os.write(self.child_fd, termios.tcgetattr(self.child_fd)[6][termios.VINTR])

    def kill(self, sig: int) -> None:
        if self.isalive():
            _signal(self.pid, sig)

    def setwinsize(self, rows: int, cols: int) -> None:
        """As pexpect's: the terminal's new size (the kernel sends the program SIGWINCH)."""
        import fcntl
        import termios

        fcntl.ioctl(self.child_fd, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))

    def terminate(self, force: bool = False) -> bool:
        """As pexpect's: SIGHUP, SIGCONT, SIGINT, then (forced) SIGKILL, each
        given ``delayafterterminate`` (here: until the child ends, at most that)."""
        for sig in (signal.SIGHUP, signal.SIGCONT, signal.SIGINT) + ((signal.SIGKILL,) if force else ()):
            if not self.isalive():
                return True
            _signal(self.pid, sig)
            if self._ended(self.delayafterterminate):
                return True
        return not self.isalive()

    def close(self, force: bool = True) -> None:
        if self.child_fd != -1:
            super().close()
        if self.isalive():
            self.terminate(force)


class ZygoteProcess:
    """What the tests use of ``subprocess.Popen(..., stdin=DEVNULL,
    stdout=PIPE, stderr=PIPE)`` for a zygote child: ``pid``, ``stdout``,
    ``stderr``, ``poll``, ``wait``, ``communicate``, ``send_signal``, ``kill``,
    ``returncode`` (negative: the signal that ended it)."""

    def __init__(self, args: list[str], exit: ExitStatus, out: int, err: int, text: bool) -> None:
        self.args, self.pid, self._exit, self.returncode = args, exit.pid, exit, None
        mode = "r" if text else "rb"
        self.stdout = open(out, mode, encoding="utf-8" if text else None)
        self.stderr = open(err, mode, encoding="utf-8" if text else None)

    def poll(self) -> int | None:
        if self.returncode is None and self._exit.ended(0):
            self._set_returncode()
        return self.returncode

    def _set_returncode(self) -> None:
        exit = self._exit
        self.returncode = exit.exitstatus if exit.exitstatus is not None else -(exit.signalstatus or 0)

    def wait(self, timeout: float | None = None) -> int:
        if self.returncode is None:
            if not self._exit.ended(timeout):
                raise subprocess.TimeoutExpired(self.args, timeout)
            self._set_returncode()
        return self.returncode

    def communicate(self, timeout: float | None = None) -> tuple:
        """The rest of stdout and stderr (read at once, as Popen's does), then the exit."""
        rest: dict[str, object] = {}
        readers = [threading.Thread(target=lambda name=name: rest.__setitem__(name, getattr(self, name).read()), daemon=True)
                   for name in ("stdout", "stderr")]
        for reader in readers:
            reader.start()
        deadline = None if timeout is None else time.monotonic() + timeout
        for reader in readers:
            reader.join(None if deadline is None else max(0.0, deadline - time.monotonic()))
            if reader.is_alive():
                raise subprocess.TimeoutExpired(self.args, timeout)
        self.stdout.close()
        self.stderr.close()
        self.wait(None if deadline is None else max(0.0, deadline - time.monotonic()))
        return rest["stdout"], rest["stderr"]

    def send_signal(self, sig: int) -> None:
        if self.poll() is None:
            _signal(self.pid, sig)

    def kill(self) -> None:
        self.send_signal(signal.SIGKILL)

    def terminate(self) -> None:
        self.send_signal(signal.SIGTERM)


class Zygote:
    """One zygote process, for one start-up environment."""

    def __init__(self, env: Mapping[str, str]) -> None:
        self._control, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        self.process = subprocess.Popen(
            [sys.executable, __file__, str(theirs.fileno())], env=dict(env), pass_fds=[theirs.fileno()],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
        )
        theirs.close()

    def spawn(self, command: str, args: list[str], *, env: Mapping[str, str], cwd: str,
              dimensions: tuple[int, int], **kwargs) -> ZygoteChild:
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
        request = {"command": command, "args": list(args), "env": dict(env), "cwd": cwd, "rows": dimensions[0], "cols": dimensions[1]}
        socket.send_fds(self._control, [json.dumps(request).encode()], [theirs.fileno()])
        theirs.close()
        data, fds, _flags, _addr = socket.recv_fds(ours, _STATUS.size, 1)
        if len(data) < _STATUS.size or len(fds) != 1:
            raise pexpect.ExceptionPexpect("the zygote did not spawn " + command)
        return ZygoteChild(fds[0], ExitStatus(_STATUS.unpack(data)[0], ours), **kwargs)

    def run(self, command: str, args: list[str], *, env: Mapping[str, str], cwd: str, timeout: float,
            input: str | bytes | None = None, text: bool = True) -> subprocess.CompletedProcess:
        """As ``subprocess.run(..., capture_output=True, text=text)`` with
        ``input`` (stdin a pipe) or else ``stdin=DEVNULL``: the program with
        its output to pipes, not a terminal."""
        if input is None:
            stdin, feed = os.open(os.devnull, os.O_RDONLY), None
        else:
            feed, stdin = os.pipe()[::-1]
            os.set_blocking(feed, False)
        exit, out, err = self._fork_to_pipes(command, args, env=env, cwd=cwd, stdin=stdin)
        deadline = time.monotonic() + timeout
        output = {out: b"", err: b""}
        pending = (input.encode() if isinstance(input, str) else input) if input is not None else b""
        with selectors.DefaultSelector() as waiting:
            for fd in output:
                waiting.register(fd, selectors.EVENT_READ)
            if feed is not None:
                waiting.register(feed, selectors.EVENT_WRITE)
            while waiting.get_map():
                ready = waiting.select(deadline - time.monotonic())
                if not ready:
                    os.kill(exit.pid, signal.SIGKILL)
                    raise subprocess.TimeoutExpired([command, *args], timeout)
                for key, _ in ready:
                    if key.fd == feed:  # (as subprocess.run feeds ``input``: all of it, then closed)
                        try:
                            pending = pending[os.write(feed, pending[:65536]):] if pending else b""
                        except BrokenPipeError:
                            pending = b""
                        if not pending:
                            waiting.unregister(feed)
                            os.close(feed)
                        continue
                    chunk = os.read(key.fd, 65536)
                    output[key.fd] += chunk
                    if not chunk:
                        waiting.unregister(key.fd)
                        os.close(key.fd)
        exit.ended(None)
        code = exit.exitstatus if exit.exitstatus is not None else -(exit.signalstatus or 0)
        stdout, stderr = (output[out].decode(), output[err].decode()) if text else (output[out], output[err])
        return subprocess.CompletedProcess([command, *args], code, stdout, stderr)

    def popen(self, command: str, args: list[str], *, env: Mapping[str, str], cwd: str, text: bool = True) -> ZygoteProcess:
        """As ``subprocess.Popen(..., stdin=DEVNULL, stdout=PIPE, stderr=PIPE, text=text)``."""
        exit, out, err = self._fork_to_pipes(command, args, env=env, cwd=cwd, stdin=os.open(os.devnull, os.O_RDONLY))
        return ZygoteProcess([command, *args], exit, out, err, text)

    def _fork_to_pipes(self, command: str, args: list[str], *, env: Mapping[str, str], cwd: str,
                       stdin: int) -> tuple[ExitStatus, int, int]:
        """The program forked with ``stdin`` (closed here once handed over) and its
        output to two new pipes: its exit status and the pipes' reading ends."""
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
        (out, out_w), (err, err_w) = os.pipe(), os.pipe()
        request = {"command": command, "args": list(args), "env": dict(env), "cwd": cwd}
        socket.send_fds(self._control, [json.dumps(request).encode()], [theirs.fileno(), stdin, out_w, err_w])
        theirs.close()
        for fd in (stdin, out_w, err_w):
            os.close(fd)
        data = ours.recv(_STATUS.size)
        if len(data) < _STATUS.size:
            raise OSError("the zygote did not start " + command)
        return ExitStatus(_STATUS.unpack(data)[0], ours), out, err

    def close(self) -> None:
        self._control.close()  # the zygote reads the end and leaves
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


class Zygotes:
    """A zygote per start-up environment, started when first needed."""

    def __init__(self) -> None:
        self._running: dict[tuple[tuple[str, str], ...], Zygote] = {}

    def _for(self, env: Mapping[str, str]) -> Zygote:
        key = startup_env(env)
        if key not in self._running:
            self._running[key] = Zygote(env)
        return self._running[key]

    def spawn(self, command: str, args: list[str], *, env: Mapping[str, str], **kwargs) -> ZygoteChild:
        return self._for(env).spawn(command, args, env=env, **kwargs)

    def run(self, command: str, args: list[str], *, env: Mapping[str, str], **kwargs) -> subprocess.CompletedProcess[str]:
        return self._for(env).run(command, args, env=env, **kwargs)

    def popen(self, command: str, args: list[str], *, env: Mapping[str, str], **kwargs) -> ZygoteProcess:
        return self._for(env).popen(command, args, env=env, **kwargs)

    def close(self) -> None:
        for zygote in self._running.values():
            zygote.close()
        self._running.clear()


# -- the zygote (run as a script) ------------------------------------------------------

# Before the first child the zygote imports all of nemochat and the libraries
# it imports only when it first needs them (connections, locks, the demo's
# server, Markdown, previews); after that, also what its children imported
# (they write the names down as they exit). A child finds them loaded, as far
# as importing them changes nothing else.
LIBRARIES = (
    "httpcore", "h11", "anyio._backends._asyncio", "anyio.streams.tls", "anyio.to_thread",
    "filelock", "filelock.asyncio", "platformdirs", "truststore", "certifi", "tomllib",
    "markdown_it", "rich.markdown", "rich.status", "rich.rule", "pygments.lexers.python",
    "prompt_toolkit.input.vt100", "prompt_toolkit.key_binding.bindings.search",
    "uvicorn.main", "uvicorn.protocols.http.h11_impl", "uvicorn.lifespan.on", "uvicorn.loops.asyncio", "python_multipart",
    "PIL.Image", "PIL.PngImagePlugin", "PIL.ImageDraw", "av",
)
NOT_WARMED = ("__main__", "nemochat.debug_log")  # (its import gives a logger a handler: only --debug should)


def _warm() -> None:
    """Import, and build what the program builds once per process and keeps
    (its parser, the Markdown machinery, the system's TLS context), so that
    each child does not pay for them again."""
    import importlib
    import pkgutil

    import nemochat

    names = [m.name for m in pkgutil.walk_packages(nemochat.__path__, "nemochat.") if not m.name.endswith(NOT_WARMED)]
    for name in (*names, *LIBRARIES):
        try:
            importlib.import_module(name)
        except ImportError:  # (an optional dependency)
            pass
    from nemochat.clients.network import tls_context
    from nemochat.commands.parser import parser_asking
    from nemochat.ui.markdown_render import preload_markdown

    parser_asking(lambda: "en")
    preload_markdown()
    tls_context(None)


class _Learned:
    """The modules the children imported: a file they append to, read before each spawn."""

    def __init__(self) -> None:
        fd, self.path = tempfile.mkstemp(prefix="nemochat-zygote-", suffix=".modules")
        os.close(fd)
        self._read = 0

    def import_new(self) -> None:
        import importlib

        with open(self.path, encoding="utf-8") as names:
            names.seek(self._read)
            new = names.read()
            self._read = names.tell()
        for name in new.split():
            if name not in sys.modules and not name.endswith(NOT_WARMED):
                try:
                    importlib.import_module(name)
                except Exception:  # (an optional dependency, a module that only imports in its context)
                    pass

    def report_at_exit(self) -> None:
        """In a child: append the modules it imports from now on, when it exits."""
        import atexit

        before = set(sys.modules)

        def report() -> None:
            with open(self.path, "a", encoding="utf-8") as names:
                names.write("".join(f"{name}\n" for name in set(sys.modules) - before))

        atexit.register(report)


def _serve(control: socket.socket):
    """Spawn children until the test process closes ``control``; returns only in a child."""
    _warm()
    learned = _Learned()
    wake_r, wake_w = os.pipe()
    os.set_blocking(wake_w, False)
    signal.signal(signal.SIGCHLD, lambda *_: None)  # (wakes select through the wakeup fd)
    signal.set_wakeup_fd(wake_w, warn_on_full_buffer=False)
    children: dict[int, socket.socket] = {}
    import select

    while True:
        ready, _, _ = select.select([control, wake_r], [], [])
        if wake_r in ready:
            os.read(wake_r, 4096)
            while children:
                pid, status = os.waitpid(-1, os.WNOHANG)
                if pid == 0:
                    break
                channel = children.pop(pid)
                try:
                    channel.sendall(_STATUS.pack(status))
                except OSError:
                    pass
                channel.close()
        if control in ready:
            message, fds, _flags, _addr = socket.recv_fds(control, 1 << 20, 4)
            if not message:  # the test process is done
                for pid in children:
                    os.kill(pid, signal.SIGKILL)
                os.unlink(learned.path)
                return None
            channel, stdio = socket.socket(fileno=fds[0]), fds[1:]
            request = json.loads(message)
            learned.import_new()
            if threading.active_count() > 1:  # a fork copies only this thread: another's locks could be held for good
                raise RuntimeError(f"the zygote has threads, it must not fork: {threading.enumerate()}")
            if stdio:  # pipes (stdin, stdout, stderr), in the zygote's session as subprocess.run's child would be
                pid = os.fork()
                if pid == 0:
                    for target, fd in enumerate(stdio):
                        os.dup2(fd, target)
            else:
                pid, master = os.forkpty()
            if pid == 0:
                signal.set_wakeup_fd(-1)
                signal.signal(signal.SIGCHLD, signal.SIG_DFL)
                learned.report_at_exit()
                return request
            if stdio:
                for fd in stdio:
                    os.close(fd)
                channel.sendall(_STATUS.pack(pid))
            else:
                socket.send_fds(channel, [_STATUS.pack(pid)], [master])
                os.close(master)
            children[pid] = channel


def _become(request: dict) -> None:
    """In the child: what exec would have set up, then the console script."""
    import fcntl
    import io
    import locale
    import termios

    os.closerange(3, os.sysconf("SC_OPEN_MAX"))
    if "rows" in request:  # (a terminal)
        fcntl.ioctl(0, termios.TIOCSWINSZ, struct.pack("HHHH", request["rows"], request["cols"], 0, 0))
    os.environ.clear()
    os.environ.update(request["env"])
    os.chdir(request["cwd"])
    locale.setlocale(locale.LC_CTYPE, "")
    # The streams as the interpreter makes them at start-up, now on a terminal.
    buffered = not sys.stdout.write_through  # (-u or PYTHONUNBUFFERED made it write through)
    for fd, name, mode, old in ((0, "stdin", "r", sys.stdin), (1, "stdout", "w", sys.stdout), (2, "stderr", "w", sys.stderr)):
        raw = io.FileIO(fd, mode, closefd=False)
        raw.name = f"<{name}>"
        binary = io.BufferedReader(raw) if mode == "r" else (io.BufferedWriter(raw) if buffered else raw)
        stream = io.TextIOWrapper(binary, encoding=old.encoding, errors=old.errors, newline="\n",
                                  line_buffering=buffered and (raw.isatty() or fd == 2), write_through=not buffered)
        stream.mode = mode
        setattr(sys, name, stream)
        setattr(sys, f"__{name}__", stream)
    command = request["command"]
    sys.argv = [command, *request["args"]]
    sys.path[0] = str(Path(command).parent)


def _run(request: dict) -> int:
    """The program, as the interpreter runs it; its exit status."""
    try:
        if request["command"].endswith(".py"):  # a script, as `python SCRIPT` runs it (tests/test_pty_zygote.py's probe)
            import runpy

            runpy.run_path(request["command"], run_name="__main__")
            return 0
        from nemochat.cli import main

        sys.exit(main())
    except SystemExit as exc:  # as the interpreter reads it: None is 0, a number is the status, else printed and 1
        if exc.code is None or isinstance(exc.code, int):
            return (exc.code or 0) & 0xFF
        print(exc.code, file=sys.stderr)
        return 1
    except KeyboardInterrupt:  # the traceback, then death by SIGINT, as Python 3.8+ does
        sys.excepthook(*sys.exc_info())
        return -signal.SIGINT
    except BaseException:
        sys.excepthook(*sys.exc_info())
        return 1


def _exit(status: int) -> None:
    """End as ``Py_FinalizeEx`` would, as far as anyone can see: threads
    joined, atexit handlers run, the standard streams flushed. Then
    ``os._exit``: tearing down every module of a zygote that has imported all
    of them costs a child ~0.1 s, and shows nothing."""
    import atexit

    threading._shutdown()  # type: ignore[attr-defined]  # (what the interpreter calls first at exit)
    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # (a closed pipe, a closed stream: the interpreter ignores them too)
            pass
    if status < 0:
        signal.signal(-status, signal.SIG_DFL)
        os.kill(os.getpid(), -status)
    os._exit(status)


if __name__ == "__main__":
    request = _serve(socket.socket(fileno=int(sys.argv[1])))
    if request is None:
        sys.exit(0)
    _become(request)
    _exit(_run(request))
