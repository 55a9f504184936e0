"""Private files: written whole or not at all, readable by their owner only.

The client id, the token cache, the config file and recorded fixtures all go
through ``write_private``; it sits below the clients and the settings so both
can use it.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


def write_private(path: Path, text: str) -> None:
    """Atomically write a 0600 file: never a half-written or world-readable secret."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")  # created 0600 where modes exist
    try:
        if hasattr(os, "fchmod"):  # not on Windows before Python 3.13
            os.fchmod(fd, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.chmod(tmp, 0o600)  # again by name: where fchmod is missing (Windows keeps only the read-only bit)
        os.replace(tmp, path)
    except BaseException as exc:
        Path(tmp).unlink(missing_ok=True)
        if isinstance(exc, OSError) and not exc.filename:  # a full disk: say which file it was
            raise OSError(exc.errno, exc.strerror, str(path)) from None
        raise
