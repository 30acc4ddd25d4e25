"""Checks over the whole site once every file is loaded: two sources that
would write the same output file, and links to sources that are gone."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

from ..errors import ContentProblem
from ..models import Page, Post
from ..paths import alias_file, output_file_for
from .rows import json_value, plain_rows
from .sources import display_path

# Files at the top of the output that the build writes when the site needs
# them (blog/redirects.py); no page or alias may take their names.
RESERVED_FILES = frozenset({"_redirects", "nginx-redirects.conf", "wordpress-ids.json"})
# Top-level names the generator writes itself; a page may not take them.
RESERVED_NAMES = RESERVED_FILES | frozenset(
    {
        "tags",
        "archive",
        "search",
        "series",
        "page",
        "feeds",
        "static",
        "css",
        # Pagefind's search index (blog/search_bundle.py).
        "pagefind",
        "404.html",
        "rss.xml",
        "atom.xml",
        "sitemap.xml",
        "robots.txt",
        "index.html",
    }
)


def conflicts(content_dir: Path) -> list[ContentProblem]:
    """Two sources that would write the same output file."""
    owners: dict[str, list[tuple[str, str]]] = defaultdict(list)  # file -> (source, what)
    for name in RESERVED_NAMES:
        owners[name if "." in name else f"{name}/index.html"].append(("", f"the built-in '{name}' section"))
    for name in RESERVED_FILES:
        owners[name].append(("", f"the built-in file '{name}'"))
    # In no order (sorting would cost more than the check): each clash's
    # claims are sorted below.
    posts = output_claims(Post)
    problems = []
    for source, path, _aliases in posts:
        owners[output_file_for(path)].append((source, ""))
        top = path.split("/", 1)[0]
        if top in RESERVED_NAMES:
            problems.append(
                ContentProblem(
                    shown(content_dir, source),
                    1,
                    f"its URL /{path} is inside /{top}/, which the generator writes itself",
                    "give the post another path, url or permalink",
                )
            )
    pages = output_claims(Page)
    for source, slug, _aliases in pages:
        owners[f"{slug}/index.html"].append((source, ""))
    for source, _url, aliases in [*posts, *pages]:
        for alias in json_value(aliases):
            owners[alias_file(alias)].append((source, f"(alias {alias})"))
    # Nearly every file has one owner: only the others are sorted and examined.
    for output, claims in sorted(item for item in owners.items() if len(item[1]) > 1):
        # The built-in names first, then the sources whose own address it is,
        # then the aliases; each by source.
        claims = sorted(dict.fromkeys(claims), key=lambda claim: (claim[0] != "", claim[1] != "", claim))
        files = [source for source, _ in claims if source]
        if len(claims) < 2 or not files:
            continue
        # Display paths only for the few conflicts, not for every post.
        names = [f"{shown(content_dir, source)} {what}".strip() if source else what for source, what in claims]
        reported = next(i for i, (source, _) in enumerate(claims) if source)
        first = shown(content_dir, claims[reported][0])
        others = ", ".join(name for i, name in enumerate(names) if i != reported)
        problems.append(
            ContentProblem(
                first,
                1,
                f"writes the same output file /{output} as {others}",
                "give one of them another slug or date, or remove the alias",
            )
        )
    return problems


def output_claims(model, sources: list[str] | None = None) -> list[tuple[str, str, str]]:
    """What the posts or pages (of ``sources``, if given) claim in the output,
    as the clash check reads it: (source, address, aliases as stored), the
    address being a post's path or a page's slug. The content sync compares
    a stored row's claims with its old row's (blog/content/sync.py, _Reach)."""
    rows = model.objects.order_by()
    if sources is not None:
        rows = rows.filter(source__in=sources)
    return plain_rows(rows.values_list("source", "path" if model is Post else "slug", "aliases"))


def dangling_links(content_dir: Path, sources: set[str]) -> list[ContentProblem]:
    """Links, in files not read again, to sources that are gone."""
    problems = []
    for model in (Post, Page):
        rows = model.objects.filter(rewrites_links=True).order_by().values_list("source", "link_targets")
        for source, targets in plain_rows(rows):
            for target, line in json_value(targets):
                if target not in sources:
                    problems.append(
                        ContentProblem(
                            shown(content_dir, source),
                            line,
                            f"links to {target}, which does not exist",
                            "fix the link, or restore the file it leads to",
                        )
                    )
    return problems


def shown(content_dir: Path, source: str) -> str:
    return display_path(content_dir / source)
