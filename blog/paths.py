"""Where each URL lands in the output folder, shared by the build and the checks."""

from __future__ import annotations

from posixpath import basename
from urllib.parse import unquote


def output_file_for(url_path: str) -> str:
    """The file a static host serves for a site-relative URL path.

    A path ending in ``/`` is a folder with an ``index.html``; percent-escapes
    are decoded because hosts decode the request path before looking for the
    file (``/tags/日本/`` lives in a folder named ``日本``).
    """
    path = unquote(url_path).lstrip("/")
    if path == "" or path.endswith("/"):
        return path + "index.html"
    return path


def served_file(target: str, files) -> str | None:
    """The file of ``files`` a static host serves for the output path
    ``target`` (an ``output_file_for`` answer): the file itself, or, for a
    folder named without its slash, the folder's ``index.html``; None if
    ``files`` has neither."""
    if target in files:
        return target
    index = target + "/index.html"
    return index if index in files else None


def alias_file(alias: str) -> str:
    """The file that holds the redirect page for an alias path.

    ``/old/`` and ``/old`` both become ``old/index.html``, so the redirect works
    whichever form the old links used; ``/old.html`` stays a file.
    """
    path = alias.lstrip("/")
    if path == "" or path.endswith("/"):
        return path + "index.html"
    if "." not in basename(path):
        return path + "/index.html"
    return path
