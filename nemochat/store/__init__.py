"""What nemochat keeps between runs: the ledger (one SQLite database of
sessions, turns and jobs), the recorder that fills it as a turn happens, and
the transcripts read back from it."""

from __future__ import annotations

import importlib
from typing import Any

# Imported on first use (PEP 562): the REPL reads its config file (nemochat.config_file)
# before drawing the prompt, and SQLite is not needed for that.
_WHERE = {
    "Ledger": "ledger", "LedgerError": "database", "ledger_path": "ledger",
    "JOB_KINDS": "records", "JobRecord": "records", "SessionRecord": "records", "TurnItem": "records", "TurnRecord": "records",
    "LedgerRecorder": "recorder", "TeeView": "recorder",
}  # fmt: skip

__all__ = sorted(_WHERE)


def __getattr__(name: str) -> Any:
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module 'nemochat.store' has no attribute {name!r}")
    value = getattr(importlib.import_module(f"nemochat.store.{module}"), name)
    globals()[name] = value
    return value
