"""Links from one post to another, written as the source file they name."""

from __future__ import annotations


def source_link(path: str, fragment: str = "") -> str:
    """The href of a link to the Markdown file ``path`` (relative to the
    content folder, with forward slashes), and to ``#fragment`` in it; the
    page's renderer turns it into the target's URL."""
    return f"blog-source:{path}" + (f"#{fragment}" if fragment else "")
