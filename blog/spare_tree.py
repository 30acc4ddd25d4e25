"""Give a build that kept no spare tree one, made in the background.

A build brings the spare tree (the site before the previous one, see
``blog/output_dir.py``) up to date instead of linking every file of the
previous output into an empty folder. The first build has no previous site to
keep, so the build after it would link every file: about 2 s more at 10,000
posts. So when a build keeps no spare, a detached process links the new
output's files into the cache's spare folder after the build ends, while the
author goes back to writing (a small site's files are linked at once).

The next build trusts that copy only if it is whole. The maker holds the spare
lock, which a build takes before it touches the output or the spare, so no
tree changes while it links. It reads the output through one folder handle,
so a swap of ``output/`` cannot mix two sites. It counts the files it linked
against the number the build wrote. And it puts the copy in place with one
rename, only where no spare is.
"""

from __future__ import annotations

import fcntl
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from .output_dir import MARKER, marker
from .progress import Progress

LOCK_FILE = "spare.lock"
# From this many files on, the spare is made in the background. Linking 500
# files takes about 50 ms, as long as starting the process would.
BACKGROUND_FROM = 500
# Where the copy is linked, beside the spare folder it will be renamed to.
MAKING_SUFFIX = ".making"


@contextmanager
def spare_lock(cache_dir: Path, progress: Progress | None = None) -> Iterator[int]:
    """Held while a build changes the output or the spare tree, and by the
    process that makes a spare: a build waits for it (a couple of seconds at
    10,000 posts) rather than find the spare half made, and says so on
    ``progress``. Yields the lock's descriptor."""
    descriptor = os.open(cache_dir / LOCK_FILE, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            progress = progress or Progress()
            progress.phase("wait for the spare tree, or another build, to finish", 1)
            fcntl.flock(descriptor, fcntl.LOCK_EX)
            progress.end_phase("done")
        yield descriptor
    finally:
        os.close(descriptor)


def make_for_next_build(output: Path, spare: Path, build_id: str, files: int, lock: int) -> None:
    """Make ``spare`` a copy of ``output``: now for a small site, where linking
    takes less time than starting a process (under ``BACKGROUND_FROM`` files),
    otherwise in the background."""
    if files < BACKGROUND_FROM:
        make(output, spare, build_id, files)
    else:
        make_in_background(output, spare, build_id, files, lock)


def make_in_background(output: Path, spare: Path, build_id: str, files: int, lock: int) -> None:
    """Start a process that makes ``spare`` a copy of ``output`` (the site
    ``build_id``, of ``files`` files, marker included) out of hard links. It
    inherits the held ``lock`` and keeps it until it is done."""
    subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import os, sys\nos.nice(19)\nfrom blog.spare_tree import main\nmain(sys.argv[1:])",
            str(output),
            str(spare),
            build_id,
            str(files),
        ],
        # The project folder, so that ``blog`` imports (paths above are absolute).
        cwd=Path(__file__).resolve().parent.parent,
        pass_fds=(lock,),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )


def main(arguments: list[str]) -> None:
    output, spare, build_id, files = arguments
    make(Path(output), Path(spare), build_id, int(files))


def make(output: Path, spare: Path, build_id: str, files: int) -> bool:
    """Link every file of ``output`` into a new folder, then rename it to
    ``spare``; False, leaving nothing behind, if the copy cannot be whole."""
    making = spare.with_name(spare.name + MAKING_SUFFIX)
    shutil.rmtree(making, ignore_errors=True)  # left by a maker that was killed
    try:
        source = os.open(output, os.O_RDONLY | os.O_DIRECTORY)
    except OSError:
        return False
    try:
        if not _is_site(source, build_id):
            return False  # another build has replaced it since
        linked = _link_tree(source, making)
        if linked != files or not _is_site(source, build_id):
            raise OSError(f"linked {linked} files of {files}")
        os.rename(making, spare)  # fails where a spare already is
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


def _link_tree(source: int, target: Path) -> int:
    """Hard-link every file under the folder ``source`` into ``target`` (made
    here); the number of files linked. Raises OSError on the first failure."""
    os.mkdir(target)
    linked = 0
    for folder, subfolders, names, folder_descriptor in os.fwalk(".", dir_fd=source):
        here = target / folder
        for name in subfolders:
            os.mkdir(here / name)
        for name in names:
            os.link(name, here / name, src_dir_fd=folder_descriptor, follow_symlinks=False)
            linked += 1
    return linked
