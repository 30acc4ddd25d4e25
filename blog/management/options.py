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
