"""Bad content never breaks the site.

Each case of tests/fixtures/bad/cases/ is copied over a good content folder
(tests/fixtures/bad/base/) whose site is already built, then built for real:
the build must exit 1, name the file and the line (counted in the file itself)
with what is wrong and how to fix it, print no traceback, and leave the output
folder byte for byte as it was. Warnings (a local time the clocks skip or
repeat, a broken link) let the build through, and fail it under --strict.
"""

from __future__ import annotations

import datetime as dt
import re
import shutil
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from blog.build.output import spare_folder

from .conftest import FIXTURES, ROOT, Build, copy_project, run_build
from .html_tree import parse_html
from .output_trees import overlay, tree_difference, tree_digest

BAD = FIXTURES / "bad"
BASE = BAD / "base"
CASES = BAD / "cases"
# base/site.toml's time zone, in which naive front-matter dates are read.
SITE_ZONE = ZoneInfo("Europe/Stockholm")


@dataclass(frozen=True)
class InHint:
    """A pattern the hint (how to fix it), not the message, must hold."""

    pattern: re.Pattern


# A date-time with a UTC offset among the hint's examples: the accepted forms are shown.
ACCEPTED_FORMS = InHint(re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2})? ?(?:Z|[+-]\d{2}:?\d{2})"))
LAST_LINE = re.compile(r"^CommandError: (\d+) problems? in the content; the output folder was not changed\.$")


@dataclass(frozen=True)
class Problem:
    """One ``path:line: message (hint)`` line of the build's stderr."""

    path: str
    line: int
    text: str  # message and hint

    @property
    def has_hint(self) -> bool:
        return self.text.endswith(")") and " (" in self.text

    @property
    def hint(self) -> str:
        """The last parenthesised part: how to fix it."""
        return self.text[self.text.rfind(" (") + 2 : -1] if self.has_hint else ""


_LOCATION = re.compile(r"^(?P<path>[^:]+):(?P<line>\d+): (?P<text>.+)$")


def parse_stderr(stderr: str) -> tuple[list[Problem], list[Problem], list[str]]:
    """(errors, warnings, other lines) of a build's stderr."""
    errors, warnings, other = [], [], []
    for line in stderr.splitlines():
        warning = line.startswith("warning: ")
        match = _LOCATION.match(line.removeprefix("warning: "))
        if match:
            problem = Problem(match["path"], int(match["line"]), match["text"])
            (warnings if warning else errors).append(problem)
        elif line.strip():
            other.append(line)
    return errors, warnings, other


@dataclass(frozen=True)
class Expected:
    """A problem the build must report."""

    at: tuple[tuple[str, int], ...]  # where: (file in the content folder, line); any one of them
    says: tuple[str | re.Pattern | InHint, ...] = ()  # what the message and hint must hold
    names: tuple[str, ...] = ()  # other files of the content folder it must name

    def matches(self, problem: Problem, content: Path) -> bool:
        if (problem.path, problem.line) not in {(shown(content, f), line) for f, line in self.at}:
            return False
        return all(self._holds(problem, part) for part in self.says) and all(
            shown(content, f) in f"{problem.path}: {problem.text}" for f in self.names
        )

    @staticmethod
    def _holds(problem: Problem, part: str | re.Pattern | InHint) -> bool:
        if isinstance(part, InHint):
            return part.pattern.search(problem.hint) is not None
        if isinstance(part, re.Pattern):
            return part.search(problem.text) is not None
        return part.lower() in problem.text.lower()


def at(file: str, line: int, *says: str | re.Pattern | InHint, names: tuple[str, ...] = ()) -> Expected:
    return Expected(((file, line),), says, names)


def shown(content: Path, relative: str) -> str:
    """How the build names a file of a content folder given as an absolute path."""
    return (content / relative).as_posix()


def latin1_offset(relative: str) -> str:
    """The byte offset of the first byte of a fixture that is not UTF-8."""
    data = (CASES / relative).read_bytes()
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as exc:
        return str(exc.start)
    raise AssertionError(f"{relative} is valid UTF-8")


SAME_URL = ("posts/2024-03-01-same.md", "posts/old/2024-03-01-same.md")
ALIAS_CLASH = ("posts/2024-01-01-good.md", "posts/2024-03-02-renamed.md")
RESERVED = ("tags", "archive", "search", "series", "page", "feeds")

# One case per rule of issue 3; the case folder's name says the rule.
EXPECTED: dict[str, list[Expected]] = {
    "yaml-syntax": [at("posts/2024-02-01-yaml-syntax.md", 4, "YAML")],
    "toml-syntax": [at("posts/2024-02-02-toml-syntax.md", 4, "TOML")],
    "toml-syntax-middle": [at("posts/2024-02-18-toml-middle.md", 4, "TOML")],
    "unclosed": [at("posts/2024-02-03-unclosed.md", 1, "front matter")],
    "empty": [at("posts/2024-02-04-empty.md", 1, "empty")],
    "not-utf8": [
        at(
            "posts/2024-02-05-latin1.md",
            5,
            "UTF-8",
            re.compile(rf"\b{latin1_offset('not-utf8/posts/2024-02-05-latin1.md')}\b"),
        )
    ],
    "missing-title": [at("posts/2024-02-06-no-title.md", 1, "title")],
    "title-not-text": [at("posts/2024-02-07-list-title.md", 4, "title")],
    "missing-date": [at("posts/undated.md", 1, "date")],
    "bad-date": [at("posts/bad-date.md", 4, "date", "next tuesday", ACCEPTED_FORMS)],
    "bad-offset": [at("posts/bad-offset.md", 4, "date", "+25:00", ACCEPTED_FORMS)],
    "tags-type": [at("posts/2024-02-10-tags-type.md", 4, "tags")],
    "series-type": [at("posts/2024-02-11-series-type.md", 4, "series")],
    "slug-empty": [at("posts/2024-02-11-slug-empty.md", 4, "slug", "empty")],
    "slug-slash": [at("posts/2024-02-12-slug-slash.md", 4, "slug", "two/parts")],
    "slug-dotdot": [at("posts/2024-02-13-slug-dotdot.md", 4, "slug", "up..there")],
    "slug-control": [at("posts/2024-02-14-slug-control.md", 4, "slug", "control")],
    "image-javascript": [at("posts/2024-02-15-image-javascript.md", 4, "image", "javascript:alert(1)")],
    "image-data": [at("posts/2024-02-16-image-data.md", 4, "image", "data:image/svg+xml")],
    "alias-not-site-relative": [at("posts/2024-02-17-alias.md", 4, "alias", "elsewhere.example/old/name/")],
    # Which of the two is the location is the build's choice; both must be named.
    "same-url": [Expected(((SAME_URL[0], 1), (SAME_URL[1], 1)), ("/2024/03/same/",), names=SAME_URL)],
    "alias-clash": [Expected(((ALIAS_CLASH[0], 1), (ALIAS_CLASH[1], 4)), ("/2024/01/good/",), names=ALIAS_CLASH)],
    "reserved-pages": [at(f"pages/{name}.md", 1, re.compile(rf"\b{name}\b.*\bsection\b")) for name in RESERVED],
    "site-time-zone": [at("site.toml", 4, "time_zone", "Mars/Olympus_Mons")],
    "site-key-type": [at("site.toml", 4, "posts_per_page", "ten")],
}

XFAIL: dict[str, str] = {}


def test_every_case_folder_has_expectations():
    assert sorted(p.name for p in CASES.iterdir()) == sorted(EXPECTED)


@pytest.fixture(scope="module")
def good_site(tmp_path_factory) -> Build:
    """The base content, built: the site every bad case must leave alone."""
    root = tmp_path_factory.mktemp("bad-base").resolve()
    shutil.copytree(BASE, root / "content")
    build = run_build(root / "content", root / "output", root / "cache")
    assert build.ok, build.process.stderr
    return build


def start_from(good_site: Build, tmp_path: Path, *overlays: Path) -> Path:
    """A copy of the good site (content, output and warm cache) with ``overlays``
    copied over its content: as if the author added files after a build."""
    root = tmp_path.resolve()
    shutil.copytree(good_site.content, root / "content")
    shutil.copytree(good_site.output, root / "output", symlinks=True)
    shutil.copytree(good_site.cache, root / "cache")
    overlay(root / "content", *overlays)
    return root


def assert_failed_cleanly(build: Build, before: dict[str, str]) -> list[Problem]:
    """Exit 1, only problem lines and the summary line on stderr, output/ as it was."""
    stderr = build.process.stderr
    assert build.process.returncode == 1, stderr
    assert "Traceback" not in stderr, stderr
    errors, _warnings, other = parse_stderr(stderr)
    assert len(other) == 1, stderr
    summary = LAST_LINE.match(stderr.strip().splitlines()[-1])
    assert summary, stderr
    assert int(summary[1]) == len(errors), stderr
    for problem in errors:
        assert problem.has_hint, f"no hint saying how to fix it: {problem}"
    after = tree_digest(build.output)
    assert after == before, tree_difference(before, after)
    # Nothing half-built is left beside output/: only the previous site, kept
    # as the next build's starting point (blog/build/output.py).
    beside = {p.name for p in build.output.parent.iterdir()} - {spare_folder(build.output).name}
    assert sorted(beside) == ["cache", "content", "output"]
    return errors


def assert_reported(expected: list[Expected], errors: list[Problem], content: Path, stderr: str) -> None:
    assert len(errors) == len(expected), stderr
    for want in expected:
        assert sum(want.matches(problem, content) for problem in errors) == 1, f"{want}\nnot in:\n{stderr}"


@pytest.mark.parametrize(
    "case",
    [
        pytest.param(name, marks=pytest.mark.xfail(strict=True, reason=XFAIL[name])) if name in XFAIL else name
        for name in EXPECTED
    ],
)
def test_bad_case_is_named_and_leaves_output_alone(good_site, tmp_path, case):
    root = start_from(good_site, tmp_path, CASES / case)
    before = tree_digest(root / "output")
    build = run_build(root / "content", root / "output", root / "cache")
    errors = assert_failed_cleanly(build, before)
    assert_reported(EXPECTED[case], errors, root / "content", build.process.stderr)


# tests/fixtures/bad/several/: many bad files, reported together in one run.
SEVERAL = [
    at("pages/archive.md", 1, re.compile(r"\barchive\b.*\bsection\b")),
    at("posts/a/2024-05-01-nested.md", 3, "YAML"),
    at("posts/b-unparsable.md", 3, "date", "31/12/2024", ACCEPTED_FORMS),
    at("posts/c-latin1.md", 6, "UTF-8", re.compile(r"\b45\b")),
    at("posts/m-empty.md", 1, "empty"),
    # BOM and CRLF: the date is on line 4 however the lines end.
    at("posts/z-crlf.md", 4, "date", "2024-13-45", ACCEPTED_FORMS),
]


def test_several_bad_files_are_all_reported_in_one_run_sorted_by_file(good_site, tmp_path):
    root = start_from(good_site, tmp_path, BAD / "several")
    before = tree_digest(root / "output")
    build = run_build(root / "content", root / "output", root / "cache")
    errors = assert_failed_cleanly(build, before)
    assert_reported(SEVERAL, errors, root / "content", build.process.stderr)
    locations = [(problem.path, problem.line) for problem in errors]
    assert locations == sorted(locations)


def test_site_toml_problems_are_reported_with_the_posts_problems(good_site, tmp_path):
    root = start_from(good_site, tmp_path, BAD / "several", CASES / "site-key-type")
    before = tree_digest(root / "output")
    build = run_build(root / "content", root / "output", root / "cache")
    errors = assert_failed_cleanly(build, before)
    assert_reported([*SEVERAL, *EXPECTED["site-key-type"]], errors, root / "content", build.process.stderr)


def test_the_good_base_builds_without_warnings(good_site):
    errors, warnings, _other = parse_stderr(good_site.process.stderr)
    assert errors == warnings == [], good_site.process.stderr


def test_bom_and_crlf_are_accepted(good_site):
    raw = (BASE / "posts/2024-01-02-bom-crlf.md").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf---\r\n")
    html = good_site.read("2024/01/bom-crlf/index.html")
    assert "\r" not in html and "\ufeff" not in html
    page = parse_html(html)
    article = page.find("article") or page
    assert article.find("h1").text() == "Saved on Windows"
    tags = {a.text() for a in article.iter("a") if "/tags/" in (a.get("href") or "")}
    assert {"windows", "crlf"} <= tags
    paragraphs = [p.text() for p in article.iter("p")]
    assert "First line of the body. Still the first paragraph." in paragraphs
    assert "Second paragraph." in paragraphs
    (time,) = {t.get("datetime") for t in article.iter("time") if t.get("datetime")}
    assert dt.datetime.fromisoformat(time) == dt.datetime(2024, 1, 2, 9, 0, tzinfo=SITE_ZONE)


# Warnings: tests/fixtures/bad/warnings-dates/ and warnings-links/.
DST_GAP = "posts/2015-03-29-dst-gap.md"
DST_OVERLAP = "posts/2015-10-25-dst-overlap.md"
LINKS = "posts/2024-04-01-links.md"
BROKEN_LINKS = {7: "/2024/01/no-such-post/", 9: "/2024/01/good/#no-such-section", 11: "/files/missing.zip"}


@pytest.fixture(scope="module")
def warned_site(good_site, tmp_path_factory) -> Build:
    root = start_from(good_site, tmp_path_factory.mktemp("warned"), BAD / "warnings-dates", BAD / "warnings-links")
    return run_build(root / "content", root / "output", root / "cache")


def resolved_local_time(build: Build, page: str) -> str:
    """The post's date as the built page states it, in the site's zone."""
    article = parse_html(build.read(page))
    stamps = {t.get("datetime") for t in article.iter("time") if t.get("datetime")}
    assert len(stamps) == 1, stamps
    return dt.datetime.fromisoformat(stamps.pop()).astimezone(SITE_ZONE).strftime("%Y-%m-%d %H:%M")


def test_a_local_time_the_clocks_skip_or_repeat_is_a_warning_saying_how_it_was_read(warned_site):
    assert warned_site.ok, warned_site.process.stderr
    _errors, warnings, _other = parse_stderr(warned_site.process.stderr)
    content = warned_site.content
    for source, page in ((DST_GAP, "2015/03/dst-gap/index.html"), (DST_OVERLAP, "2015/10/dst-overlap/index.html")):
        found = [w for w in warnings if (w.path, w.line) == (shown(content, source), 4)]
        assert len(found) == 1, warned_site.process.stderr
        (warning,) = found
        assert "02:30" in warning.text and warning.has_hint
        # It says how it resolved the time: the time the site shows.
        assert resolved_local_time(warned_site, page) in warning.text, warning


def test_a_broken_link_in_a_post_is_a_warning_naming_the_post_and_line(warned_site):
    assert warned_site.ok, warned_site.process.stderr
    _errors, warnings, _other = parse_stderr(warned_site.process.stderr)
    in_links = [w for w in warnings if w.path == shown(warned_site.content, LINKS)]
    assert sorted(w.line for w in in_links) == sorted(BROKEN_LINKS), warned_site.process.stderr
    for warning in in_links:
        assert BROKEN_LINKS[warning.line] in warning.text
        assert "/2024/04/links/" in warning.text  # the page it is on
        assert warning.has_hint
    # The good links on line 5 (a page and an existing #fragment) are not reported.
    assert len(warnings) == len(in_links) + 2, warned_site.process.stderr


def test_a_rebuild_with_nothing_changed_repeats_the_warnings_and_strict_still_fails(warned_site):
    assert warned_site.ok, warned_site.process.stderr
    first = set(parse_stderr(warned_site.process.stderr)[1])
    assert len(first) == 2 + len(BROKEN_LINKS)
    before = tree_digest(warned_site.output)
    again = run_build(warned_site.content, warned_site.output, warned_site.cache)
    assert again.ok, again.process.stderr
    assert set(parse_stderr(again.process.stderr)[1]) == first
    strict = run_build(warned_site.content, warned_site.output, warned_site.cache, "--strict")
    assert {(p.path, p.line) for p in assert_failed_cleanly(strict, before)} == {(w.path, w.line) for w in first}


def strict_build(good_site: Build, tmp_path: Path, *overlays: Path) -> tuple[Build, list[Problem]]:
    root = start_from(good_site, tmp_path, *overlays)
    before = tree_digest(root / "output")
    build = run_build(root / "content", root / "output", root / "cache", "--strict")
    return build, assert_failed_cleanly(build, before)


def test_strict_turns_date_warnings_into_errors(good_site, tmp_path):
    build, errors = strict_build(good_site, tmp_path, BAD / "warnings-dates")
    expected = [at(DST_GAP, 4, "02:30"), at(DST_OVERLAP, 4, "02:30")]
    assert_reported(expected, errors, build.content, build.process.stderr)


def test_strict_turns_broken_links_into_errors(good_site, tmp_path):
    build, errors = strict_build(good_site, tmp_path, BAD / "warnings-links")
    expected = [at(LINKS, line, target) for line, target in BROKEN_LINKS.items()]
    assert_reported(expected, errors, build.content, build.process.stderr)


MATH = "posts/2024-04-02-math.md"


def test_strict_turns_invalid_math_into_errors(good_site, tmp_path):
    build, errors = strict_build(good_site, tmp_path, BAD / "warnings-math")
    expected = [at(MATH, 7, "\\frac{a}"), at(MATH, 9, "\\left( x")]
    assert_reported(expected, errors, build.content, build.process.stderr)


def test_strict_reports_every_warning_in_one_run(good_site, tmp_path):
    build, errors = strict_build(good_site, tmp_path, BAD / "warnings-dates", BAD / "warnings-links")
    expected = [at(DST_GAP, 4, "02:30"), at(DST_OVERLAP, 4, "02:30")]
    expected += [at(LINKS, line, target) for line, target in BROKEN_LINKS.items()]
    assert_reported(expected, errors, build.content, build.process.stderr)


# Variants of the URL-shaped rules, read in-process: a full build adds nothing
# to what the cases above already show about exit codes and output/.
REJECTED_VARIANTS = [
    ("image: 'JavaScript:alert(1)'", "image"),
    ("image: '  javascript:alert(1)'", "image"),
    ('image: "java\\tscript:alert(1)"', "image"),
    ("image: 'vbscript:msgbox(1)'", "image"),
    ("image: 'data:text/html,<script>alert(1)</script>'", "image"),
    ("image: '//evil.example/cover.png'", "image"),
    ("image: 'ftp://example.com/cover.png'", "image"),
    ("aliases: ['https://evil.example/old/']", "alias"),
    ("aliases: ['//evil.example/old/']", "alias"),
    ("aliases: ['/old/../../etc/passwd']", "alias"),
    ("aliases: ['/x/?page=2']", "alias"),
    ('slug: ".."', "slug"),
    ('slug: "../../etc"', "slug"),
    ('slug: "back\\\\slash"', "slug"),
    ('slug: "tab\\there"', "slug"),
    ('slug: "nul\\0here"', "slug"),
    ('slug: "line\\nbreak"', "slug"),
    ("slug: '   '", "slug"),
]
ACCEPTED_VARIANTS = [
    "image: images/cover.png",
    "image: https://cdn.example/cover.png",
    "aliases: [/2015/old-name/, /old.html]",
    # Hugo's: relative to the page.
    "aliases: [old/name/, ../older.html]",
    "slug: plain-words-123",
    "slug: 日本語",
]


def read_variant(line: str):
    from blog.content.reader import POST, read_document

    text = f'---\ntitle: "Variant"\ndate: 2024-01-01\n{line}\n---\nBody.\n'
    return read_document(text.encode(), "posts/variant.md", "variant.md", POST, ZoneInfo("UTC"))


@pytest.mark.parametrize(("line", "word"), REJECTED_VARIANTS)
def test_url_shaped_values_that_escape_the_site_are_rejected(line, word):
    document, errors, _warnings = read_variant(line)
    assert document is None
    assert [(e.path, e.line) for e in errors] == [("posts/variant.md", 4)], errors
    assert word in errors[0].message and errors[0].hint, errors[0]


@pytest.mark.parametrize("line", ACCEPTED_VARIANTS)
def test_ordinary_paths_urls_and_slugs_are_accepted(line):
    document, errors, _warnings = read_variant(line)
    assert errors == [] and document is not None


def site_keys() -> list[str]:
    from dataclasses import fields

    from blog.siteconfig import SiteConfig

    return [f.name for f in fields(SiteConfig)]


@pytest.mark.parametrize("key", site_keys())
def test_a_wrong_type_for_any_site_toml_key_is_named_with_its_line(key):
    from blog.errors import ContentError
    from blog.siteconfig import SiteConfig, parse_site_config

    default = getattr(SiteConfig(), key)
    wrong_values = ['{ nested = "table" }']
    if isinstance(default, tuple):  # a list of whole numbers, such as image_widths
        wrong_values += ["true", "42", '["480"]', "[0, 480]"]
    elif isinstance(default, bool):  # liquid = true is right; "yes" and 1 are not
        wrong_values += ["[1, 2]", '"yes"', "1"]
    else:
        wrong_values += ["true", "[1, 2]", '"ten"' if isinstance(default, int) else "42"]
    for wrong in wrong_values:
        text = (
            f'# The site.\ntitle = "Fine"\n{key} = {wrong}\n' if key != "title" else f"# The site.\n\ntitle = {wrong}\n"
        )
        with pytest.raises(ContentError) as raised:
            parse_site_config(text)
        assert raised.value.line == 3, (key, wrong, raised.value.message)
        assert key in raised.value.message and raised.value.hint, (key, wrong)


# ---- Template errors ----------------------------------------------------------
# Made in a copy of the project, as an author edits templates/; reported as
# ``templates/...:line: message; while rendering /page/ (hint)``. The wording
# of each kind is tests/test_template_errors.py's.

FAILING_TAGS = """from django import template

register = template.Library()


@register.simple_tag
def ratio(part, whole):
    return part / whole
"""


@dataclass(frozen=True)
class TemplateEdit:
    """A line put into a template of the project, where it becomes line ``line``."""

    template: str  # under templates/
    line: int
    text: str

    def apply(self, project: Path) -> None:
        path = project / "templates" / self.template
        lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
        assert self.line <= len(lines) + 1, f"{self.template} has {len(lines)} lines"
        lines.insert(self.line - 1, self.text + "\n")
        path.write_text("".join(lines), encoding="utf-8")


@dataclass(frozen=True)
class TemplateCase:
    edits: tuple[TemplateEdit, ...]
    expected: str  # the whole line the build prints
    tag_library: bool = False  # blog/templatetags/failing.py is added


# The second block of archive.html is a new last line.
ARCHIVE_LINES = len((ROOT / "templates" / "blog" / "archive.html").read_text(encoding="utf-8").splitlines())
TEMPLATE_CASES = {
    "block-defined-twice": TemplateCase(
        (TemplateEdit("blog/archive.html", ARCHIVE_LINES + 1, "{% block content %}Again.{% endblock content %}"),),
        f"templates/blog/archive.html:{ARCHIVE_LINES + 1}: 'block' tag with name 'content' appears more than once;"
        " while rendering /archive/ (rename or remove one of the two blocks)",
    ),
    "unknown-filter": TemplateCase(
        (TemplateEdit("blog/tag_list.html", 5, "<p>{{ tags|length|shout }} tags</p>"),),
        "templates/blog/tag_list.html:5: Invalid filter: 'shout'; while rendering /tags/"
        " (check the filter's name, or {% load %} the library that defines it)",
    ),
    "include-of-a-missing-template": TemplateCase(
        (TemplateEdit("blog/page.html", 4, '{% include "includes/sidebar.html" %}'),),
        "templates/blog/page.html:4: no template named 'includes/sidebar.html'; while rendering /about/"
        " (check the template's name; templates are looked up in templates/)",
    ),
    "template-tag-raises": TemplateCase(
        (
            TemplateEdit("blog/search.html", 2, "{% load failing %}"),
            TemplateEdit("blog/search.html", 6, "{% ratio 1 0 %}"),
        ),
        "templates/blog/search.html:6: ZeroDivisionError: division by zero; while rendering /search/"
        " (raised by a tag, filter or value on this line)",
        tag_library=True,
    ),
}


def make_template_case(project: Path, case: TemplateCase) -> None:
    if case.tag_library:
        (project / "blog" / "templatetags" / "failing.py").write_text(FAILING_TAGS, encoding="utf-8")
    for edit in case.edits:
        edit.apply(project)


@pytest.fixture(scope="module")
def pristine_project(tmp_path_factory) -> Path:
    return copy_project(tmp_path_factory.mktemp("template-errors"))


@pytest.fixture
def project(pristine_project, tmp_path_factory) -> Path:
    """A copy of the project whose templates the test may break (compiled already:
    the copy keeps the modification times the .pyc files were made for)."""
    copy = tmp_path_factory.mktemp("project") / "project"
    shutil.copytree(pristine_project, copy)
    return copy


def run_project_build(project: Path, root: Path) -> Build:
    """Build ``root``'s content with ``project``'s code and templates."""
    return run_build(root / "content", root / "output", root / "cache", project=project)


def printed(errors: list[Problem]) -> list[str]:
    return [f"{problem.path}:{problem.line}: {problem.text}" for problem in errors]


@pytest.mark.parametrize("case", TEMPLATE_CASES)
def test_a_template_error_is_named_with_its_line_and_page_and_leaves_output_alone(good_site, tmp_path, project, case):
    root = start_from(good_site, tmp_path)
    make_template_case(project, TEMPLATE_CASES[case])
    before = tree_digest(root / "output")
    build = run_project_build(project, root)
    errors = assert_failed_cleanly(build, before)
    assert printed(errors) == [TEMPLATE_CASES[case].expected], build.process.stderr


def html_pages(output: Path) -> int:
    return sum(1 for _path in output.rglob("*.html"))


def test_a_broken_base_template_is_reported_once_for_every_page(good_site, tmp_path, project):
    root = start_from(good_site, tmp_path)
    TemplateEdit("base.html", 2, "{% if site.author %}").apply(project)
    before = tree_digest(root / "output")
    build = run_project_build(project, root)
    errors = assert_failed_cleanly(build, before)
    # Every HTML page extends base.html; the feeds and the sitemap still render.
    others = html_pages(root / "output") - 1
    assert printed(errors) == [
        "templates/base.html:2: Unclosed tag on line 2: 'if'. Looking for one of: elif, else, endif;"
        f" while rendering / and {others} other pages (add the closing tag)"
    ], build.process.stderr


def test_a_template_broken_between_two_builds_with_the_same_code_is_named_not_raised(good_site, tmp_path, project):
    # The second build checks which file each template name resolves to
    # before it renders a page (blog/reads/facts.py); finding that file must
    # not compile the template, whose syntax error escaped as a traceback.
    root = start_from(good_site, tmp_path)
    assert run_project_build(project, root).ok
    TemplateEdit("includes/pagination.html", 1, "{% if site.author %}").apply(project)
    before = tree_digest(root / "output")
    build = run_project_build(project, root)
    errors = assert_failed_cleanly(build, before)
    pattern = re.compile(
        r"templates/includes/pagination\.html:1: Unclosed tag on line 1: 'if'\. Looking for one of: elif, else,"
        r" endif; while rendering / and \d+ other pages \(add the closing tag\)"
    )
    assert errors and all(pattern.fullmatch(line) for line in printed(errors)), build.process.stderr


def test_every_broken_template_is_reported_in_one_run(good_site, tmp_path, project):
    root = start_from(good_site, tmp_path)
    for case in TEMPLATE_CASES.values():
        make_template_case(project, case)
    before = tree_digest(root / "output")
    build = run_project_build(project, root)
    errors = assert_failed_cleanly(build, before)
    assert printed(errors) == sorted(case.expected for case in TEMPLATE_CASES.values()), build.process.stderr


# Enough posts for the pages to render in worker processes (blog/build/workers.py).
POOL_POSTS = 80


def test_template_errors_come_back_from_worker_processes(good_site, tmp_path, project, monkeypatch):
    root = start_from(good_site, tmp_path)
    for number in range(POOL_POSTS):
        (root / "content" / "posts" / f"2023-01-01-filler-{number}.md").write_text(
            f"---\ntitle: Filler {number}\n---\nText.\n", encoding="utf-8"
        )
    TemplateEdit("base.html", 2, "{% if site.author %}").apply(project)
    TemplateEdit("blog/tag_list.html", 5, "<p>{{ tags|length|shout }} tags</p>").apply(project)
    before = tree_digest(root / "output")
    monkeypatch.setenv("BLOG_WORKERS", "2")
    build = run_project_build(project, root)
    errors = assert_failed_cleanly(build, before)
    base, tag_list = printed(errors)
    assert tag_list == TEMPLATE_CASES["unknown-filter"].expected
    pattern = re.compile(
        r"templates/base\.html:2: Unclosed tag on line 2: 'if'\. Looking for one of: elif, else, endif;"
        r" while rendering / and (\d+) other pages \(add the closing tag\)"
    )
    match = pattern.fullmatch(base)
    assert match and int(match[1]) > POOL_POSTS, build.process.stderr
