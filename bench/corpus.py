"""A deterministic synthetic blog, written for us, Hugo and Pelican.

The same seed and post count always give the same bytes. Posts look like a
real technical blog: several paragraphs under a few headings, 1-4 tags out of
40 (some far more common than others), a Python code block unique to the post
in most of them, a table in some, lists and inline markup here and there.

    python -m bench.corpus --posts 2000 --out /tmp/corpus

writes ``ours/`` (our content folder, with site.toml), ``hugo/`` (a minimal
Hugo site with layouts of its own) and ``pelican/`` (pelicanconf.py and
content/ for Pelican's default theme).
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import re
import shutil
from dataclasses import dataclass
from pathlib import Path

SEED = 20240501
SITE_TITLE = "Bench Blog"
BASE_URL = "https://bench.example.org/"
# Every generator gets the same page size and feed length as our defaults.
POSTS_PER_PAGE = 10
FEED_LENGTH = 20
# Dates fall between these, all in the past, so every post is published.
FIRST_DATE = dt.datetime(2016, 1, 1, tzinfo=dt.UTC)
LAST_DATE = dt.datetime(2024, 12, 31, tzinfo=dt.UTC)
# Share of posts with a code block, and with a table.
CODE_SHARE = 0.85
TABLE_SHARE = 0.3

PEERS_DIR = Path(__file__).resolve().parent / "peers"

TAGS = (
    "python", "django", "testing", "performance", "databases", "sqlite", "postgres", "web",
    "css", "javascript", "typescript", "rust", "go", "linux", "shell", "git", "devops",
    "docker", "security", "async", "packaging", "tooling", "editors", "design", "accessibility",
    "markdown", "static-sites", "search", "caching", "networking", "http", "api", "data",
    "machine-learning", "statistics", "career", "writing", "teaching", "open-source", "hardware",
)  # fmt: skip

WORDS = """
a about above across after again against algorithm all almost along already also
always among an and another answer any api application around as ask at away back
bad batch be because become before begin behind being below benchmark better between
big both branch bring browser buffer bug build but by cache call can change cheap
check choose clean clear client close code cold come commit common compile config
connect copy core cost could count data debug deep default deploy design detail
different disk do document does down during each early easy edge else end enough
error even every example fail fast feature few file find first fix follow for
format from function general get give good graph great group hand handle happen
hard have header help here high hold how idea if important in index input inside
instead into issue it itself job just keep key kind know large last later layer
learn least left less let level library light like line list little load local
long look loop low machine main make many map matter may mean memory merge might
model module more most move much must name need network never new next node not
note now number object of off often old on once one only open option or order
other our out output over own page parse part path pattern people place plan point
pool port problem process program project query quick quite rather read real
reason record reduce release remove render request result return right rule run
same save scan schema second see seem server service set shape share short should
show side simple since single size slow small so some source space speed split
stack start state step still stop store stream string such system table take task
team test than that the their them then there these they thing think this those
though thread through time to together token too tool tree true try turn type
under until up update use user value version very view wait want warm way well
what when where which while who why will with within without word work worker
would write wrong year yet you your
""".split()

NOUNS = """
cache index parser worker queue session token record buffer router client server
schema report ledger bucket widget sensor invoice profile ticket gateway catalog
""".split()
VERBS = "load parse merge rank fetch store render split score build check sync".split()
ATTRIBUTES = "size weight score count price priority age latency height depth".split()
MODULES = "json asyncio itertools functools collections statistics pathlib heapq".split()


@dataclass(frozen=True)
class SyntheticPost:
    number: int
    title: str
    slug: str
    date: dt.datetime
    tags: tuple[str, ...]
    body: str

    @property
    def file_stem(self) -> str:
        return f"{self.date:%Y-%m-%d}-{self.slug}"


@dataclass(frozen=True)
class Corpus:
    ours: Path  # our content folder
    hugo: Path  # Hugo's site folder
    pelican: Path  # the folder holding pelicanconf.py
    posts: tuple[SyntheticPost, ...]


def make_posts(count: int, seed: int = SEED) -> list[SyntheticPost]:
    """``count`` posts; the same arguments always give the same posts."""
    rng = random.Random(seed)
    # A few tags are far more popular than the rest, as on a real blog.
    tag_weights = [1 / (rank + 1) ** 0.8 for rank in range(len(TAGS))]
    slugs: set[str] = set()
    return [_make_post(rng, number, tag_weights, slugs) for number in range(1, count + 1)]


def make_post(number: int, seed: int = SEED) -> SyntheticPost:
    """One more post, e.g. the post an incremental benchmark adds."""
    rng = random.Random(f"{seed}-{number}")
    tag_weights = [1 / (rank + 1) ** 0.8 for rank in range(len(TAGS))]
    return _make_post(rng, number, tag_weights, set())


def _make_post(rng: random.Random, number: int, tag_weights: list[float], slugs: set[str]) -> SyntheticPost:
    title = _sentence(rng, 3, 8).rstrip(".")
    slug = _slugify(title)
    if slug in slugs:
        title = f"{title}, part {number}"
        slug = _slugify(title)
    slugs.add(slug)
    span = (LAST_DATE - FIRST_DATE).total_seconds()
    date = FIRST_DATE + dt.timedelta(seconds=int(rng.random() * span // 60 * 60))
    tags = tuple(dict.fromkeys(rng.choices(TAGS, weights=tag_weights, k=rng.randint(1, 4))))
    return SyntheticPost(number, title, slug, date, tags, _body(rng, number))


def _body(rng: random.Random, number: int) -> str:
    blocks = [_paragraph(rng) for _ in range(rng.randint(1, 2))]
    sections = rng.randint(1, 4)
    code_section = rng.randrange(sections) if rng.random() < CODE_SHARE else None
    table_section = rng.randrange(sections) if rng.random() < TABLE_SHARE else None
    list_section = rng.randrange(sections) if rng.random() < 0.4 else None
    for section in range(sections):
        blocks.append("## " + _sentence(rng, 2, 6).rstrip("."))
        blocks.extend(_paragraph(rng) for _ in range(rng.randint(1, 3)))
        if section == code_section:
            blocks.append(_code_block(rng, number))
            blocks.append(_paragraph(rng))
        if section == table_section:
            blocks.append(_table(rng))
        if section == list_section:
            blocks.append("\n".join("- " + _sentence(rng, 3, 10) for _ in range(rng.randint(3, 6))))
    return "\n\n".join(blocks) + "\n"


def _sentence(rng: random.Random, low: int = 8, high: int = 20) -> str:
    words = rng.choices(WORDS, k=rng.randint(low, high))
    return " ".join(words).capitalize() + "."


def _paragraph(rng: random.Random) -> str:
    sentences = [_sentence(rng) for _ in range(rng.randint(3, 7))]
    # Inline markup in some sentences, as authors write it.
    for index in range(len(sentences)):
        roll = rng.random()
        word = rng.choice(WORDS)
        if roll < 0.08:
            sentences[index] = sentences[index].replace(f" {word} ", f" `{word}()` ", 1)
        elif roll < 0.14:
            sentences[index] = sentences[index].replace(f" {word} ", f" **{word}** ", 1)
        elif roll < 0.18:
            sentences[index] = sentences[index].replace(f" {word} ", f" [{word}](https://example.org/{word}) ", 1)
    return " ".join(sentences)


def _code_block(rng: random.Random, number: int) -> str:
    noun, verb = rng.choice(NOUNS), rng.choice(VERBS)
    attribute, other = rng.sample(ATTRIBUTES, 2)
    a, b, c = rng.randint(2, 500), rng.randint(2, 50), rng.randint(3, 30)
    doc = _sentence(rng, 5, 12)
    kind = rng.randrange(3)
    if kind == 0:
        lines = [
            f"def {verb}_{noun}_{number}(records, threshold={a}):",
            f'    """{doc}"""',
            f"    selected = [r for r in records if r.{attribute} >= threshold]",
            f"    selected.sort(key=lambda r: r.{other}, reverse=True)",
            f"    return {{r.name: r.{attribute} * {b} for r in selected[:{c}]}}",
        ]
    elif kind == 1:
        lines = [
            f"class {noun.capitalize()}{number}Cache:",
            f'    """{doc}"""',
            "",
            f"    def __init__(self, size={a}):",
            "        self.size = size",
            "        self._items = {}",
            "",
            "    def get(self, key, default=None):",
            "        value = self._items.get(key, default)",
            "        while len(self._items) > self.size:",
            "            self._items.pop(next(iter(self._items)))",
            f"        return value if value is not None else {b}",
        ]
    else:
        lines = [
            f"import {rng.choice(MODULES)}",
            "",
            "",
            f"async def {verb}_{noun}s_{number}(client, ids):",
            f"    # {doc}",
            "    results = []",
            "    for index, item_id in enumerate(ids):",
            f'        response = await client.get(f"/{noun}/{{item_id}}?page={c}")',
            "        if response.status != 200:",
            f'            raise RuntimeError(f"{noun} {{item_id}} failed: {{response.status}}")',
            f'        results.append(response.json()["{attribute}"] * {b})',
            "    return results",
        ]
    for extra in range(rng.randint(0, 6)):
        lines.append(f"# step {extra}: {rng.choice(WORDS)} {rng.choice(WORDS)} = {rng.randint(0, 9999)}")
    return "```python\n" + "\n".join(lines) + "\n```"


def _table(rng: random.Random) -> str:
    columns = rng.sample(ATTRIBUTES, rng.randint(3, 5))
    rows = ["| name | " + " | ".join(columns) + " |", "| --- |" + " ---: |" * len(columns)]
    for _ in range(rng.randint(3, 8)):
        cells = [f"{rng.random() * 1000:.1f}" for _ in columns]
        rows.append(f"| {rng.choice(NOUNS)} | " + " | ".join(cells) + " |")
    return "\n".join(rows)


def _slugify(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


# --- writers: one source format per generator ------------------------------


def ours_source(post: SyntheticPost) -> str:
    tags = ", ".join(post.tags)
    return f'---\ntitle: "{post.title}"\ndate: {post.date:%Y-%m-%d %H:%M}\ntags: [{tags}]\n---\n\n{post.body}'


def hugo_source(post: SyntheticPost) -> str:
    tags = ", ".join(f'"{tag}"' for tag in post.tags)
    return (
        f'---\ntitle: "{post.title}"\ndate: {post.date:%Y-%m-%dT%H:%M:%SZ}\n'
        f"slug: {post.slug}\ntags: [{tags}]\n---\n\n{post.body}"
    )


def pelican_source(post: SyntheticPost) -> str:
    return (
        f"Title: {post.title}\nDate: {post.date:%Y-%m-%d %H:%M}\nSlug: {post.slug}\n"
        f"Tags: {', '.join(post.tags)}\n\n{post.body}"
    )


def write_ours(posts: list[SyntheticPost], content: Path, search: str = "") -> Path:
    """Our content folder; ``search`` is site.toml's search setting ("" for
    the default, which for this corpus is Pagefind)."""
    (content / "posts").mkdir(parents=True)
    (content / "pages").mkdir()
    (content / "site.toml").write_text(
        f'title = "{SITE_TITLE}"\ndescription = "A synthetic blog for benchmarks"\n'
        f'author = "Bench"\nbase_url = "{BASE_URL}"\ntime_zone = "UTC"\nposts_per_page = {POSTS_PER_PAGE}\n'
        + (f'search = "{search}"\n' if search else "")
    )
    (content / "pages" / "about.md").write_text('---\ntitle: "About"\n---\n\nA synthetic blog.\n')
    for post in posts:
        add_ours_post(content, post)
    return content


def add_ours_post(content: Path, post: SyntheticPost) -> Path:
    path = content / "posts" / f"{post.file_stem}.md"
    path.write_text(ours_source(post), encoding="utf-8")
    return path


def write_hugo(posts: list[SyntheticPost], site: Path) -> Path:
    shutil.copytree(PEERS_DIR / "hugo", site)
    posts_dir = site / "content" / "posts"
    posts_dir.mkdir(parents=True)
    (site / "content" / "about.md").write_text('---\ntitle: "About"\n---\n\nA synthetic blog.\n')
    for post in posts:
        (posts_dir / f"{post.file_stem}.md").write_text(hugo_source(post), encoding="utf-8")
    return site


def write_pelican(posts: list[SyntheticPost], site: Path) -> Path:
    shutil.copytree(PEERS_DIR / "pelican", site)
    articles = site / "content" / "posts"
    articles.mkdir(parents=True)
    pages = site / "content" / "pages"
    pages.mkdir()
    (pages / "about.md").write_text("Title: About\n\nA synthetic blog.\n")
    for post in posts:
        (articles / f"{post.file_stem}.md").write_text(pelican_source(post), encoding="utf-8")
    return site


def generate(count: int, root: Path, seed: int = SEED, search: str = "") -> Corpus:
    """Write the corpus for all three generators under ``root`` (which must not exist yet)."""
    posts = make_posts(count, seed)
    root.mkdir(parents=True)
    return Corpus(
        ours=write_ours(posts, root / "ours", search),
        hugo=write_hugo(posts, root / "hugo"),
        pelican=write_pelican(posts, root / "pelican"),
        posts=tuple(posts),
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--posts", type=int, default=2000, help="number of posts (default 2000)")
    parser.add_argument("--out", type=Path, required=True, help="folder to create")
    parser.add_argument("--seed", type=int, default=SEED)
    args = parser.parse_args(argv)
    corpus = generate(args.posts, args.out, args.seed)
    print(f"{len(corpus.posts)} posts written to {corpus.ours}, {corpus.hugo} and {corpus.pelican}")


if __name__ == "__main__":
    main()
