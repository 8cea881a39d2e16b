"""DRF's throttles keyed on the one rule for the client's address.

DRF's own ``get_ident`` trusts ``X-Forwarded-For`` whole unless ``NUM_PROXIES``
is set, so a client that varies the header would never be throttled; this one
asks ``common.client.client_address``. DRF adds ``Retry-After`` from ``wait()``.
"""

from __future__ import annotations

from django.conf import settings
from rest_framework.request import Request
from rest_framework.throttling import AnonRateThrottle

from common.client import client_address


class ClientAnonRateThrottle(AnonRateThrottle):
    def get_rate(self) -> str:
        # Read per request rather than frozen at import like DRF's THROTTLE_RATES.
        return f"{settings.API_ANON_PER_MINUTE}/minute"

    def get_ident(self, request: Request) -> str:
        return client_address(request._request)
