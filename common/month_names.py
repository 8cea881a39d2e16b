"""The months as a long date names them, kept in the portal's own catalogues.

A Serbian long date puts the month in the genitive: "2. decembra 2026.", not
the nominative "2. decembar 2026." of Django's own Serbian catalogue. Django's
date format character ``E`` reads each month's "alt. month" name, and a
project catalogue wins over Django's; these markers make ``make messages``
keep the names in ours, where Serbian gives the genitive (and the Cyrillic
catalogue its transliteration). English keeps the plain month name.
"""

from django.utils.translation import pgettext_lazy

MONTHS_IN_A_DATE = (
    pgettext_lazy("alt. month", "January"),
    pgettext_lazy("alt. month", "February"),
    pgettext_lazy("alt. month", "March"),
    pgettext_lazy("alt. month", "April"),
    pgettext_lazy("alt. month", "May"),
    pgettext_lazy("alt. month", "June"),
    pgettext_lazy("alt. month", "July"),
    pgettext_lazy("alt. month", "August"),
    pgettext_lazy("alt. month", "September"),
    pgettext_lazy("alt. month", "October"),
    pgettext_lazy("alt. month", "November"),
    pgettext_lazy("alt. month", "December"),
)
