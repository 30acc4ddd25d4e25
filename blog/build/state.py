"""What the stages of one build hand each other: the build's state, and the
plan of the new site."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import NamedTuple

from django.urls import URLPattern

from ..errors import ContentProblem
from ..reads.facts import CurrentFacts, FactTable, TrustedFacts
from ..siteconfig import SiteConfig
from ..visibility import Visibility
from .links import Broken, Finding, PageLinks
from .progress import Progress
from .writer import SiteWriter


class ContentFiles(NamedTuple):
    """The files copied from content/, and the ones left out with a warning."""

    files: dict[str, Path]  # output file -> its source
    skipped: list[ContentProblem]


class SitePage(NamedTuple):
    """A page of the site, as django-distill lists it."""

    pattern: URLPattern
    params: dict
    relative: str  # its file in the output folder
    uri: str


class RenderTask(NamedTuple):
    """A page to render, as a worker process gets it."""

    relative: str
    uri: str
    status_codes: tuple[int, ...]
    route: str  # the URL pattern's name


@dataclass
class LinkCheck:
    """The new site's broken links."""

    broken: dict[str, list[Broken]]
    findings: list[Finding]
    problems: list[ContentProblem]


@dataclass
class Plan:
    """Every file of the new site. A copied file's key names its source; a
    page's key is a digest of its bytes, known once it is rendered or reused."""

    keys: dict[str, str] = field(default_factory=dict)
    pages: list[SitePage] = field(default_factory=list)
    copies: dict[str, Path] = field(default_factory=dict)  # static and content files -> their source
    content: set[str] = field(default_factory=set)  # which of the copies come from content/
    skipped: list[ContentProblem] = field(default_factory=list)
    # page file -> the ids of the facts it read (blog/reads/facts.py); None for a
    # page that read something that cannot be recorded.
    reads: dict[str, bytes | None] = field(default_factory=dict)

    @cached_property
    def page_files(self) -> frozenset[str]:
        """The pages' files, asked once every page is listed."""
        return frozenset(page.relative for page in self.pages)


@dataclass
class BuildState:
    """One build, from its inputs to the site it publishes. The build fills in
    the first fields; each stage then fills in its own, for the next."""

    content_dir: Path
    output: Path
    static_root: Path
    site: SiteConfig
    rule: Visibility
    progress: Progress
    # With --strict: the content warnings so far, to fail with the rest.
    strict_warnings: list[ContentProblem] | None
    # The content folder is walked once per build.
    content_files: ContentFiles
    # Everything this build reads, summed up (fingerprints.inputs_key).
    inputs: str = ""
    # Where the resized copies of images are kept (blog/content/images.py).
    image_cache: Path | None = None

    # The plan stage: the new site, and what the previous build left.
    plan: Plan = field(default_factory=Plan)
    # The previous output, if it is the tree the cache describes.
    previous: Path | None = None
    # Each file of the previous output -> its key.
    stored: dict[str, str] = field(default_factory=dict)
    # The new site's files whose key is not the one stored for the previous output.
    rekeyed: set[str] = field(default_factory=set)
    facts: FactTable | None = None
    current_facts: CurrentFacts | None = None
    # The stored facts this build trusts.
    trusted: TrustedFacts = field(default_factory=TrustedFacts)
    # The number of posts and pages the site shows.
    posts: int = 0
    pages: int = 0

    # The write stage: the folder the new site is made in, and its writer.
    staging: Path | None = None
    writer: SiteWriter | None = None
    # Files whose bytes changed, rendered or copied.
    written: int = 0
    # The id of the new tree, in its marker (blog/build/tree_id.py), once
    # every file is in the plan.
    build_id: str = ""

    # The render stage: the pages it rendered, and their links.
    to_render: list[RenderTask] = field(default_factory=list)
    rendered: dict[str, PageLinks] = field(default_factory=dict)

    # The search stage: what the new site's search index is made of
    # (blog/build/search.py), None without one.
    search_record: dict | None = None
