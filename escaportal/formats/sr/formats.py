"""Serbian (Cyrillic): the same formats as the Latin script; only the month names differ."""

from escaportal.formats.sr_Latn.formats import (
    DATE_FORMAT,
    DATETIME_FORMAT,
    PERCENT_FORMAT,
    SHORT_DATE_FORMAT,
    SHORT_DATETIME_FORMAT,
)

__all__ = ["DATETIME_FORMAT", "DATE_FORMAT", "PERCENT_FORMAT", "SHORT_DATETIME_FORMAT", "SHORT_DATE_FORMAT"]
