"""Versioned questionnaires: one module per job.

The catalogue is data: one JSON file per level in ``assessments/catalogue/``,
in the same format that ``document.questionnaire_export`` writes and
``services.questionnaire_import`` reads. A published version never changes,
because applications keep answering the version they started on; every edit
happens in a draft, which publishing then swaps in for the previous published one.

- ``selectors``: reads (the published, latest or a numbered version, a version's tree, the shipped catalogue)
- ``display``: how a questionnaire's numbers and thresholds read to people
- ``fields``, ``serializers`` and ``indicator_rules``: the rulebook, DRF serializers whose limits are the
  models' own, and the rules across an indicator's fields
- ``document``: the JSON document: its export, and the check of one coming in, every problem with its place
- ``services``: the writes (import, publish, new draft, section and indicator edits)
- ``catalogue``: loading the shipped catalogue, filling its translations, what is left to translate

One rulebook checks every way in (a file, the shipped catalogue, an edit
service, the admin forms, publishing), so a version that was valid on the way
in cannot become invalid on the way out.
"""
