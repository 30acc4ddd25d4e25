"""Give the next build a spare tree that is a whole copy of the output, made
in the background.

A build brings the spare tree (the site before the previous one, see
``blog/output_dir.py``) up to date instead of linking every file of the
previous output into an empty folder. Two builds leave a spare that cannot be
brought up to date cheaply: the first build, which has no previous site to
keep, and a build that rendered most pages again (a template edit), whose
spare differs from the output in most files. The build after either would
link every file: 2-4 s more at 10,000 posts. So after them a detached process
links the new output's files into the cache's spare folder, replacing any
stale spare, while the author goes back to writing (a small site's files are
linked at once).

The next build trusts that copy only if it is whole. The maker holds the spare
lock, which a build takes before it touches the output or the spare, so no
tree changes while it links. It reads the output through one folder handle,
so a swap of ``output/`` cannot mix two sites. It counts the files it linked
against the number the build wrote. And it puts the copy in place with one
rename. Its marker is then the output's, which is how the next build knows
the spare is a whole copy (``build._spare_differs``).

A build that finds the lock held asks the maker to stop (the stop file) rather
than wait for it: the maker then leaves the spare as the build left it, which
the cache still describes.
"""

from __future__ import annotations

import fcntl
import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from .output_dir import MARKER, discard, marker, start_in_background
from .progress import Progress

LOCK_FILE = "spare.lock"
# Made by a build waiting for the lock: the maker stops when it sees it.
STOP_FILE = "spare.stop"
# How many files the maker links between two looks for the stop file.
STOP_CHECK_EVERY = 128
# From this many files on, the spare is made in the background. Linking 500
# files takes about 50 ms, as long as starting the process would.
BACKGROUND_FROM = 500
# Where the copy is linked, beside the spare folder it will be renamed to.
MAKING_SUFFIX = ".making"


@contextmanager
def spare_lock(cache_dir: Path, progress: Progress | None = None) -> Iterator[int]:
    """Held while a build changes the output or the spare tree, and by the
    process that makes a spare. A build that finds it held asks the maker to
    stop, waits (for a maker, a moment; for another build, until it ends),
    and says so on ``progress``. Yields the lock's descriptor."""
    descriptor = os.open(cache_dir / LOCK_FILE, os.O_RDWR | os.O_CREAT, 0o644)
    stop = cache_dir / STOP_FILE
    try:
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            progress = progress or Progress()
            progress.phase("stop the copy of the spare tree, or wait for another build", 1)
            stop.touch()
            fcntl.flock(descriptor, fcntl.LOCK_EX)
            progress.end_phase("done")
        # Whoever made it now has the lock: a maker started from here on
        # must not stop for it (also one left by a build that was killed).
        stop.unlink(missing_ok=True)
        yield descriptor
    finally:
        os.close(descriptor)


def make_for_next_build(output: Path, spare: Path, trash: Path, build_id: str, files: int, lock: int) -> None:
    """Make ``spare`` a copy of ``output``: now for a small site, where linking
    takes less time than starting a process (under ``BACKGROUND_FROM`` files),
    otherwise in the background. A spare already there is moved to ``trash``
    once the copy is whole."""
    if files < BACKGROUND_FROM:
        make(output, spare, trash, build_id, files)
    else:
        make_in_background(output, spare, trash, build_id, files, lock)


def make_in_background(output: Path, spare: Path, trash: Path, build_id: str, files: int, lock: int) -> None:
    """Start a process that makes ``spare`` a copy of ``output`` (the site
    ``build_id``, of ``files`` files, marker included) out of hard links. It
    inherits the held ``lock`` and keeps it until it is done or asked to stop."""
    start_in_background(
        "import sys\nfrom blog.spare_tree import main\nmain(sys.argv[1:])",
        *(str(argument) for argument in (output, spare, trash, build_id, files)),
        # The project folder, so that ``blog`` imports (paths above are absolute).
        cwd=Path(__file__).resolve().parent.parent,
        pass_fds=(lock,),
    )


def main(arguments: list[str]) -> None:
    output, spare, trash, build_id, files = arguments
    make(Path(output), Path(spare), Path(trash), build_id, int(files))


class _Stopped(OSError):
    """A build asked the maker to stop."""


def make(output: Path, spare: Path, trash: Path, build_id: str, files: int) -> bool:
    """Link every file of ``output`` into a new folder, then put it where
    ``spare`` is, the old spare going to ``trash``; False, leaving the old
    spare and nothing else, if the copy cannot be whole or a build asked for
    the lock."""
    making = spare.with_name(spare.name + MAKING_SUFFIX)
    # The stop file is beside the lock, in the cache folder that holds the spare.
    stop = spare.parent / STOP_FILE
    shutil.rmtree(making, ignore_errors=True)  # left by a maker that was killed
    try:
        source = os.open(output, os.O_RDONLY | os.O_DIRECTORY)
    except OSError:
        return False
    try:
        if not _is_site(source, build_id):
            return False  # another build has replaced it since
        linked = _link_tree(source, making, stop)
        if linked != files or not _is_site(source, build_id):
            raise OSError(f"linked {linked} files of {files}")
        # Stale (the site before the output), or left by an earlier maker.
        discard(spare, trash)
        os.rename(making, spare)
        return True
    except OSError:
        shutil.rmtree(making, ignore_errors=True)
        return False
    finally:
        os.close(source)


def _is_site(folder: int, build_id: str) -> bool:
    try:
        descriptor = os.open(MARKER, os.O_RDONLY, dir_fd=folder)
    except OSError:
        return False
    with os.fdopen(descriptor, "rb") as file:
        return file.read() == marker(build_id)


def _link_tree(source: int, target: Path, stop: Path) -> int:
    """Hard-link every file under the folder ``source`` into ``target`` (made
    here); the number of files linked. Raises OSError on the first failure,
    and _Stopped once ``stop`` exists."""
    os.mkdir(target)
    linked = 0
    for folder, subfolders, names, folder_descriptor in os.fwalk(".", dir_fd=source):
        here = target / folder
        for name in subfolders:
            os.mkdir(here / name)
        for name in names:
            if linked % STOP_CHECK_EVERY == 0 and stop.exists():
                raise _Stopped(f"stopped for a build after {linked} files")
            os.link(name, here / name, src_dir_fd=folder_descriptor, follow_symlinks=False)
            linked += 1
    return linked
