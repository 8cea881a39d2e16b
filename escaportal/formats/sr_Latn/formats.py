"""Serbian (Latin): 25.11.2026. and 25.11.2026. 14:30, with two-digit days.

Django's own short format ("j.m.Y.") pads the month but not the day
(5.03.2026.); Serbian usage pads both. Long dates put the month in the
genitive, "25. novembra 2026." (``E``: the month names of common/month_names.py;
Django's own "F" gives the nominative "novembar"); decimals keep Django's comma.
A long date ends with its own full stop, so a Serbian sentence that ends with
one adds none (tests/test_translations.py holds the catalogue to it). A percentage takes a no-break space
before the sign: "85,5 %".
"""

DATE_FORMAT = "j. E Y."
DATETIME_FORMAT = "j. E Y. H:i"
SHORT_DATE_FORMAT = "d.m.Y."
SHORT_DATETIME_FORMAT = "d.m.Y. H:i"
PERCENT_FORMAT = "{}\u00a0%"
