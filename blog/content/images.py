"""Local images: their size, and resized copies kept between builds.

Pillow reads an image's header to learn its size without decoding it, so the
size limit is checked before a single pixel is decoded. Resized copies (in
the image's own format and in WebP) are made once and kept in a cache folder
beside the database, each in a folder named by what it is made from: the
source's bytes, the width, the format and Pillow's version. The copy itself is
named by a digest of its own bytes, and the site serves it under that name.
"""

from __future__ import annotations

import hashlib
import io
import os
import shutil
import tempfile
import warnings
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

# The package alone, for its version; its modules are imported where an image
# is read (load_image and below): they cost 24 ms of every build's start, and
# most builds read no image (an edit reads only the edited post's).
import PIL

if TYPE_CHECKING:
    from PIL import Image

# The folder of resized copies, beside the build's database.
IMAGE_CACHE = "images"
# Formats resized into smaller copies and WebP; anything else Pillow reads
# (GIF, BMP, ...) keeps its one file, and gets only its size written.
RESIZED_FORMATS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp"}
# Never opened: drawn at any size, and Pillow cannot read them anyway.
UNTOUCHED_SUFFIXES = (".svg", ".svgz")
# EXIF orientations of a photo taken turned a quarter (5-8: transposed).
TURNED_ORIENTATIONS = frozenset({5, 6, 7, 8})
WEBP_QUALITY = 80
JPEG_QUALITY = 85
# How many hex digits of a copy's digest go in its name.
NAME_DIGEST_LENGTH = 10


@dataclass(frozen=True)
class ImageOptions:
    """How images are treated: from site.toml, plus where copies are kept."""

    widths: tuple[int, ...]
    max_pixels: int
    sizes: str
    cache_dir: str

    def fingerprint(self) -> str:
        """Everything here that changes the HTML of a post with images."""
        return f"{self.widths}:{self.max_pixels}:{self.sizes}:{PIL.__version__}:{WEBP_QUALITY}:{JPEG_QUALITY}"


class ImageProblem(Exception):
    """An image that cannot be used: missing, unreadable, or too large."""

    def __init__(self, message: str, hint: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint


class Variant(NamedTuple):
    """One file of an image as the site serves it."""

    name: str  # the file name, beside the original's
    width: int
    height: int
    mime: str
    cached: str  # the file in the cache; "" for the original itself


@dataclass
class LocalImage:
    """A local image, measured, with the copies the site serves of it."""

    relative: str  # to the content folder
    width: int = 0
    height: int = 0
    # The image's own format first (smallest first, the original last), then WebP.
    own: list[Variant] | None = None
    webp: list[Variant] | None = None

    @property
    def measured(self) -> bool:
        return self.width > 0


def load_image(content_dir: Path, relative: str, options: ImageOptions) -> LocalImage:
    """Measure the image at ``relative`` and make (or find) its resized copies."""
    path = content_dir / relative
    image = LocalImage(relative)
    if relative.lower().endswith(UNTOUCHED_SUFFIXES):
        if not path.is_file():
            raise ImageProblem("the image does not exist", f"add content/{relative}, or fix the path")
        return image
    try:
        data = path.read_bytes()
    except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
        raise ImageProblem("the image does not exist", f"add content/{relative}, or fix the path") from None
    from PIL import Image, UnidentifiedImageError

    # Pillow's guard against decompression bombs, at the site's limit: it
    # checks the size the header gives before any pixel is decoded, warns above
    # the limit (an error here) and refuses above twice the limit.
    Image.MAX_IMAGE_PIXELS = options.max_pixels
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as opened:
                source = _Source(opened)
                image.width, image.height = source.size
                suffix = RESIZED_FORMATS.get(opened.format or "")
                if suffix is None:
                    return image
                digest = hashlib.sha256(data).hexdigest()
                stem = Path(relative).stem
                image.own = _copies(source, digest, stem, suffix, options)
                image.webp = image.own if suffix == "webp" else _copies(source, digest, stem, "webp", options)
    except (Image.DecompressionBombWarning, Image.DecompressionBombError):
        raise ImageProblem(
            f"the image has more than {options.max_pixels / 1_000_000:g} megapixels, too many to decode safely",
            "make it smaller, or raise image_max_megapixels in site.toml",
        ) from None
    except UnidentifiedImageError:
        raise ImageProblem(
            "the file is not an image in a format Pillow reads", "save it again as PNG, JPEG or WebP"
        ) from None
    except (OSError, SyntaxError, ValueError, EOFError) as exc:
        raise ImageProblem(
            f"the image is damaged and cannot be read ({exc or type(exc).__name__})",
            "save it again as PNG, JPEG or WebP",
        ) from None
    return image


class _Source:
    """An opened image, the way up it is shown: a photo whose EXIF says it was
    taken turned is shown turned by browsers, so its size is given turned, and
    its copies, which keep no EXIF, are turned before they are resized."""

    def __init__(self, opened: Image.Image) -> None:
        from PIL import ExifTags

        self.opened = opened
        self.format = opened.format
        width, height = opened.size
        turned = opened.getexif().get(ExifTags.Base.Orientation, 1) in TURNED_ORIENTATIONS
        self.size = (height, width) if turned else (width, height)

    @cached_property
    def upright(self) -> Image.Image:
        """The pixels, decoded (only when a copy must be made) and turned upright."""
        from PIL import ImageOps

        return ImageOps.exif_transpose(self.opened)


def _copies(source: _Source, digest: str, stem: str, suffix: str, options: ImageOptions) -> list[Variant]:
    """The copies of one format, narrowest first: one per configured width below
    the image's own (never enlarged), then the image at its own width: the
    original file itself when the format is its own."""
    width, height = source.size
    own_format = RESIZED_FORMATS[source.format] == suffix
    mime = f"image/{'jpeg' if suffix == 'jpg' else suffix}"
    copies = []
    for target in sorted({w for w in options.widths if w < width}):
        target_height = max(1, round(height * target / width))
        cached = _cached_copy(source, digest, target, target_height, suffix, options)
        copies.append(Variant(_name(stem, target, cached, suffix), target, target_height, mime, cached))
    if own_format:
        copies.append(Variant("", width, height, mime, ""))
    elif not copies or width <= max(options.widths):
        # A WebP copy at full size only when no configured width is as wide:
        # the widest one serves any screen the main column fits.
        cached = _cached_copy(source, digest, width, height, suffix, options)
        copies.append(Variant(_name(stem, width, cached, suffix), width, height, mime, cached))
    return copies


def _name(stem: str, width: int, cached: str, suffix: str) -> str:
    return f"{stem}.{width}w.{Path(cached).stem}.{suffix}"


def _cached_copy(source: _Source, digest: str, width: int, height: int, suffix: str, options: ImageOptions) -> str:
    """The copy's path relative to the cache folder, made if it is not there.
    Its folder is named by what it is made from; the file by its own digest."""
    key = hashlib.sha256(f"{digest}:{width}:{suffix}:{PIL.__version__}".encode()).hexdigest()[:32]
    cache = Path(options.cache_dir)
    folder = cache / key[:2] / key
    try:
        (name,) = os.listdir(folder)
        return f"{key[:2]}/{key}/{name}"
    except (FileNotFoundError, ValueError):
        pass
    data = _encode(source.upright, width, height, suffix)
    name = f"{hashlib.blake2b(data, digest_size=16).hexdigest()[:NAME_DIGEST_LENGTH]}.{suffix}"
    folder.parent.mkdir(parents=True, exist_ok=True)
    # Made aside and renamed into place: another worker may make the same copy.
    staging = Path(tempfile.mkdtemp(dir=folder.parent, prefix=".making-"))
    (staging / name).write_bytes(data)
    try:
        os.rename(staging, folder)
    except OSError:
        shutil.rmtree(staging, ignore_errors=True)
        (name,) = os.listdir(folder)
    return f"{key[:2]}/{key}/{name}"


def _encode(image: Image.Image, width: int, height: int, suffix: str) -> bytes:
    from PIL import Image

    if suffix == "jpg" and image.mode not in ("RGB", "L"):
        image = image.convert("RGB")
    elif image.mode not in ("RGB", "RGBA", "L", "LA"):
        image = image.convert("RGBA" if "transparency" in image.info or image.mode in ("P", "PA") else "RGB")
    if (width, height) != image.size:
        image = image.resize((width, height), Image.Resampling.LANCZOS)
    out = io.BytesIO()
    if suffix == "webp":
        image.save(out, "WEBP", quality=WEBP_QUALITY, method=4)
    elif suffix == "jpg":
        image.save(out, "JPEG", quality=JPEG_QUALITY, optimize=True, progressive=True)
    else:
        image.save(out, "PNG")
    return out.getvalue()


def prune_cache(cache_dir: Path, in_use: set[str]) -> int:
    """Delete the copies in ``cache_dir`` that are not ``in_use`` (paths as
    ``_cached_copy`` gives them); the number deleted."""
    keep = {cached.rsplit("/", 1)[0] for cached in in_use}
    deleted = 0
    try:
        prefixes = os.listdir(cache_dir)
    except FileNotFoundError:
        return 0
    for prefix in prefixes:
        try:
            keys = os.listdir(cache_dir / prefix)
        except NotADirectoryError:
            continue
        for key in keys:
            # Folders being made by a worker (".making-...") are never in use yet.
            if f"{prefix}/{key}" not in keep and not key.startswith(".making-"):
                shutil.rmtree(cache_dir / prefix / key, ignore_errors=True)
                deleted += 1
    return deleted
