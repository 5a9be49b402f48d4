"""`runserver` of the embedded default (`make run`), with a listen queue long enough for a rush.

Django's development server listens with a backlog of 10 connections. When 32 or 64 people press "save" in the
same instant, the connections beyond it are reset by the kernel before the server has read them: the browser
shows "connection reset", and the save is lost without the server ever seeing it (issue 12, item 6). A backlog of
`RUNSERVER_LISTEN_BACKLOG` (default 1024, capped by the kernel's somaxconn) lets them wait their turn instead.
Everything else is the command of WhiteNoise's `runserver_nostatic` (which serves no static files itself).
"""

import os

from django.core.servers.basehttp import WSGIServer
from whitenoise.runserver_nostatic.management.commands.runserver import Command as NoStaticRunserver


class QueueingWSGIServer(WSGIServer):
    request_queue_size = int(os.environ.get("RUNSERVER_LISTEN_BACKLOG", "1024"))


class Command(NoStaticRunserver):
    server_cls = QueueingWSGIServer
