"""Publish the output folder as one commit on a git branch (GitHub Pages'
``gh-pages``, or any remote), with the git command.

The commit is made in a bare repository of the cache (``publish/<target>.git``),
which fetches the branch first, so a publish sends only the objects the
remote lacks. The commit's tree is the output folder, plus ``.nojekyll`` (so
GitHub Pages serves folders starting with ``_``), plus the branch's ``CNAME``
when the output has none. Nothing changed: no commit. The commit goes on top
of the branch when the branch contains the last commit published from here
(or when nothing was published from here yet). If the branch's history was
replaced since, the push is a non-fast-forward, which git refuses, and so does
publish, unless ``--force`` is given.
"""

from __future__ import annotations

import os
import re
import subprocess
import time
from pathlib import Path
from typing import TextIO

from ..build.output import MARKER
from .report import PublishError, PublishResult
from .targets import PublishTarget

NOJEKYLL = ".nojekyll"
CNAME = "CNAME"
# Any of these is a remote URL to git rather than a path on this machine.
_URL = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://|^[^/]+@[^/:]+:|^[A-Za-z0-9.-]+:")
# What a dry run says of each change git reports.
_WOULD = {"A": "add", "M": "change", "T": "change", "D": "delete"}
EMPTY_TREE_ISH = "4b825dc642cb6eb9a060e54bf8d69288fbee4904"


class _Git:
    """git commands run in the publish repository, against ``work`` as work tree."""

    def __init__(self, repository: Path, work: Path) -> None:
        self.repository = repository
        self.env = {**os.environ, "GIT_DIR": str(repository), "GIT_WORK_TREE": str(work)}
        self.env["GIT_INDEX_FILE"] = str(repository / "publish-index")
        self.env.pop("GIT_OBJECT_DIRECTORY", None)

    def run(self, *args: str, check: bool = True, stdin: bytes | None = None) -> subprocess.CompletedProcess:
        done = subprocess.run(["git", *args], env=self.env, input=stdin, capture_output=True)
        if check and done.returncode:
            raise PublishError(f"git {args[0]} failed: {done.stderr.decode(errors='replace').strip()}")
        return done

    def text(self, *args: str) -> str:
        return self.run(*args).stdout.decode().strip()

    def ref(self, name: str) -> str | None:
        done = self.run("rev-parse", "--verify", "--quiet", name + "^{commit}", check=False)
        return done.stdout.decode().strip() or None

    def is_ancestor(self, older: str, newer: str) -> bool:
        return self.run("merge-base", "--is-ancestor", older, newer, check=False).returncode == 0


def remote_location(target: PublishTarget, content_dir: Path) -> str:
    """The remote as git takes it: a URL as written, a path relative to the
    folder of site.toml."""
    if _URL.match(target.location):
        return target.location
    path = (content_dir / target.location).resolve()
    if not path.exists():
        raise PublishError(
            f"[publish.{target.name}]: the repository {path} does not exist (create it with: git init --bare {path})"
        )
    return str(path)


def publish_git(
    target: PublishTarget,
    output: Path,
    cache_dir: Path,
    content_dir: Path,
    *,
    dry_run: bool = False,
    force: bool = False,
    message: str = "",
    out: TextIO | None = None,
) -> PublishResult:
    started = time.perf_counter()
    remote = remote_location(target, content_dir)
    branch = target.path
    repository = cache_dir / "publish" / f"{target.name}.git"
    if not (repository / "HEAD").exists():
        repository.mkdir(parents=True, exist_ok=True)
        subprocess.run(["git", "init", "--bare", "--quiet", str(repository)], check=True, capture_output=True)
    git = _Git(repository, output.resolve())
    tracking = f"refs/remotes/target/{branch}"
    published = f"refs/heads/{branch}"
    if git.run("ls-remote", "--exit-code", remote, published, check=False).returncode == 0:
        git.run("fetch", "--quiet", "--no-tags", remote, f"+{published}:{tracking}")
        remote_tip = git.ref(tracking)
    else:
        remote_tip = None
    tree = _tree(git, remote_tip)
    if remote_tip and git.text("rev-parse", remote_tip + "^{tree}") == tree:
        return _result(git, remote_tip, tree, started, dry_run, "nothing changed: no commit")
    ours = git.ref(published)
    parent = remote_tip if remote_tip and (ours is None or git.is_ancestor(ours, remote_tip)) else ours
    base_tree = remote_tip or parent
    if dry_run:
        result = _result(git, base_tree, tree, started, dry_run, f"would commit to {branch} of {remote}")
        if out is not None:
            for status, path in result.changes:
                out.write(f"{_WOULD[status]} {path}\n")
        return result
    commit = _commit(git, tree, parent, message or f"Publish the site ({time.strftime('%Y-%m-%d %H:%M:%S %Z')})")
    push = ["push", "--quiet", remote, f"{commit}:{published}"]
    if force:
        push.insert(1, "--force")
    pushed = git.run(*push, check=False)
    if pushed.returncode:
        said = pushed.stderr.decode(errors="replace").strip()
        if "non-fast-forward" in said or "rejected" in said or "fetch first" in said:
            raise PublishError(
                f"{remote} refused the commit on {branch} as a non-fast-forward: the branch's history"
                " is not the one published from here (it was replaced or rewritten since). Nothing was"
                " changed there. Pass --force to replace the branch with this publish."
            )
        raise PublishError(f"git push to {remote} failed: {said}")
    git.run("update-ref", published, commit)
    git.run("update-ref", tracking, commit)
    return _result(git, base_tree, tree, started, False, f"commit {commit[:12]} on {branch}")


def _tree(git: _Git, remote_tip: str | None) -> str:
    """The tree of the output folder, with .nojekyll and the branch's CNAME."""
    # Bytes as they are: no line-ending conversion from the user's git settings.
    git.run("-c", "core.autocrlf=false", "add", "--all", "--force", "--", ".", f":(exclude){MARKER}")
    empty_blob = git.run("hash-object", "-w", "--stdin", stdin=b"").stdout.decode().strip()
    git.run("update-index", "--add", "--cacheinfo", f"100644,{empty_blob},{NOJEKYLL}")
    has_cname = git.run("ls-files", "--error-unmatch", CNAME, check=False).returncode == 0
    if not has_cname and remote_tip:
        kept = git.run("rev-parse", "--verify", "--quiet", f"{remote_tip}:{CNAME}", check=False).stdout.decode().strip()
        if kept:
            git.run("update-index", "--add", "--cacheinfo", f"100644,{kept},{CNAME}")
    return git.text("write-tree")


def _commit(git: _Git, tree: str, parent: str | None, message: str) -> str:
    identity = []
    if git.run("config", "--get", "user.email", check=False).returncode:
        identity = ["-c", "user.name=blog publish", "-c", "user.email=publish@localhost"]
    parents = ["-p", parent] if parent else []
    return git.text(*identity, "commit-tree", tree, *parents, "-m", message)


def _result(git: _Git, before: str | None, tree: str, started: float, dry_run: bool, said: str) -> PublishResult:
    """Counts of what the commit changes against ``before`` (a commit, or none)."""
    old = git.text("rev-parse", before + "^{tree}") if before else EMPTY_TREE_ISH
    changes = git.run("diff-tree", "-r", "--no-renames", "--name-status", "-z", old, tree).stdout.decode()
    fields = changes.split("\0")
    statuses = list(zip(fields[0::2], fields[1::2], strict=False))
    changed = [path for status, path in statuses if status in ("A", "M", "T")]
    deleted = sum(status == "D" for status, _ in statuses)
    # "<mode> blob <id> <size>\t<path>" for every file of the tree.
    listing = [
        line.split("\t", 1) for line in git.run("ls-tree", "-r", "-l", "-z", tree).stdout.decode().split("\0") if line
    ]
    wanted = set(changed)
    sizes = sum(int(meta.split()[3]) for meta, path in listing if path in wanted)
    total = len(listing)
    result = PublishResult(
        uploaded=len(changed),
        uploaded_bytes=sizes,
        deleted=deleted,
        unchanged=total - len(changed),
        seconds=time.perf_counter() - started,
        dry_run=dry_run,
        commit=said,
        verb="commit",
    )
    result.changes = statuses
    return result
