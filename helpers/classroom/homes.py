"""Learners' homes on the class hub: private (0700), given the notebooks without ever following a link a learner made.

The hub's spawn hook runs as root while a learner's own processes may be alive (an SSH login, a leftover kernel), so a
learner could swap a file in their home for a link to the gateway's key file between the copy and a chown. So: the
copy is written by a child process with the learner's uid and gid and no other groups, every file is created fresh with
O_EXCL | O_NOFOLLOW (a link already there is refused, never written through), and nothing is chowned by path.
"""

from __future__ import annotations

import os
import pwd
import re
from collections.abc import Callable
from pathlib import Path

DIRECTORY_MODE, FILE_MODE = 0o700, 0o600  # only the learner reads their home and their copy of the notebooks
KEY_LINE = re.compile(r"^\s*(export\s+)?(ANTHROPIC_API_KEY|ANTHROPIC_AUTH_TOKEN)\s*=\s*['\"]?[^'\"\s#]", re.MULTILINE)


class UnsafeHome(RuntimeError):
    """A learner's home holds a link where the kit's copy goes: the copy is refused."""


def private_home(home: Path, user: str | None = None) -> None:
    """Make a home 0700 (and the learner's, when run as root for a named user), through its descriptor, not its path."""
    fd = os.open(home, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW)
    try:
        if user is not None:
            entry = pwd.getpwnam(user)
            os.fchown(fd, entry.pw_uid, entry.pw_gid)
        os.fchmod(fd, DIRECTORY_MODE)
    finally:
        os.close(fd)


def read_tree(source: Path) -> dict[str, bytes | None]:
    """A folder's files by relative path (None for a folder), links left out: read by the hook, before any write."""
    return {str(path.relative_to(source)): None if path.is_dir() else path.read_bytes()
            for path in sorted(source.rglob("*")) if not path.is_symlink()}


def copy_tree(source: Path, target: Path) -> int:
    """Copy a folder into a new one (see write_tree)."""
    return write_tree(read_tree(source), target)


def write_tree(files: dict[str, bytes | None], target: Path) -> int:
    """Write files into a new folder, each created fresh and private and opened relative to its folder's descriptor
    with O_NOFOLLOW: a link met on the way (swapped in at any moment) is refused, never followed."""
    if os.path.lexists(target):
        raise UnsafeHome(f"{target} exists already (or is a link): the notebooks were not copied over it.")
    folders = {"": os.open(target.parent, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW)}
    written = 0
    try:
        folders["."] = make_folder(folders[""], target.name)
        for relative, content in files.items():
            parent, name = folders[os.path.dirname(relative) or "."], os.path.basename(relative)
            if content is None:
                folders[relative] = make_folder(parent, name)
                continue
            try:
                fd = os.open(name, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, FILE_MODE, dir_fd=parent)
            except FileExistsError:
                raise UnsafeHome(f"{relative} appeared while the notebooks were copied (a link or a file another "
                                 "process made): the copy stopped there. Stop the learner's processes and start again.") from None
            with os.fdopen(fd, "wb") as out:
                out.write(content)
            written += 1
    finally:
        for fd in folders.values():
            os.close(fd)
    return written


def make_folder(parent: int, name: str) -> int:
    """Make a private folder in the folder open as `parent` and open it, refusing a link swapped in for it."""
    os.mkdir(name, DIRECTORY_MODE, dir_fd=parent)
    try:
        return os.open(name, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW, dir_fd=parent)
    except OSError:
        raise UnsafeHome(f"{name} was swapped for a link while the notebooks were copied: the copy stopped.") from None


def give_notebooks(source: Path, home: Path, user: str | None = None) -> bool:
    """A learner's own copy of the notebooks, once (False if they have one): written as the learner when one is named."""
    if home.is_symlink():
        raise UnsafeHome(f"{home} is a link: a learner's home must be a folder. Nothing was copied.")
    private_home(home, user)
    if os.path.lexists(home / "notebooks"):
        return False
    files = read_tree(source)
    if user is None:
        write_tree(files, home / "notebooks")
        return True
    as_user(pwd.getpwnam(user), lambda: write_tree(files, home / "notebooks"))
    return True


def as_user(entry: pwd.struct_passwd, work: Callable[[], object]) -> None:
    """Run `work` in a child process with the user's uid and gid and no other groups; raise its error here."""
    reader, writer = os.pipe()
    child = os.fork()
    if child == 0:  # the child: drop to the learner for good, do the work, report, exit without cleanup
        os.close(reader)
        code, said = 0, b""
        try:
            os.setgroups([])
            os.setgid(entry.pw_gid)
            os.setuid(entry.pw_uid)
            os.umask(0o077)
            work()
        except BaseException as error:  # noqa: BLE001  (everything goes back to the parent as text)
            code, said = 1, str(error).encode()[:2000]
        os.write(writer, said)
        os._exit(code)
    os.close(writer)
    with os.fdopen(reader, "rb") as pipe:
        report = pipe.read().decode(errors="replace")
    _, status = os.waitpid(child, 0)
    if os.waitstatus_to_exitcode(status) != 0:
        raise UnsafeHome(f"Copying the notebooks as {entry.pw_name} failed: {report or 'the copy did not finish'}")


def env_file_key(kit: Path) -> Path | None:
    """The kit folder's .env if it holds an API key (a hub must not start then: learners could read it), else None."""
    env = kit / ".env"
    try:
        return env if KEY_LINE.search(env.read_text(encoding="utf-8", errors="replace")) else None
    except OSError:
        return None
