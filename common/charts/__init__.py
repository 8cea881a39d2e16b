"""Charts drawn on the server as SVG: the same drawing for the page and the PDF.

No JavaScript and no chart library: each chart is built as an SVG string with
every label escaped, sized by a ``viewBox`` so it scales to its container, and
using only generic font families so WeasyPrint needs no web font. Each chart
carries its own text alternative (``headers``/``rows``) that the ``{% chart %}``
template tag shows as a data table for screen readers and for copying.

Colours come from the Okabe-Ito palette, which stays distinguishable for the
common forms of colour blindness; lines also differ by marker shape and dash so
that colour is never the only cue.

Modules: ``frame`` (the data types, scales, axes, legends and the SVG frame every
chart shares), then one per kind of chart: ``bar``, ``line``, ``box``, ``heat``.
"""
