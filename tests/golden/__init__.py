"""The golden test's machinery: build the fixture site and compare the whole
output tree with the committed one in ``expected/``.

Files are compared by meaning, not bytes, where bytes would make the test
fail for no reason: HTML as a tree of tags, sorted attributes and stripped
text; XML element by element; resized copies of images by format and size
(their bytes depend on the version of Pillow and its codecs); everything else
byte for byte. Static files and image copies are compared under their
unhashed names, so a changed hash alone is no failure.

Regenerate after an intended change with ``make golden``.
"""

from __future__ import annotations

import difflib
import re
import shutil
import tempfile
import xml.etree.ElementTree as ET
from pathlib import Path

from PIL import Image

from ..conftest import SITE_FIXTURE, run_build
from ..html_tree import Element, parse_html

EXPECTED = Path(__file__).resolve().parent / "expected"
# ManifestStaticFilesStorage names a copy of each static file name.<12 hex>.ext.
_HASHED_NAME = re.compile(r"^(?P<stem>.+)\.[0-9a-f]{12}(?P<suffix>\.[A-Za-z0-9]+)$")
# The same hashes where pages point at static files.
_HASHED_REFERENCE = re.compile(r"(/static/[^\"'\s()]*?)\.[0-9a-f]{12}(\.[A-Za-z0-9]+)")
# A resized copy of an image, name.<width>w.<10 hex>.ext (blog/content/images.py),
# as a file name and where pages point at it.
_IMAGE_COPY = re.compile(r"(\.\d+w)\.[0-9a-f]{10}(\.(?:webp|png|jpg))\b")
# The logical name of such a copy: name.<width>w.ext.
_IMAGE_COPY_NAME = re.compile(r"\.\d+w\.(?:webp|png|jpg)$")
# The build's own bookkeeping (a marker holding a build id): compared by
# presence only, as its text is not part of the site.
PRESENCE_ONLY = frozenset({".blog-output"})
# Pagefind's own scripts, styles and WebAssembly, which its version ships as
# they are: compared by presence too, and kept empty in expected/ (the search
# index beside them is compared byte for byte).
PAGEFIND_ASSETS = re.compile(r"^pagefind/[^/]+\.(js|css|pagefind)$")
# How much of a diff to show, and for how many files.
DIFF_LINES = 40
DIFF_FILES = 5


def build_fixture_site(output: Path) -> None:
    """Build tests/fixtures/site into ``output`` with a throwaway cache."""
    with tempfile.TemporaryDirectory(prefix="golden-cache-") as cache:
        build = run_build(SITE_FIXTURE, output, Path(cache))
    if not build.ok:
        raise RuntimeError(f"the fixture site did not build:\n{build.process.stderr}")


def logical_name(relative: str) -> str:
    """A file's name with any static-file or image-copy hash taken out."""
    if not relative.startswith("static/"):
        return _IMAGE_COPY.sub(r"\1\2", relative)
    folder, _, name = relative.rpartition("/")
    match = _HASHED_NAME.match(name)
    return f"{folder}/{match['stem']}{match['suffix']}" if match else relative


def logical_files(root: Path) -> tuple[dict[str, Path], list[str]]:
    """Every file of a tree under its logical name, and the problems found
    while merging hashed copies with their originals."""
    files: dict[str, Path] = {}
    problems = []
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        name = logical_name(path.relative_to(root).as_posix())
        if name in files:
            if _normalise_hashes(files[name].read_bytes()) != _normalise_hashes(path.read_bytes()):
                problems.append(f"{path.relative_to(root)}: differs from its unhashed twin {name}")
            continue
        files[name] = path
    return files, problems


def _unhash_reference(value: str) -> str:
    return _IMAGE_COPY.sub(r"\1\2", _HASHED_REFERENCE.sub(r"\1\2", value))


def _normalise_hashes(data: bytes) -> bytes:
    return re.sub(rb"\.[0-9a-f]{12}(\.[A-Za-z0-9]+)", rb"\1", data)


def html_lines(text: str) -> list[str]:
    """A page as one line per element or text, indented by depth."""
    lines: list[str] = []
    _element_lines(parse_html(text), 0, lines, in_pre=False)
    return lines


def _element_lines(element: Element, depth: int, lines: list[str], in_pre: bool) -> None:
    indent = "  " * depth
    for child in element.children:
        if isinstance(child, str):
            text = child.strip() if in_pre else " ".join(child.split())
            if text:
                lines.append(f"{indent}{text!r}")
            continue
        attributes = "".join(f" {name}={_unhash_reference(value)!r}" for name, value in sorted(child.attrs.items()))
        lines.append(f"{indent}<{child.tag}{attributes}>")
        _element_lines(child, depth + 1, lines, in_pre or child.tag == "pre")


def xml_lines(data: bytes) -> list[str]:
    """An XML document as one line per element, with its stripped text."""
    lines: list[str] = []

    def walk(element: ET.Element, depth: int) -> None:
        indent = "  " * depth
        attributes = "".join(f" {k}={v!r}" for k, v in sorted(element.attrib.items()))
        lines.append(f"{indent}<{element.tag}{attributes}>")
        if element.text and element.text.strip():
            # A feed carries post bodies as text: image copies' names in it too.
            text = _IMAGE_COPY.sub(r"\1\2", element.text.strip())
            lines.append(f"{indent}  {text!r}")
        for child in element:
            walk(child, depth + 1)
            if child.tail and child.tail.strip():
                lines.append(f"{indent}  {child.tail.strip()!r}")

    walk(ET.fromstring(data), 0)
    return lines


def is_presence_only(name: str) -> bool:
    return name in PRESENCE_ONLY or PAGEFIND_ASSETS.match(name) is not None


def comparable(path: Path, name: str = "") -> list[str] | bytes:
    """What is compared for one file: normalised lines, or its bytes."""
    if is_presence_only(name):
        return b""
    if path.suffix == ".html":
        return html_lines(path.read_text(encoding="utf-8"))
    if path.suffix == ".xml":
        return xml_lines(path.read_bytes())
    if _IMAGE_COPY_NAME.search(name):
        with Image.open(path) as image:
            return [f"{image.format} {image.size[0]}x{image.size[1]}"]
    return path.read_bytes()


def compare_trees(actual_root: Path, expected_root: Path = EXPECTED) -> list[str]:
    """Every difference between two output trees, as readable text; empty when equal."""
    actual, problems = logical_files(actual_root)
    expected, _ = logical_files(expected_root)
    report = list(problems)
    missing = sorted(set(expected) - set(actual))
    extra = sorted(set(actual) - set(expected))
    if missing:
        report.append("missing from the build: " + ", ".join(missing))
    if extra:
        report.append("new in the build: " + ", ".join(extra))
    changed = 0
    for name in sorted(set(actual) & set(expected)):
        old, new = comparable(expected[name], name), comparable(actual[name], name)
        if old == new:
            continue
        changed += 1
        if changed > DIFF_FILES:
            report.append(f"{name}: differs (diff not shown)")
            continue
        if isinstance(old, bytes):
            report.append(f"{name}: bytes differ ({len(old)} expected, {len(new)} built)")
            continue
        diff = list(difflib.unified_diff(old, new, f"expected/{name}", f"built/{name}", n=2, lineterm=""))
        shown = diff[:DIFF_LINES] + (
            [f"... {len(diff) - DIFF_LINES} more diff lines"] if len(diff) > DIFF_LINES else []
        )
        report.append("\n".join(shown))
    return report


def regenerate(expected_root: Path = EXPECTED) -> int:
    """Build the fixture site and make it the expected tree; return the file count."""
    with tempfile.TemporaryDirectory(prefix="golden-") as scratch:
        output = Path(scratch) / "output"
        build_fixture_site(output)
        files, problems = logical_files(output)
        if problems:
            raise RuntimeError("\n".join(problems))
        shutil.rmtree(expected_root, ignore_errors=True)
        for name, path in files.items():
            target = expected_root / name
            target.parent.mkdir(parents=True, exist_ok=True)
            if PAGEFIND_ASSETS.match(name):
                target.write_bytes(b"")
            else:
                shutil.copyfile(path, target)
    return len(files)
