"""Where a downloaded file goes, and how it gets there without ever
replacing one or leaving half of one at its name.

- The file name is ours (``target_path``): ``-o PATH``, else
  ``<output_dir>/<title-or-session>-<render id>.mp4`` made safe, checked to
  stay inside its folder; an existing file is never replaced without
  ``force`` (``name (2).mp4`` instead, ``free_path``).
- ``check_destination`` refuses, before anything is rendered, a place where
  the file could never be saved.
- The bytes arrive in ``NAME.part`` (``part_path``); only a complete file is
  moved to its name, atomically (``commit``).
"""

from __future__ import annotations

import contextlib
import os
import re
import tempfile
from pathlib import Path

from nemochat.core.sanitize import safe_filename, short_id
from nemochat.errors import UsageError

_RENDER_PREFIX = re.compile(r"^render[_-]", re.IGNORECASE)  # "render_7bd1…": the id proper follows


def target_path(
    *, output: str | None, output_dir: str, title: str | None, session_id: str, render_id: str, force: bool
) -> Path:
    """Where the file will go. ``output`` is the user's own choice (a file, or
    a folder for our name); otherwise our name goes in ``output_dir``."""
    folder = Path(output_dir).expanduser().absolute()  # absolute: the path we report must work from anywhere
    if output:
        chosen = Path(output).expanduser().absolute()
        if os.path.isdir(chosen) or output.endswith(("/", os.sep)):
            folder = chosen
        else:
            if not chosen.suffix:
                chosen = chosen.with_name(chosen.name + ".mp4")
            return chosen if force else free_path(chosen)
    # The project's title and the render's short id: "rainy-Tokyo-7bd1ad9f.mp4" (free_path keeps it unique).
    stem = safe_filename(title or "", fallback=safe_filename(short_id(session_id), fallback="video"), max_length=60)
    name = f"{stem}-{safe_filename(short_id(_RENDER_PREFIX.sub('', render_id)), fallback='render')}.mp4"
    target = folder / safe_filename(name, max_length=140)
    # Why check again: the name came from the server; it must not leave the folder.
    if target.resolve().parent != folder.resolve():
        raise UsageError(f"refusing to write outside {folder}: {target.name}", key="download.outside", folder=folder, name=target.name)
    return target if force else free_path(target)


def check_destination(output: str | None, output_dir: str) -> None:
    """Refuse, before anything is rendered (time, credits), a place where the
    file could never be saved: a file where a folder must be, a folder we may
    not write in, a name too long for the file system. Creates nothing: a
    missing folder is made only when the file arrives."""
    how = "choose another place with -o PATH"
    if output:
        chosen = Path(output).expanduser().absolute()
        wants_folder = os.path.isdir(chosen) or output.endswith(("/", os.sep))
        folder = chosen if wants_folder else chosen.parent
        name = "" if wants_folder else chosen.name if chosen.suffix else chosen.name + ".mp4"
    else:
        folder, name = Path(output_dir).expanduser().absolute(), ""
        how = "set another output_dir (NEMOCHAT_OUTPUT_DIR) or pass -o PATH"
    if len(os.fsencode(name + ".part")) > 255:  # NAME_MAX on every common file system
        raise UsageError(f"Cannot save the video as {name[:40]}…: the file name is too long; {how}.", code="bad_destination",
                         key="download.name_too_long", name=name[:40], how=how)
    existing = folder
    while not os.path.exists(existing) and existing.parent != existing:
        existing = existing.parent  # the part that is missing is created at download time
    if not os.path.isdir(existing):
        raise UsageError(f"Cannot save the video in {folder}: {existing} is a file, not a folder; {how}.", code="bad_destination",
                         key="download.not_folder", folder=folder, existing=existing, how=how)
    try:  # a real write: permission bits say nothing for root, read-only mounts or ACLs
        handle, probe = tempfile.mkstemp(prefix=".nemochat-", suffix=".probe", dir=existing)
    except OSError as exc:
        raise UsageError(
            f"Cannot save the video in {folder}: {existing} is not writable ({exc.strerror or exc}); {how}.", code="bad_destination",
            key="download.not_writable", folder=folder, existing=existing, reason=exc.strerror or exc, how=how,
        ) from None
    os.close(handle)
    with contextlib.suppress(OSError):
        os.unlink(probe)


def numbered(path: Path, n: int) -> Path:
    return path.with_name(f"{path.stem} ({n}){path.suffix}")


def free_path(path: Path) -> Path:
    """``path``, or ``name (2).mp4``, ``name (3).mp4``... whichever is free now."""
    candidate, n = path, 1
    while os.path.lexists(candidate):
        n += 1
        candidate = numbered(path, n)
    return candidate


def part_path(target: Path) -> Path:
    return target.with_name(target.name + ".part")


def commit(part: Path, target: Path, *, force: bool) -> Path:
    """Move the finished ``part`` to ``target`` in one step. Without ``force``
    an existing file is never replaced, even one that appeared while we
    downloaded: a hard link fails instead of overwriting."""
    if force:
        os.replace(part, target)
        return target
    candidate, n = target, 1
    while True:
        try:
            os.link(part, candidate)
        except FileExistsError:
            n += 1
            candidate = numbered(target, n)
            continue
        except OSError:  # no hard links here (some network and FAT file systems)
            if os.path.lexists(candidate):
                n += 1
                candidate = numbered(target, n)
                continue
            os.rename(part, candidate)
            return candidate
        part.unlink()
        return candidate
