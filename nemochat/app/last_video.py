"""The newest video nemochat saved that is still on disk: what ``preview
--last`` and a bare ``/preview`` show."""

from __future__ import annotations

from pathlib import Path

from nemochat.app.runtime import demo_paths
from nemochat.settings import Paths
from nemochat.store import Ledger, ledger_path


def last_video(paths: object | None = None) -> str | None:
    """The newest export or provider video still on disk, from the ledgers (this
    machine's and the demo's)."""
    paths = paths if isinstance(paths, Paths) else Paths.default()
    newest: tuple[float, str] | None = None
    for where in (paths, demo_paths(paths)) if paths.config.name != "demo" else (paths,):
        file = ledger_path(where)
        if not file.is_file():
            continue  # opening would create an empty ledger
        with Ledger(file) as ledger:
            for job in ledger.jobs(limit=50):
                on_disk = [f for f in job.local_files if Path(f).is_file()]
                if on_disk and (newest is None or job.updated > newest[0]):
                    newest = (job.updated, on_disk[-1])
                    break
    return newest[1] if newest else None
