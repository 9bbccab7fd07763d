"""A small fixed-window rate limit on the shared cache, for public pages allauth does not cover
(certificate verification)."""

from django.core.cache import cache

from .services import client_ip


def rate_limited(request, scope: str, *, limit: int, period: int) -> bool:
    """Count this request against ``limit`` per ``period`` seconds for the client's address;
    True once the limit is passed."""
    key = f"lms:rl:{scope}:{client_ip(request) or 'unknown'}"
    if cache.add(key, 1, period):
        return False
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.add(key, 1, period)
        return False
    return count > limit
