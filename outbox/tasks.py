"""The outbox's tasks, run by the django-q2 worker. Thin: the work is in outbox.delivery.

A task's payload is an outbox row's id and nothing else; whatever it needs, it reads from
the database, so nothing about a complaint ever sits in the task queue. They are queued by
outbox.services.queue_delivery, after the transaction that wrote the row has committed.
"""

import time

from outbox import delivery

# How much one sweep takes on: it stops starting new tries after the budget, well inside
# the worker's task timeout (Q_CLUSTER["timeout"]), and leaves the rest to the next sweep.
DUE_BATCH = 50
DUE_BUDGET_SECONDS = 60


def deliver(outbox_id: int) -> str:
    """One try at one outbox row; does nothing if it is not due or another worker holds it."""
    return delivery.deliver_outbox(outbox_id)


def deliver_due() -> str:
    """Run every minute (outbox/schedules.py): tries every row that is due and not held,
    which is how retries happen and how a task lost with a dead worker is made up for."""
    started = time.monotonic()
    outcomes: dict[str, int] = {}
    for outbox_id in delivery.due_outbox_ids(DUE_BATCH):
        if time.monotonic() - started > DUE_BUDGET_SECONDS:
            break
        outcome = delivery.deliver_outbox(outbox_id)
        outcomes[outcome] = outcomes.get(outcome, 0) + 1
    return ", ".join(f"{count} {outcome}" for outcome, count in sorted(outcomes.items())) or (
        "nothing due")
