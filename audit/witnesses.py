"""Witnesses: whoever else should hold the newest checkpoint, outside this machine.

A checkpoint file in DATA_DIR/checkpoints/ sits on the same machine as the database, so
whoever controls both could remove it too. A witness is a copy somebody else keeps: the
anti-corruption agency's API, for one. Audit sits below the apps that know such places, so
they register here, as they do with notify's exclusion hooks and the outbox's subjects:

    from audit.witnesses import register_witness

    register_witness(send_to_agencies)   # send_to_agencies(checkpoint) -> None

The worker offers every witness the newest checkpoint each minute (audit.tasks.checkpoint),
whether or not a new one was just made; each witness decides its own cadence, and must
pass on only what the checkpoint file holds (sequence number, head HMAC, time, signature).
"""

import logging
from collections.abc import Callable

from audit.models import Checkpoint

logger = logging.getLogger(__name__)

Witness = Callable[[Checkpoint], None]

_witnesses: list[Witness] = []


def register_witness(witness: Witness) -> None:
    if witness not in _witnesses:
        _witnesses.append(witness)


def offer(checkpoint: Checkpoint) -> int:
    """Hand `checkpoint` to every witness; how many took it without an error. One witness
    failing neither stops the others nor undoes the checkpoint, which is already stored."""
    taken = 0
    for witness in _witnesses:
        try:
            witness(checkpoint)
        except Exception as error:  # a witness never breaks checkpointing
            # The class name only, as the outbox logs its errors.
            logger.error("audit witness %s failed: %s", getattr(witness, "__name__", witness),
                         type(error).__name__)
        else:
            taken += 1
    return taken
