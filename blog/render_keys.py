"""A key for every page, from everything the page shows, so a rebuild renders
only the pages whose key changed.

Keys are built from the site index (no rendering): a post page's key covers
the post itself, its neighbours and its related posts; a list page's key
covers the posts on it; every key covers the site-wide inputs (the generator's
code, templates, static files, site.toml, the pages in the navigation and the
visibility rule). A page whose key is unchanged is byte-identical to the one
the last build wrote, so it is linked from the previous output instead.
"""

from __future__ import annotations

import hashlib
import math
import re
from functools import lru_cache
from pathlib import Path

from django.conf import settings
from django.template import engines

from .digests import digest
from .feeds import FEED_LENGTH
from .models import CacheEntry, Post
from .site_index import GENERATION_KEY, RELATED_POSTS, SiteIndex
from .siteconfig import SiteConfig
from .visibility import Visibility


def tree_fingerprint(*roots: Path) -> str:
    """A digest of every file's path and bytes under ``roots`` (code, templates, static)."""
    hasher = hashlib.blake2b(digest_size=16)
    for root in roots:
        for path in sorted(p for p in root.rglob("*") if p.is_file() and "__pycache__" not in p.parts):
            hasher.update(str(path.relative_to(root)).encode())
            hasher.update(path.read_bytes())
    return hasher.hexdigest()


@lru_cache(maxsize=1)
def _code_parts() -> tuple[str, str, str, list[str]]:
    """Digests of the generator's code, its templates and its static files, and
    the versions of the libraries it runs on."""
    base = Path(settings.BASE_DIR)
    return (
        tree_fingerprint(base / "blog"),
        tree_fingerprint(*[Path(d) for d in settings.TEMPLATES[0]["DIRS"]]),
        tree_fingerprint(*[Path(d) for d in settings.STATICFILES_DIRS]),
        _library_versions(),
    )


def _library_versions() -> list[str]:
    """From the packages' version attributes: importlib.metadata would cost
    50-60 ms of import time on every build."""
    import django
    import django_distill
    import markdown
    import pygments
    import yaml

    return [module.__version__ for module in (django, django_distill, markdown, pygments, yaml)]


def code_fingerprint() -> str:
    """The generator's own code, templates, static files and library versions."""
    return digest(*_code_parts())


_TEMPLATE_REFERENCE = re.compile(r"\{%-?\s*(?:include|extends)\s+(\S+)")


def template_fingerprint(name: str) -> str | None:
    """A digest of the template ``name`` and of every template it includes or
    extends, as the template engine finds them; None if one of those is named
    by a variable, so that which templates it uses cannot be known."""
    engine = engines["django"].engine
    hasher = hashlib.blake2b(digest_size=16)
    seen, pending = set(), [name]
    while pending:
        current = pending.pop()
        if current in seen:
            continue
        seen.add(current)
        source = engine.find_template(current)[0].source
        hasher.update(f"{current}\0{source}\0".encode())
        for reference in _TEMPLATE_REFERENCE.findall(source):
            if len(reference) < 2 or reference[0] not in "\"'" or reference[-1] != reference[0]:
                return None
            pending.append(reference[1:-1])
    return hasher.hexdigest()


def fragment_wide_key(site: SiteConfig, rule: Visibility, template_name: str) -> str:
    """What every fragment of ``template_name`` (a post summary, an archive
    entry: blog/fragments.py) is rendered with: like site_wide_key, but of the
    templates only the fragment's own (an edit to base.html leaves the stored
    fragments valid), and without the navigation, which fragments do not show."""
    templates = template_fingerprint(template_name)
    if templates is None:
        templates = _code_parts()[1]
    code, _all_templates, static, versions = _code_parts()
    return digest(code, templates, static, versions, site.as_dict(), rule.drafts, rule.future, template_name)


def site_wide_key(site: SiteConfig, rule: Visibility, index: SiteIndex) -> str:
    navigation = [(page.slug, page.title) for page in index.pages]
    return digest(code_fingerprint(), site.as_dict(), rule.drafts, rule.future, navigation)


def inputs_key(site: SiteConfig, rule: Visibility, content_files: dict[str, Path]) -> str:
    """Everything a build reads, summed up without rendering or planning: the
    content (through the sync's generation token), which posts are visible now,
    the code and settings, and the files copied from content/."""
    generation = CacheEntry.read(GENERATION_KEY)
    visible = Post.objects.published().order_by("pk")
    # Which posts show, and which of them show as scheduled (with --future):
    # both change with the clock alone.
    visible = [
        list(visible.values_list("pk", flat=True)),
        list(visible.filter(date__gt=rule.cutoff()).values_list("pk", flat=True)),
    ]
    copies = [
        (relative, stat.st_size, stat.st_mtime_ns)
        for relative, stat in ((relative, source.stat()) for relative, source in content_files.items())
    ]
    return digest(generation, visible, code_fingerprint(), site.as_dict(), rule.drafts, rule.future, copies)


RELATED_ENTRY = "related"


def related_posts(index: SiteIndex) -> dict[int, list[Post]]:
    """Every visible post's related posts, worked out again only where the last
    build's answer may have changed: counting them for every post costs
    seconds on a site of thousands of posts with popular tags.

    A post's related posts change only when a post sharing one of its tags
    comes, goes, moves in the list or changes its tags. Posts are named by
    their source file here, which stays the same when a post is re-read."""
    current = [[post.source, [tag.slug for tag in post.tag_list]] for post in index.posts]
    stored = CacheEntry.read(RELATED_ENTRY)
    # Stored: the (source, tags) list, and each post's related posts as
    # positions in it, which keeps the entry small.
    if stored and not isinstance(stored.get("related"), list):
        stored = None  # written by an earlier version
    posts = index.posts
    if stored and stored["posts"] == current:
        related = {
            post.id: [posts[other] for other in others] for post, others in zip(posts, stored["related"], strict=True)
        }
    else:
        previous = None
        if stored:
            sources = [source for source, _tags in stored["posts"]]
            previous = {
                "posts": stored["posts"],
                "related": {
                    source: [sources[o] for o in others]
                    for source, others in zip(sources, stored["related"], strict=True)
                },
            }
        related = _update_related(index, previous, current)
        position = {post.id: number for number, post in enumerate(posts)}
        value = {"posts": current, "related": [[position[other.id] for other in related[post.id]] for post in posts]}
        CacheEntry.write(RELATED_ENTRY, value)
    index.remember_related(related)
    return related


def _update_related(index: SiteIndex, stored: dict | None, current: list) -> dict[int, list[Post]]:
    """Related posts for ``current`` (source, tags) pairs, from the stored answer
    for the last build's list where that is exact, counted afresh elsewhere."""
    old_tags = dict(stored["posts"]) if stored and "posts" in stored else {}
    new_tags = dict(current)
    kept = [source for source, tags in current if old_tags.get(source) == tags]
    kept_set = set(kept)
    if not old_tags or [source for source, _tags in stored["posts"] if source in kept_set] != kept:
        # No stored answer, or a post moved past another (a new date): ties
        # between them would break the other way, so count everything.
        return {post.id: index.related(post) for post in index.posts}
    gone = set(old_tags) - kept_set
    arrived = [source for source in new_tags if source not in kept_set]
    by_source = {post.source: post for post in index.posts}
    position = {source: number for number, (source, _tags) in enumerate(current)}
    # Posts that share a tag with an arrival: it may now rank among theirs.
    arrivals_by_tag: dict[str, list[str]] = {}
    for source in arrived:
        for tag in new_tags[source]:
            arrivals_by_tag.setdefault(tag, []).append(source)
    related = {}
    for post in index.posts:
        source = post.source
        previous = stored["related"].get(source)
        if previous is None or source not in kept_set or any(other in gone for other in previous):
            related[post.id] = index.related(post)
            continue
        tags = set(new_tags[source])
        arrivals = {other for tag in tags for other in arrivals_by_tag.get(tag, ())}
        if not arrivals:
            related[post.id] = [by_source[other] for other in previous]
            continue
        # The new top few are among the old top few and the arrivals.
        candidates = (arrivals | set(previous)) - {source}
        ranked = sorted(candidates, key=lambda other: (-len(tags.intersection(new_tags[other])), position[other]))
        related[post.id] = [by_source[other] for other in ranked[:RELATED_POSTS]]
    return related


class PageKeys:
    """Computes the key of any page the URL patterns produce."""

    def __init__(self, index: SiteIndex, site: SiteConfig, site_wide: str, fragment_wide: dict[str, str]) -> None:
        """``fragment_wide``: fragment_wide_key of each fragment template."""
        self.index = index
        self.site = site
        self.site_wide = site_wide
        self.fragment_wide = fragment_wide
        # What lists show of each post, as one short digest: it is repeated in
        # the keys of every page that shows the post, and the shorter the
        # string a key is made of, the faster the key. The sync stored a
        # digest of the post's listed fields (Post.listed_digest); whether it
        # shows as scheduled, and its tags' names, can change without it.
        self._listed = {
            post.id: digest(post.listed_digest, post.is_scheduled, [(tag.slug, tag.name) for tag in post.tag_list])
            for post in index.posts
        }
        # A post in full: what lists show of it, and its source (the body).
        self._full = {post.id: (self._listed[post.id], post.source_digest) for post in index.posts}
        self._pages = {
            page.slug: digest(
                [getattr(page, f) for f in ("source", "title", "description", "image", "updated", "extra")],
                page.source_digest,
            )
            for page in index.pages
        }
        self._all_listed = digest(list(self._listed.values()))
        self._related = related_posts(index)
        self._tags = digest([(tag.slug, tag.name, tag.count) for tag in index.tags])

    def fragment_key(self, template_name: str, post: Post) -> str:
        """The key of the post's fragment made from ``template_name``: its
        summary on list pages, its archive entry (blog/fragments.py)."""
        return digest(self.fragment_wide[template_name], self._listed[post.id])

    def _page_of(self, posts: list[Post], number: int) -> tuple:
        per_page = self.site.posts_per_page
        shown = posts[(number - 1) * per_page : number * per_page]
        return math.ceil(len(posts) / per_page), [self._listed[post.id] for post in shown]

    def key(self, name: str, params: dict) -> str:
        index = self.index
        if name in ("index", "index_page"):
            parts = self._page_of(index.posts, params.get("page", 1))
        elif name == "post":
            post = index.post_at(params["year"], params["month"], params["slug"])
            around = [index.older(post), index.newer(post), *self._related[post.id]]
            parts = (self._full[post.id], [self._listed[p.id] if p else None for p in around])
        elif name in ("tag", "tag_page"):
            tag = index.tag(params["tag"])
            parts = (tag.name, self._page_of(index.posts_tagged(tag.slug), params.get("page", 1)))
        elif name == "tag_rss":
            tag = index.tag(params["tag"])
            parts = (tag.name, [self._full[p.id] for p in index.posts_tagged(tag.slug)[:FEED_LENGTH]])
        elif name in ("rss", "atom"):
            parts = [self._full[p.id] for p in index.posts[:FEED_LENGTH]]
        elif name == "archive":
            parts = self._all_listed
        elif name == "tags":
            parts = self._tags
        elif name == "sitemap":
            parts = (self._all_listed, self._tags, sorted(self._pages.items()))
        elif name == "page":
            parts = self._pages[params["slug"]]
        elif name == "alias":
            parts = self._listed[index.alias_targets()[params["alias_path"]].id]
        else:
            # search, robots, 404, code.css: only site-wide inputs.
            parts = None
        return digest(self.site_wide, name, sorted(params.items()), parts)
