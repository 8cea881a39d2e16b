"""Hypothesis settings for the fuzz tests, without changing the global profile
other tests run under.

``HYPOTHESIS_PROFILE=thorough`` (``make fuzz``) runs at least 200 examples per
form; otherwise a few dozen keep ``make test`` quick.
"""

from __future__ import annotations

import os
from typing import Any

from hypothesis import HealthCheck, settings

COMMON: dict[str, Any] = {
    "deadline": None,
    "database": None,
    # The scenario is a module fixture; each example runs in its own savepoint.
    "suppress_health_check": [HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large],
}
settings.register_profile("fuzz-quick", max_examples=25, **COMMON)
settings.register_profile("thorough", max_examples=200, **COMMON)


def fuzz_settings() -> settings:
    name = "thorough" if os.environ.get("HYPOTHESIS_PROFILE") == "thorough" else "fuzz-quick"
    return settings.get_profile(name)
