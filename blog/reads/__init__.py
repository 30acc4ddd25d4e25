"""Recording what a page reads while it renders (``recorder``), the hooks in
the template loader and the static storage, and what each recorded fact is at
the next build (``facts``).

The recorder's names are this package's: ``from blog import reads`` then
``reads.current()``, ``reads.record_value(...)``.
"""

from .recorder import (
    NOW,
    RECORDED_MODELS,
    ReadLog,
    RecordedField,
    Recorder,
    current,
    not_recorded,
    record_field,
    record_fields,
    record_key,
    record_lookup,
    record_value,
    recording,
    volatile,
)
from .values import (
    SCHEDULED_LOOKUP,
    TAGS,
    fact_id,
    field_value,
    identities,
    pack_ids,
    row_values,
    unpack_ids,
)

__all__ = [
    "NOW",
    "RECORDED_MODELS",
    "TAGS",
    "ReadLog",
    "RecordedField",
    "SCHEDULED_LOOKUP",
    "Recorder",
    "current",
    "fact_id",
    "field_value",
    "identities",
    "not_recorded",
    "pack_ids",
    "record_field",
    "record_fields",
    "record_key",
    "record_lookup",
    "record_value",
    "recording",
    "row_values",
    "unpack_ids",
    "volatile",
]
