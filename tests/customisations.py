"""Changes a user makes to their copy of the project, beyond the content:
template edits, template tag libraries that query posts, a context processor,
a new route with its view.

Each is written so that what it shows changes when the content does (a body
edit, a new post, a retitled, re-dated, re-tagged or drafted one): the pages
it adds to then go stale unless the build sees what they read. The property
test in tests/test_incremental.py applies them to its copy of the project and
removes them again; ``UserProject`` keeps track of which are in force, so that
any one can be removed while the others stay.
"""

from __future__ import annotations

import py_compile
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

# A .pyc checked against its source's hash, not its modification time: a file
# of the copy may be rewritten within the second with the same size.
PYC_MODE = py_compile.PycInvalidationMode.CHECKED_HASH


@dataclass(frozen=True)
class Edit:
    """``new`` in place of the one ``old`` in the file ``path`` (relative to
    the project), or added at its end when ``old`` is None."""

    path: str
    old: str | None
    new: str

    def apply(self, text: str) -> str:
        if self.old is None:
            return text + self.new
        assert text.count(self.old) == 1, f"{self.path} no longer has exactly one {self.old!r}"
        return text.replace(self.old, self.new)


def insert_after(path: str, anchor: str, text: str) -> Edit:
    return Edit(path, anchor, anchor + text)


def insert_before(path: str, anchor: str, text: str) -> Edit:
    return Edit(path, anchor, text + anchor)


@dataclass(frozen=True)
class Customisation:
    kind: str
    description: str
    edits: tuple[Edit, ...] = ()
    # New files (relative to the project) and their text.
    files: tuple[tuple[str, str], ...] = ()
    # Whether, while this is in force, a body edit of one post may change
    # other posts' pages, the archive, the tag list or the site's pages.
    shows_other_posts: bool = False

    def paths(self) -> set[str]:
        return {edit.path for edit in self.edits} | {path for path, _text in self.files}


@dataclass
class UserProject:
    """A copy of the project (tests/conftest.py's ``copy_project``)
    with the customisations in force and the comments appended to templates.

    Every file is written from its original, the copy as first seen (the
    repository's bytes when the copy was made), with the edits of the
    customisations in force in the order they were made, then the comments.
    So removing one customisation leaves the others as they were."""

    root: Path
    active: dict[str, Customisation] = field(default_factory=dict)
    comments: dict[str, list[str]] = field(default_factory=dict)
    _originals: dict[str, str | None] = field(default_factory=dict, repr=False)

    def apply(self, customisation: Customisation) -> None:
        assert customisation.kind not in self.active, customisation.kind
        self.active[customisation.kind] = customisation
        self._write(customisation.paths())

    def remove(self, kind: str) -> Customisation:
        customisation = self.active.pop(kind)
        self._write(customisation.paths())
        return customisation

    def append(self, path: str, text: str) -> None:
        self.comments.setdefault(path, []).append(text)
        self._write([path])

    def reset(self) -> None:
        """Every file back as it was in the repository; new files gone."""
        self.active.clear()
        self.comments.clear()
        self._write(list(self._originals))

    def shows_other_posts(self) -> bool:
        return any(customisation.shows_other_posts for customisation in self.active.values())

    def _original(self, path: str) -> str | None:
        if path not in self._originals:
            file = self.root / path
            self._originals[path] = file.read_text(encoding="utf-8") if file.exists() else None
        return self._originals[path]

    def _write(self, paths: Iterable[str]) -> None:
        for path in sorted(paths):
            text = self._original(path)
            for customisation in self.active.values():
                for edit in customisation.edits:
                    if edit.path == path:
                        assert text is not None, f"{customisation.kind} edits {path}, which does not exist"
                        text = edit.apply(text)
                text = dict(customisation.files).get(path, text)
            if text is not None:
                text += "".join(self.comments.get(path, []))
            file = self.root / path
            if text is None:
                file.unlink(missing_ok=True)
                continue
            if file.exists() and file.read_text(encoding="utf-8") == text:
                continue
            file.parent.mkdir(parents=True, exist_ok=True)
            file.write_text(text, encoding="utf-8")
            if file.suffix == ".py":
                # Compiled here, so that the two builds of a step never race to write it.
                py_compile.compile(str(file), doraise=True, invalidation_mode=PYC_MODE)


# --- whole bodies on list pages ----------------------------------------------------

SUMMARY = "templates/includes/post_summary.html"
LIST_TEMPLATES = ("templates/blog/tag_detail.html", "templates/blog/index.html")
SUMMARY_TAG = "{% post_summary post %}"
EXTENDS_BASE = '{% extends "base.html" %}'


def summaries_show_bodies() -> Customisation:
    """Issue 12's steps: every summary shows its post's whole body."""
    return Customisation(
        "summaries show bodies",
        "includes/post_summary.html shows post.body instead of post.summary",
        edits=(Edit(SUMMARY, "{{ post.summary|safe }}", "{{ post.body|safe }}"),),
    )


BODY_FIELDS = ("body_html", "toc_html")


def bodies_on_lists(template: str, body_field: str) -> Customisation:
    """``template`` (a list) shows each post's body or table of contents beside its summary."""
    assert template in LIST_TEMPLATES and body_field in BODY_FIELDS
    if body_field == "body_html":
        shown = '<div class="list-body">{{ post.body|safe }}</div>'
    else:
        shown = '{% if post.toc_html %}<nav class="list-toc">{{ post.toc_html|safe }}</nav>{% endif %}'
    return Customisation(
        "bodies on lists",
        f"{template} shows post.{body_field} beside each summary",
        edits=(insert_after(template, SUMMARY_TAG, shown),),
    )


# --- the newest posts, on every page ----------------------------------------------------

BASE = "templates/base.html"
SIDEBAR_VIA = ("template tag", "context processor")
SIDEBAR = """
<aside class="newest-posts" aria-label="Newest posts"><h2>Newest</h2><ul>
{% for other in newest_posts %}<li><a href="{{ other.get_absolute_url }}">{{ other.title }}</a>
<time>{{ other.date|date:"Y-m-d" }}</time> {{ other.summary_html|striptags|truncatewords:8 }}</li>
{% endfor %}</ul></aside>"""

SIDEBAR_LIBRARY = '''"""The newest posts, for a sidebar."""

from django import template

from blog.models import Post

register = template.Library()


@register.simple_tag
def newest(count):
    return list(Post.objects.published().order_by("-date", "slug")[:count])
'''

SIDEBAR_CONTEXT_PROCESSOR = '''"""The newest posts, for a sidebar on every page."""

from .models import Post


def newest_posts(request):
    return {"newest_posts": Post.objects.published().order_by("-date", "slug")[:5]}
'''


def newest_posts_sidebar(via: str) -> Customisation:
    """base.html shows the five newest posts: title, date, the summary's first words."""
    assert via in SIDEBAR_VIA
    if via == "template tag":
        return Customisation(
            "sidebar",
            "base.html shows the five newest posts, from a template tag",
            edits=(insert_after(BASE, "</main>", "\n{% load sidebar_tags %}{% newest 5 as newest_posts %}" + SIDEBAR),),
            files=(("blog/templatetags/sidebar_tags.py", SIDEBAR_LIBRARY),),
            shows_other_posts=True,
        )
    processor = '"blog.context_processors.site",'
    return Customisation(
        "sidebar",
        "base.html shows the five newest posts, from a context processor",
        edits=(
            insert_after(BASE, "</main>", SIDEBAR),
            insert_after("blog/settings.py", processor, '\n                "blog.sidebar.newest_posts",'),
        ),
        files=(("blog/sidebar.py", SIDEBAR_CONTEXT_PROCESSOR),),
        shows_other_posts=True,
    )


# --- a tag cloud ---------------------------------------------------------------------

CLOUD_TEMPLATES = ("templates/base.html", "templates/blog/tag_list.html")
CLOUD_ANCHORS = {
    "templates/base.html": "{% endblock footer %}",
    "templates/blog/tag_list.html": "{% endblock content %}",
}
CLOUD = """{% load cloud_tags %}{% tag_cloud as cloud %}<ul class="custom-tag-cloud">
{% for tag in cloud %}<li><a href="{{ tag.get_absolute_url }}">{{ tag.name }}</a> ({{ tag.post_count }})</li>
{% endfor %}
</ul>
"""
CLOUD_LIBRARY = '''"""Every tag with a published post, with how many it has."""

from django import template
from django.db.models import Count

from blog.models import Post, Tag

register = template.Library()


@register.simple_tag
def tag_cloud():
    published = Post.objects.published()
    return Tag.objects.filter(posts__in=published).annotate(post_count=Count("posts")).order_by("slug")
'''


def tag_cloud(template: str) -> Customisation:
    assert template in CLOUD_TEMPLATES
    return Customisation(
        "tag cloud",
        f"{template} shows a tag cloud with counts, from an ORM query",
        edits=(insert_before(template, CLOUD_ANCHORS[template], CLOUD),),
        files=(("blog/templatetags/cloud_tags.py", CLOUD_LIBRARY),),
    )


# --- posts from the same month -------------------------------------------------------------

MONTH_TEMPLATES = ("templates/includes/post_summary.html", "templates/blog/post_detail.html")
MONTH_ANCHORS = {
    "templates/includes/post_summary.html": "</article>",
    "templates/blog/post_detail.html": '{% include "includes/comments.html" %}',
}
SAME_MONTH = """{% load month_tags %}{% posts_from_same_month post as same_month %}{% if same_month %}
<div class="same-month"><p>Also this month:</p><ul>{% for other in same_month %}
<li><a href="{{ other.get_absolute_url }}">{{ other.title }}</a> {{ other.summary_html|striptags|truncatewords:6 }}</li>
{% endfor %}</ul></div>{% endif %}
"""
MONTH_LIBRARY = '''"""The other published posts whose address has the same year and month."""

from django import template

from blog.models import Post

register = template.Library()


@register.simple_tag
def posts_from_same_month(post):
    same_month = Post.objects.published().filter(url_year=post.url_year, url_month=post.url_month)
    return list(same_month.exclude(id=post.id).order_by("-date", "slug"))
'''


def posts_from_same_month(template: str) -> Customisation:
    assert template in MONTH_TEMPLATES
    return Customisation(
        "same month",
        f"{template} lists the posts from the same month, from a custom template tag",
        edits=(insert_before(template, MONTH_ANCHORS[template], SAME_MONTH),),
        files=(("blog/templatetags/month_tags.py", MONTH_LIBRARY),),
        # On post pages: the others' titles and summaries.
        shows_other_posts=template.endswith("post_detail.html"),
    )


# --- related posts on list pages ---------------------------------------------------------

RELATED_TEMPLATES = ("templates/includes/post_summary.html", *LIST_TEMPLATES)
RELATED = """<ul class="related-on-list">{% for other in post|related_posts %}
<li><a href="{{ other.get_absolute_url }}">{{ other.title }}</a></li>{% endfor %}</ul>"""
RELATED_LIBRARY = '''"""A post's related posts, as the site index ranks them."""

from django import template

from blog.site_index import site_index

register = template.Library()


@register.filter
def related_posts(post):
    return site_index().related(post)
'''


def related_posts_on_lists(template: str) -> Customisation:
    assert template in RELATED_TEMPLATES
    if template == SUMMARY:
        edits = (insert_before(template, "</article>", "{% load related_tags %}" + RELATED + "\n"),)
    else:
        edits = (
            insert_after(template, EXTENDS_BASE, "{% load related_tags %}"),
            insert_after(template, SUMMARY_TAG, RELATED),
        )
    return Customisation(
        "related on lists",
        f"{template} shows each post's related posts, from a filter over the site index",
        edits=edits,
        files=(("blog/templatetags/related_tags.py", RELATED_LIBRARY),),
    )


# --- each post's series on list pages ----------------------------------------------------

SERIES_TEMPLATES = (SUMMARY, "templates/includes/archive_entry.html", "templates/blog/index.html")
SERIES_LINE = """{% post_series post as series %}{% if series %}<p class="list-series">Part {{ series.number }}
of {{ series.count }} in <a href="{{ series.get_absolute_url }}">{{ series.name }}</a>:
{% for part in series.parts %}{{ part.title }}{% if not forloop.last %}, {% endif %}{% endfor %}</p>{% endif %}"""


def series_on_lists(template: str) -> Customisation:
    """Each post's place in its series, and its parts' titles, beside its
    summary or archive entry (both stored fragments) or on the home page."""
    assert template in SERIES_TEMPLATES
    if template == SUMMARY:
        edits = (insert_before(template, "</article>", SERIES_LINE + "\n"),)
    elif template.endswith("archive_entry.html"):
        edits = (insert_before(template, "</li>", SERIES_LINE),)
    else:
        edits = (insert_after(template, SUMMARY_TAG, SERIES_LINE),)
    return Customisation(
        "series on lists",
        f"{template} shows each post's place in its series, from {{% post_series %}}",
        edits=edits,
    )


# --- a new route and view ---------------------------------------------------------------------

STATS_MODULES = ("blog/stats.py", "blog/views.py")
STATS_VIEW = '''

def post_counts(request):
    """How many posts each year has, and their titles."""
    published = Post.objects.published()
    counts = published.values("url_year").annotate(posts=Count("id")).order_by("-url_year")
    titles = {}
    for year, title in published.order_by("-date", "slug").values_list("url_year", "title"):
        titles.setdefault(year, []).append(title)
    years = [(row["url_year"], row["posts"], titles[row["url_year"]]) for row in counts]
    return render(request, "blog/stats.html", {"years": years})
'''
STATS_MODULE = (
    '"""Post counts per year, at /stats/."""\n\n'
    "from django.db.models import Count\nfrom django.shortcuts import render\n\nfrom .models import Post\n" + STATS_VIEW
)
STATS_TEMPLATE = """{% extends "base.html" %}
{% block content %}
<h1>Posts per year</h1>
<table class="post-counts">
{% for year, count, titles in years %}<tr><th scope="row">{{ year }}</th><td>{{ count }}</td>
<td>{{ titles|join:", " }}</td></tr>
{% endfor %}</table>
{% endblock content %}
"""
URLS = "blog/urls.py"
PAGE_ROUTE = 'distill_path("<str:slug>/"'


def post_counts_route(module: str) -> Customisation:
    """/stats/: a new distill_path (before the pages' catch-all route) and its view."""
    assert module in STATS_MODULES
    if module == "blog/stats.py":
        view = "stats.post_counts"
        code_edits = (Edit(URLS, "from . import feeds, views", "from . import feeds, stats, views"),)
        files = (("blog/stats.py", STATS_MODULE),)
    else:
        view = "views.post_counts"
        code_edits = (Edit("blog/views.py", None, "\nfrom django.db.models import Count  # noqa: E402\n" + STATS_VIEW),)
        files = ()
    route = f'distill_path("stats/", {view}, name="stats"),\n    '
    return Customisation(
        "stats route",
        f"a new route /stats/ with post counts per year, its view in {module}",
        edits=(*code_edits, insert_before(URLS, PAGE_ROUTE, route)),
        files=(*files, ("templates/blog/stats.html", STATS_TEMPLATE)),
    )
