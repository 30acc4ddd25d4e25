"""What a page reads while it renders, recorded so that the next build can tell
whether the page would come out the same.

While the build renders a page, or a post fragment inside one
(blog/build/fragments.py), a ``ReadLog`` is open. Everything a page can read
reports to it, through the hooks Django offers for each:

- model rows: each field of a content model has a recording descriptor
  (``RecordedField``, installed by blog/models.py), so reading any field logs
  it; when the log closes, each row becomes one fact: its stable identity (a
  post's or page's source file, a tag's slug), the fields read, and a digest
  of their values;
- database queries (``connection.execute_wrapper``): the SQL, its parameters
  and a digest of the rows it returns, so a custom template tag that queries
  ``Post`` is covered without knowing about it;
- site-index lookups (blog/site_index.py): which lookup, its arguments, and
  the identities it returned;
- templates, as the template engine finds them by name (blog/reads/template_loader.py);
- the ``site.toml`` settings, as one fact (``active_site()``, blog/siteconfig.py);
- static files referenced with ``{% static %}`` (blog/reads/static_storage.py).

Each of these is a *fact*: a key that names what was read, and a digest of
what it was. blog/reads/facts.py works out at the next build whether each
still holds; a page whose facts all hold would render to the same bytes
(while the code is the same), so it is reused.

What cannot be known this way makes the page *volatile*, rendered on every
build: the clock read through ``{% now %}``, a file opened while rendering,
a query whose parameters cannot be stored, a statement that writes.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from django.db import connection
from django.db.models.query_utils import DeferredAttribute

from ..digests import digest
from .values import TAGS, fact_id, fact_subject, field_value, identities, pack_ids, row_naming, unpack_ids

if TYPE_CHECKING:
    from .facts import TrustedFacts

# Written in the parameters of a recorded query in place of the build's "now",
# which every published() query compares dates with: at the next build the
# query is run again with that build's "now" (blog/reads/facts.py).
NOW = "<now>"


@dataclass
class ReadLog:
    """What one page, or one fragment, read: fact key -> digest."""

    facts: dict[tuple, str] = field(default_factory=dict)
    # Rows read and not yet made facts: id(instance) -> (instance, fields read).
    rows: dict[int, tuple[object, set[str]]] = field(default_factory=dict)
    # Facts already stored under these ids (a stored fragment's).
    fact_ids: set[int] = field(default_factory=set)
    volatile: bool = False

    def merge(self, other: ReadLog) -> None:
        self.facts.update(other.facts)
        self.fact_ids |= other.fact_ids
        self.volatile |= other.volatile


class Recorder:
    """Records reads into the innermost open log. One per build process; the
    digests it works out are kept for the whole build, in which the content
    cannot change."""

    def __init__(self, now_parameter: str | None = None, ignored_folders: tuple[Path, ...] = ()) -> None:
        """``now_parameter``: the build's "now" as a query parameter;
        ``ignored_folders``: folders whose files a page may open without
        becoming volatile (templates and collected static files are facts
        of their own)."""
        self._logs: list[ReadLog] = []
        self.open: ReadLog | None = None
        self._digests: dict[tuple, str] = {}
        # Each set of field names that row facts name, once: pages read rows
        # a few ways each, and a worker at 50,000 posts keeps hundreds of
        # thousands of row facts' keys (docs/benchmarks.md, issue 17, session 11).
        self._field_sets: dict[tuple[str, ...], tuple[str, ...]] = {}
        self._paused = 0
        self.now_parameter = now_parameter
        self.ignored_folders = tuple(str(folder) for folder in ignored_folders) + _SYSTEM_FOLDERS
        # The stored facts the build trusts: a stored fragment is used if
        # all of its facts are among them (blog/build/fragments.py).
        self.trusted: TrustedFacts | None = None
        # The output file of the page being rendered, which asks the trusted facts.
        self.page = ""
        # Fact ids worked out in this process, by key, and the facts not yet
        # sent to the build's main process to be stored. A key is enough: in
        # one process a key has one digest, the one memoised in _digests,
        # which every log's digest comes from. Keyed by (key, digest) pairs,
        # a worker at 50,000 posts kept 20 MB of pairs.
        self._ids: dict[tuple, int] = {}
        self._unsent: dict[int, tuple[str, str, str]] = {}
        # Fragments rendered or loaded in this process, for the pages that
        # show them again: (template, source) -> (html, its facts' ids packed).
        # Ids, not the log: at 50,000 posts a worker keeps tens of thousands.
        self.fragments: dict[tuple[str, str], tuple[str, bytes]] = {}
        # Fragments rendered since the last take_fresh_fragments():
        # (template, source, html, its facts' ids packed).
        self._fresh: list[tuple[str, str, str, bytes]] = []

    def _reopen(self) -> None:
        # The log reads go to, kept in one attribute for the hooks, which run
        # hundreds of times a page: the innermost log, unless paused.
        self.open = self._logs[-1] if self._logs and not self._paused else None

    @contextmanager
    def log(self) -> Iterator[ReadLog]:
        """Open a log; what it records is also recorded in the enclosing one."""
        log = ReadLog()
        self._logs.append(log)
        self._reopen()
        try:
            yield log
        finally:
            self._logs.pop()
            self._reopen()
            self._row_facts(log)
            if self._logs:
                self._logs[-1].merge(log)

    @contextmanager
    def paused(self) -> Iterator[None]:
        self._paused += 1
        self._reopen()
        try:
            yield
        finally:
            self._paused -= 1
            self._reopen()

    def fact(self, key: tuple, compute: Callable[[], str]) -> None:
        """Record ``key``; ``compute`` gives its digest, once per build."""
        if self.open is None:
            return
        facts = self.open.facts
        if key in facts:
            return
        value = self._digests.get(key)
        if value is None:
            value = self._digests[key] = compute()
        facts[key] = value

    def value(self, key: tuple, value) -> None:
        """Record ``key``, whose value is ``value``."""
        if self.open is None:
            return
        facts = self.open.facts
        if key not in facts:
            known = self._digests.get(key)
            if known is None:
                known = self._digests[key] = digest(value)
            facts[key] = known

    def merge_ids(self, packed: bytes) -> None:
        """Record the facts named by ``packed`` ids (a fragment reused)."""
        if self.open is not None:
            self.open.fact_ids.update(unpack_ids(packed))

    def volatile(self) -> None:
        if self.open is not None:
            self.open.volatile = True

    def ids(self, log: ReadLog) -> bytes:
        """The ids of the facts in ``log``, packed (pack_ids)."""
        ids = set(log.fact_ids)
        known = self._ids
        for fact, value in log.facts.items():
            id_ = known.get(fact)
            if id_ is None:
                key = json.dumps(fact, ensure_ascii=False)
                id_ = known[fact] = fact_id(key, value)
                self._unsent[id_] = (key, value, fact_subject(fact, value))
            ids.add(id_)
        return pack_ids(ids)

    def take_new_facts(self) -> dict[int, tuple[str, str, str]]:
        """The facts this process named since the last call: id -> (key as JSON,
        digest, the row it is about or "")."""
        new, self._unsent = self._unsent, {}
        return new

    def remember_fragment(self, name: tuple[str, str], html: str, log: ReadLog, kept: bool) -> None:
        """A fragment rendered in this process, to be stored; ``kept``: also
        kept here for the pages of this build that show it again."""
        packed = self.ids(log)
        if kept:
            self.fragments[name] = (html, packed)
        self._fresh.append((*name, html, packed))

    def take_fresh_fragments(self) -> list[tuple[str, str, str, bytes]]:
        """Fragments rendered since the last call: (template, source, html, its facts' ids packed)."""
        fresh, self._fresh = self._fresh, []
        return fresh

    # --- the hooks -------------------------------------------------------------

    def row(self, instance, name: str) -> None:
        """The field ``name`` of a model instance was read."""
        if self.open is None:
            return
        rows = self.open.rows
        entry = rows.get(id(instance))
        if entry is None:
            rows[id(instance)] = (instance, {name})
        else:
            entry[1].add(name)

    def _row_facts(self, log: ReadLog) -> None:
        """Turn the rows ``log`` read into facts, one per row: its identity and
        the fields read, with a digest of those fields' values. A row read the
        same way on many pages is worked out once (the values cannot change
        during a build)."""
        by_row: dict[tuple, tuple[list, set]] = {}
        for instance, names in log.rows.values():
            label, field = row_naming(type(instance))
            identity = instance.__dict__.get(field)
            if identity is None:
                # A partial copy, such as the one Model.refresh_from_db loads:
                # the instance it loads for records itself.
                continue
            row = (label, identity)
            entry = by_row.get(row)
            if entry is None:
                by_row[row] = ([instance], set(names))
            else:
                entry[0].append(instance)
                entry[1].update(names)
        log.rows.clear()
        known = self._digests
        facts = log.facts
        field_sets = self._field_sets
        for (label, identity), (instances, names) in by_row.items():
            names = tuple(sorted(names))
            key = ("row", label, identity, field_sets.setdefault(names, names))
            fact = known.get(key)
            if fact is None:
                fact = known[key] = digest([_read_value(instances, name) for name in key[3]])
            facts[key] = fact

    def query(self, execute, sql, params, many, context):
        """A ``connection.execute_wrapper``: record each SELECT with a digest of its rows."""
        if self.open is None:
            return execute(sql, params, many, context)
        if many or sql.lstrip()[:6].upper() != "SELECT":
            self.volatile()  # a write while rendering: nothing to compare next time
            return execute(sql, params, many, context)
        stored = self._stored_parameters(params)
        if stored is None:
            self.volatile()
        else:
            self.fact(("query", sql, stored), lambda: self._run(context["connection"], sql, params))
        return execute(sql, params, many, context)

    def _stored_parameters(self, params) -> str | None:
        """The query's parameters as JSON, the build's "now" written as NOW;
        None if they cannot be stored."""
        if isinstance(params, dict):
            return None  # named parameters: not produced by the ORM on SQLite
        values = [NOW if value == self.now_parameter else value for value in params or ()]
        try:
            return json.dumps(values)
        except TypeError:
            return None

    def _run(self, connection, sql: str, params) -> str:
        with self.paused(), connection.cursor() as cursor:
            cursor.execute(sql, params)
            return digest(cursor.fetchall())

    def opened(self, path) -> None:
        """A file opened while rendering (an audit hook's "open" event) makes the page volatile."""
        if self.open is None:
            return
        if not isinstance(path, str):
            path = str(path) if isinstance(path, Path) else ""
        if not path or path.endswith(_CODE_SUFFIXES) or path.startswith(self.ignored_folders):
            return
        self.volatile()


# Python's own files, and the system's read-only data (time zones, MIME types).
_SYSTEM_FOLDERS = tuple(sorted({sys.prefix, sys.base_prefix, sys.exec_prefix, "/usr/", "/etc/", "/proc/", "/dev/"}))
_CODE_SUFFIXES = (".py", ".pyc", ".so", ".mo")

_current: ContextVar[Recorder | None] = ContextVar("blog_reads_recorder", default=None)
_audit_installed = False


def current() -> Recorder | None:
    """The recorder of the build rendering in this process, or None."""
    return _current.get()


@contextmanager
def recording(recorder: Recorder) -> Iterator[Recorder]:
    """Let ``recorder`` hear every read until the block ends (inherited by
    forked workers)."""
    global _audit_installed
    if not _audit_installed:
        # An audit hook cannot be removed: one, installed once, asks whichever
        # recorder is current.
        sys.addaudithook(_audit)
        _audit_installed = True
    token = _current.set(recorder)
    try:
        with connection.execute_wrapper(recorder.query):
            yield recorder
    finally:
        _current.reset(token)


def _audit(event: str, arguments: tuple) -> None:
    if event == "open":
        recorder = _current.get()
        if recorder is not None:
            recorder.opened(arguments[0])


@contextmanager
def not_recorded() -> Iterator[None]:
    """Reads that are facts already: a post's body loaded for a post the page
    found through the index, whose row fact covers the body."""
    recorder = _current.get()
    if recorder is None:
        yield
        return
    with recorder.paused():
        yield


def volatile() -> None:
    """The page being rendered read something that cannot be recorded."""
    recorder = _current.get()
    if recorder is not None:
        recorder.volatile()


# --- rows --------------------------------------------------------------------------


def _read_value(instances: list, name: str):
    """The value of the field ``name`` as a page saw it, from whichever of the
    row's instances has it loaded (a post from the index has no body; its
    copy with the body has)."""
    loaded = "_tag_list" if name == TAGS else name
    for instance in instances:
        if loaded in instance.__dict__:
            return field_value(instance, name)
    return field_value(instances[0], name)


def record_field(instance, name: str) -> None:
    recorder = _current.get()
    if recorder is not None:
        recorder.row(instance, name)


class RecordedField(DeferredAttribute):
    """A model field's descriptor that records the row whenever the field is read.

    Django's own descriptor is a non-data descriptor, which the instance's
    ``__dict__`` bypasses; this one also takes assignments, so every read,
    however the instance was made, goes through ``__get__``."""

    def __get__(self, instance, cls=None):
        if instance is None:
            return self
        data = instance.__dict__
        name = self.attname
        recorder = _current.get()
        if name not in data:
            # A deferred field, loaded now: not a fact of its own, it is part
            # of the row recorded below.
            if recorder is None:
                return super().__get__(instance, cls)
            with recorder.paused():
                super().__get__(instance, cls)
        if recorder is not None:
            recorder.row(instance, name)
        return data[name]

    def __init__(self, field) -> None:
        super().__init__(field)
        self.attname = field.attname

    def __set__(self, instance, value) -> None:
        instance.__dict__[self.attname] = value


# The models whose rows pages read field by field (blog/models.py).
RECORDED_MODELS: list = []


def record_fields(*models) -> None:
    """Install RecordedField on every field of ``models`` but the primary key."""
    RECORDED_MODELS.extend(models)
    for model in models:
        for model_field in model._meta.concrete_fields:
            if not model_field.primary_key:
                setattr(model, model_field.attname, RecordedField(model_field))


# --- lookups and settings -------------------------------------------------------------


def record_lookup(name: str, arguments: tuple, result) -> None:
    """A site-index lookup (blog/site_index.py) and what it found."""
    recorder = _current.get()
    if recorder is not None and recorder.open is not None:
        key = ("index", name, *identities(arguments))
        recorder.fact(key, lambda: digest(identities(result)))


def record_value(kind: str, name: str, value) -> None:
    """A value read by name: a static file's URL, a template's source."""
    record_key((kind, name), value)


def record_key(key: tuple, value) -> None:
    """A value read under ``key``: the site's settings, whose key is made once."""
    recorder = _current.get()
    if recorder is not None and recorder.open is not None:
        recorder.value(key, value)
