"""The folders a build owns beside ``output/``, and the lock that makes it their only owner.

The new site is written into a staging folder beside ``output/`` and swapped
into place with one atomic rename, so a failed or killed build leaves the
previous site untouched.

The site that was replaced is kept beside the output as the spare,
``.<output>.spare``, and brought up to date with the new site at the end of
the build (``refresh_spare``): its unchanged files are hard links to the
output's, so only the files the build changed are linked again. The next
build renames the spare to its staging folder and rewrites only what differs,
instead of linking every file into an empty folder and deleting a whole old
tree. The spare is always on the output's file system, so the cache may be on
another one. Everything here happens inside the build's own process.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import errno
import fcntl
import os
import shutil
import sys
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

from .writer import link_or_copy, relink_files

# A file in every output folder this tool writes; without it the tool refuses
# to replace a folder, so a mistyped --output cannot wipe someone's home.
MARKER = ".blog-output"
# In the cache folder: held by the build that uses the cache, see build_lock.
LOCK_FILE = "build.lock"
# How long to wait for the lock's holder to write its pid, in seconds.
HOLDER_WAIT = 1.0
_BUILDING = "building"
# Left by the builds before the spare was kept beside the output.
_OLD = "old"


class OutputRefused(Exception):
    pass


@contextmanager
def build_lock(cache_dir: Path) -> Iterator[None]:
    """Held for the whole build: a second build of the same cache waits, saying
    so on stderr, then goes on from what the first one left.

    A POSIX record lock (``lockf``), not ``flock``: the kernel ties it to this
    process, so the worker processes the build forks do not share it, and a
    ``kill -9`` of the build frees it even while orphaned workers live on.
    The file holds the holder's pid, for the message."""
    descriptor = os.open(cache_dir / LOCK_FILE, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.lockf(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as busy:
            if busy.errno not in (errno.EACCES, errno.EAGAIN):
                raise
            holder = _holder(descriptor)
            print(f"waiting for another build of this site to finish (pid {holder})", file=sys.stderr, flush=True)
            fcntl.lockf(descriptor, fcntl.LOCK_EX)
        os.ftruncate(descriptor, 0)
        os.pwrite(descriptor, f"{os.getpid()}\n".encode(), 0)
        try:
            yield
        finally:
            # Emptied, so that the next holder's pid is never read as a stale one.
            os.ftruncate(descriptor, 0)
    finally:
        # Closing the descriptor releases the lock.
        os.close(descriptor)


def _holder(descriptor: int) -> str:
    """The pid in the lock file. The holder writes it just after taking the
    lock, so an empty file means it is about to: look again for a moment."""
    deadline = time.monotonic() + HOLDER_WAIT
    while True:
        holder = os.pread(descriptor, 32, 0).decode(errors="replace").strip()
        if holder or time.monotonic() > deadline:
            return holder or "unknown"
        time.sleep(0.01)


def check_replaceable(output: Path) -> None:
    if not output.exists():
        return
    if not output.is_dir():
        raise OutputRefused(f"{output} is a file, not a folder: refusing to replace it (choose another --output)")
    if (output / MARKER).is_file() or not any(output.iterdir()):
        return
    raise OutputRefused(
        f"{output} was not made by this tool (it has no {MARKER} file): refusing to replace it "
        "(choose another --output, or empty the folder yourself)"
    )


def spare_folder(output: Path) -> Path:
    """Where the site before ``output``'s is kept, as links to its files."""
    return output.parent / f".{output.name}.spare"


def remove_leftovers(output: Path) -> None:
    """Delete the staging folders that killed builds left beside ``output``."""
    if not output.parent.is_dir():
        return
    for kind in (_BUILDING, _OLD):
        for leftover in output.parent.glob(f".{output.name}.{kind}-*"):
            shutil.rmtree(leftover, ignore_errors=True)


def new_staging_folder(output: Path, recycle: bool) -> Path:
    """A folder beside ``output`` to build the new site in: the spare, with
    ``recycle`` (the caller has checked it is a copy of the output), otherwise
    an empty folder, the spare deleted."""
    output.parent.mkdir(parents=True, exist_ok=True)
    staging = output.parent / f".{output.name}.{_BUILDING}-{os.getpid()}"
    spare = spare_folder(output)
    if recycle:
        os.rename(spare, staging)
        return staging
    shutil.rmtree(spare, ignore_errors=True)
    staging.mkdir()
    return staging


_MARKER_TEXT = "Made by the blog generator's build command, which may replace this folder. Build "


def marker(build_id: str) -> bytes:
    """The marker's bytes. The id depends only on what the tree holds, so
    identical builds give identical trees, marker included."""
    return f"{_MARKER_TEXT}{build_id}\n".encode()


def read_marker(output: Path) -> str | None:
    """The build id in ``output``'s marker, or None."""
    try:
        text = (output / MARKER).read_text()
    except OSError:
        return None
    return text.removeprefix(_MARKER_TEXT).strip() if text.startswith(_MARKER_TEXT) else None


def publish(staging: Path, output: Path) -> None:
    """Put ``staging`` where ``output`` is, atomically; the old site becomes the spare."""
    if not output.exists():
        os.rename(staging, output)
        return
    if _exchange(staging, output):
        # staging now holds the previous site.
        os.rename(staging, spare_folder(output))
    else:
        # No atomic exchange on this system: two renames, with a window in
        # which output/ is missing but the old site is complete beside it.
        os.rename(output, spare_folder(output))
        os.rename(staging, output)


def discard(staging: Path) -> None:
    """Delete the staging folder of a build that failed."""
    shutil.rmtree(staging, ignore_errors=True)


def refresh_spare(output: Path, changed: Iterable[str] | None, gone: Iterable[str] = ()) -> None:
    """Make the spare a copy of ``output`` made of links to its files.

    The spare holds the site ``output`` replaced: only the files in ``changed``
    (written or added by the build) are linked again, and those in ``gone``
    removed. With ``changed`` None, what the spare holds is not known (no
    previous site the cache describes): it is made again from every file.

    The spare's marker goes first and comes back last, so a spare whose
    refresh was killed is never taken for a copy (``is_copy_of``)."""
    spare = spare_folder(output)
    if changed is None:
        shutil.rmtree(spare, ignore_errors=True)
        spare.mkdir()
        changed = (
            (Path(folder) / name).relative_to(output).as_posix()
            for folder, _subfolders, names in os.walk(output)
            for name in names
        )
    (spare / MARKER).unlink(missing_ok=True)
    relink_files(output, spare, (relative for relative in changed if relative != MARKER))
    for relative in gone:
        target = spare / relative
        target.unlink(missing_ok=True)
        # Folders the removal left empty.
        folder = target.parent
        while folder != spare and not any(folder.iterdir()):
            folder.rmdir()
            folder = folder.parent
    link_or_copy(output / MARKER, spare / MARKER)


def is_copy_of(output: Path) -> bool:
    """Whether the spare holds the same site as ``output``. A site's marker
    names what it holds, and a refreshed spare gets its marker last."""
    build_id = read_marker(output)
    return build_id is not None and read_marker(spare_folder(output)) == build_id


_RENAME_EXCHANGE = 2  # from <linux/fs.h>
_AT_FDCWD = -100


def _exchange(first: Path, second: Path) -> bool:
    """Swap two paths with Linux's renameat2(RENAME_EXCHANGE); False where unsupported."""
    libc_name = ctypes.util.find_library("c")
    if not libc_name:
        return False
    libc = ctypes.CDLL(libc_name, use_errno=True)
    renameat2 = getattr(libc, "renameat2", None)
    if renameat2 is None:
        return False
    result = renameat2(_AT_FDCWD, os.fsencode(first), _AT_FDCWD, os.fsencode(second), _RENAME_EXCHANGE)
    if result == 0:
        return True
    error = ctypes.get_errno()
    if error in (errno.EINVAL, errno.ENOSYS, errno.EXDEV):
        return False
    raise OSError(error, os.strerror(error), str(second))
