"""One Redis connection pool per process for Django's cache (core/environment.py sets it).

Django keeps a cache object per thread and per async context (django.core.cache.caches is
an asgiref Local), and its Redis cache makes its connection pool with the object. Under
ASGI every request runs in a context of its own, so every request that touched the cache
(the rate limits, the sign-in lockout) built a new pool and opened a new connection to
Redis: a socket and the client's greeting (CLIENT SETINFO, and SELECT for a database other
than 0), then a close when the pool was collected. Measured through config.asgi: two new
connections a web submission (one for the form, one for the post). Django's open pull
request 18459 describes the same.

This pool class hands every cache object of the process the same pool for the same URL and
options, so a request borrows a connection that is already open. redis-py's pool is
thread-safe and starts afresh in a forked child (it checks its process id), so the task
worker's forks get pools of their own.
"""

import threading

import redis


class SharedConnectionPool(redis.ConnectionPool):
    _pools: dict[tuple, "SharedConnectionPool"] = {}
    _lock = threading.Lock()

    @classmethod
    def from_url(cls, url: str, **kwargs):
        key = (url, tuple(sorted(kwargs.items())))
        with cls._lock:
            pool = cls._pools.get(key)
            if pool is None:
                pool = cls._pools[key] = super().from_url(url, **kwargs)
        return pool
