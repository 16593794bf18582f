"""Writing files safely: a crash leaves the old file or the new one, never half of one."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


def file_mode(path: Path) -> int:
    """The mode a new file gets in this process (0o666 less the umask), or the existing file's mode."""
    try:
        return path.stat().st_mode & 0o777
    except OSError:
        pass
    try:
        status = Path("/proc/self/status").read_text()
        umask = int(next(line.split()[1] for line in status.splitlines() if line.startswith("Umask:")), 8)
    except (OSError, StopIteration, ValueError, IndexError):
        umask = 0o022  # the common default where the process's umask cannot be read without changing it
    return 0o666 & ~umask


def write_atomic(path: Path, text: str) -> None:
    """Write a file so that a crash leaves either the old file or the new one, never half of one.

    A symlink is followed (the file it points to is replaced, the link stays), and the file gets the usual mode.
    """
    path = Path(os.path.realpath(path))
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        os.chmod(tmp, file_mode(path))
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
