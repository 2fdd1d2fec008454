"""Django's Redis cache keeps one connection pool a process (core/redis_pool.py), not one for
every request: under ASGI each request runs in a context of its own, and each context used to
build a cache object with a new pool and open a new connection to Redis."""

import contextvars
import os

import pytest
from django.core.cache import caches
from django.core.cache.backends.redis import RedisCache

from core.environment import cache_and_channel_layers


def _cache_for(url: str) -> RedisCache:
    config = cache_and_channel_layers(url)[0]["default"]
    return RedisCache(config["LOCATION"], config)


def _pool_of_a_new_cache_object(url: str):
    # What each request's context makes. Making a pool opens no connection: no Redis needed.
    return _cache_for(url)._cache._get_connection_pool(write=True)


def test_cache_objects_of_different_requests_share_the_pool_of_their_url():
    first = _pool_of_a_new_cache_object("redis://127.0.0.1:6379/7")
    second = _pool_of_a_new_cache_object("redis://127.0.0.1:6379/7")
    other = _pool_of_a_new_cache_object("redis://127.0.0.1:6379/8")

    assert first is second
    assert other is not first
    assert other.connection_kwargs["db"] == 8


@pytest.mark.skipif(not os.environ.get("REDIS_URL"),
                    reason="REDIS_URL not set: the cache is not on Redis")
def test_requests_each_in_a_context_of_their_own_reuse_one_connection_to_redis():
    def connection_seen_by_redis() -> int:
        cache = caches["default"]
        cache.set("shugel-test-pool", 1, 5)
        # CLIENT ID: Redis' own number for the connection that asked, new for every connection.
        return cache._cache.get_client(write=True).client_id()

    # A context of its own with nothing in it, as a request's is: Django makes the cache
    # object anew in each.
    seen = {contextvars.Context().run(connection_seen_by_redis) for _ in range(10)}

    assert len(seen) == 1
