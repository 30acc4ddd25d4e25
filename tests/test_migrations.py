"""The cache's tables: a new cache is made by one migration that stands for
the fifteen before it (blog/migrations/0001_squashed_0015_built_rows.py). It
must make what they make, and a cache they made, all or part of the way,
must go on working. Each cache is made in a process of its own, as a build
makes it, in a real SQLite file."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from django.core.management import call_command

from .conftest import run_python

# Makes the cache database in the folder argv[1]. argv[2]: "new", as a build
# does; or the name of the last of the old migrations to apply, one by one,
# as they were before the squash, and then (argv[3] == "then-new") what a
# build does next. Prints the migrations a build would still apply.
MAKE_CACHE = """
import json
import sys
from pathlib import Path

import django

django.setup()
from django.db import connections
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.loader import MigrationLoader

from blog.build import DATABASE_FILE, use_cache_dir

folder, how = Path(sys.argv[1]), sys.argv[2]
if how == "new":
    use_cache_dir(folder)
else:
    connection = connections["default"]
    connection.settings_dict["NAME"] = str(folder / DATABASE_FILE)
    executor = MigrationExecutor(connection)
    executor.loader = MigrationLoader(connection, replace_migrations=False)
    executor.migrate([("blog", how)])
    if sys.argv[3:] == ["then-new"]:
        use_cache_dir(folder)
executor = MigrationExecutor(connections["default"])
plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
print(json.dumps([migration.name for migration, _backwards in plan]))
"""


def make_cache(folder: Path, *how: str) -> list[str]:
    folder.mkdir()
    return json.loads(run_python(MAKE_CACHE, str(folder), *how, timeout=120))


def schema(folder: Path) -> list[str]:
    """Every table and index of the blog's, as SQLite holds their definitions."""
    with sqlite3.connect(folder / "blog.sqlite3") as database:
        rows = database.execute(
            "SELECT sql FROM sqlite_master WHERE sql IS NOT NULL AND tbl_name LIKE 'blog_%' ORDER BY name"
        ).fetchall()
    return [sql for (sql,) in rows]


def test_a_new_cache_has_the_tables_the_old_migrations_make(tmp_path):
    assert make_cache(tmp_path / "new", "new") == []
    assert make_cache(tmp_path / "old", "0015_built_rows") == []
    new = schema(tmp_path / "new")
    # Every table, and the columns in the same order: the bodies last.
    assert sum(sql.startswith("CREATE TABLE") for sql in new) == 10
    assert [sql for sql in new if '"blog_post" (' in sql and "CREATE TABLE" in sql][0].endswith(
        '"body_html" text NOT NULL, "toc_html" text NOT NULL)'
    )
    assert new == schema(tmp_path / "old")


def test_a_cache_part_of_the_way_goes_on_with_the_old_migrations(tmp_path):
    # Before the post's digests moved last: the old files still stand for the rest.
    assert make_cache(tmp_path / "part", "0010_listed_digest", "then-new") == []
    make_cache(tmp_path / "new", "new")
    assert schema(tmp_path / "part") == schema(tmp_path / "new")


def test_the_migrations_make_the_models_tables(db):
    # Exits with status 1 if a model changed with no migration for it.
    call_command("makemigrations", "blog", check=True, dry_run=True, verbosity=0)
