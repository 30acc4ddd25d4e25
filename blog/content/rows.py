"""Rows straight from SQLite, for the few queries every build runs over every
post or file: the ORM's per-row work (converters, chunked fetching) costs more
than the query itself on a site of thousands of posts."""

from __future__ import annotations

import json

from django.db import connection, models

# Nearly every stored list or mapping is empty: those need no parse.
_EMPTY_JSON = {"[]": list, "{}": dict, "null": lambda: None}


def plain_rows(queryset: models.QuerySet) -> list[tuple]:
    """The rows of a ``values_list`` queryset as SQLite gives them: a JSON field
    stays text (see ``json_value``), a date stays naive."""
    return sql_rows(*queryset.query.sql_with_params())


def sql_rows(sql: str, params) -> list[tuple]:
    """The rows of a query written in SQL, as SQLite gives them (plain_rows)."""
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def json_value(text: str):
    """What a JSON field's stored ``text`` holds, as the ORM would give it."""
    empty = _EMPTY_JSON.get(text)
    return empty() if empty else json.loads(text)
