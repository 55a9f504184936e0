"""Benchmark: a 100 MB upload and a 100 MB download keep memory flat.

    .venv/bin/python bench/upload_memory.py [--mb 100] [--limit-mb 10] [--json]

``bench/run.py`` runs it (as a fresh process, so no other benchmark's peak
hides this one's) and puts its two figures in the table.

The upload goes through the real flow (``upload_items``: checks, multipart
streamed from disk, progress) to the simulator; the download through the
real downloader (``.part``, size check, atomic rename) from a plain HTTP
server. Both servers run in child processes, so only the client's memory is
measured: the peak RSS (``ru_maxrss``) after a small warm-up transfer, against
the peak after each big one. It fails (exit 1) when either grows by more than
``--limit-mb``: a client that read the file whole would grow by ~100 MB.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def peak_rss_mb() -> float:
    """This process's peak RSS. On Linux from /proc (VmHWM): ``ru_maxrss``
    also counts the parent's memory copied at fork, so a process started by
    a big one (bench/run.py) would see that and nothing of its own."""
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024  # bytes on macOS, KiB elsewhere


def make_file(path: Path, mb: int) -> Path:
    block = os.urandom(1024 * 1024)  # one block, written many times: the file never sits in memory
    with path.open("wb") as out:
        for _ in range(mb):
            out.write(block)
    return path


def start(command: list[str], ready_word: str) -> tuple[subprocess.Popen, str]:
    """Start a server; return it and the first output line that contains ``ready_word``."""
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    assert process.stdout is not None
    for line in process.stdout:
        if ready_word in line:
            return process, line.strip()
    raise RuntimeError(f"{command[0]} did not start")


class NullView:
    def emit(self, event) -> None:
        pass

    def error(self, error) -> None:
        print(f"error: {error.message}", file=sys.stderr)

    def done(self) -> None:
        pass


async def upload(base_url: str, path: Path) -> None:
    from nemochat.app.runtime import open_runtime
    from nemochat.app.upload import upload_items
    from nemochat.settings import Settings

    async with open_runtime(Settings.load(api_base=base_url), view=NullView()) as rt:
        result = await upload_items(rt.conversation, [str(path)])
        assert [f.filename for f in result.files] == [path.name]


async def download(url: str, target: Path) -> Path:
    import httpx

    from nemochat.app.download import Source, download as fetch_all

    async with httpx.AsyncClient(timeout=60, trust_env=False) as cdn:
        path, _ = await fetch_all([Source(url, cdn)], target, force=False, emit=lambda event: None, cdn=cdn)
    return path


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mb", type=int, default=100, help="size of the big transfer (default 100)")
    parser.add_argument("--limit-mb", type=float, default=10.0, help="allowed peak RSS growth (default 10)")
    parser.add_argument("--json", action="store_true", help="one JSON object on stdout instead of the lines")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="nemochat-bench-") as tmp:
        work = Path(tmp)
        for var, sub in (("HOME", ""), ("XDG_CONFIG_HOME", ".config"), ("XDG_STATE_HOME", ".state"), ("XDG_DATA_HOME", ".data")):
            os.environ[var] = str(work / sub)  # nothing touches the real home
        served = work / "served"
        served.mkdir()
        small, big = make_file(work / "small.mp4", 1), make_file(work / "big.mp4", args.mb)
        make_file(served / "small.mp4", 1)
        os.link(big, served / "big.mp4")

        sim, line = start([sys.executable, "-m", "nemochat", "sim"], "listening on")
        files, _ = start([sys.executable, "-u", "-m", "http.server", "0", "--bind", "127.0.0.1", "--directory", str(served)], "Serving HTTP")
        try:
            sim_url = line.rsplit(" ", 1)[-1]
            port = int(_.split("port ")[1].split(" ")[0])
            files_url = f"http://127.0.0.1:{port}"
            results = []
            # Warm-up: imports, TLS-free clients, allocator pools; then the big ones.
            asyncio.run(upload(sim_url, small))
            base = peak_rss_mb()
            started = time.perf_counter()
            asyncio.run(upload(sim_url, big))
            results.append(("upload", base, peak_rss_mb(), time.perf_counter() - started))

            asyncio.run(download(f"{files_url}/small.mp4", work / "got-small.mp4"))
            base = peak_rss_mb()
            started = time.perf_counter()
            got = asyncio.run(download(f"{files_url}/big.mp4", work / "got-big.mp4"))
            results.append(("download", base, peak_rss_mb(), time.perf_counter() - started))
            assert got.stat().st_size == big.stat().st_size, "the download is incomplete"
        finally:
            for process in (sim, files):
                process.terminate()
                process.wait(10)

    if args.json:
        import json

        print(json.dumps({name: {"mb": args.mb, "before": before, "after": after, "seconds": seconds} for name, before, after, seconds in results}))
        return 1 if any(after - before > args.limit_mb for _, before, after, _ in results) else 0
    failed = False
    for name, before, after, seconds in results:
        grew = after - before
        ok = grew <= args.limit_mb
        failed |= not ok
        print(f"{name:8} {args.mb} MB in {seconds:5.1f} s  peak RSS {before:6.1f} → {after:6.1f} MB "
              f"(+{grew:.1f} MB, limit {args.limit_mb:g})  {'ok' if ok else 'FAIL'}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
