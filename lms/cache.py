"""Django's Redis cache, keeping its client objects.

``django.core.cache.backends.redis`` builds a new ``redis.Redis`` for every cache call, and
building one fills a table of some 170 response callbacks: about a third of a millisecond of CPU,
several times on every signed-in page (the session, the consent text, Wagtail's site paths). A
client is thread-safe and its connection pool already survives between calls, so one client per
pool is kept instead.
"""

from django.core.cache.backends.redis import RedisCache as DjangoRedisCache
from django.core.cache.backends.redis import RedisCacheClient


class _KeptClients(RedisCacheClient):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients[id(pool)] = self._client(connection_pool=pool)
        return client


class RedisCache(DjangoRedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = _KeptClients
