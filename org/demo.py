"""Demo data other apps add to `seed_demo`, without org knowing those apps.

    from org.demo import register_demo

    def seed(units, people, stdout):   # units by code, users by username
        ...

    register_demo(seed, order=20)

Each seeder must be safe to run again (it keeps what exists) and runs inside seed_demo's
transaction, after the units and people exist.
"""

from collections.abc import Callable

_seeders: list[tuple[int, Callable]] = []


def register_demo(seeder: Callable, order: int = 50) -> None:
    if all(existing is not seeder for _, existing in _seeders):
        _seeders.append((order, seeder))
        _seeders.sort(key=lambda entry: entry[0])


def run_demo_seeders(units: dict, people: dict, stdout) -> None:
    for _, seeder in _seeders:
        seeder(units, people, stdout)
