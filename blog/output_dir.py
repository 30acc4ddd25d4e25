"""Replace the output folder as a whole, and only when the new site is complete.

The new site is rendered into a sibling temporary folder, then swapped into
place with one atomic rename, so a failed or killed build leaves the previous
site untouched.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import errno
import os
import shutil
import subprocess
import sys
from pathlib import Path

# A file in every output folder this tool writes; without it the tool refuses
# to replace a folder, so a mistyped --output cannot wipe someone's home.
MARKER = ".blog-output"
_BUILDING = "building"
_OLD = "old"


class OutputRefused(Exception):
    pass


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


def _sibling(output: Path, kind: str, tag: str) -> Path:
    return output.parent / f".{output.name}.{kind}-{tag}"


def remove_leftovers(output: Path) -> None:
    """Delete temporary folders that a killed build left beside ``output``."""
    if not output.parent.is_dir():
        return
    for kind in (_BUILDING, _OLD):
        for leftover in output.parent.glob(f".{output.name}.{kind}-*"):
            shutil.rmtree(leftover, ignore_errors=True)


def new_staging_folder(output: Path) -> Path:
    """An empty folder beside ``output``."""
    output.parent.mkdir(parents=True, exist_ok=True)
    staging = _sibling(output, _BUILDING, str(os.getpid()))
    shutil.rmtree(staging, ignore_errors=True)
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


def publish(staging: Path, output: Path, trash: Path) -> None:
    """Put ``staging`` where ``output`` is, atomically, and delete the old site.

    The old site is moved into ``trash`` (a folder in the cache) and deleted
    there in the background: unlinking thousands of files takes seconds on a
    slow disk, the new site is already in place, and nothing is left beside
    ``output``. Whatever an interrupted deletion leaves, the next build empties."""
    if not output.exists():
        os.rename(staging, output)
        return
    old = _sibling(output, _OLD, str(os.getpid()))
    if _exchange(staging, output):
        # staging now holds the previous site.
        os.rename(staging, old)
    else:
        # No atomic exchange on this system: two renames, with a window in
        # which output/ is missing but the old site is still complete beside it.
        os.rename(output, old)
        os.rename(staging, output)
    trash.mkdir(parents=True, exist_ok=True)
    try:
        discarded = trash / old.name
        os.rename(old, discarded)
    except OSError:
        # The cache is on another file system: delete beside the output, now.
        shutil.rmtree(old, ignore_errors=True)
        return
    _delete_in_background(discarded)


def empty_trash(trash: Path) -> None:
    if trash.is_dir():
        shutil.rmtree(trash, ignore_errors=True)


def _delete_in_background(folder: Path) -> None:
    subprocess.Popen(
        [sys.executable, "-c", "import shutil, sys; shutil.rmtree(sys.argv[1], ignore_errors=True)", str(folder)],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )


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
