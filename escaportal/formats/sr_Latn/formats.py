"""Serbian (Latin): 25.11.2026. and 25.11.2026. 14:30, with two-digit days.

Django's own short format ("j.m.Y.") pads the month but not the day
(5.03.2026.); Serbian usage pads both. Long dates keep Django's
"25. novembar 2026.", decimals its comma. A percentage takes a no-break space
before the sign: "85,5 %".
"""

SHORT_DATE_FORMAT = "d.m.Y."
SHORT_DATETIME_FORMAT = "d.m.Y. H:i"
PERCENT_FORMAT = "{}\u00a0%"
