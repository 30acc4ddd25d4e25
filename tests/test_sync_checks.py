"""The content sync's checks over the whole site (two sources claiming one
output file, links to a source that is gone) and its naming of tags run only
where the rows it stored changed what they read (blog/content/sync.py,
``_Reach``). Whatever an author changes, one file at a time or several at
once, the sync of the database as the last one left it must keep the same
posts and tags as a sync into an empty one, and fail when that one fails: with
the same problems, unless a file could not be read (its last good row then
stays for the checks, as it did before these checks were skipped)."""

from __future__ import annotations

import random
from dataclasses import dataclass, field, replace
from pathlib import Path

import pytest
from django.db import transaction

from blog.content.sync import sync_content
from blog.errors import ContentErrors
from blog.models import CacheEntry, Page, Post, PostTag, SourceFile, Tag

pytestmark = pytest.mark.django_db

NAMES = ["anchor", "bollard", "cleat", "davit", "fender", "gunwale"]
# Spellings of three tags: which one a tag shows depends on how many posts use each.
LABELS = ["Rope", "rope", "ROPE", "Knots", "knots", "Tides"]


@dataclass(frozen=True)
class Spec:
    """One post as its file says it."""

    day: int
    slug: str
    body: str = "Calm water."
    tags: tuple[str, ...] = ()
    aliases: tuple[str, ...] = ()
    links: tuple[str, ...] = ()
    # Made a theme file (front matter with only a template): read, never published.
    theme: bool = False


@dataclass
class Site:
    posts: dict[str, Spec | None] = field(default_factory=dict)
    about: str = "about"


@pytest.fixture
def content(tmp_path) -> Path:
    """An empty content folder."""
    folder = tmp_path / "content"
    (folder / "posts").mkdir(parents=True)
    (folder / "pages").mkdir()
    return folder


def write_site(content: Path, site: Site) -> None:
    for name, spec in site.posts.items():
        path = content / "posts" / f"{name}.md"
        if spec is None:
            path.unlink(missing_ok=True)
            continue
        if spec.theme:
            path.write_text("---\ntemplate: post.html\n---\n{{ content }}\n", encoding="utf-8")
            continue
        links = "".join(f"\n\nSee [{target}]({target}.md)." for target in spec.links)
        front = [
            f'title: "{name.title()}"',
            f"date: 2024-03-{spec.day:02d}",
            f"slug: {spec.slug}",
            f"tags: [{', '.join(spec.tags)}]",
            f"aliases: [{', '.join(spec.aliases)}]",
        ]
        path.write_text("---\n" + "\n".join(front) + f"\n---\n{spec.body}{links}\n", encoding="utf-8")
    (content / "pages" / "about.md").write_text(f'---\ntitle: "About"\nslug: {site.about}\n---\nA page.\n')


def outcome(content: Path) -> tuple:
    """The problems the sync reports (where: the same problem may be worded
    as found while reading a file or in the check over the site), or the
    posts, the tags and their spellings it leaves."""
    try:
        sync_content(content)
    except ContentErrors as errors:
        return ("problems", sorted({(problem.path, problem.line, problem.message) for problem in errors.problems}))
    return (
        "synced",
        sorted(Post.objects.values_list("source", "path", "aliases")),
        sorted(Page.objects.values_list("source", "slug")),
        sorted(Tag.objects.values_list("slug", "name")),
        sorted(PostTag.objects.values_list("post__source", "tag__slug", "label", "position")),
    )


def found_by_checks(problem: tuple[str, int, str]) -> bool:
    """Whether a problem is the checks' over the whole site, not one found
    while reading a file (such as a link to a file that is gone)."""
    return "writes the same output file" in problem[2] or "which the generator writes itself" in problem[2]


def clean_outcome(content: Path) -> tuple:
    """What a sync into an empty database gives; the database is then put back."""
    with transaction.atomic():
        for model in (PostTag, Tag, Post, Page, SourceFile, CacheEntry):
            model.objects.all().delete()
        result = outcome(content)
        transaction.set_rollback(True)
    return result


def change(rng: random.Random, site: Site) -> None:
    """One change an author makes."""
    name = rng.choice(NAMES)
    spec = site.posts[name]
    others = [other for other in NAMES if other != name]
    if spec is None or rng.random() < 0.25:
        # Put back as it first was (the author undoes a change).
        site.posts[name] = Spec(day=NAMES.index(name) + 1, slug=name, tags=spec.tags if spec else ())
        if rng.random() < 0.3:
            site.about = "about"
        return
    kind = rng.choice(["body", "address", "alias", "tags", "links", "remove", "page", "theme"])
    if kind == "body":
        site.posts[name] = replace(spec, body=rng.choice(["Calm water.", "A squall.", "Fog."]))
    elif kind == "address":
        # Often another post's address: the same day and slug.
        target = site.posts[rng.choice(others)]
        if target is not None and rng.random() < 0.6:
            site.posts[name] = replace(spec, day=target.day, slug=target.slug)
        else:
            site.posts[name] = replace(spec, day=NAMES.index(name) + 1, slug=rng.choice([name, f"{name}-2"]))
    elif kind == "alias":
        target = rng.choice(others)
        aliases = rng.choice([(), (f"/old/{name}/",), (f"/2024/03/{target}/",), ("/about/",), (f"/old/{target}/",)])
        site.posts[name] = replace(spec, aliases=aliases)
    elif kind == "tags":
        site.posts[name] = replace(spec, tags=tuple(rng.sample(LABELS, rng.randint(0, 3))))
    elif kind == "links":
        site.posts[name] = replace(spec, links=tuple(rng.sample(others, rng.randint(0, 2))))
    elif kind == "remove":
        # Often a post another one links to.
        linked = sorted({target for other in site.posts.values() if other for target in other.links})
        site.posts[rng.choice(linked) if linked and rng.random() < 0.5 else name] = None
    elif kind == "theme":
        site.posts[name] = replace(spec, theme=True)
    else:
        site.about = rng.choice(["about", "tags", f"old/{name}", "about-us"])


@pytest.mark.parametrize("seed", range(4))
def test_a_sync_after_any_changes_finds_what_a_sync_from_nothing_finds(content, seed):
    rng = random.Random(seed)
    site = Site({name: Spec(day=number + 1, slug=name, tags=("Rope",)) for number, name in enumerate(NAMES)})
    write_site(content, site)
    assert outcome(content)[0] == "synced"
    kinds = set()
    for step in range(30):
        # Mostly one file at a time, as an author saves; sometimes several.
        for _ in range(1 if rng.random() < 0.7 else rng.randint(2, 4)):
            change(rng, site)
        write_site(content, site)
        found, clean = outcome(content), clean_outcome(content)
        kinds.add(clean[0])
        if clean[0] == "synced" or all(map(found_by_checks, clean[1])):
            assert found == clean, f"step {step}: {site}"
        else:
            # A file that cannot be read keeps its last good row until it is
            # fixed, and the checks then see that row: the same site is
            # broken, but a clash may be reported at the other file.
            assert found[0] == "problems", f"step {step}: {site}"
    # The walk met both a broken site and a good one.
    assert kinds == {"problems", "synced"}


def test_a_post_that_takes_another_posts_address_is_reported_though_the_other_was_not_read_again(content):
    site = Site({"anchor": Spec(day=1, slug="anchor"), "bollard": Spec(day=2, slug="bollard")})
    write_site(content, site)
    sync_content(content)
    site.posts["bollard"] = Spec(day=1, slug="anchor", body="A squall.")
    write_site(content, site)
    with pytest.raises(ContentErrors) as caught:
        sync_content(content)
    (problem,) = caught.value.problems
    assert problem.path.endswith("anchor.md")
    assert problem.message.startswith("writes the same output file /2024/03/anchor/index.html as ")
    assert problem.message.endswith("posts/bollard.md")


def test_a_tag_spelled_another_way_by_most_posts_is_renamed(content):
    site = Site({name: Spec(day=n + 1, slug=name, tags=("Rope",)) for n, name in enumerate(NAMES[:3])})
    write_site(content, site)
    sync_content(content)
    assert Tag.objects.get(slug="rope").name == "Rope"
    for name in NAMES[:2]:
        site.posts[name] = replace(site.posts[name], tags=("rope",))
    write_site(content, site)
    sync_content(content)
    assert Tag.objects.get(slug="rope").name == "rope"
    for name in NAMES[:3]:
        site.posts[name] = replace(site.posts[name], tags=("Knots",))
    write_site(content, site)
    sync_content(content)
    assert list(Tag.objects.values_list("slug", "name")) == [("knots", "Knots")]


def test_a_link_to_a_post_that_is_gone_is_reported_though_the_linking_post_was_not_read_again(content):
    site = Site({"anchor": Spec(day=1, slug="anchor", links=("bollard",)), "bollard": Spec(day=2, slug="bollard")})
    write_site(content, site)
    sync_content(content)
    site.posts["bollard"] = None
    write_site(content, site)
    with pytest.raises(ContentErrors) as caught:
        sync_content(content)
    (problem,) = caught.value.problems
    assert (Path(problem.path).name, problem.line) == ("anchor.md", 10)
    assert problem.message == "links to posts/bollard.md, which does not exist"


def test_a_post_made_a_theme_file_takes_its_tags_with_it(content):
    site = Site({"anchor": Spec(day=1, slug="anchor", tags=("Tides",)), "bollard": Spec(day=2, slug="bollard")})
    write_site(content, site)
    sync_content(content)
    assert list(Tag.objects.values_list("slug", flat=True)) == ["tides"]
    site.posts["anchor"] = replace(site.posts["anchor"], theme=True)
    write_site(content, site)
    sync_content(content)
    assert list(Post.objects.values_list("source", flat=True)) == ["posts/bollard.md"]
    assert list(Tag.objects.values_list("slug", flat=True)) == []
