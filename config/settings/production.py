"""Production: every secret comes from the environment, with no default, so a missing one stops the start."""

from .base import *  # noqa: F403
from .base import env

DEBUG = False
DEMO_DATA_ALLOWED = False  # manage.py demo_data is refused here (a published password, a superuser)
SECRET_KEY = env("DJANGO_SECRET_KEY")
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS")
DATABASES = {"default": env.db("DATABASE_URL")}
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DJANGO_CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
CELERY_BROKER_URL = env("CELERY_BROKER_URL")
# A dead or unreachable Redis fails a publish in seconds, never hangs a request (the outbox keeps the task).
CELERY_BROKER_TRANSPORT_OPTIONS = (
    {"socket_connect_timeout": 3, "socket_keepalive": True} if CELERY_BROKER_URL.startswith("redis") else {}
)
# The cache is a convenience: with Redis down (django-redis, DJANGO_CACHE_URL=redis://…) every read is a miss and
# every write is dropped, in at most a second, instead of an error (config/cache.py: and locks open, so allauth's
# rate limits do not refuse every sign-in). Sessions live in the database, not the cache,
# so signing in and staying signed in do not depend on Redis.
CACHES = {"default": env.cache("DJANGO_CACHE_URL", default="locmemcache://")}
if CACHES["default"]["BACKEND"] in ("django_redis.cache.RedisCache", "django.core.cache.backends.redis.RedisCache"):
    CACHES["default"]["BACKEND"] = "config.cache.FailOpenRedisCache"  # locks open when Redis is away
    CACHES["default"].setdefault("OPTIONS", {}).update(
        {"IGNORE_EXCEPTIONS": True, "SOCKET_CONNECT_TIMEOUT": 1, "SOCKET_TIMEOUT": 1}
    )
DJANGO_REDIS_LOG_IGNORED_EXCEPTIONS = True
SESSION_ENGINE = "django.contrib.sessions.backends.db"
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=True)
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_HSTS_SECONDS = env.int("DJANGO_SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 365)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = env.bool("DJANGO_SECURE_HSTS_PRELOAD", default=True)

EMAIL_CONFIG = env.email("DJANGO_EMAIL_URL", default="smtp://localhost:25")
vars().update(EMAIL_CONFIG)

STRIPE_SECRET_KEY = env("STRIPE_SECRET_KEY", default="")
STRIPE_WEBHOOK_SECRET = env("STRIPE_WEBHOOK_SECRET", default="")
