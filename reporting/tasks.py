"""Reporting's tasks, run by the django-q2 worker; they take no arguments."""

from reporting import services


def draft_due() -> str:
    return services.draft_due()


def remind_late() -> str:
    return services.remind_late()
