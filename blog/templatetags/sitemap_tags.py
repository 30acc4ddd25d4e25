"""``{% sitemap_entries urlset %}``: the ``<url>`` elements of sitemap.xml.

They are what the template of django.contrib.sitemaps writes for each entry,
with the same escaping and dates, written here in one pass. Django's template
loops over every entry in the template engine: at 10,000 posts (13,500 pages)
that took 0.5 s of the sitemap's 0.6 s, on every build that adds a post, in
the worker that renders it (docs/benchmarks.md, issue 17, session 12). A
template of your own may still loop over ``urlset`` as Django's does."""

from __future__ import annotations

import datetime as dt

from django import template
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.timezone import template_localtime

register = template.Library()


@register.simple_tag
def sitemap_entries(urlset: list[dict]) -> SafeString:
    parts = []
    for url in urlset:
        parts.append(f"<url><loc>{conditional_escape(url['location'])}</loc>")
        if url.get("lastmod"):
            parts.append(f"<lastmod>{_day(url['lastmod'])}</lastmod>")
        if url.get("changefreq"):
            parts.append(f"<changefreq>{conditional_escape(url['changefreq'])}</changefreq>")
        if url.get("priority"):
            parts.append(f"<priority>{conditional_escape(url['priority'])}</priority>")
        for alternate in url.get("alternates") or ():
            code, location = conditional_escape(alternate["lang_code"]), conditional_escape(alternate["location"])
            parts.append(f'<xhtml:link rel="alternate" hreflang="{code}" href="{location}"/>')
        parts.append("</url>")
    return mark_safe("".join(parts))


def _day(value: dt.date) -> str:
    """``value|date:"Y-m-d"`` as Django's template has it: a datetime in the
    current time zone, a date as it is."""
    value = template_localtime(value)
    return (value.date() if isinstance(value, dt.datetime) else value).isoformat()
