"""Intake's tasks, run by the django-q2 worker; they take no arguments. Their dotted names are
what the schedules (intake/schedules.py) store."""

from intake.tally_check import tallies_check_recent


def tallies_check_nightly() -> str:
    return tallies_check_recent()
