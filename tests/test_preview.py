"""The live preview (``manage.py runserver``) against a real content folder,
over HTTP, as an author's browser would see it."""

from __future__ import annotations

import difflib
import re
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

import pytest

from tests.browser.fixture_site import copy_served_from_root
from tests.browser.preview_server import PreviewServer, start_preview
from tests.conftest import copy_project, run_build

RELOAD_PREFIX = "/__reload__/"
# ManifestStaticFilesStorage's content hash in the build's file names.
HASHED_STATIC = re.compile(r"^(/static/.+)\.[0-9a-f]{12}(\.[^./]+)$")


# ---- A small DOM, to compare pages by meaning rather than by bytes ----------

VOID_ELEMENTS = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


@dataclass
class Node:
    tag: str
    attrs: dict[str, str]
    children: list[Node | str] = field(default_factory=list)

    def walk(self) -> Iterator[Node]:
        yield self
        for child in self.children:
            if isinstance(child, Node):
                yield from child.walk()

    def find_all(self, tag: str | None = None, css_class: str | None = None) -> list[Node]:
        return [
            node
            for node in self.walk()
            if (tag is None or node.tag == tag) and (css_class is None or css_class in node.classes)
        ]

    @property
    def classes(self) -> list[str]:
        return self.attrs.get("class", "").split()

    @property
    def text(self) -> str:
        parts = [child if isinstance(child, str) else child.text for child in self.children]
        return " ".join(part for part in parts if part)

    def lines(self, depth: int = 0) -> list[str]:
        attrs = "".join(f' {name}="{value}"' for name, value in sorted(self.attrs.items()))
        out = [f"{'  ' * depth}<{self.tag}{attrs}>"]
        for child in self.children:
            out += child.lines(depth + 1) if isinstance(child, Node) else [f"{'  ' * (depth + 1)}{child}"]
        return out


class _TreeBuilder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Node("#document", {})
        self.open = [self.root]

    def handle_starttag(self, tag, attrs):
        node = Node(tag, {name: value or "" for name, value in attrs})
        self.open[-1].children.append(node)
        if tag not in VOID_ELEMENTS:
            self.open.append(node)

    def handle_startendtag(self, tag, attrs):
        self.open[-1].children.append(Node(tag, {name: value or "" for name, value in attrs}))

    def handle_endtag(self, tag):
        for depth in range(len(self.open) - 1, 0, -1):
            if self.open[depth].tag == tag:
                del self.open[depth:]
                return

    def handle_data(self, data):
        text = " ".join(data.split())
        if not text:
            return
        children = self.open[-1].children
        if children and isinstance(children[-1], str):
            children[-1] += " " + text
        else:
            children.append(text)


def parse_html(text: str) -> Node:
    builder = _TreeBuilder()
    builder.feed(text)
    builder.close()
    return builder.root


def without_reload_script(tree: Node) -> tuple[Node, int]:
    """The tree less django-browser-reload's script, and how many there were."""
    removed = 0
    for node in tree.walk():
        kept = []
        for child in node.children:
            if (
                isinstance(child, Node)
                and child.tag == "script"
                and child.attrs.get("src", "").startswith(RELOAD_PREFIX)
            ):
                removed += 1
            else:
                kept.append(child)
        node.children = kept
    return tree, removed


def unhashed_static(tree: Node) -> Node:
    """``/static/css/site.1a2b3c4d5e6f.css`` -> ``/static/css/site.css``: the build's
    cache-busting names are the one intended difference in static URLs."""
    for node in tree.walk():
        for name in ("href", "src"):
            if name in node.attrs:
                node.attrs[name] = HASHED_STATIC.sub(r"\1\2", node.attrs[name])
    return tree


def differences(built: Node, previewed: Node) -> str:
    return "\n".join(difflib.unified_diff(built.lines(), previewed.lines(), "built", "preview", lineterm="", n=2))


# ---- The server ---------------------------------------------------------------


@pytest.fixture(scope="module")
def content(tmp_path_factory) -> Path:
    """The browser fixture (posts, a draft, a future post, a page), served from "/"."""
    return copy_served_from_root(tmp_path_factory.mktemp("preview") / "content")


@pytest.fixture(scope="module")
def cache(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("preview-cache")


@pytest.fixture(scope="module")
def preview(content, cache) -> Iterator[PreviewServer]:
    server = start_preview(content, cache)
    yield server
    server.stop()


@pytest.fixture
def write_post(content):
    """Write a post into the served content folder; removed after the test."""
    written = []

    def write(name: str, text: str) -> Path:
        path = content / "posts" / name
        path.write_text(text, encoding="utf-8")
        written.append(path)
        return path

    yield write
    for path in written:
        path.unlink(missing_ok=True)


def titles(page: Node) -> list[str]:
    return [node.text for node in page.find_all("h2", "post-summary-title")]


def badges(page: Node) -> list[str]:
    return [node.text for node in page.find_all(css_class="badge")]


# ---- Tests --------------------------------------------------------------------


def test_drafts_and_scheduled_posts_are_shown_with_their_badges(preview):
    home = preview.get("/")
    assert home.status == 200
    page = parse_html(home.text)
    listed = titles(page)
    assert "An unfinished thought" in listed
    assert "A post from the future" in listed
    assert sorted(badges(page)) == ["Draft", "Scheduled"]

    draft = parse_html(preview.get("/2024/08/unfinished/").text)
    assert badges(draft) == ["Draft"]
    scheduled = parse_html(preview.get("/2099/01/from-the-future/").text)
    assert badges(scheduled) == ["Scheduled"]
    published = parse_html(preview.get("/2024/06/type-hints/").text)
    assert badges(published) == []


def test_a_new_post_shows_on_the_next_request_and_edits_and_deletions_too(preview, write_post, tmp_path):
    path = write_post("2099-06-01-fresh.md", '---\ntitle: "Fresh from the editor"\ndraft: true\n---\nJust saved.\n')
    page = parse_html(preview.get("/").text)
    assert titles(page)[0] == "Fresh from the editor"
    post = preview.get("/2099/06/fresh/")
    assert post.status == 200
    assert parse_html(post.text).find_all("h1")[0].text == "Fresh from the editor"
    assert badges(parse_html(post.text)) == ["Draft"]

    path.write_text('---\ntitle: "Fresh, and edited"\n---\nSaved again.\n', encoding="utf-8")
    post = parse_html(preview.get("/2099/06/fresh/").text)
    assert post.find_all("h1")[0].text == "Fresh, and edited"
    assert badges(post) == ["Scheduled"], "no longer a draft, still in the future"

    path.unlink()
    assert preview.get("/2099/06/fresh/").status == 404
    assert "Fresh, and edited" not in titles(parse_html(preview.get("/").text))


def problems_printed_by_the_build(content: Path, tmp_path: Path) -> list[str]:
    build = run_build(content, tmp_path / "output", tmp_path / "cache")
    assert build.process.returncode == 1
    return [line for line in build.process.stderr.splitlines() if not line.startswith("CommandError")]


def test_a_content_error_is_a_readable_page_until_it_is_fixed(preview, content, write_post, tmp_path):
    write_post("2024-09-01-broken-yaml.md", "---\ntitle: [unclosed\n---\nText.\n")
    write_post("2024-09-02-no-title.md", "---\ntags: [python]\n---\nText.\n")
    expected = problems_printed_by_the_build(content, tmp_path)
    assert len(expected) == 2

    for path in ("/", "/2024/06/type-hints/", "/tags/python/"):
        response = preview.get(path)
        assert response.status == 500
        assert response.content_type.startswith("text/html")
        page = parse_html(response.text)
        assert [item.text for item in page.find_all("li")] == expected
        assert page.find_all("h1")[0].text == "2 problems in the content"
        assert "Traceback" not in response.text
        # The page still reloads itself once the files are fixed.
        assert without_reload_script(page)[1] == 1
    # ... because the event stream is not an error page.
    content_type, first = preview.first_event(RELOAD_PREFIX + "events/")
    assert content_type == "text/event-stream"
    assert first.startswith("data: ")

    for path in sorted((content / "posts").glob("2024-09-0*.md")):
        path.unlink()
    home = preview.get("/")
    assert home.status == 200
    assert "Long lines in log files" in titles(parse_html(home.text))
    assert preview.get("/2024/06/type-hints/").status == 200


def test_a_broken_site_toml_is_reported_the_same_way(preview, content, tmp_path):
    site = content / "site.toml"
    original = site.read_text()
    try:
        site.write_text(original + 'posts_per_page = "many"\n')
        expected = problems_printed_by_the_build(content, tmp_path)
        response = preview.get("/")
        assert response.status == 500
        assert [item.text for item in parse_html(response.text).find_all("li")] == expected
    finally:
        site.write_text(original)
    assert preview.get("/").status == 200


# The file watcher tells the server of a changed template; generous, for a busy machine.
TEMPLATE_RELOAD_TIMEOUT = 15  # seconds


def status_becomes(server: PreviewServer, path: str, status: int):
    """The response for ``path`` once it has ``status``: a template edit shows
    after the reloader has seen the file change."""
    deadline = time.monotonic() + TEMPLATE_RELOAD_TIMEOUT
    while (response := server.get(path)).status != status:
        assert time.monotonic() < deadline, f"{path} still answers {response.status}, not {status}"
        time.sleep(0.2)
    return response


def test_a_template_error_is_a_readable_page_until_it_is_fixed(content, tmp_path):
    (tmp_path / "project").mkdir()
    project = copy_project(tmp_path / "project")
    archive = project / "templates" / "blog" / "archive.html"
    original = archive.read_text(encoding="utf-8")
    # With the reloader on, as `make serve` runs: it drops the cached templates when one changes.
    server = start_preview(content, tmp_path / "preview-cache", autoreload=True, project=project)
    try:
        assert server.get("/archive/").status == 200
        archive.write_text(original + "{% block content %}Again.{% endblock content %}\n", encoding="utf-8")
        build = run_build(content, tmp_path / "output", tmp_path / "cache", project=project)
        assert build.process.returncode == 1, build.process.stderr
        expected = [line for line in build.process.stderr.splitlines() if not line.startswith("CommandError")]
        assert len(expected) == 1 and expected[0].startswith("templates/blog/archive.html:"), expected

        response = status_becomes(server, "/archive/", 500)
        page = parse_html(response.text)
        assert [item.text for item in page.find_all("li")] == expected
        assert page.find_all("h1")[0].text == "1 problem in the content"
        assert "Traceback" not in response.text
        assert without_reload_script(page)[1] == 1
        # The pages that do not use the template are as they were.
        assert server.get("/").status == 200

        archive.write_text(original, encoding="utf-8")
        assert "<h1>Archive</h1>" in status_becomes(server, "/archive/", 200).text
    finally:
        server.stop()


def test_a_code_change_restarts_the_server_and_a_template_change_does_not(content, tmp_path):
    (tmp_path / "project").mkdir()
    project = copy_project(tmp_path / "project")
    server = start_preview(content, tmp_path / "preview-cache", autoreload=True, project=project)
    try:
        # The watcher `make serve` runs: told of each change by the OS (django-watchfiles).
        server.wait_for_output("Watching for file changes with WatchfilesReloader")
        # A template at the top of templates/, not in a folder of it, is seen
        # too: the server drops the copy it has cached.
        assert "Edited base." not in server.get("/").text
        base = project / "templates" / "base.html"
        base.write_text(base.read_text(encoding="utf-8").replace("</body>", "<p>Edited base.</p></body>", 1))
        deadline = time.monotonic() + TEMPLATE_RELOAD_TIMEOUT
        while "Edited base." not in server.get("/").text:
            assert time.monotonic() < deadline, "the edited base.html never showed"
            time.sleep(0.2)
        assert "changed, reloading" not in server.log()

        views = project / "blog" / "views.py"
        views.write_text(views.read_text(encoding="utf-8") + "\n# Edited.\n", encoding="utf-8")
        server.wait_for_output(f"{views} changed, reloading.", timeout=TEMPLATE_RELOAD_TIMEOUT)
    finally:
        server.stop()


def built_pages(output: Path) -> list[tuple[str, Path]]:
    """(URL path, file) for every HTML page of a built site."""
    pages = []
    for file in sorted(output.rglob("*.html")):
        relative = file.relative_to(output).as_posix()
        pages.append(("/" + relative.removesuffix("index.html"), file))
    return pages


def test_every_page_differs_from_the_built_one_only_by_the_reload_script(preview, content, tmp_path):
    build = run_build(content, tmp_path / "output", tmp_path / "cache", "--drafts", "--future")
    assert build.ok, build.process.stderr
    pages = built_pages(build.output)
    assert len(pages) > 20

    seen_badges = set()
    for url, file in pages:
        previewed, scripts = without_reload_script(parse_html(preview.get(url).text))
        built, built_scripts = without_reload_script(parse_html(file.read_text(encoding="utf-8")))
        assert (scripts, built_scripts) == (1, 0), url
        unhashed_static(built)
        assert previewed == built, f"{url}:\n{differences(built, previewed)}"
        seen_badges.update(badges(previewed))
    # Drafts and scheduled posts were compared too, badges and all.
    assert seen_badges == {"Draft", "Scheduled"}


def test_the_reload_script_and_its_event_stream_are_served(preview):
    page = parse_html(preview.get("/").text)
    (script,) = [node for node in page.find_all("script") if node.attrs.get("src", "").startswith(RELOAD_PREFIX)]
    for name in ("src", "data-worker-script-path"):
        response = preview.get(script.attrs[name])
        assert response.status == 200
        assert "javascript" in response.content_type
        assert "django-browser-reload" in response.text
    content_type, first = preview.first_event(script.attrs["data-events-path"])
    assert content_type == "text/event-stream"
    assert '"type": "ping"' in first


def test_the_preview_keeps_its_own_database(preview, cache):
    assert (cache / "preview" / "blog.sqlite3").is_file()
    assert not (cache / "blog.sqlite3").exists(), "the build's database must not be touched"
