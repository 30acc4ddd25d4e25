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
import time
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


def remove_leftovers(output: Path, trash: Path) -> None:
    """Clear away temporary folders that a killed build left beside ``output``."""
    if not output.parent.is_dir():
        return
    for kind in (_BUILDING, _OLD):
        for leftover in output.parent.glob(f".{output.name}.{kind}-*"):
            discard(leftover, trash)


def new_staging_folder(output: Path, spare: Path | None = None) -> tuple[Path, bool]:
    """A folder beside ``output`` to build the new site in: the spare tree if one
    is given and can be moved there, otherwise an empty folder. Returns the
    folder and whether it is the spare."""
    output.parent.mkdir(parents=True, exist_ok=True)
    staging = _sibling(output, _BUILDING, str(os.getpid()))
    shutil.rmtree(staging, ignore_errors=True)
    if spare is not None:
        try:
            os.rename(spare, staging)
            return staging, True
        except OSError:
            pass  # gone, or on another file system than the output
    staging.mkdir()
    return staging, False


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


def publish(staging: Path, output: Path, keep: Path | None, trash: Path) -> bool:
    """Put ``staging`` where ``output`` is, atomically, and move the old site to ``keep``.

    The old site is kept as the spare tree: most of its files are links to the
    new site's, so the next build can bring it up to date by touching only what
    changed, and swap it in, instead of linking every file again and deleting a
    whole tree (which takes seconds on a slow disk). Without ``keep``, or if the
    old site cannot be moved there (another file system), it is deleted in the
    background. Returns whether the old site was kept."""
    if not output.exists():
        os.rename(staging, output)
        return False
    old = _sibling(output, _OLD, str(os.getpid()))
    if _exchange(staging, output):
        # staging now holds the previous site.
        os.rename(staging, old)
    else:
        # No atomic exchange on this system: two renames, with a window in
        # which output/ is missing but the old site is still complete beside it.
        os.rename(output, old)
        os.rename(staging, output)
    if keep is not None:
        keep.parent.mkdir(parents=True, exist_ok=True)
        discard(keep, trash)
        try:
            os.rename(old, keep)
            return True
        except OSError:
            pass
    discard(old, trash)
    return False


def discard(folder: Path, trash: Path) -> None:
    """Delete ``folder`` in the background, after moving it into ``trash``
    (a folder in the cache): the build does not wait for thousands of unlinks,
    and nothing is left beside the output. Whatever an interrupted deletion
    leaves, the next build's ``empty_trash`` deletes."""
    trash.mkdir(parents=True, exist_ok=True)
    discarded = trash / f"{folder.name}-{os.getpid()}-{time.monotonic_ns()}"
    try:
        os.rename(folder, discarded)
    except FileNotFoundError:
        return
    except OSError:
        shutil.rmtree(folder, ignore_errors=True)  # the cache is on another file system
        return
    _delete_in_background(discarded)


def empty_trash(trash: Path) -> None:
    """Delete, in the background, what an interrupted deletion left in ``trash``."""
    leftovers = list(trash.iterdir()) if trash.is_dir() else []
    if leftovers:
        _delete_in_background(*leftovers)


def _delete_in_background(*folders: Path) -> None:
    start_in_background(
        "import shutil, sys\nfor folder in sys.argv[1:]: shutil.rmtree(folder, ignore_errors=True)",
        *map(str, folders),
    )


def start_in_background(script: str, *arguments: str, cwd: Path | None = None, pass_fds: tuple[int, ...] = ()) -> None:
    """Run the Python ``script`` (its arguments in ``sys.argv[1:]``) in a
    detached process at the lowest CPU priority: it runs while the author
    writes, or beside the next build's rendering, and outlives the build."""
    subprocess.Popen(
        [sys.executable, "-c", "import os\nos.nice(19)\n" + script, *arguments],
        cwd=cwd,
        pass_fds=pass_fds,
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
