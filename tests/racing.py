"""Running one piece of work in several threads at once, for the races that only PostgreSQL
lets threads run (SQLite takes one writer at a time)."""

import threading

from django.db import connection


def at_once(work, threads: int) -> list:
    """Calls `work()` in `threads` threads released together; returns what each returned.
    Each thread closes its own database connection; any exception fails the caller."""
    start = threading.Barrier(threads)
    results, failures = [], []

    def run():
        try:
            start.wait()
            results.append(work())
        except Exception as error:  # noqa: BLE001 - reported below
            failures.append(error)
        finally:
            connection.close()

    workers = [threading.Thread(target=run) for _ in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert failures == []
    return results
