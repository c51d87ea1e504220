"""WAL checkpoints of the SQLite database, off the event loop.

In WAL mode every commit appends its pages to the write-ahead log, and a checkpoint copies them
back into the database file. By default the connection whose commit passes 1,000 pages in the
log does that copy itself, inside its commit: on the event loop, where every SQLite call of
ours runs (``bot.storage.sqlite_inline``), every turn then paid for it now and again (whole
Slack turns reached about 7 % more when the loop did none; ``bench/channels.py``).

So a thread of its own, with a connection of its own, checkpoints every ``EVERY`` seconds
(``PASSIVE``: it copies what it can without waiting for anyone, and SQLite lets the loop go on
meanwhile, the copy runs without the GIL). The loop's connections checkpoint themselves only
when the log passes ``BACKSTOP_PAGES`` (about 40 MB), should this thread fall behind or stop.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
import time

log = logging.getLogger(__name__)
#: seconds between two checkpoints
EVERY = 0.25
#: the log size (pages of 4 KiB) at which a committing connection checkpoints by itself
BACKSTOP_PAGES = 10_000
#: a failing checkpoint is logged at most this often (seconds)
LOG_EVERY = 60.0


class Checkpointer:
    """Checkpoints one SQLite database file from a thread of its own (see the module)."""

    def __init__(self, path: str, every: float = EVERY) -> None:
        self.path = path
        self.every = every
        self.done = 0  # checkpoints made (for tests)
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._logged = 0.0

    def start(self) -> None:
        if self._thread is None:
            self._stop.clear()
            self._thread = threading.Thread(target=self._run, daemon=True,
                                            name="leerbot-checkpoints")
            self._thread.start()

    def stop(self) -> None:
        """Stop, with one last checkpoint of what the log holds."""
        thread, self._thread = self._thread, None
        if thread is not None:
            self._stop.set()
            thread.join(10)

    def _run(self) -> None:
        connection: sqlite3.Connection | None = None
        try:
            while True:
                stopping = self._stop.wait(self.every)
                try:
                    if connection is None:
                        connection = sqlite3.connect(self.path, timeout=1.0)
                    connection.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()
                    self.done += 1
                except sqlite3.Error as exc:  # the next round tries again
                    if time.monotonic() - self._logged > LOG_EVERY:
                        self._logged = time.monotonic()
                        log.warning("SQLite checkpoint failed: %s", exc)
                if stopping:
                    return
        finally:
            if connection is not None:
                connection.close()
