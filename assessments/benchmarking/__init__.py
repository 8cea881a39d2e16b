"""The benchmarking report: where an organisation stands among its peers.

For every numeric indicator (whole number, decimal, percentage) of a completed
benchmarking, the organisation's answer is set against its peers, in four peer
groups: all benchmarked organisations, the same country, the same sector, the
same label level.

Definitions (the README's "Benchmarking report" repeats them for readers):

- A **completed benchmarking** is a Bronze application in one of
  ``rules.BENCHMARKING_COMPLETED_STATES`` (awarded). Silver in this portal is
  an improvement report with its own questionnaire, not a second Bronze form,
  so it adds no benchmarking.
- **Peers** are the latest completed benchmarking of every *other*
  organisation (latest by interview date). The organisation itself is never
  its own peer, and its older benchmarkings do not count either.
- Answers are matched by indicator code, so peers answered on an older
  questionnaire version still count where the code and a numeric type agree.
- **Same sector**: sharing at least one sector with the organisation.
  **Same label level**: the same highest level the organisation holds, from
  the portal's awarded applications and from the labels app's current labels
  (imported ones included), which it provides through ``assessments.providers``.
- **k-anonymity**: a peer group with fewer than ``groups.MIN_PEERS``
  organisations is not shown at all, and on one indicator a group is not shown
  when fewer than ``MIN_PEERS`` of its organisations answered it. The page says
  why. Peers' answers only ever leave this package as group statistics.
- **Quartiles**: see ``statistics.quartiles``. **Percentile**: see
  ``statistics.percentile_rank``.

Peer values are read with a fixed number of set-based queries, whatever the
number of peers.

The modules, each importing only those below it (contracts in pyproject.toml
hold the order, and keep the statistics free of models):

- ``pdf``: the stored PDF, its fingerprint and the service that renders it.
- ``report``: the whole report assembled, for the page and the PDF.
- ``charts``: the report's charts, drawn by ``common.charts``.
- ``figures``: the report's rows and one peer group's figures on one indicator.
- ``groups``: the four peer groups and the k-anonymity threshold.
- ``selectors``: the reads (peers, their answers and levels, the report's own rows).
- ``statistics``: pure functions over numbers.
"""
