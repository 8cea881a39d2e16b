"""English: short dates stay ISO (2026-11-25), as the portal has always shown them.

Long dates (``|date``) keep Django's "Nov. 25, 2026". Percentages keep the
house style with a space ("85 %"), as the charts and statistics write them.
"""

SHORT_DATE_FORMAT = "Y-m-d"
SHORT_DATETIME_FORMAT = "Y-m-d H:i"
PERCENT_FORMAT = "{} %"
