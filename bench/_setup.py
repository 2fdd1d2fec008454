"""Shared set-up for the benchmarks: a throw-away SQLite database and keyring in a temp dir.

Benchmarks run outside pytest with the development settings, but never touch the
developer's own database or keyring.
"""

import argparse
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def arguments(description: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument(
        "--quick", action="store_true", default=os.environ.get("SHUGEL_BENCH_QUICK") == "1",
        help="a shortened run (also SHUGEL_BENCH_QUICK=1)",
    )
    return parser


def throwaway_environment(workdir: Path, settings: str = "config.settings") -> dict[str, str]:
    """The settings that point Shugel (a script, a server) at `workdir` alone: its data,
    keyring and media there, development mode, quiet logs."""
    return {
        "SHUGEL_ENV": "development",
        "DEBUG": "false",
        "SHUGEL_DATA_DIR": str(workdir),
        "SHUGEL_KEYRING": str(workdir / "keyring.json"),
        "SHUGEL_MEDIA_ROOT": str(workdir / "media"),
        "SHUGEL_LOG_LEVEL": "WARNING",
        "DJANGO_SETTINGS_MODULE": settings,
    }


def django_in_tempdir(migrate: bool = True) -> Path:
    """Point Django at a fresh temp dir, set it up, make a keyring and migrate."""
    workdir = Path(tempfile.mkdtemp(prefix="shugel-bench-"))
    os.environ.update({**throwaway_environment(workdir),
                       "DATABASE_URL": f"sqlite:///{workdir / 'bench.sqlite3'}"})
    os.environ.pop("SHUGEL_KEYRING_JSON", None)
    os.environ.pop("REDIS_URL", None)
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from vault.keyring import Keyring, reload_keyring

    Keyring.generate().save(workdir / "keyring.json")
    reload_keyring()
    if migrate:
        from django.core.management import call_command

        call_command("migrate", verbosity=0)
    return workdir


def cleanup(workdir: Path) -> None:
    from django.db import connections

    connections.close_all()
    shutil.rmtree(workdir, ignore_errors=True)


def best_rate(operation, count: int, repeats: int = 5) -> float:
    """Operations per second: the best of several timed runs, so a stray pause in one
    run does not decide the figure."""
    best = float("inf")
    for _ in range(repeats):
        started = time.perf_counter()
        operation(count)
        best = min(best, time.perf_counter() - started)
    return count / best
