"""Django's SQLite backend, creating the database file (and its folder) owner-only.

sqlite3 creates a missing database file with the process's umask, usually 0644: readable by
every account on the machine. The file is made here first with 0600, and its folder with
0700 when it is missing; SQLite gives the -wal and -shm files it creates later the
database file's permissions.
"""

import os
from pathlib import Path

from django.db.backends.sqlite3 import base


def create_private(name) -> None:
    """Creates the database file, empty and owner-only, unless it exists or lives in memory."""
    text = str(name)
    if not text or text == ":memory:" or text.startswith("file:"):
        return
    path = Path(text)
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    try:
        os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
    except FileExistsError:
        pass


class DatabaseWrapper(base.DatabaseWrapper):
    def get_new_connection(self, conn_params):
        create_private(conn_params["database"])
        return super().get_new_connection(conn_params)
