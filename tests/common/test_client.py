"""The one rule for who the client is: the PROXY_COUNT-th X-Forwarded-For entry from the right."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import RequestFactory
from pytest_django import Settings

from common.client import client_address

PROXY = "10.0.0.2"


def address(settings: Settings, proxies: int, *, remote: str = PROXY, forwarded: str | None = None) -> str:
    settings.PROXY_COUNT = proxies
    extra: dict[str, Any] = {"REMOTE_ADDR": remote} | (
        {"HTTP_X_FORWARDED_FOR": forwarded} if forwarded is not None else {}
    )
    return client_address(RequestFactory().get("/", **extra))


def test_behind_one_proxy_the_client_is_the_entry_it_appended(settings: Settings) -> None:
    assert address(settings, 1, forwarded="198.51.100.7") == "198.51.100.7"


def test_behind_one_proxy_what_the_client_wrote_is_ignored(settings: Settings) -> None:
    assert address(settings, 1, forwarded="203.0.113.9, 192.0.2.1, 198.51.100.7") == "198.51.100.7"


def test_without_a_proxy_the_header_is_ignored(settings: Settings) -> None:
    assert address(settings, 0, remote="198.51.100.7", forwarded="203.0.113.9") == "198.51.100.7"


def test_behind_two_proxies_the_client_is_the_second_from_the_right(settings: Settings) -> None:
    assert address(settings, 2, forwarded="203.0.113.9, 198.51.100.7, 10.0.0.1") == "198.51.100.7"


def test_fewer_entries_than_proxies_take_the_one_a_proxy_wrote(settings: Settings) -> None:
    assert address(settings, 2, forwarded="198.51.100.7") == "198.51.100.7"


def test_behind_a_proxy_without_the_header_the_peer_is_the_client(settings: Settings) -> None:
    assert address(settings, 1) == PROXY


@pytest.mark.parametrize("entry", ["not-an-address", "198.51.100.7:443", "", "unknown"])
def test_an_entry_that_is_no_address_falls_back_to_the_peer(settings: Settings, entry: str) -> None:
    assert address(settings, 1, forwarded=f"203.0.113.9, {entry}") == PROXY


def test_an_ipv6_client_is_written_in_canonical_form(settings: Settings) -> None:
    assert address(settings, 1, forwarded="2001:DB8:0:0::7") == "2001:db8::7"
