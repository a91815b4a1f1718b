"""The shared cache: Redis, falling back to a database cache while Redis cannot be reached.

allauth keeps its rate limits (failed sign-ins, password resets) and the TOTP codes already
used in the default cache. With a plain Redis cache every sign-in is a 500 while Redis is
down; ignoring the error instead would let an attacker guess passwords without limit (fail
open). So on a connection error the call goes to a database cache (`CACHES["fallback"]`, the
table `cache_fallback` made by migration 0060), which every web process shares: the limits
still hold during the outage. Redis is tried again every RETRY_SECONDS; until then calls go
straight to the database, so an unreachable host does not cost a timeout per request.

The outage is logged once per process when it starts and once when it ends, by exception
class only: cache keys may hold an IP address.
"""

import logging
import threading
import time
from collections.abc import Callable
from typing import Any

from django.core.cache import caches
from django.core.cache.backends.redis import RedisCache
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)

UNREACHABLE = (RedisConnectionError, RedisTimeoutError)
RETRY_SECONDS = 5.0


class _Outage:
    """Per process (caches are per thread, the outage is not): when Redis may be tried again."""

    lock = threading.Lock()
    retry_at: float | None = None

    @classmethod
    def begin(cls, error: Exception) -> None:
        with cls.lock:
            if cls.retry_at is None:
                logger.warning("shared cache unreachable (%s): using the database cache", type(error).__name__)
            cls.retry_at = time.monotonic() + RETRY_SECONDS

    @classmethod
    def end(cls) -> None:
        with cls.lock:
            if cls.retry_at is not None:
                logger.info("shared cache reachable again")
            cls.retry_at = None

    @classmethod
    def skip_redis(cls) -> bool:
        return cls.retry_at is not None and time.monotonic() < cls.retry_at


def _with_fallback(name: str) -> Callable:
    def method(self: "RedisWithDatabaseFallback", *args: Any, **kwargs: Any) -> Any:
        if not _Outage.skip_redis():
            try:
                result = getattr(super(RedisWithDatabaseFallback, self), name)(*args, **kwargs)
            except UNREACHABLE as error:
                _Outage.begin(error)
            else:
                _Outage.end()
                return result
        return getattr(self.fallback, name)(*args, **kwargs)

    method.__name__ = name
    return method


class RedisWithDatabaseFallback(RedisCache):
    """Django's Redis cache; each call that cannot reach Redis is served by CACHES[FALLBACK]."""

    def __init__(self, server: str, params: dict) -> None:
        super().__init__(server, params)
        self._fallback_alias = params.get("FALLBACK", "fallback")

    @property
    def fallback(self):
        return caches[self._fallback_alias]

    add = _with_fallback("add")
    get = _with_fallback("get")
    set = _with_fallback("set")
    touch = _with_fallback("touch")
    delete = _with_fallback("delete")
    get_many = _with_fallback("get_many")
    has_key = _with_fallback("has_key")
    incr = _with_fallback("incr")
    set_many = _with_fallback("set_many")
    delete_many = _with_fallback("delete_many")
    clear = _with_fallback("clear")
