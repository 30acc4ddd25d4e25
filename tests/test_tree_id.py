"""The build id in the output's marker (blog/build/tree_id.py): the same for the
same tree of files however it was reached, and found from the previous id by
the files that changed."""

from __future__ import annotations

import json
import random
import re
import sqlite3
from pathlib import Path

from blog.build.output import MARKER, marker, read_marker, spare_folder
from blog.build.publish import OUTPUT_ENTRY
from blog.build.tree_id import copied_file_key, tree_id

from .conftest import run_build
from .output_trees import tree_difference, tree_digest


def some_tree(randomness: random.Random, count: int) -> dict[str, str]:
    """Files as a plan keys them: pages and static files by a digest, files
    copied from content/ by size and mtime, resized images by their copy."""
    tree = {}
    for number in range(count):
        kind = randomness.choice(["page", "copied", "image"])
        if kind == "page":
            tree[f"posts/{number}/index.html"] = f"{randomness.getrandbits(128):032x}"
        elif kind == "copied":
            tree[f"files/{number}.pdf"] = copied_file_key(randomness.randrange(1, 9999), randomness.getrandbits(60))
        else:
            tree[f"images/{number}.webp"] = f"image:ab/{randomness.getrandbits(64):016x}/shot.webp"
    return tree


def from_scratch(tree: dict[str, str]) -> str:
    return tree_id(tree, {}, 0)


def test_the_id_does_not_depend_on_the_order_of_the_files():
    tree = some_tree(random.Random(1), 200)
    shuffled = list(tree.items())
    random.Random(2).shuffle(shuffled)
    assert from_scratch(dict(shuffled)) == from_scratch(tree)


def test_an_id_found_from_the_previous_one_is_the_id_of_the_new_tree():
    randomness = random.Random(3)
    for _round in range(50):
        before = some_tree(randomness, randomness.randrange(0, 60))
        after = dict(before)
        for path in randomness.sample(sorted(before), k=min(len(before), randomness.randrange(0, 5))):
            if randomness.random() < 0.5:
                del after[path]
            else:
                after[path] = f"{randomness.getrandbits(128):032x}"
        after.update(some_tree(randomness, randomness.randrange(0, 4)) if randomness.random() < 0.5 else {})
        previous = int(from_scratch(before), 16)
        assert tree_id(after, before, previous) == from_scratch(after)


def test_a_copied_file_counts_by_its_size_not_its_mtime():
    tree = {"index.html": "0" * 32, "files/a.pdf": copied_file_key(1200, 1700000000000000000)}
    touched = {**tree, "files/a.pdf": copied_file_key(1200, 1800000000000000000)}
    grown = {**tree, "files/a.pdf": copied_file_key(1201, 1700000000000000000)}
    assert from_scratch(touched) == from_scratch(tree)
    assert from_scratch(grown) != from_scratch(tree)


def test_any_other_change_changes_the_id():
    tree = some_tree(random.Random(4), 30)
    ids = {from_scratch(tree), from_scratch({}), from_scratch({**tree, "new.html": "1" * 32})}
    # A copied file's key changed at its end is a new mtime, which the id leaves out.
    named_by_bytes = [path for path in tree if not path.startswith("files/")]
    for path in tree:
        ids.add(from_scratch({name: key for name, key in tree.items() if name != path}))
    for path in named_by_bytes:
        ids.add(from_scratch({**tree, path: tree[path] + "0"}))
    # Every tree above is a different one, and has an id of its own.
    assert len(ids) == 3 + len(tree) + len(named_by_bytes)


def edit_a_post(content: Path) -> None:
    post = sorted((content / "posts").glob("*.md"))[0]
    post.write_text(post.read_text(encoding="utf-8") + "\nA sentence added.\n", encoding="utf-8")


def test_an_output_named_by_an_earlier_kind_of_id_is_summed_again(copy_fixture, tmp_path):
    """A cache and output left by a version of the tool whose ids were not
    sums: the next build must not start from that id."""
    content = copy_fixture("site")
    output, cache = tmp_path / "output", tmp_path / "cache"
    assert run_build(content, output, cache).ok
    earlier_id = "f" * 32
    database = sqlite3.connect(cache / "blog.sqlite3")
    with database:
        (stored,) = database.execute("SELECT value FROM blog_cacheentry WHERE key = ?", [OUTPUT_ENTRY]).fetchone()
        entry = json.loads(stored)
        database.execute(
            "UPDATE blog_cacheentry SET value = ? WHERE key = ?",
            [json.dumps({"path": entry["path"], "build_id": earlier_id}), OUTPUT_ENTRY],
        )
    database.close()
    for folder in (output, spare_folder(output)):
        (folder / MARKER).write_bytes(marker(earlier_id))
    edit_a_post(content)
    rebuilt = run_build(content, output, cache)
    assert rebuilt.ok, rebuilt.process.stderr
    # The earlier output was trusted: only the edited post's pages were rendered ...
    rendered = int(re.search(r"(\d+) pages rendered", rebuilt.process.stdout + rebuilt.process.stderr).group(1))
    assert 0 < rendered < 10
    assert read_marker(output) != earlier_id
    clean = run_build(content, tmp_path / "clean-output", tmp_path / "clean-cache")
    assert clean.ok, clean.process.stderr
    # ... and its id is the one a clean build gives the same tree.
    ours, theirs = tree_digest(output), tree_digest(clean.output)
    assert ours == theirs, tree_difference(ours, theirs)
