"""How facts name what pages read: a row by its identity, the value of a
field as a page saw it, a fact by its id, a page's fact ids packed. Plain
functions of their arguments, shared by the recorder and by blog/reads/facts.py."""

from __future__ import annotations

import hashlib
from array import array
from functools import cache

from ..digests import digest

# Read like a field: a post's tags (Post.tag_list).
TAGS = "tag_list"
# The subject of every site-index lookup but one (fact_subject).
INDEX_SUBJECT = "index"
# The lookup that is not the index's: whether a post is not out yet
# (Post.is_scheduled), which changes with the clock.
SCHEDULED_LOOKUP = "is_scheduled"
NOT_SCHEDULED = digest(False)


def identity_field(model) -> str:
    """The field that names a row of ``model`` from one build to the next
    (``identity_field`` on the model; the primary key otherwise). Primary keys
    do not name posts: the content sync replaces an edited post's row, and
    SQLite may reuse an id."""
    return getattr(model, "identity_field", None) or model._meta.pk.attname


def row_subject(label: str, identity) -> str:
    """The row a row fact is about, as stored beside the fact (``Fact.subject``),
    so that the check skips the facts of rows that did not change without
    reading their keys."""
    return f"{label} {identity}"


def fact_subject(key: tuple, value: str) -> str:
    """What a fact is about, stored beside it (``Fact.subject``), so that the
    check passes the facts of a subject that did not change without reading
    their keys: a row fact, its row; a site-index lookup, the index (its
    ``holdings``); a post's "not scheduled", the post's row, since the clock
    only moves forward and a post that is out stays out while its date stays.
    Any other fact ("scheduled" among them) is checked on every build: ""."""
    kind = key[0]
    if kind == "row":
        return row_subject(key[1], key[2])
    if kind == "index":
        if key[1] != SCHEDULED_LOOKUP:
            return INDEX_SUBJECT
        if value == NOT_SCHEDULED:
            return row_subject(*key[2])
    return ""


def row_values(meta, values: dict) -> list:
    return [values.get(f.attname) for f in meta.concrete_fields if not f.primary_key]


def field_value(instance, name: str):
    """What a page saw of the field ``name``; for a post's tags, their slugs
    (each tag's name is a read of the tag's own row)."""
    if name == TAGS:
        # Loaded by the read being recorded; in blog/reads/facts.py, loaded here.
        tags = instance.__dict__.get("_tag_list")
        if tags is None:
            tags = instance.tag_list
        return tuple(tag.__dict__["slug"] for tag in tags)
    return instance.__dict__[name]


def identities(value):
    """What a lookup returned, as plain values: rows by their identity."""
    naming = row_naming(type(value))
    if naming is not None:
        return (naming[0], value.__dict__.get(naming[1]))
    if isinstance(value, list | tuple):
        return tuple([identities(item) for item in value])
    return value


@cache
def row_naming(kind: type) -> tuple[str, str] | None:
    """How rows of the model ``kind`` are named: its label and identity field;
    None for a type that is not a model. Worked out once per type: the build's
    check names every post of the site this way, and a worker every row its
    pages read, and each of those facts' keys then shares the one label
    string (docs/benchmarks.md, issue 17, session 9)."""
    meta = getattr(kind, "_meta", None)
    return None if meta is None else (meta.label_lower, identity_field(kind))


def pack_ids(ids) -> bytes:
    """Fact ids as stored with a page or fragment: 8 bytes each. As a list,
    a large site's pages would hold a Python object per id."""
    return array("q", sorted(ids)).tobytes()


def unpack_ids(packed: bytes) -> array:
    ids = array("q")
    ids.frombytes(packed)
    return ids


def fact_id(key: str, value: str) -> int:
    """A fact's id: a digest of its key (as JSON) and its value, in the 63 bits
    of an SQLite integer key. Two facts share an id once in about 10^13 pairs
    at a million facts."""
    hashed = hashlib.blake2b(f"{key}\0{value}".encode(), digest_size=8).digest()
    return int.from_bytes(hashed, "big") >> 1
