"""Command-line options the blog's management commands share."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings


def add_content_argument(parser) -> None:
    parser.add_argument(
        "--content",
        type=Path,
        default=settings.BLOG_CONTENT_DIR,
        help="content folder (default: $BLOG_CONTENT_DIR or content/)",
    )


def add_output_arguments(parser) -> None:
    """--output and --cache-dir, as ``build`` takes them."""
    parser.add_argument("--output", type=Path, default=Path("output"), help="output folder (default: output/)")
    parser.add_argument(
        "--cache-dir",
        type=Path,
        default=settings.BLOG_CACHE_DIR,
        help="cache folder, safe to delete (default: .cache/)",
    )
