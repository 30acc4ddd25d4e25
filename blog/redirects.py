"""Old addresses, for hosts that can redirect by themselves, and for old
WordPress ``/?p=N`` links on any host.

Made at build time from the visible posts' and pages' rows, like every other
page, so a changed URL changes them: a JSON map of WordPress IDs to new URLs
(which the home page's small script reads when it is opened with ``?p=`` or
``?page_id=``), Netlify's ``_redirects`` file and an nginx snippet.
"""

from __future__ import annotations

import re
from itertools import chain

from django.http import HttpResponse, JsonResponse
from django.urls import reverse

from .site_index import WORDPRESS_ID, site_index
from .siteconfig import url_prefix

# Characters an nginx quoted string or a _redirects line cannot hold as they are.
_UNSAFE = re.compile(r'[\s"\\\'$;{}#]')


def _documents():
    index = site_index()
    return chain(index.posts, index.pages)


def wordpress_targets() -> dict[str, str]:
    """WordPress ID -> the new URL, of every visible imported post and page."""
    targets = {}
    for document in _documents():
        wordpress_id = document.extra.get(WORDPRESS_ID)
        if isinstance(wordpress_id, int | str) and str(wordpress_id).isdigit():
            targets[str(wordpress_id)] = document.get_absolute_url()
    return targets


def wordpress_ids(request):
    return JsonResponse(wordpress_targets(), json_dumps_params={"sort_keys": True, "ensure_ascii": False})


def _alias_rules() -> list[tuple[str, str]]:
    """``(old path under the site, new URL)`` of every alias, in a stable order."""
    prefix = url_prefix()
    rules = []
    for document in _documents():
        for alias in document.aliases:
            rules.append((prefix + alias.lstrip("/"), document.get_absolute_url()))
    return sorted(rules)


def _safe(path: str) -> str:
    """``path`` with what a config line cannot hold percent-encoded."""
    return _UNSAFE.sub(lambda m: "".join(f"%{b:02X}" for b in m.group(0).encode("utf-8")), path)


def netlify_redirects(request):
    lines = ["# Old addresses of this site's posts and pages (Netlify, Cloudflare Pages)."]
    lines += [f"{_safe(old)} {_safe(new)} 301" for old, new in _alias_rules()]
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain; charset=utf-8")


def nginx_redirects(request):
    """A snippet for nginx's ``server`` block: ``include …/nginx-redirects.conf;``."""
    lines = ["# Old addresses of this site's posts and pages. Include in a server block."]
    for old, new in _alias_rules():
        # nginx compares the decoded path; the new URL is sent as it is.
        lines.append(f'location = "{_safe(old)}" {{ return 301 "{_safe(new)}"; }}')
    for wordpress_id, new in sorted(wordpress_targets().items(), key=lambda item: int(item[0])):
        lines.append(f'if ($arg_p = "{wordpress_id}") {{ return 301 "{_safe(new)}"; }}')
        lines.append(f'if ($arg_page_id = "{wordpress_id}") {{ return 301 "{_safe(new)}"; }}')
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain; charset=utf-8")


def redirect_files():
    """django-distill's generator: the files exist when the site has something to redirect."""
    if site_index().has_redirects():
        yield {}


def wordpress_map():
    if site_index().has_wordpress_ids():
        yield {}


def wordpress_map_url() -> str:
    """The map's URL for the home page's script, or "" when no item has a WordPress ID."""
    return reverse("blog:wordpress_ids") if site_index().has_wordpress_ids() else ""
