"""A generated export of many items imports in bounded memory and the second
run writes nothing. The 5,000-item timing is in docs/benchmarks.md
(``python -m bench.wordpress``); this test keeps to fewer items to stay quick."""

from __future__ import annotations

from bench.wordpress import large_export, timed_import

ITEMS = 300
# The importer holds one item's body at a time: its peak stays near the
# interpreter's own (about 60 MB with Django loaded) whatever the export's size.
PEAK_RSS_LIMIT = 150  # MB


def test_a_large_export_imports_in_bounded_memory_and_again_writes_nothing(tmp_path):
    export = large_export(tmp_path / "export.xml", ITEMS)
    content = tmp_path / "content"
    content.mkdir()
    _wall, _cpu, rss, output = timed_import(export, content)
    assert f"{ITEMS} post (published)" in output
    assert len(list((content / "posts").glob("*.md"))) == ITEMS
    assert rss < PEAK_RSS_LIMIT, output
    mtimes = {p: p.stat().st_mtime_ns for p in content.rglob("*")}
    _wall, _cpu, _rss, again = timed_import(export, content)
    assert f"Files: {ITEMS} unchanged" in again
    assert {p: p.stat().st_mtime_ns for p in content.rglob("*")} == mtimes
