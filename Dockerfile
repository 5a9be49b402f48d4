# syntax=docker/dockerfile:1
# Production image: Django + Wagtail served by gunicorn; the same image runs the Celery worker and beat.
# Build:  docker build -t community-services .
# See docs/deployment.md.

FROM python:3.11-slim-bookworm

ARG UV_VERSION=0.13.9

# XDG_CACHE_HOME: fontconfig (used by WeasyPrint) writes its font cache there; the app user's home (/app)
# is not writable, so point it at /tmp.
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    UV_PROJECT_ENVIRONMENT=/app/.venv \
    UV_PYTHON_DOWNLOADS=never \
    UV_PYTHON=/usr/local/bin/python3.11 \
    UV_LINK_MODE=copy \
    UV_COMPILE_BYTECODE=1 \
    UV_NO_CACHE=1 \
    PATH="/app/.venv/bin:${PATH}" \
    DJANGO_SETTINGS_MODULE=config.settings.production \
    DJANGO_MEDIA_ROOT=/app/var/media \
    DJANGO_PRIVATE_ROOT=/app/var/private \
    XDG_CACHE_HOME=/tmp/.cache

# WeasyPrint (PDF contracts) needs Pango + HarfBuzz; Noto CJK renders Chinese text; gettext provides msgfmt;
# postgresql-client gives pg_dump and pg_restore to `manage.py backup` and `restore`.
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
        fonts-noto-cjk \
        libharfbuzz-subset0 \
        libpango-1.0-0 \
        libpangoft2-1.0-0 \
        gettext \
        postgresql-client \
    && rm -rf /var/lib/apt/lists/*

RUN pip install "uv==${UV_VERSION}"

RUN groupadd --system app \
    && useradd --system --gid app --home-dir /app --no-create-home --shell /usr/sbin/nologin app

WORKDIR /app

# Dependencies first, so the layer is reused while only code changes.
COPY pyproject.toml uv.lock ./
RUN uv sync --frozen --no-dev --no-install-project

COPY . .

# Build-time only: production settings refuse to load without these, but nothing here connects to them.
# They are not kept in the image (set per RUN only); real values come from the environment at run time.
# `locale/` may be empty (git does not keep empty directories); compilemessages needs it to exist.
RUN mkdir -p locale \
    && DJANGO_SECRET_KEY=build-only-not-a-secret \
       DJANGO_ALLOWED_HOSTS=localhost \
       DATABASE_URL=postgres://build:build@127.0.0.1:5432/build \
       CELERY_BROKER_URL=redis://127.0.0.1:6379/0 \
       sh -c 'python manage.py compilemessages --ignore=.venv && python manage.py collectstatic --noinput' \
    && mkdir -p /app/var/media /app/var/private \
    && chown -R app:app /app/var

USER app

EXPOSE 8000

# No curl in the slim image: use the Python standard library. Non-2xx (e.g. 503) raises, so exit code 1.
# DJANGO_ALLOWED_HOSTS must contain 127.0.0.1, otherwise this request gets 400.
HEALTHCHECK --interval=30s --timeout=10s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=8)"]

CMD ["gunicorn", "config.wsgi:application", \
     "--bind", "0.0.0.0:8000", \
     "--workers", "3", \
     "--worker-tmp-dir", "/dev/shm", \
     "--access-logfile", "-", \
     "--error-logfile", "-"]
