"""``manage.py publish`` to a git branch: a bare repository in a temporary folder."""

from __future__ import annotations

import hashlib
import shutil
import subprocess

import pytest

from .conftest import SITE_FIXTURE
from .publish_sites import publish_config, run_publish, site_files


@pytest.fixture
def sites(publish_sites):
    return publish_sites


def git(*args: str, cwd=None) -> str:
    return subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True, text=True).stdout.strip()


class Remote:
    def __init__(self, root) -> None:
        self.path = root / "site.git"
        git("init", "--bare", "--quiet", str(self.path))
        self.content = publish_config(root / "content", '[publish.pages]\nurl = "git:../site.git#gh-pages"\n')
        self.cache = root / "cache"

    def publish(self, output, *args: str):
        return run_publish(self.content, output, self.cache, "pages", *args)

    def commits(self) -> list[str]:
        done = subprocess.run(
            ["git", "--git-dir", str(self.path), "rev-list", "gh-pages"], capture_output=True, text=True
        )
        return done.stdout.split()

    def files(self) -> dict[str, str]:
        """Path -> MD5 of every file on the branch's tip."""
        listing = git("--git-dir", str(self.path), "ls-tree", "-r", "-z", "--name-only", "gh-pages")
        names = [name for name in listing.split("\0") if name]
        found = {}
        for name in names:
            blob = subprocess.run(
                ["git", "--git-dir", str(self.path), "cat-file", "blob", f"gh-pages:{name}"],
                capture_output=True,
                check=True,
            ).stdout
            found[name] = hashlib.md5(blob).hexdigest()
        return found


@pytest.fixture
def remote(tmp_path):
    return Remote(tmp_path)


def test_first_publish_commits_the_output_with_nojekyll(remote, sites):
    done = remote.publish(sites.first)
    assert done.returncode == 0, done.stderr
    assert len(remote.commits()) == 1
    expected = site_files(sites.first)
    files = remote.files()
    assert files.pop(".nojekyll") == "d41d8cd98f00b204e9800998ecf8427e"  # empty
    assert files == expected
    assert "CNAME" in files  # the fixture site has one
    assert "commit " in done.stdout


def test_a_publish_with_nothing_changed_makes_no_commit(remote, sites):
    assert remote.publish(sites.first).returncode == 0
    again = remote.publish(sites.first)
    assert again.returncode == 0, again.stderr
    assert len(remote.commits()) == 1
    assert "committed 0 changed files" in again.stdout and "nothing changed: no commit" in again.stdout


def test_an_edit_makes_one_commit_with_only_the_changed_files(remote, sites):
    assert remote.publish(sites.first).returncode == 0
    first = remote.commits()[0]
    done = remote.publish(sites.edited)
    assert done.returncode == 0, done.stderr
    commits = remote.commits()
    assert len(commits) == 2 and commits[1] == first
    changed = git("--git-dir", str(remote.path), "diff", "-z", "--name-only", first, commits[0]).split("\0")
    changed = [name for name in changed if name]
    before, after = site_files(sites.first), site_files(sites.edited)
    # Files changed, added or gone (an edit renames some of Pagefind's index files).
    assert set(changed) == {path for path in after if before.get(path) != after[path]} | (set(before) - set(after))
    gone = set(before) - set(after)
    assert f"committed {len(changed) - len(gone)} changed files" in done.stdout
    assert f"deleted {len(gone)}," in done.stdout


def test_a_cname_on_the_branch_is_kept_when_the_output_has_none(remote, sites, tmp_path):
    # Someone set the custom domain on GitHub, which committed a CNAME.
    clone = tmp_path / "clone"
    git("clone", "--quiet", str(remote.path), str(clone))
    git("checkout", "--quiet", "-b", "gh-pages", cwd=clone)
    (clone / "CNAME").write_text("blog.example.org\n")
    git("add", "CNAME", cwd=clone)
    git("-c", "user.name=t", "-c", "user.email=t@t", "commit", "--quiet", "-m", "CNAME", cwd=clone)
    git("push", "--quiet", "origin", "gh-pages", cwd=clone)
    output = tmp_path / "output"
    shutil.copytree(sites.first, output)
    (output / "CNAME").unlink()
    done = remote.publish(output)
    assert done.returncode == 0, done.stderr
    assert git("--git-dir", str(remote.path), "show", "gh-pages:CNAME") == "blog.example.org"
    assert len(remote.commits()) == 2


def test_a_non_fast_forward_is_refused_unless_forced(remote, sites, tmp_path):
    assert remote.publish(sites.first).returncode == 0
    # The branch is replaced behind our back by an unrelated history.
    clone = tmp_path / "other"
    git("init", "--quiet", "-b", "gh-pages", str(clone))
    (clone / "index.html").write_text("someone else's site\n")
    git("add", "index.html", cwd=clone)
    git("-c", "user.name=t", "-c", "user.email=t@t", "commit", "--quiet", "-m", "other", cwd=clone)
    git("push", "--quiet", "--force", str(remote.path), "gh-pages", cwd=clone)
    theirs = remote.commits()

    refused = remote.publish(sites.edited)
    assert refused.returncode == 1
    assert "non-fast-forward" in refused.stderr and "--force" in refused.stderr
    assert remote.commits() == theirs

    forced = remote.publish(sites.edited, "--force")
    assert forced.returncode == 0, forced.stderr
    files = remote.files()
    files.pop(".nojekyll")
    assert files == site_files(sites.edited)


def test_dry_run_commits_nothing(remote, sites):
    done = remote.publish(sites.first, "--dry-run")
    assert done.returncode == 0, done.stderr
    assert remote.commits() == []
    assert f"would commit {len(site_files(sites.first)) + 1} changed files" in done.stdout
    said = {line.split(" ", 1)[1] for line in done.stdout.splitlines() if line.startswith("add ")}
    assert said == set(site_files(sites.first)) | {".nojekyll"}


def test_a_missing_repository_is_a_clear_error(tmp_path, sites):
    content = publish_config(tmp_path / "content", '[publish.pages]\nurl = "git:../nowhere.git"\n')
    done = run_publish(content, sites.first, tmp_path / "cache", "pages")
    assert done.returncode == 1
    assert "does not exist" in done.stderr and "git init --bare" in done.stderr


def test_build_flag_builds_the_site_first(tmp_path):
    content = tmp_path / "content"
    shutil.copytree(SITE_FIXTURE, content)
    git("init", "--bare", "--quiet", str(tmp_path / "site.git"))
    with (content / "site.toml").open("a", encoding="utf-8") as file:
        file.write('\n[publish.pages]\nurl = "git:../site.git"\n')
    output = tmp_path / "output"
    done = run_publish(content, output, tmp_path / "cache", "--build")
    assert done.returncode == 0, done.stderr
    assert (output / "index.html").is_file()
    listing = git("--git-dir", str(tmp_path / "site.git"), "ls-tree", "-r", "-z", "--name-only", "gh-pages")
    assert {name for name in listing.split("\0") if name} == set(site_files(output)) | {".nojekyll"}
