"""The export reader: every WXR version, hardened against hostile files, streaming."""

from __future__ import annotations

import time

import pytest

from blog.importers.wordpress.reader import Channel, ExportError, read_export
from tests.wordpress_exports import FIXTURES, item_xml, write_export


@pytest.mark.parametrize(
    ("name", "version"),
    [("wxr-1.0.xml", "1.0"), ("wxr-1.1.xml", "1.1"), ("blog-1.2.xml", "1.2")],
)
def test_every_wxr_version_and_both_namespace_schemes_are_read(name, version):
    channel = Channel()
    items = list(read_export(FIXTURES / name, channel))
    assert channel.wxr_version == version
    posts = [item for item in items if item.post_type == "post"]
    assert posts, name
    first = posts[0]
    assert first.post_id and first.guid and first.status == "publish"
    assert first.content.strip()
    assert first.post_date_gmt


def test_the_excerpt_and_the_body_are_told_apart_by_namespace():
    (item,) = read_export(FIXTURES / "wxr-1.0.xml")
    assert item.excerpt == "The excerpt of 1.0."
    assert item.content.startswith("Written in WXR 1.0.")
    assert "日本語" in item.content


def test_cdata_split_across_sections_is_joined():
    items = {item.post_id: item for item in read_export(FIXTURES / "blog-1.2.xml")}
    assert items["103"].content == "Part one of the body, ]]> split across CDATA sections."


def test_comments_postmeta_and_categories_are_read():
    items = {item.post_id: item for item in read_export(FIXTURES / "blog-1.2.xml")}
    post = items["101"]
    assert post.meta["_thumbnail_id"] == "201"
    assert [c.approved for c in post.comments] == ["1", "spam", "1", "trash", "1"]
    assert [c.parent for c in post.comments] == ["0", "0", "1", "3", "4"]
    assert ("post_tag", "physics", "Physics") in post.categories
    assert items["201"].attachment_url.endswith("/2021/03/stone.png")


def test_bodies_can_be_left_out_for_the_planning_pass():
    items = {item.post_id: item for item in read_export(FIXTURES / "blog-1.2.xml", with_bodies=False)}
    assert items["101"].content == "" and items["101"].comments == []
    assert items["101"].title == "Skimming stones: a field guide"


def test_an_entity_bomb_is_refused_at_once():
    started = time.monotonic()
    with pytest.raises(ExportError, match=r"entity-bomb\.xml: refused: the export declares an entity"):
        list(read_export(FIXTURES / "entity-bomb.xml"))
    assert time.monotonic() - started < 2


def test_an_external_entity_is_refused_and_no_file_is_read():
    with pytest.raises(ExportError, match=r"external entity \(secret -> file:///etc/passwd\)") as refused:
        list(read_export(FIXTURES / "external-entity.xml"))
    assert "root:" not in str(refused.value)


def test_a_malformed_export_names_the_line_and_column():
    with pytest.raises(ExportError, match=r"malformed\.xml:6:18: the export is not well-formed XML"):
        list(read_export(FIXTURES / "malformed.xml"))


def test_a_huge_body_is_streamed_item_by_item(tmp_path):
    big = "x" * (50 * 1024 * 1024)
    export = write_export(tmp_path / "big.xml", [item_xml(1, "Huge", big), item_xml(2, "Small", "tiny")])
    del big
    sizes = [(item.post_id, len(item.content)) for item in read_export(export)]
    assert sizes == [("1", 50 * 1024 * 1024), ("2", 4)]
