"""Putting a task on the queue from a request without costing the request its connection.

django-q's ORM broker closes "old" database connections each time it is used. In the task
worker that is right. In a web request, when connections are not kept between requests
(SHUGEL_DB_CONN_MAX_AGE=0), it closes the request's own connection, so the next query
opens a new one: on SQLite about a sixth of an anonymous submission's CPU
(`bench/intake_submit.py --profile`), on PostgreSQL a new server process. The request's
connections are Django's to close, at the end of the request; this broker leaves them be.

    from core.queue import enqueue

    transaction.on_commit(lambda: enqueue("outbox.tasks.deliver", outbox_id))
"""

from functools import cache

from django_q.brokers.orm import ORM
from django_q.conf import Conf
from django_q.models import OrmQ
from django_q.tasks import async_task


class _KeepsConnections(ORM):
    @staticmethod
    def get_connection(list_key: str | None = None):
        return OrmQ.objects.using(Conf.ORM)


@cache
def _broker() -> ORM:
    return _KeepsConnections()


def enqueue(func: str, *args) -> str:
    """Queues `func` (a dotted path) with `args`, which must hold no content: ids only.
    Returns the task's id."""
    return async_task(func, *args, broker=_broker())
