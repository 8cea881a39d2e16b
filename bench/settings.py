"""Settings of the portal under load (``bench/load.py``): the production settings,
read from the environment like any deployment, with three changes for the bench.

- ``bench.urls`` adds the ceiling view (``/bench/ceiling/``) to the portal's URLs.
- Rate limits are off: the verification look-ups and the API throttle count in
  the cache, and a dummy cache never counts, so 16 clients from one address are
  not refused after the verification budget of unknown codes.
- Static files are hashed by Django's manifest storage without whitenoise's
  compression, which takes over a minute on two cores and changes nothing a page
  costs; they land in ``BENCH_STATIC_ROOT``, a throwaway folder.
"""

from __future__ import annotations

import os
from pathlib import Path

from escaportal.settings import *  # noqa: F403
from escaportal.settings import STATIC_ROOT, STORAGES

ROOT_URLCONF = "bench.urls"
CACHES = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}
STATIC_ROOT = Path(os.environ.get("BENCH_STATIC_ROOT") or STATIC_ROOT)
STORAGES = {
    **STORAGES,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"},
}
