"""Django's Redis cache, answering like an empty cache while Redis cannot be reached.

Nothing the site needs to be right lives only in the cache (sessions and the signed-in person
are read from the database), so losing Redis must slow pages down, not take them down: a call
that cannot reach Redis is answered as a miss (reads give their default, writes store nothing),
the failure is logged, and for ``RETRY_SECONDS`` no thread of the process tries again, so a page
does not wait for a dead server on every call. A write that could not reach Redis may have been
an invalidation (a version bumped, a kept piece deleted), so the process that lost one empties
the cache as soon as any of its threads reaches Redis again, before anything else: what was
kept meanwhile could be stale, and a cache may always be empty. (Django gives each thread its
own cache object; this state is the process's, per Redis location.) Rate limits then let
requests through: sign-in keeps working while the cache is down (allauth's throttles and
``lms.ratelimit`` count nothing; locking everyone out would be worse than a few minutes without
throttles, and /healthz reports the cache as down so operators restore it). ``reachable()``
says which it is.
"""

import functools
import logging
import time

from django.core.cache.backends.redis import RedisCache as DjangoRedisCache
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

log = logging.getLogger(__name__)

RETRY_SECONDS = 5
UNREACHABLE = (RedisConnectionError, RedisTimeoutError, OSError)


class _Reach:
    """What this process knows of one Redis location: unreachable until when, and whether a
    write was lost meanwhile."""

    def __init__(self):
        self.down_until = 0.0
        self.lost_writes = False


_reach: dict[str, _Reach] = {}


def _or_miss(answer, *, writes=False):
    """Wrap a cache method: while Redis is unreachable, return ``answer(*args, **kwargs)``."""

    def decorate(method):
        @functools.wraps(method)
        def wrapper(self, *args, **kwargs):
            state = self._reach
            if time.monotonic() < state.down_until:
                state.lost_writes = state.lost_writes or writes
                return answer(*args, **kwargs)
            try:
                if state.lost_writes:
                    DjangoRedisCache.clear(self)
                    state.lost_writes = False
                    log.warning("cache reachable again: emptied it, writes were lost meanwhile")
                return method(self, *args, **kwargs)
            except UNREACHABLE as error:
                state.down_until = time.monotonic() + RETRY_SECONDS
                state.lost_writes = state.lost_writes or writes
                log.warning("cache unreachable, serving without it: %s", error)
                return answer(*args, **kwargs)

        return wrapper

    return decorate


def _default(key, default=None, *args, **kwargs):
    return default


def _stored(*args, **kwargs):
    return True  # add(): "first of its window", so a rate limit lets the request through


def _none(*args, **kwargs):
    return None


class RedisCache(DjangoRedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._reach = _reach.setdefault(str(server), _Reach())

    def reachable(self) -> bool:
        """Ask Redis now, whatever the last call found."""
        try:
            DjangoRedisCache.has_key(self, "lms:cache-reachable")
        except UNREACHABLE:
            self._reach.down_until = time.monotonic() + RETRY_SECONDS
            return False
        self._reach.down_until = 0.0
        return True

    get = _or_miss(_default)(DjangoRedisCache.get)
    get_many = _or_miss(lambda keys, *a, **k: {})(DjangoRedisCache.get_many)
    has_key = _or_miss(lambda *a, **k: False)(DjangoRedisCache.has_key)
    add = _or_miss(_stored, writes=True)(DjangoRedisCache.add)
    set = _or_miss(_none, writes=True)(DjangoRedisCache.set)
    set_many = _or_miss(lambda *a, **k: [], writes=True)(DjangoRedisCache.set_many)
    touch = _or_miss(lambda *a, **k: False, writes=True)(DjangoRedisCache.touch)
    delete = _or_miss(lambda *a, **k: False, writes=True)(DjangoRedisCache.delete)
    delete_many = _or_miss(_none, writes=True)(DjangoRedisCache.delete_many)
    incr = _or_miss(lambda key, delta=1, *a, **k: delta, writes=True)(DjangoRedisCache.incr)
    clear = _or_miss(lambda *a, **k: False, writes=True)(DjangoRedisCache.clear)
