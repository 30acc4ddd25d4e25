"""Per-request set-up shared by the preview server and the build."""

from __future__ import annotations

from urllib.parse import unquote

from django.urls import get_script_prefix, set_script_prefix
from django.utils import timezone, translation

from .siteconfig import active_site, url_prefix


class SiteContextMiddleware:
    """Render every request in the site's time zone and language, with URLs
    under the site's base path."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if "SERVER_PROTOCOL" not in request.META and "%" in request.path_info:
            # django-distill's synthetic request passes the reversed,
            # percent-encoded URI as PATH_INFO; a real server decodes it.
            request.path_info = unquote(request.path_info)
        previous_prefix = get_script_prefix()
        zone, language, prefix = rendering_environment()
        # reverse() and {% url %} prefix every URL with this, so a site
        # deployed at https://host/blog/ links to /blog/... throughout.
        set_script_prefix(prefix)
        try:
            with timezone.override(zone), translation.override(language):
                return self.get_response(request)
        finally:
            # django-distill reverses the next URL outside any request, where
            # the prefix must be "/" for the file path to come out right.
            set_script_prefix(previous_prefix)


def rendering_environment() -> tuple:
    """What a page renders in: the site's time zone, its language and the URL
    prefix. Post fragments, rendered inside a page, call it so that they
    depend on the site's settings as the page does (blog/build/fragments.py)."""
    site = active_site()
    return site.zone, site.language, url_prefix()
