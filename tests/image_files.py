"""Images made by the tests themselves, with Pillow: a pattern, so that resized
copies and WebP versions are real work and differ by size."""

from __future__ import annotations

from pathlib import Path

from PIL import Image, ImageDraw


def make_image(path: Path, width: int, height: int, colour: tuple[int, int, int] = (30, 90, 160)) -> Path:
    """Save a ``width`` × ``height`` image at ``path``, in the format its suffix names."""
    image = Image.new("RGB", (width, height), colour)
    draw = ImageDraw.Draw(image)
    for x in range(0, width, max(1, width // 20)):
        draw.line([(x, 0), (width - x, height)], fill=(250, 200, 40), width=max(1, width // 200))
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.suffix == ".gif":
        image = image.convert("P")
    image.save(path)
    return path


def image_size(path: Path) -> tuple[int, int]:
    with Image.open(path) as image:
        return image.size


def png_header_only(path: Path, width: int, height: int) -> Path:
    """A PNG whose header claims ``width`` × ``height`` and which has no pixels:
    what a decompression bomb looks like before it is decoded."""
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IEND", b""))
    return path
