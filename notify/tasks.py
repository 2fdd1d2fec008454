"""Notify's tasks, run by the django-q2 worker. Thin: the work is in notify.delivery.

They take no arguments: what to send is in the outbox (Dispatch rows), so nothing about a
notification, let alone a complaint, ever sits in the task queue.
"""

from notify import delivery


def send_pending() -> str:
    """Queued after each notification commits (delivery.send_soon) and run every minute
    (notify/schedules.py), which is how retries happen and how a task lost with a dead
    worker is made up for."""
    return delivery.send_pending()


def send_digests() -> str:
    """Run daily at delivery.DIGEST_AT, Ulaanbaatar time: the day's digests."""
    return delivery.send_digests()
