"""Fair queueing of write transactions on the embedded default (SQLite): docs/decisions/0014-sqlite-writers.md.

SQLite has one write lock per database. With `transaction_mode = IMMEDIATE` every transaction takes it at BEGIN,
and a connection that finds it taken retries in SQLite's busy handler: it sleeps 1, 2, 5 … then 100 ms between
attempts, until `timeout` runs out. Those retries are not a queue. Under 64 concurrent writers in one server
process, a newcomer polling every few milliseconds keeps overtaking a writer that has slept 100 ms, the lock
lies idle between a commit and the next poll, and the unlucky writer fails with "database is locked" after
20 s (issue 12: 4 of 1,480 saves; measured in bench/RESULTS.md).

`GatedConnection` is the `sqlite3.connect` factory (OPTIONS["factory"]): within one process, a transaction
waits for the write lock in a first-come, first-served queue (one per database file) before it sends BEGIN, and
hands it straight to the next writer at COMMIT or ROLLBACK. Only the head of the queue meets other processes
(the Celery worker and beat) in SQLite's busy handler. A writer that waits longer than the busy timeout gets
the same "database is locked" error as before, which the web layer answers with a "busy, try again" page that
keeps the form's input (marketplace/busy.py).

Nothing imports Django here: the settings import this module.
"""

import collections
import sqlite3
import sys
import threading

DEFAULT_TIMEOUT = 5.0


class WriteQueue:
    """A first-come, first-served lock whose release hands it to the longest waiter."""

    def __init__(self):
        self._mutex = threading.Lock()
        self._waiters: collections.deque = collections.deque()
        self._holder: threading.Thread | None = None

    def acquire(self, timeout: float) -> bool:
        me = threading.current_thread()
        with self._mutex:
            if self._holder is None or not self._holder.is_alive():  # a thread that died holding it frees it
                self._holder = me
                return True
            turn = threading.Event()
            self._waiters.append((turn, me))
        if turn.wait(timeout):
            return True
        with self._mutex:
            if turn.is_set():  # handed over just as the wait ran out
                return True
            self._waiters.remove((turn, me))
            return False

    def release(self) -> None:
        with self._mutex:
            while self._waiters:
                turn, thread = self._waiters.popleft()
                if thread.is_alive():
                    self._holder = thread
                    turn.set()
                    return
            self._holder = None

    @property
    def waiting(self) -> int:
        return len(self._waiters)


_queues: dict[str, WriteQueue] = {}
_queues_mutex = threading.Lock()


def write_queue(database: str) -> WriteQueue:
    with _queues_mutex:
        return _queues.setdefault(database, WriteQueue())


class GatedConnection(sqlite3.Connection):
    """An sqlite3 connection whose explicit transactions (Django's BEGIN IMMEDIATE) queue fairly in-process."""

    def __init__(self, database, *args, **kwargs):
        super().__init__(database, *args, **kwargs)
        self._write_queue = write_queue(str(database))
        self._queue_timeout = float(kwargs.get("timeout", DEFAULT_TIMEOUT))
        self._in_queue = False

    def cursor(self, factory=sqlite3.Cursor):
        return super().cursor(_gated_cursor_class(factory))

    def _enter(self) -> None:
        if self._in_queue:
            return
        if not self._write_queue.acquire(self._queue_timeout):
            raise sqlite3.OperationalError("database is locked")
        self._in_queue = True

    def _leave(self) -> None:
        if self._in_queue and not self.in_transaction:
            self._in_queue = False
            self._write_queue.release()

    def commit(self):
        try:
            return super().commit()
        finally:
            self._leave()

    def rollback(self):
        try:
            return super().rollback()
        finally:
            self._leave()

    def close(self):
        try:
            return super().close()
        finally:
            if self._in_queue:
                self._in_queue = False
                self._write_queue.release()


_cursor_classes: dict[type, type] = {}


def _gated_cursor_class(base: type) -> type:
    """`base` (Django's SQLiteCursorWrapper) with BEGIN taking its turn in the write queue first."""
    cls = _cursor_classes.get(base)
    if cls is None:

        def execute(self, query, *args, **kwargs):
            if not isinstance(query, str) or query.lstrip()[:5].upper() != "BEGIN":
                return base.execute(self, query, *args, **kwargs)
            connection = self.connection
            connection._enter()
            try:
                return base.execute(self, query, *args, **kwargs)
            finally:
                connection._leave()  # frees the turn only if BEGIN failed (no transaction open)

        cls = _cursor_classes[base] = type(f"Gated{base.__name__}", (base,), {"execute": execute})
    return cls


def shorten_switch_interval(seconds: float) -> None:
    """Python's sqlite3 lets go of the GIL around every statement; a thread holding the write lock then waits up
    to the interpreter's switch interval (5 ms) to run again whenever another thread of the server is busy
    rendering a page, so 20 statements can hold the lock for 100 ms and more. A shorter interval hands the GIL
    back sooner (measured in bench/RESULTS.md)."""
    if 0 < seconds < sys.getswitchinterval():
        sys.setswitchinterval(seconds)
