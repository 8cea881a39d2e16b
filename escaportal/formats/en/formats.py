"""English: every date the same way, ISO 8601 (2026-11-25), short or long.

The scheme's public list writes dates as numbers (YYYY/MM/DD), its readers
come from forty countries, and a page that showed "2026-11-25" in a table and
"Nov. 25, 2026" in the sentence above it read as two formats for one thing.
Percentages keep the house style with a space ("85 %"), as the charts and
statistics write them.
"""

DATE_FORMAT = "Y-m-d"
DATETIME_FORMAT = "Y-m-d H:i"
SHORT_DATE_FORMAT = "Y-m-d"
SHORT_DATETIME_FORMAT = "Y-m-d H:i"
PERCENT_FORMAT = "{} %"
