"""Template helpers: absolute URLs, safely embedded JSON, post summaries and
archive entries rendered once, and ``{% url %}`` answered from memory for a
URL already reversed.

This library is one of the engine's builtins (settings.TEMPLATES), loaded after
Django's own tags, so its ``url`` tag is the one every template uses."""

from __future__ import annotations

import json
from urllib.parse import urlsplit

from django import template
from django.core.serializers.json import DjangoJSONEncoder
from django.template import Context, defaulttags
from django.urls import get_script_prefix
from django.utils.encoding import iri_to_uri
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import mark_safe

from .. import reads
from ..build import fragments
from ..content.highlight_css import stylesheet_version
from ..reversed_urls import reversed_url
from ..series import series_of
from ..siteconfig import active_site, url_prefix

register = template.Library()

# Characters that could end a <script> element or start an HTML comment,
# written as JSON escapes so the JSON means the same.
_SCRIPT_ESCAPES = {ord("<"): "\\u003C", ord(">"): "\\u003E", ord("&"): "\\u0026", 0x2028: "\\u2028", 0x2029: "\\u2029"}


@register.filter
def absolute(path: str) -> str:
    """An absolute URL for a path that reverse() or {% url %} produced."""
    return active_site().absolute(iri_to_uri(path))


@register.filter
def media_url(value: str) -> str:
    """An absolute URL for front matter's ``image``: a URL, or a path in content/."""
    if not value:
        return ""
    if urlsplit(value).scheme in ("http", "https"):
        return iri_to_uri(value)
    return active_site().absolute(iri_to_uri(url_prefix() + value.lstrip("/")))


@register.simple_tag
def code_css_url() -> str:
    """The code-highlighting stylesheet's URL, with the digest of its rules in
    the query (``/css/code.css?v=<digest>``): a browser may keep the file
    until its rules change. Static hosts serve the file whatever the query."""
    site = active_site()
    return f"{reversed_url('blog:code_css')}?v={stylesheet_version(site.pygments_style, site.pygments_dark_style)}"


@register.simple_tag
def json_ld(data: dict) -> str:
    """A <script type="application/ld+json"> block that no value can break out of."""
    text = json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, sort_keys=True)
    return format_html('<script type="application/ld+json">{}</script>', mark_safe(text.translate(_SCRIPT_ESCAPES)))


@register.filter
def script_json(value) -> str:
    """JSON for use inside an inline <script>, safe against '</script>'."""
    return mark_safe(json.dumps(value, cls=DjangoJSONEncoder, ensure_ascii=False).translate(_SCRIPT_ESCAPES))


@register.simple_tag
def post_series(post):
    """Where ``post`` stands in its series, for ``includes/series_box.html``
    (``{% post_series post as series %}``); None for a post in no series."""
    return series_of(post)


# The templates of the fragments each post has on list pages and in the
# archive; override one to change them all.
SUMMARY_TEMPLATE = "includes/post_summary.html"
ARCHIVE_ENTRY_TEMPLATE = "includes/archive_entry.html"
FRAGMENT_TEMPLATES = (SUMMARY_TEMPLATE, ARCHIVE_ENTRY_TEMPLATE)


@register.simple_tag(takes_context=True)
def post_summary(context, post) -> str:
    """``includes/post_summary.html`` for ``post``, rendered once and reused on
    every list page that shows the post (the home page, its tags' pages)."""
    return _reused_fragment(context, post, SUMMARY_TEMPLATE, kept=True)


@register.simple_tag(takes_context=True)
def archive_entry(context, post) -> str:
    """``includes/archive_entry.html`` for ``post``: its line in the archive.
    A build keeps it between builds, not for other pages of the same build:
    the archive shows each post once."""
    return _reused_fragment(context, post, ARCHIVE_ENTRY_TEMPLATE, kept=False)


@register.simple_tag(takes_context=True)
def archive_entries(context, posts) -> str:
    """``{% archive_entry post %}`` for each of ``posts``, one after another.
    The archive's template writes its lists with this: a build reads the
    stored entries of a list in one query, not one each (blog/build/fragments.py)."""
    recorder = reads.current()
    if recorder is not None:
        return mark_safe(fragments.render_each(recorder, context, ARCHIVE_ENTRY_TEMPLATE, posts, kept=False))
    return mark_safe("".join([_reused_fragment(context, post, ARCHIVE_ENTRY_TEMPLATE, kept=False) for post in posts]))


def _reused_fragment(context, post, template_name: str, kept: bool) -> str:
    """``template_name`` rendered for ``post``, once.

    The fragment sees ``post`` and ``site`` only, never the page around it, so
    it is the same wherever it appears. In a build, blog/build/fragments.py keeps it
    with the facts it read. In the preview the HTML is kept on the post
    object: the site index loads new objects whenever the content changes, so
    an edited post renders afresh; the key covers the rest of what the
    fragment shows: the template (the preview reloads an edited one), the
    site's settings, the URL prefix and whether the post is still scheduled."""
    site = context["site"]
    recorder = reads.current()
    if recorder is not None:
        return fragments.render(recorder, context, template_name, post, kept)
    template = context.template.engine.get_template(template_name)
    key = (template, site, get_script_prefix(), post.is_scheduled)
    rendered = post.__dict__.setdefault("_fragment_cache", {})
    cached = rendered.get(template_name)
    if cached is None or cached[0] != key:
        html = template.render(Context({"post": post, "site": site}, autoescape=context.autoescape))
        cached = rendered[template_name] = (key, html)
    return cached[1]


@register.tag
def now(parser, token):
    """Django's ``{% now %}``: a page that shows the clock is rendered on every build."""
    node = defaulttags.now(parser, token)
    return _ClockNode(node)


class _ClockNode(template.Node):
    def __init__(self, node: template.Node) -> None:
        self.node = node

    def render(self, context):
        reads.volatile()
        return self.node.render(context)


class _ReusedURLNode(defaulttags.URLNode):
    """Django's ``{% url %}``, but each URL is reversed once per process
    (blog/reversed_urls.py). ``{% url ... as var %}`` and unhashable arguments
    go to Django's own tag unchanged."""

    def render(self, context):
        if self.asvar:
            return super().render(context)
        args = tuple(arg.resolve(context) for arg in self.args)
        kwargs = tuple((name, value.resolve(context)) for name, value in self.kwargs.items())
        view_name = self.view_name.resolve(context)
        try:
            current_app = context.request.current_app
        except AttributeError:
            try:
                current_app = context.request.resolver_match.namespace
            except AttributeError:
                current_app = None
        try:
            url = reversed_url(view_name, args, kwargs, current_app)
        except TypeError:  # an unhashable argument
            return super().render(context)
        return conditional_escape(url) if context.autoescape else url


@register.tag
def url(parser, token):
    node = defaulttags.url(parser, token)
    return _ReusedURLNode(node.view_name, node.args, node.kwargs, node.asvar)
