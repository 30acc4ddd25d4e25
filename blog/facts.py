"""The facts pages read while they rendered (blog/reads.py): as stored, and as
they are now.

A fact is stored once for each value it has had, under an id: a page or a
fragment keeps the ids of the facts it read. At the start of a build,
``CurrentFacts`` works out what each stored key's digest is now, the same way
the recording did (the same digest of the same values), and so which ids no
longer hold. A page is rendered again when one of its ids does not hold.

A change to the generator's code or to the build's options makes every fact
unknown: what the code does with what it reads is not a fact.
"""

from __future__ import annotations

import json
from pathlib import Path

from django.apps import apps
from django.contrib.staticfiles.storage import staticfiles_storage
from django.db import connection
from django.template import TemplateDoesNotExist, engines

from .digests import digest
from .models import QUERY_BATCH, CacheEntry, Fact, Post, delete_where_in
from .reads import NOW, ReadLog, identities, row_values
from .render_keys import generator_fingerprint
from .site_index import SiteIndex
from .siteconfig import SETTING, SiteConfig
from .static_storage import STATIC
from .template_loader import MISSING, RESOLVED, SOURCE
from .visibility import Visibility

# The facts' common ground: which code and options they were read with.
GROUND_ENTRY = "facts"
# What a fact is when what it named is gone; no recorded digest equals it.
GONE = "gone"


def now_parameter(rule: Visibility) -> str:
    """The build's "now" as the ORM passes it to SQLite in published()'s filter."""
    return connection.ops.adapt_datetimefield_value(rule.cutoff())


class CurrentFacts:
    """What each fact is now, worked out once per key."""

    def __init__(self, index: SiteIndex, site: SiteConfig, rule: Visibility) -> None:
        self.index = index
        self.site = site
        self.rule = rule
        self._now = now_parameter(rule)
        self._rows: dict[str, dict] = {}
        self._dates: dict[str, object] | None = None

    def digest(self, key: list) -> str:
        kind, *rest = key
        try:
            if kind == "row":
                return self._row(*rest)
            if kind == "index":
                return self._lookup(rest[0], rest[1:])
            if kind == "query":
                return self._query(*rest)
            if kind == SETTING:
                return digest(getattr(self.site, rest[0]))
            if kind == RESOLVED:
                return digest(self._resolve(rest[0]))
            if kind == SOURCE:
                return digest(Path(rest[0]).read_text(encoding="utf-8"))
            if kind == STATIC:
                return digest(staticfiles_storage.url(rest[0]))
        except (OSError, ValueError, LookupError):
            return GONE  # a file, static file, model or row that is no more
        return GONE  # a kind this version does not know

    def _row(self, label: str, identity) -> str:
        rows = self._rows.get(label)
        if rows is None:
            rows = self._rows[label] = self._row_digests(apps.get_model(label))
        return rows.get(identity, GONE)

    @staticmethod
    def _row_digests(model) -> dict:
        """identity -> row digest, for every row of ``model``, as blog/reads.py makes them."""
        meta = model._meta
        identity = getattr(model, "identity_field", None) or meta.pk.attname
        names = {f.attname for f in meta.concrete_fields}
        if "row_digest" in names:
            return dict(model.objects.values_list(identity, "row_digest"))
        attnames = [f.attname for f in meta.concrete_fields]
        digests = {}
        for values in model.objects.values_list(*attnames):
            row = dict(zip(attnames, values, strict=True))
            digests[row[identity]] = digest(row_values(meta, row))
        return digests

    def _lookup(self, name: str, arguments: list) -> str:
        if name == "is_scheduled":
            return self._scheduled(arguments[0][1])
        resolved = []
        for argument in arguments:
            if isinstance(argument, list):  # a post, by its identity
                post = self.index.post_from(argument[1])
                if post is None:
                    return GONE
                argument = post
            resolved.append(argument)
        found = getattr(self.index, name)
        return digest(identities(found(*resolved) if callable(found) else found))

    def _scheduled(self, source: str) -> str:
        if self._dates is None:
            self._dates = dict(Post.objects.values_list("source", "date"))
        date = self._dates.get(source)
        return GONE if date is None else digest(date > self.rule.cutoff())

    def _query(self, sql: str, parameters: str) -> str:
        values = [self._now if value == NOW else value for value in json.loads(parameters)]
        with connection.cursor() as cursor:
            cursor.execute(sql, values)
            return digest(cursor.fetchall())

    @staticmethod
    def _resolve(name: str) -> str:
        try:
            return engines["django"].engine.find_template(name)[1].name
        except TemplateDoesNotExist:
            return MISSING


class FactTable:
    """Every fact value some page or fragment read, by id."""

    def __init__(self, rule: Visibility) -> None:
        self._ground = {"generator": generator_fingerprint(), "drafts": rule.drafts, "future": rule.future}
        if CacheEntry.read(GROUND_ENTRY) != self._ground:
            Fact.objects.all().delete()
        self._by_id = {id_: (key, value) for id_, key, value in Fact.objects.values_list("id", "key", "digest")}
        self._ids = {fact: id_ for id_, fact in self._by_id.items()}
        self._next = max(self._by_id, default=0) + 1
        # (id, key, digest): model instances for tens of thousands of facts
        # would cost tens of megabytes.
        self._new: list[tuple[int, str, str]] = []

    def holding(self, current: CurrentFacts) -> set[int]:
        """The ids of the facts that hold now."""
        now: dict[str, str] = {}
        holding = set()
        for id_, (key, value) in self._by_id.items():
            if key not in now:
                now[key] = current.digest(json.loads(key))
            if now[key] == value:
                holding.add(id_)
        return holding

    def ids(self, log: ReadLog) -> list[int]:
        """The ids of what ``log`` recorded, new facts getting new ids."""
        ids = set(log.fact_ids)
        for key, value in log.facts.items():
            fact = (json.dumps(key, ensure_ascii=False), value)
            id_ = self._ids.get(fact)
            if id_ is None:
                id_ = self._ids[fact] = self._next
                self._next += 1
                self._new.append((id_, *fact))
            ids.add(id_)
        return sorted(ids)

    def save(self, in_use: set[int]) -> None:
        """Store the new facts; drop those no page or fragment uses once they
        outnumber the ones in use, so that not every build pays for it."""
        for start in range(0, len(self._new), QUERY_BATCH):
            batch = self._new[start : start + QUERY_BATCH]
            Fact.objects.bulk_create([Fact(id=id_, key=key, digest=value) for id_, key, value in batch])
        self._new.clear()
        CacheEntry.write(GROUND_ENTRY, self._ground)
        if len(self._ids) > 2 * len(in_use):
            delete_where_in(Fact, "id", set(self._ids.values()) - in_use)
