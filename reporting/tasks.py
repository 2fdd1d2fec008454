"""Reporting's tasks, run by the django-q2 worker; they take no arguments. Their dotted
names are what the schedules (reporting/schedules.py) store."""

from reporting.reminders import late_reports_remind
from reporting.services import last_month_reports_draft


def draft_due() -> str:
    return last_month_reports_draft()


def remind_late() -> str:
    return late_reports_remind()
