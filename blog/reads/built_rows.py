"""Which recorded rows changed since the last build: each row's digest now,
compared with the one stored for it then (``BuiltRow``, by the row's subject,
blog/reads/values.py).

A post or page carries the digest the content sync stored with it
(``row_digest``): for those the comparison is a join in SQLite, and no row
comes into Python but the few that changed. Kept as one JSON value, the
digests of a 50,000-post site took 0.21 s of every edit to read, compare and
write back (docs/benchmarks.md, issue 17, session 19). A model without that
column (tags: a few hundred rows) has its digests made here from its
columns, and compared in Python.
"""

from __future__ import annotations

from django.db import connection

from ..content.rows import sql_rows
from ..digests import digest
from ..models import QUERY_BATCH, BuiltRow
from .values import identity_field, row_subject, row_values

# The column in which the content sync stores a digest of the whole row.
DIGEST_COLUMN = "row_digest"


def changed(model) -> set[str]:
    """The subjects of ``model``'s rows that are new, gone, or not as last recorded."""
    if _has_digest_column(model):
        return {subject for (subject,) in sql_rows(*_differing(model)) + sql_rows(*_gone(model))}
    now, before = _digests_now(model), _recorded(model)
    return {subject for subject in now.keys() | before.keys() if now.get(subject) != before.get(subject)}


def record(model, subjects: set[str]) -> None:
    """Store the rows of ``subjects`` (``model``'s, as ``changed`` found them)
    as they are now, for the next build to compare with: those still there
    with their digest, the others not at all. The content cannot change
    during a build: the rows are the ones that were compared."""
    built = BuiltRow._meta.db_table
    table, identity, prefix = _names(model)
    subjects = sorted(subjects)
    with connection.cursor() as cursor:
        for start in range(0, len(subjects), QUERY_BATCH):
            batch = subjects[start : start + QUERY_BATCH]
            marks = ", ".join(["%s"] * len(batch))
            cursor.execute(f'DELETE FROM "{built}" WHERE subject IN ({marks})', batch)
            if _has_digest_column(model):
                cursor.execute(
                    f'INSERT INTO "{built}" (subject, digest) SELECT %s || "{identity}", "{DIGEST_COLUMN}" '
                    f'FROM "{table}" WHERE "{identity}" IN ({marks})',
                    [prefix, *(subject[len(prefix) :] for subject in batch)],
                )
        if not _has_digest_column(model):
            now = _digests_now(model)
            cursor.executemany(
                f'INSERT INTO "{built}" (subject, digest) VALUES (%s, %s)',
                [(subject, now[subject]) for subject in subjects if subject in now],
            )


def forget() -> None:
    """No row is known as it was: every row counts as changed."""
    BuiltRow.objects.all().delete()


def _has_digest_column(model) -> bool:
    return any(field.attname == DIGEST_COLUMN for field in model._meta.concrete_fields)


def _differing(model) -> tuple[str, list]:
    """SQL for the subject of each row of ``model`` whose digest is not the
    one recorded for it (or none is)."""
    table, identity, prefix = _names(model)
    sql = (
        f'SELECT %s || live."{identity}" FROM "{table}" live '
        f'LEFT JOIN "{BuiltRow._meta.db_table}" built ON built.subject = %s || live."{identity}" '
        f'WHERE built.digest IS NOT live."{DIGEST_COLUMN}"'
    )
    return sql, [prefix, prefix]


def _gone(model) -> tuple[str, list]:
    """SQL for the recorded subjects of ``model`` whose row is gone."""
    table, identity, prefix = _names(model)
    sql = (
        f'SELECT subject FROM "{BuiltRow._meta.db_table}" built WHERE subject >= %s AND subject < %s '
        f'AND NOT EXISTS (SELECT 1 FROM "{table}" live WHERE live."{identity}" = substr(built.subject, %s))'
    )
    return sql, [prefix, _past(prefix), len(prefix) + 1]


def _names(model) -> tuple[str, str, str]:
    """The table, the identity's column, and the start of every subject of ``model``."""
    meta = model._meta
    return meta.db_table, meta.get_field(identity_field(model)).column, row_subject(meta.label_lower, "")


def _past(prefix: str) -> str:
    """The first text after every subject that starts with ``prefix`` (a
    label and a space): "!" is the character after the space."""
    return prefix[:-1] + "!"


def _digests_now(model) -> dict[str, str]:
    """Subject -> a digest of the row's columns, for every row of ``model``."""
    meta, identity = model._meta, identity_field(model)
    attnames = [field.attname for field in meta.concrete_fields]
    digests = {}
    for values in model.objects.values_list(*attnames):
        row = dict(zip(attnames, values, strict=True))
        digests[row_subject(meta.label_lower, row[identity])] = digest(row_values(meta, row))
    return digests


def _recorded(model) -> dict[str, str]:
    """Subject -> digest, as recorded for ``model``'s rows."""
    _table, _identity, prefix = _names(model)
    return dict(
        BuiltRow.objects.filter(subject__gte=prefix, subject__lt=_past(prefix)).values_list("subject", "digest")
    )
