"""Settings of the portal under load (``bench/load.py``): the production settings,
read from the environment like any deployment, with three changes for the bench.

- ``bench.urls`` adds the ceiling view (``/bench/ceiling/``) to the portal's URLs.
- Rate limits are out of reach: 16 clients from one address must not be refused
  after the verification budget of unknown codes or the API's calls per minute.
  The cache is each web worker's own memory (the default without ``CACHE_URL``):
  what pages keep there (the registry's count, the statistics' drawn charts) is
  kept as it would be in production, where Redis shares it between workers.
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
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
VERIFY_UNKNOWN_CODES_LIMIT = API_ANON_PER_MINUTE = MAIL_LIMIT_PER_CLIENT = 10**9
STATIC_ROOT = Path(os.environ.get("BENCH_STATIC_ROOT") or STATIC_ROOT)
STORAGES = {
    **STORAGES,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"},
}
