"""The production cache backend: django-redis that degrades to a miss, and whose locks open when Redis is down.

With `IGNORE_EXCEPTIONS`, django-redis answers every read with a miss and drops every write while Redis is away.
`add` then answers None, which allauth's rate limiter reads as "the lock is held by someone else": every sign-in
would be refused as too many attempts. Here `add` answers True when Redis cannot be reached, so a lock taken on a
cache that is away is granted; rate limits are not enforced while Redis is down, and sign-in keeps working.
"""

from django_redis.cache import RedisCache
from django_redis.exceptions import ConnectionInterrupted


class FailOpenRedisCache(RedisCache):
    def add(self, *args, **kwargs):
        try:
            return self.client.add(*args, **kwargs)
        except ConnectionInterrupted:
            if self._log_ignored_exceptions:
                self.logger.exception("Exception ignored: add granted while the cache is away")
            return True
