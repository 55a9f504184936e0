"""What nemochat keeps between runs: the ledger (one SQLite database of
sessions, turns and jobs), the recorder that fills it as a turn happens, and
the transcripts read back from it."""

from nemochat.store.ledger import Ledger, LedgerError, ledger_path
from nemochat.store.records import JOB_KINDS, JobRecord, SessionRecord, TurnItem, TurnRecord
from nemochat.store.recorder import LedgerRecorder, TeeView

__all__ = [
    "JOB_KINDS",
    "JobRecord",
    "Ledger",
    "LedgerError",
    "LedgerRecorder",
    "SessionRecord",
    "TeeView",
    "TurnItem",
    "TurnRecord",
    "ledger_path",
]
