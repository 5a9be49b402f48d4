"""Real faults: a redis-server of the test's own, killed (SIGKILL) and started again, and
a database connection that cannot reach its server.

Ports 18610–18639 (helper range 186xx). Every server listens on 127.0.0.1 only and is stopped by its fixture.
These tests are slow (seconds each): they carry the `postgres` marker, so CI runs them once, in its PostgreSQL stage.
"""

import signal
import socket
import subprocess
import time

import pytest
from django.db import connection


@pytest.fixture(autouse=True)
def _postgres_only(request, django_db_blocker):
    if request.node.get_closest_marker("postgres") and connection.vendor != "postgresql":
        pytest.skip("a fault test: runs in the PostgreSQL stage")


def _wait_port(port: int, *, up: bool, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                if up:
                    return
        except OSError:
            if not up:
                return
        time.sleep(0.05)
    raise RuntimeError(f"port {port} did not go {'up' if up else 'down'}")


class RedisServer:
    def __init__(self, port: int):
        self.port, self.process = port, None
        self.url = f"redis://127.0.0.1:{port}/0"

    def start(self):
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        _wait_port(self.port, up=True)

    def kill(self):
        """SIGKILL: the queued messages are gone with it (no persistence), as after a crash."""
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(10)
        _wait_port(self.port, up=False)


@pytest.fixture
def redis_server():
    server = RedisServer(18611)
    server.start()
    yield server
    if server.process.poll() is None:
        server.process.kill()
        server.process.wait(10)
