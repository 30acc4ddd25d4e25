"""Errors in templates, reported as content errors: ``templates/base.html:12: message (hint)``.

Django marks an exception raised while a template is compiled or rendered
with ``template_debug`` (the template file, the line and the message) when
the template engine's ``debug`` option is on, as blog/settings.py sets it.
That covers a syntax error, a missing template, and an exception raised by a
custom tag or filter: Django names the template line that calls it.

The build renders every page through Django's request cycle, which turns an
exception into a 500 page; ``propagating()`` makes it raise instead, so that
the exception itself can be read. A page's problem comes back from a worker
process as data (``PageProblem``), and ``merged()`` reports each distinct
problem once, naming one page and how many others it broke. The live preview
(blog/preview.py) reports the same problems in the same words.
"""

from __future__ import annotations

import dataclasses
import re
from collections import defaultdict
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

from django.conf import settings
from django.template import TemplateDoesNotExist, TemplateSyntaxError

from ..content.sources import display_path
from ..errors import ContentProblem

# How to fix a syntax error, by the start of Django's message; the first match wins.
TEMPLATE_PREFIX = re.compile(r"^Template: [^,]*, ")
SYNTAX_HINTS = (
    (re.compile(r"'block' tag with name .* appears more than once"), "rename or remove one of the two blocks"),
    (re.compile(r"Unclosed tag"), "add the closing tag"),
    (re.compile(r"Invalid filter"), "check the filter's name, or {% load %} the library that defines it"),
    (
        re.compile(r"Invalid block tag"),
        "check the tag's name and that every block tag is closed in order; {% load %} the library of a custom tag",
    ),
    (re.compile(r".* is not a registered tag library"), "check the name given to {% load %}"),
)
# Django's own advice, which the hints above give in full.
DJANGO_ADVICE = re.compile(r"\s*Did you forget to register or load this tag\?$")
SYNTAX_HINT = "see https://docs.djangoproject.com/en/stable/ref/templates/language/"
MISSING_HINT = "check the template's name; templates are looked up in templates/"
RAISED_HINT = "raised by a tag, filter or value on this line"


@dataclasses.dataclass(frozen=True)
class PageProblem:
    """A template error met while rendering one page: what a worker process
    sends back instead of the page."""

    problem: ContentProblem
    page: str  # the URL path being rendered
    # Whether ``problem`` names a source by its path in the content folder.
    in_content: bool = False


def problem_for(error: BaseException, page: str) -> PageProblem | None:
    """The template error ``error`` is, met while rendering ``page``; None if it
    was not raised from a template (a bug in a view: the caller re-raises it).
    An error that names a problem in the content (a link to a post that is not
    published, blog/content/internal_links.py) is that problem."""
    content_problem = getattr(error, "content_problem", None)
    if content_problem is not None:
        return PageProblem(content_problem, page, in_content=True)
    debug = getattr(error, "template_debug", None)
    if debug is None:
        return None
    name = debug["name"]
    # A template made from a string has no file: "<unknown source>".
    path = display_path(Path(name)) if Path(name).is_absolute() else name
    message, hint = _describe(error)
    return PageProblem(ContentProblem(path, debug["line"], message, hint), page)


def named_in(found: PageProblem, content_dir: Path) -> PageProblem:
    """``found``, naming its source as every other problem does, if it names one."""
    if not found.in_content:
        return found
    problem = dataclasses.replace(found.problem, path=display_path(content_dir / found.problem.path))
    return dataclasses.replace(found, problem=problem, in_content=False)


def merged(problems: Iterable[PageProblem]) -> list[ContentProblem]:
    """Each distinct problem once, naming the first of the pages it broke and
    how many others: a broken base.html breaks every page the same way."""
    pages: dict[ContentProblem, list[str]] = defaultdict(list)
    for found in problems:
        pages[found.problem].append(found.page)
    return [_naming(problem, sorted(urls)) for problem, urls in pages.items()]


@contextmanager
def propagating() -> Iterator[None]:
    """Let an exception raised while rendering a page out of Django's request
    handler, which otherwise answers it with a 500 page."""
    saved = settings.DEBUG_PROPAGATE_EXCEPTIONS
    settings.DEBUG_PROPAGATE_EXCEPTIONS = True
    try:
        yield
    finally:
        settings.DEBUG_PROPAGATE_EXCEPTIONS = saved


def _describe(error: BaseException) -> tuple[str, str]:
    """(what is wrong, how to fix it), each on one line."""
    if isinstance(error, TemplateSyntaxError):
        message = DJANGO_ADVICE.sub("", _one_line(str(error)))
        # Django 6 starts some messages with the template's path, which the
        # problem already names.
        message = TEMPLATE_PREFIX.sub("", message)
        hint = next((hint for pattern, hint in SYNTAX_HINTS if pattern.match(message)), SYNTAX_HINT)
        return message, hint
    if isinstance(error, TemplateDoesNotExist):
        return f"no template named {_one_line(str(error))!r}", MISSING_HINT
    return _one_line(f"{type(error).__name__}: {error}"), RAISED_HINT


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _naming(problem: ContentProblem, pages: list[str]) -> ContentProblem:
    where = f"while rendering {pages[0]}"
    others = len(pages) - 1
    if others:
        where += f" and {others} other page{'s' if others != 1 else ''}"
    # A semicolon, as Django's messages end in lists ("Looking for one of: elif, else, endif.").
    return dataclasses.replace(problem, message=f"{problem.message.rstrip('.')}; {where}")
