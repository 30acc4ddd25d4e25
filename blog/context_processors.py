"""What every template knows about the site."""

from __future__ import annotations

from urllib.parse import urlsplit

from django.utils.encoding import iri_to_uri

from .site_index import site_index
from .siteconfig import active_site, url_prefix


def site(request):
    config = active_site()
    # request.path_info has no base path and is decoded; the canonical URL
    # needs both the base path and percent-encoding.
    path = iri_to_uri(url_prefix() + request.path_info.lstrip("/"))
    base = urlsplit(config.base_url)
    return {
        "site": config,
        "canonical_url": config.absolute(path),
        # Google's sitesearch takes a host and path without the scheme.
        "site_search_domain": (base.netloc + base.path).rstrip("/"),
        "nav_pages": site_index().pages,
    }
