"""Liquid in post bodies, as Jekyll renders it, with python-liquid.

Only where the site asks for it: ``liquid = true`` in site.toml, a Jekyll
``_config.yml`` in the content folder, or ``liquid: true`` in a post's front
matter (``liquid: false`` turns it off for one post). Our own authors write
Django template code in their posts, and it must reach the reader as written.

Liquid runs before Markdown, over the whole body, code blocks included, as in
Jekyll: that is what ``{% raw %}`` is for.
"""

from __future__ import annotations

import io
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import yaml
from liquid import BoundTemplate, Environment, Mode, RenderContext
from liquid.exceptions import LiquidError
from liquid.token import TOKEN_TAG, Token

from ..errors import ContentProblem
from .jekyll_data import DATA_DIR, DataFileError, DataFolder
from .jekyll_filters import jekyll_filters
from .jekyll_tags import JEKYLL_TAGS, tag_line
from .liquid_site import JEKYLL_CONFIG, LiquidSite, Location
from .markdown import render_markdown
from .render_inputs import FILE, SITE, RenderInputs, file_digest
from .source_names import SourceNames
from .sources import display_path

_LIQUID_HINT = "wrap text meant literally in {% raw %}…{% endraw %}"


@dataclass
class LiquidRun:
    """One post's render: what it found wrong, and what it read."""

    site: LiquidSite
    inputs: RenderInputs
    parsing: Location
    errors: list[ContentProblem] = field(default_factory=list)
    warnings: list[ContentProblem] = field(default_factory=list)
    env: Environment | None = None

    @property
    def content_dir(self) -> Path:
        return Path(self.site.content_dir)

    @property
    def base_path(self) -> str:
        self.inputs.record(SITE, "base_url", self.site.base_url)
        return _SiteVariable.base_path(self.site.base_url) + "/"

    @property
    def names(self) -> SourceNames:
        return self.site.names

    def located(self, relative: str) -> Location:
        return Location(display_path(self.content_dir / relative), 1)

    def error(self, where: Location, line: int, message: str, hint: str = "") -> None:
        problem = ContentProblem(where.display, line, message, hint)
        if problem not in self.errors:
            self.errors.append(problem)

    def warn(self, where: Location, line: int, message: str, hint: str = "") -> None:
        problem = ContentProblem(where.display, line, message, hint)
        if problem not in self.warnings:
            self.warnings.append(problem)

    def parse(self, text: str, where: Location) -> BoundTemplate | None:
        """``text`` parsed as Liquid; None, with the error recorded, when it is not valid."""
        outer, self.parsing = self.parsing, where
        try:
            return self.env.from_string(text)
        except LiquidError as exc:
            self.report(exc, where, self._unclosed_block(exc, text))
            return None
        finally:
            self.parsing = outer

    def report(self, exc: LiquidError, where: Location, token: Token | None = None) -> None:
        token = token or exc.token
        line = where.first_line + (tag_line(token) - 1 if token is not None and token.start_index >= 0 else 0)
        message = f"Liquid: {exc.message}"
        if token is not exc.token:
            message = f"Liquid: {{% {token.value} %}} is never closed ({exc.message})"
        self.error(where, line, message, _LIQUID_HINT)

    def _unclosed_block(self, exc: LiquidError, text: str) -> Token | None:
        """For "expected tag endif" at the end of the text: the {% if %} left
        open, found with python-liquid's own lexer, so the error points at it."""
        expected = str(exc.message)
        if exc.token is None or exc.token.start_index >= 0 or not expected.startswith("expected tag end"):
            return None
        name = expected.removeprefix("expected tag end").split(",")[0].strip()
        opened: list[Token] = []
        try:
            for token in self.env.tokenizer()(text):
                if token.kind == TOKEN_TAG and token.value == name:
                    opened.append(token)
                elif token.kind == TOKEN_TAG and token.value == f"end{name}" and opened:
                    opened.pop()
        except LiquidError:
            return None
        return opened[-1] if opened else None


class _JekyllEnvironment(Environment):
    """python-liquid with Jekyll's tags and filters, for one render."""

    def __init__(self, run: LiquidRun) -> None:
        self.run = run
        # Strict: a syntax error is an error with its line, as in Jekyll.
        # Unknown filters pass the value through, as in Jekyll.
        super().__init__(tolerance=Mode.STRICT, strict_filters=False)
        for tag in JEKYLL_TAGS:
            self.add_tag(tag)
        site = run.site
        filters = jekyll_filters(site.base_url, ZoneInfo(site.time_zone), lambda text: render_markdown(text).html)
        for name, function in filters.items():
            self.add_filter(name, function)


class _SiteVariable(Mapping):
    """``site``: url and baseurl from base_url, ``data`` from _data/, and
    anything else from _config.yml; each recorded as read."""

    def __init__(self, run: LiquidRun) -> None:
        self._run = run
        self._data = DataFolder(run.content_dir, DATA_DIR, run.inputs)
        self._config: dict | None = None

    @staticmethod
    def base_path(base_url: str) -> str:
        """Jekyll's baseurl: the path without its last slash ("" at the root)."""
        return urlsplit(base_url).path.rstrip("/")

    def _settings(self) -> dict:
        if self._config is None:
            path = self._run.content_dir / JEKYLL_CONFIG
            self._run.inputs.record(FILE, JEKYLL_CONFIG, file_digest(path))
            try:
                loaded = yaml.safe_load(path.read_text(encoding="utf-8-sig")) if path.is_file() else {}
            except (yaml.YAMLError, UnicodeDecodeError):
                loaded = {}  # Jekyll's settings are a convenience here, never an error
            self._config = loaded if isinstance(loaded, dict) else {}
        return self._config

    def __getitem__(self, key: str) -> object:
        if key in ("url", "baseurl"):
            base_url = self._run.site.base_url
            self._run.inputs.record(SITE, "base_url", base_url)
            parts = urlsplit(base_url)
            return f"{parts.scheme}://{parts.netloc}" if key == "url" else self.base_path(base_url)
        if key == "data":
            return self._data
        return self._settings()[key]

    def __iter__(self) -> Iterator[str]:
        return iter(["url", "baseurl", "data", *self._settings()])

    def __len__(self) -> int:
        return 3 + len(self._settings())


@dataclass
class LiquidOutput:
    text: str
    errors: list[ContentProblem]
    warnings: list[ContentProblem]


def render_liquid(body: str, where: Location, page: dict, site: LiquidSite, inputs: RenderInputs) -> LiquidOutput:
    """``body`` rendered as Jekyll renders a post's Liquid; every input read
    is recorded in ``inputs``."""
    run = LiquidRun(site=site, inputs=inputs, parsing=where)
    run.env = _JekyllEnvironment(run)
    template = run.parse(body, where)
    if template is None:
        return LiquidOutput(body, run.errors, run.warnings)
    buffer = io.StringIO()
    try:
        template.render_with_context(_context(template, run, page), buffer)
    except LiquidError as exc:
        run.report(exc, where)
    except DataFileError as exc:
        run.error(run.located(exc.relative), exc.line, exc.message, "fix the data file, or the post that reads it")
    return LiquidOutput(buffer.getvalue(), run.errors, run.warnings)


def _context(template: BoundTemplate, run: LiquidRun, page: dict) -> RenderContext:
    return RenderContext(template, globals={"site": _SiteVariable(run), "page": page})
