"""The facts pages read while they rendered (blog/reads/recorder.py): as stored, and as
they are now.

A fact is a key naming what was read and a digest of what it was; its id is
a digest of both (``reads.fact_id``), so the worker that records a fact names
it, and a page or fragment keeps the ids of the facts it read. At the start
of a build, ``CurrentFacts`` works out, the same way the recording did,
whether each stored fact still holds; a page is rendered again when one of
its ids does not.

Rows are the many facts: every page reads fields of several. A row's fact
holds while the row is as it was at the last build (blog/reads/built_rows.py);
only the rows that changed since are loaded, to compare the fields that were read.

A change to the generator's code or to the build's options makes every fact
unknown: what the code does with what it reads is not a fact.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

from django.apps import apps
from django.contrib.staticfiles.storage import staticfiles_storage
from django.db import connection, transaction
from django.template import engines

from ..digests import digest
from ..models import CacheEntry, Fact, Post, delete_where_in
from ..site_index import SiteIndex
from ..siteconfig import SETTINGS_FACT, SiteConfig
from ..visibility import Visibility
from . import built_rows
from .recorder import NOW, RECORDED_MODELS
from .static_storage import STATIC
from .template_loader import MISSING, RESOLVED, SOURCE
from .template_loader import Loader as TemplateLoader
from .values import (
    INDEX_SUBJECT,
    SCHEDULED_LOOKUP,
    field_value,
    identities,
    identity_field,
    unpack_ids,
)

# The facts' common ground: which code and options they were read with.
GROUND_ENTRY = "facts"
# The site index's holdings as of the last build (SiteIndex.holdings).
INDEX_ENTRY = "index"
# Facts and fragments are stored in batches of about this many.
STORE_BATCH = 2000
# What a fact is when what it named is gone; no recorded digest equals it.
GONE = "gone"


def now_parameter(rule: Visibility) -> str:
    """The build's "now" as the ORM passes it to SQLite in published()'s filter."""
    return connection.ops.adapt_datetimefield_value(rule.cutoff())


class CurrentFacts:
    """Whether each fact holds now, worked out once per key."""

    def __init__(self, index: SiteIndex, site: SiteConfig, rule: Visibility) -> None:
        self.index = index
        self.site = site
        self.rule = rule
        self._now = now_parameter(rule)
        self._index_before: str | None = CacheEntry.read(INDEX_ENTRY)
        # What the index holds now: compared with the last build's, then stored.
        self.index_holdings = index.holdings()
        self._dates: dict[str, object] | None = None
        self._digests: dict[tuple, str] = {}
        self._instances: dict[tuple, object] = {}
        # Each recorded model's rows that changed since the last build (_changed_rows).
        self._changed: dict[type, set[str]] = {}

    def holds(self, key: tuple, value: str) -> bool:
        if key[0] != "row":
            now = self._digests.get(key)
            if now is None:
                now = self._digests[key] = self.digest(key)
            return now == value
        # A row's facts are checked only when the row changed since the last
        # build (changed_subjects): did the fields the page read? Few rows
        # change between builds; each is loaded whole here.
        _kind, label, identity, names = key
        try:
            instance = self._instance(label, identity)
        except LookupError:
            return False  # a model that is no more
        if instance is None:
            return False  # a row that is no more
        return digest([field_value(instance, name) for name in names]) == value

    def digest(self, key: tuple) -> str:
        kind, *rest = key
        try:
            if kind == "index":
                return self._lookup(rest[0], rest[1:])
            if kind == "query":
                return self._query(*rest)
            if key == SETTINGS_FACT:
                return digest(self.site)
            if kind == RESOLVED:
                return digest(self._resolve(rest[0]))
            if kind == SOURCE:
                return digest(Path(rest[0]).read_text(encoding="utf-8"))
            if kind == STATIC:
                return digest(staticfiles_storage.url(rest[0]))
        except (OSError, ValueError, LookupError):
            return GONE  # a file, static file, model or row that is no more
        return GONE  # a kind this version does not know

    def _instance(self, label: str, identity):
        """The row, loaded once however many facts read it; None if it is gone."""
        if (label, identity) not in self._instances:
            model = apps.get_model(label)
            self._instances[label, identity] = model.objects.filter(**{identity_field(model): identity}).first()
        return self._instances[label, identity]

    def changed_subjects(self) -> set[str]:
        """The subjects (blog/reads/values.py, fact_subject) that are not as they
        were at the last build: the rows changed, added or gone, and the site
        index if its holdings changed. Every fact about any other subject holds."""
        changed = set().union(*(self._changed_rows(model) for model in RECORDED_MODELS))
        if self.index_holdings != self._index_before:
            changed.add(INDEX_SUBJECT)
        return changed

    def _changed_rows(self, model) -> set[str]:
        """The subjects of ``model``'s rows that changed since the last build, found once."""
        if model not in self._changed:
            self._changed[model] = built_rows.changed(model)
        return self._changed[model]

    def record_rows(self) -> None:
        """Store every recorded row as it is now, for the next build to compare with."""
        for model in RECORDED_MODELS:
            built_rows.record(model, self._changed_rows(model))

    def _lookup(self, name: str, arguments: list) -> str:
        if name == SCHEDULED_LOOKUP:
            return self._scheduled(arguments[0][1])
        resolved = []
        for argument in arguments:
            if isinstance(argument, tuple):  # a post, by its identity
                post = self.index.post_from(argument[1])
                if post is None:
                    return GONE
                argument = post
            resolved.append(argument)
        found = getattr(self.index, name)
        return digest(identities(found(*resolved) if callable(found) else found))

    def _scheduled(self, source: str) -> str:
        # A visible post's date is in the index; only a post that is no longer
        # visible (a draft now) costs the query over every post's date.
        post = self.index.post_from(source)
        if post is not None:
            return digest(self.rule.scheduled(post.date))
        if self._dates is None:
            self._dates = dict(Post.objects.values_list("source", "date"))
        date = self._dates.get(source)
        return GONE if date is None else digest(self.rule.scheduled(date))

    def _query(self, sql: str, parameters: str) -> str:
        values = [self._now if value == NOW else value for value in json.loads(parameters)]
        with connection.cursor() as cursor:
            cursor.execute(sql, values)
            return digest(cursor.fetchall())

    @staticmethod
    def _resolve(name: str) -> str:
        for loader in engines["django"].engine.template_loaders:
            if isinstance(loader, TemplateLoader):
                return loader.resolved_file(name)
        return MISSING


class FactTable:
    """The stored facts. Facts are named by their ids everywhere else; the
    table holds their keys and digests so that a later build can check them.

    What a build trusts is the ids the previous output's pages name, less the
    ones that fail now (TrustedFacts): a stored fragment is reused only when
    its facts are among those too (blog/build/fragments.py). The table is
    never read whole. It holds every fact a recorded page names: those are
    stored in the transaction that records the page, and a fact leaves the
    table only once it fails and the build that rendered every page naming
    it is recorded (docs/incremental.md, "Which facts are kept"). So a fact a
    page names, whose subject did not change since the last build, holds;
    the others are checked."""

    def __init__(self, rule: Visibility, any_named: bool) -> None:
        """``any_named``: whether the previous output's pages name any fact."""
        # Imported here, not at the top: blog.build imports this module, and
        # importing a module of blog.build first loads all of blog.build.
        from ..build.fingerprints import generator_fingerprint

        self._ground = {"generator": generator_fingerprint(), "drafts": rule.drafts, "future": rule.future}
        # With new code or options no stored fact is known to hold: they go.
        self._known = any_named and CacheEntry.read(GROUND_ENTRY) == self._ground
        if not self._known:
            Fact.objects.all().delete()
            CacheEntry.objects.filter(key=INDEX_ENTRY).delete()
            built_rows.forget()
        # The stored facts that fail now: deleted once the build that
        # renders every page naming them is recorded.
        self._failing: set[int] = set()
        self._new: dict[int, tuple[str, str, str]] = {}

    def trusted(self, current: CurrentFacts, records: Sequence[tuple[str, str, bytes | None]]) -> TrustedFacts:
        """The facts this build trusts: those the previous output's pages
        name (``records``, TrustedFacts) that hold now.

        Most facts are about a subject that did not change since the last
        build: a row, or the site index (blog/reads/values.py, fact_subject).
        Those hold, and are known by their subject without their keys being
        read. At 10,000 posts an edit's check went from 0.80 s to 0.62 s when
        the rows' facts were passed so, and from 0.40 s to 0.10 s when the
        index's were too (docs/benchmarks.md, issue 17). The others, found
        through the index on ``subject``, are read a row at a time and
        checked: only the answer is kept."""
        if not self._known:
            return TrustedFacts()
        changed = json.dumps(sorted(current.changed_subjects()))
        # The changed subjects go in as one JSON parameter: a large change
        # would pass SQLite's limit on parameters.
        checked = "subject = '' OR subject IN (SELECT value FROM json_each(%s))"
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT id, key, digest FROM {Fact._meta.db_table} WHERE {checked}", [changed])
            for id_, key, value in cursor:
                if not current.holds(_frozen(json.loads(key)), value):
                    self._failing.add(id_)
        return TrustedFacts(records, self._failing)

    def add(self, new: dict[int, tuple[str, str, str]]) -> None:
        """Facts first named in this build (id -> (key as JSON, digest, subject)), to
        store. A fact is true of itself whatever becomes of the build, so they
        are stored in batches as they come, not held to the end."""
        self._new.update(new)
        if len(self._new) >= STORE_BATCH:
            self.flush()

    def flush(self) -> None:
        # Plain SQL: a cold build stores tens of thousands of facts, and
        # bulk_create's per-object work cost seconds there.
        rows = [(id_, *fact) for id_, fact in self._new.items()]
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.executemany(
                f"INSERT OR IGNORE INTO {Fact._meta.db_table} (id, key, digest, subject) VALUES (%s, %s, %s, %s)",
                rows,
            )
        self._new.clear()

    def save(self, current: CurrentFacts) -> None:
        """Store the last new facts, and the rows as they are now: every fact
        the new site's pages read holds for them. Called in the transaction
        that records those pages, none of which names a fact that failed
        (each page that named one was rendered again): those go."""
        self.flush()
        delete_where_in(Fact, "id", self._failing)
        current.record_rows()
        CacheEntry.write(INDEX_ENTRY, current.index_holdings)
        CacheEntry.write(GROUND_ENTRY, self._ground)


class TrustedFacts:
    """The facts a build trusts: the ones the previous output's pages name,
    less the ones that fail now (``failing``). A fact no recorded page names
    is never trusted, though the table may hold it: a failed build may have
    stored it, true then and false now, while its subject is as it was at
    the last recorded build (so it is not checked).

    A page asks about the fragments it shows (a list page, the archive): a
    fragment's facts are trusted if the page's own previous version named
    them all, and otherwise if any recorded page did. A page rendered again
    mostly shows what it showed before, and its own ids are few: the set of
    every page's ids (368,000 ids of 67,000 pages at 50,000 posts) took
    0.15-0.17 s to make, and is made only if some page needs it."""

    def __init__(self, records: Sequence[tuple[str, str, bytes | None]] = (), failing: set[int] | None = None) -> None:
        """``records``: the previous output's files as the cache recorded them
        (output file, key, and a page's fact ids, reads.pack_ids), taken as
        they are: an edit of a post's body asks nothing of them, and a dict of
        them by page took 0.02 s at 50,000 posts. ``failing``: those of
        their facts that do not hold now."""
        self.failing: set[int] = failing or set()
        self._records = records
        self._any = any(ids for _path, _key, ids in records)
        self._named: set[int] | None = None
        self._by_page: dict[str, bytes] | None = None
        # The last page that asked, and the ids its previous version named.
        self._asking: tuple[str, set[int]] = ("", set())

    def __bool__(self) -> bool:
        """Whether any stored fact may be trusted: none on a first build, nor with new code."""
        return self._any

    def gather(self) -> set[int]:
        """The ids the pages name, in a set made once."""
        if self._named is None:
            # One unpack of them all end to end, not one per page: 0.05 s of 0.2 at 50,000 posts.
            self._named = set(unpack_ids(b"".join([ids for _path, _key, ids in self._records if ids])))
        return self._named

    def hold(self, packed: bytes, page: str = "") -> bool:
        """Whether every fact of ``packed`` (reads.pack_ids) is trusted, asked
        by the page ``page`` (its output file) when it shows them."""
        ids = unpack_ids(packed)
        if not self.failing.isdisjoint(ids):
            return False
        return self._named_by(page).issuperset(ids) or self.gather().issuperset(ids)

    def _named_by(self, page: str) -> set[int]:
        """The ids the previous version of ``page`` named (none for a new page)."""
        if self._asking[0] != page:
            if self._by_page is None:
                self._by_page = {path: ids for path, _key, ids in self._records if ids}
            previous = self._by_page.get(page)
            self._asking = (page, set() if previous is None else set(unpack_ids(previous)))
        return self._asking[1]


def _frozen(key: list) -> tuple:
    """A key read back from JSON, as the recorder made it: lists are tuples.
    A key nests one level at most (a row's identity, the fields read)."""
    return tuple(tuple(part) if type(part) is list else part for part in key)
