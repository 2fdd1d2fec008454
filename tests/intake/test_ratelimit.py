import pytest
from django.core.cache import cache
from django.test import RequestFactory

from intake import ratelimit
from intake.ratelimit import Limit, allow


@pytest.fixture(autouse=True)
def _clean_cache():
    cache.clear()
    yield
    cache.clear()


def request_from(address):
    return RequestFactory().post("/", REMOTE_ADDR=address)


def test_a_client_over_its_limit_is_refused_and_another_is_not(monkeypatch):
    monkeypatch.setitem(ratelimit.LIMITS, "report", (Limit(3, 600), Limit(100, 60)))
    assert all(allow("report", request_from("10.0.0.1")) for _ in range(3))
    assert not allow("report", request_from("10.0.0.1"))
    assert allow("report", request_from("10.0.0.2"))


def test_the_site_wide_limit_stops_a_flood_from_many_addresses(monkeypatch):
    monkeypatch.setitem(ratelimit.LIMITS, "report", (Limit(100, 600), Limit(5, 60)))
    results = [allow("report", request_from(f"10.0.1.{i}")) for i in range(8)]
    assert results == [True] * 5 + [False] * 3


def test_the_cache_never_holds_the_address(monkeypatch):
    monkeypatch.setitem(ratelimit.LIMITS, "track", (Limit(3, 600), Limit(100, 60)))
    allow("track", request_from("203.0.113.77"))
    if hasattr(cache, "_cache") and isinstance(cache._cache, dict):  # local memory
        keys = [str(key) for key in cache._cache]
    else:  # Redis
        keys = [key.decode() for key in cache._cache.get_client().keys("*")]
    assert any(":track:" in key for key in keys)
    assert not any("203.0.113.77" in key for key in keys)
