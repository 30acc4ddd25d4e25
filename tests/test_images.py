"""Local images, built by the real command: their size, lazy loading, resized
copies and WebP versions, figures, the Open Graph image, the cache of copies,
and the errors (tests/fixtures/images/)."""

from __future__ import annotations

import shutil
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest

from blog.content.image_html import DocumentImages
from blog.content.images import ImageOptions, ImageProblem, load_image

from .conftest import FIXTURES, run_build
from .html_tree import Element, meta_content, parse_html
from .image_files import image_size, make_image, png_header_only

IMAGES = FIXTURES / "images"
POST = "2024/06/screens/index.html"
PAGE_URL = "https://photos.example.org/notes/2024/06/screens/"


def images_site(root: Path) -> Path:
    """A copy of the fixture site: screen.png is 1200×900, small.jpg 300×200,
    spinner.gif 40×40 (made with tests/image_files.py)."""
    content = root / "content"
    shutil.copytree(IMAGES / "site", content)
    return content


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    root = tmp_path_factory.mktemp("images")
    content = images_site(root)
    build = run_build(content, root / "output", root / "cache")
    assert build.ok, build.process.stderr
    return build


def body_images(build, relative: str = POST) -> list[Element]:
    page = parse_html(build.read(relative))
    return list(page.find("div", class_="post-body").iter("img"))


def output_file(build, url: str) -> Path:
    """The file in the output that a URL on the post leads to."""
    path = urlsplit(urljoin(PAGE_URL, url)).path
    return build.output / path.removeprefix("/notes/")


def candidates(srcset: str) -> list[tuple[str, int]]:
    return [(url, int(width.rstrip("w"))) for url, width in (c.split() for c in srcset.split(","))]


def test_a_large_image_gets_its_size_copies_at_each_width_and_webp_in_a_picture(built):
    screen = body_images(built)[0]
    assert (screen.get("width"), screen.get("height")) == ("1200", "900")
    picture = screen.parent
    assert picture.tag == "picture"
    (source,) = picture.find_all("source")
    assert source.get("type") == "image/webp"
    assert source.get("sizes") == screen.get("sizes") and screen.get("sizes")
    webp = candidates(source.get("srcset"))
    # No WebP copy wider than the widest configured width: it serves every screen.
    assert [width for _url, width in webp] == [320, 640]
    own = candidates(screen.get("srcset"))
    assert [width for _url, width in own] == [320, 640, 1200]
    # The widest of its own format is the original file itself.
    assert own[-1][0] == screen.get("src") == "/notes/images/screen.png"
    for url, width in webp + own:
        served = output_file(built, url)
        assert served.is_file(), url
        assert image_size(served) == (width, round(900 * width / 1200)), url
    assert all(output_file(built, url).suffix == ".webp" for url, _ in webp)


def test_the_first_image_loads_at_once_and_the_others_lazily(built):
    screen, small, diagram, spinner, remote = body_images(built)
    assert screen.get("loading") is None and screen.get("decoding") is None
    for later in (small, spinner, remote):
        assert (later.get("loading"), later.get("decoding")) == ("lazy", "async"), later.attrs


def test_an_image_is_never_enlarged(built):
    small = body_images(built)[1]
    assert (small.get("width"), small.get("height")) == ("300", "200")
    # Narrower than every configured width: its one WebP copy is its own size.
    source = small.parent.find("source")
    ((url, width),) = candidates(source.get("srcset"))
    assert width == 300 and image_size(output_file(built, url)) == (300, 200)
    assert small.get("srcset") is None and small.get("src") == "../../../images/small.jpg"


def test_svg_and_gif_pass_through_and_a_gif_gets_its_size(built):
    _screen, _small, diagram, spinner, remote = body_images(built)
    assert diagram.attrs == {"alt": "A diagram", "src": "/notes/images/diagram.svg", "title": "The build as a diagram"}
    assert diagram.parent.tag == "figure"
    assert (spinner.get("width"), spinner.get("height")) == ("40", "40")
    assert spinner.parent.tag == "p" and spinner.get("srcset") is None
    assert (built.output / "images" / "spinner.gif").read_bytes() == (
        built.content / "images" / "spinner.gif"
    ).read_bytes()
    assert remote.get("width") is None and remote.parent.tag == "p"


def test_an_image_with_an_emphasised_line_or_a_title_is_a_figure(built):
    page = parse_html(built.read(POST))
    figures = page.find_all("figure")
    assert [figure.find("figcaption").text() for figure in figures] == [
        "The screen as the build runs, at full size",
        "The build as a diagram",
    ]
    assert figures[0].find("figcaption").find("strong").text() == "full"
    assert figures[0].find("picture").find("img").get("alt") == "The whole screen"


def test_the_first_image_or_the_front_matter_image_is_the_open_graph_image(built):
    post = parse_html(built.read(POST))
    # The widest copy no wider than a social card needs: here the original.
    assert meta_content(post, "og:image") == "https://photos.example.org/notes/images/screen.png"
    assert (meta_content(post, "og:image:width"), meta_content(post, "og:image:height")) == ("1200", "900")
    about = parse_html(built.read("about/index.html"))
    assert meta_content(about, "og:image") == "https://photos.example.org/notes/images/small.jpg"
    assert (meta_content(about, "og:image:width"), meta_content(about, "og:image:height")) == ("300", "200")


def test_every_copy_and_the_feed_links_resolve(built):
    assert "links to" not in built.process.stderr, built.process.stderr
    feed = built.read("rss.xml")
    assert "https://photos.example.org/notes/images/screen.320w." in feed


def copies_in(output: Path) -> set[str]:
    return {p.name for p in (output / "images").iterdir() if "w." in p.name}


def cache_files(cache: Path) -> dict[str, int]:
    return {str(p.relative_to(cache)): p.stat().st_mtime_ns for p in (cache / "images").rglob("*") if p.is_file()}


def test_copies_are_made_once_and_follow_the_image_when_it_changes(tmp_path):
    content = images_site(tmp_path)
    output, cache = tmp_path / "output", tmp_path / "cache"
    assert run_build(content, output, cache).ok
    made = cache_files(cache)
    first_copies = copies_in(output)
    assert len(made) == len(first_copies)

    # The post is edited, its images are not: not one copy is made again.
    post = content / "posts" / "2024-06-01-screens.md"
    post.write_text(post.read_text() + "\nOne more line.\n")
    assert run_build(content, output, cache).ok
    assert cache_files(cache) == made
    assert copies_in(output) == first_copies

    # The image is replaced by a smaller one: the post follows, the old copies go.
    make_image(content / "images" / "screen.png", 500, 250)
    build = run_build(content, output, cache)
    assert build.ok, build.process.stderr
    screen = body_images(build)[0]
    assert (screen.get("width"), screen.get("height")) == ("500", "250")
    assert [width for _url, width in candidates(screen.get("srcset"))] == [320, 500]
    # The cache keeps only the copies the site serves: the old ones are deleted.
    assert len(cache_files(cache)) == len(copies_in(output))
    screen_copies = {name for name in copies_in(output) if name.startswith("screen.")}
    assert screen_copies and not screen_copies & first_copies
    assert not any(name.startswith("screen.640w.") for name in screen_copies)
    # The page that shows the same image follows it too.
    (other,) = (
        img for img in parse_html(build.read("about/index.html")).iter("img") if img.get("alt") == "Another screen"
    )
    assert (other.get("width"), other.get("height")) == ("500", "250")


def test_a_removed_image_is_an_error_naming_the_post_and_line(tmp_path):
    content = images_site(tmp_path)
    output, cache = tmp_path / "output", tmp_path / "cache"
    assert run_build(content, output, cache).ok
    before = {p.relative_to(output): p.stat().st_mtime_ns for p in output.rglob("*")}
    (content / "images" / "spinner.gif").unlink()
    build = run_build(content, output, cache)
    assert build.process.returncode == 1
    assert "posts/2024-06-01-screens.md:15: image /notes/images/spinner.gif: the image does not exist" in (
        build.process.stderr
    )
    assert {p.relative_to(output): p.stat().st_mtime_ns for p in output.rglob("*")} == before


def test_missing_corrupt_and_oversized_images_are_all_reported_in_one_run(tmp_path):
    content = tmp_path / "content"
    shutil.copytree(IMAGES / "bad", content)
    build = run_build(content, tmp_path / "output", tmp_path / "cache")
    stderr = build.process.stderr
    assert build.process.returncode == 1, stderr
    assert "Traceback" not in stderr, stderr
    post = "posts/2024-06-02-bad-images.md"
    assert f"{post}:7: image /images/not-there.png: the image does not exist" in stderr
    assert f"{post}:11: image /images/corrupt.png: the file is not an image in a format Pillow reads" in stderr
    assert f"{post}:15: image /images/bomb.png: the image has more than 50 megapixels, too many to decode" in stderr
    assert "3 problems" in stderr
    assert not (tmp_path / "output").exists()


def options(tmp_path: Path, megapixels: int = 50) -> ImageOptions:
    return ImageOptions((320, 640), megapixels * 1_000_000, "100vw", str(tmp_path / "cache"))


@pytest.mark.parametrize("megapixels, refused", [(50, True), (60, False)])
def test_the_pixel_limit_is_the_sites_and_is_checked_from_the_header(tmp_path, megapixels, refused):
    # 56 megapixels: over the default limit, under twice it (Pillow only warns there).
    png_header_only(tmp_path / "big.png", 8000, 7000)
    if refused:
        with pytest.raises(ImageProblem, match="more than 50 megapixels"):
            load_image(tmp_path, "big.png", options(tmp_path, megapixels))
    else:
        # Allowed by the limit, it is then decoded, and has no pixels.
        with pytest.raises(ImageProblem, match="damaged"):
            load_image(tmp_path, "big.png", options(tmp_path, megapixels))


def test_a_truncated_image_is_a_problem_not_a_crash(tmp_path):
    whole = make_image(tmp_path / "whole.png", 900, 600).read_bytes()
    (tmp_path / "cut.png").write_bytes(whole[: len(whole) // 2])
    with pytest.raises(ImageProblem, match="damaged"):
        load_image(tmp_path, "cut.png", options(tmp_path))


def test_a_missing_front_matter_image_is_a_warning_at_its_line(tmp_path):
    content = images_site(tmp_path)
    about = content / "pages" / "about.md"
    about.write_text(about.read_text().replace("image: images/small.jpg", "image: images/gone.jpg"))
    build = run_build(content, tmp_path / "output", tmp_path / "cache")
    assert build.ok, build.process.stderr
    assert "warning: " in build.process.stderr
    assert "pages/about.md:3: image images/gone.jpg: the image does not exist" in build.process.stderr


def test_an_authors_own_size_srcset_and_picture_are_kept(tmp_path):
    make_image(tmp_path / "a.png", 800, 400)
    images = DocumentImages(tmp_path, "/post/", options(tmp_path))
    html = images.rewrite(
        '<p><img src="/a.png" alt="first" width="50%"></p>'
        '<p><img src="/a.png" alt="narrow" width="400"></p>'
        '<p><img src="/a.png" alt="own" srcset="/a.png 1x"></p>'
        '<picture><source srcset="/a.png"><img src="/a.png" alt="inside"></picture>',
        eager_first=True,
    )
    assert not images.problems
    page = parse_html(html)
    found = {img.get("alt"): img for img in page.iter("img")}
    assert (found["first"].get("width"), found["first"].get("height")) == ("50%", None)
    assert (found["narrow"].get("width"), found["narrow"].get("height")) == ("400", "200")
    assert found["own"].get("srcset") == "/a.png 1x" and found["own"].parent.tag == "p"
    assert found["inside"].get("width") == "800" and len(page.find_all("picture")) == 3


def test_a_photo_taken_turned_is_measured_and_copied_the_way_up_it_shows(tmp_path):
    from PIL import ExifTags, Image

    photo = Image.new("RGB", (900, 600), (200, 40, 40))
    exif = Image.Exif()
    exif[ExifTags.Base.Orientation] = 6  # turned a quarter clockwise
    photo.save(tmp_path / "turned.jpg", exif=exif)
    image = load_image(tmp_path, "turned.jpg", options(tmp_path))
    assert (image.width, image.height) == (600, 900)
    copy = image.webp[0]
    assert (copy.width, copy.height) == (320, 480)
    assert image_size(tmp_path / "cache" / copy.cached) == (320, 480)
