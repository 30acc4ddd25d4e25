"""The code-highlighting stylesheet, generated from Pygments styles."""

from __future__ import annotations

import hashlib
from functools import lru_cache

from pygments.formatters import HtmlFormatter

# Must match the css_class given to codehilite in markdown.py.
CODE_CSS_CLASS = ".highlight"


@lru_cache(maxsize=8)
def stylesheet(light_style: str, dark_style: str) -> str:
    """Light rules, then dark rules that apply when the reader prefers dark."""
    light = _scoped(HtmlFormatter(style=light_style).get_style_defs(CODE_CSS_CLASS))
    dark = _scoped(HtmlFormatter(style=dark_style).get_style_defs(CODE_CSS_CLASS))
    dark_indented = "\n".join("  " + line for line in dark.splitlines())
    return (
        f"/* Generated from the Pygments styles {light_style!r} and {dark_style!r}. */\n"
        f"{light}\n\n@media (prefers-color-scheme: dark) {{\n{dark_indented}\n}}\n"
    )


@lru_cache(maxsize=8)
def stylesheet_version(light_style: str, dark_style: str) -> str:
    """A digest of the stylesheet's rules, for its URL: pages ask for
    ``code.css?v=<digest>``, so a browser may keep the file until the rules
    change (a new style in site.toml, a new Pygments), and need not ask again
    on every reload of the live preview."""
    return hashlib.blake2b(stylesheet(light_style, dark_style).encode(), digest_size=6).hexdigest()


def _scoped(rules: str) -> str:
    """Pygments emits a bare ``pre { ... }`` rule that would style every <pre>
    on the site; keep it to highlighted code."""
    return "\n".join(f"{CODE_CSS_CLASS} {line}" if line.startswith("pre ") else line for line in rules.splitlines())
