"""The portal's own date, number and percentage formats (``FORMAT_MODULE_PATH``).

Each module overrides only what differs from Django's formats for that locale;
whatever it leaves out comes from ``django.conf.locale``. ``PERCENT_FORMAT`` is
the portal's own name, read by the ``percent`` template filter.
"""
