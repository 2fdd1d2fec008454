from audit import witnesses
from audit.services import checkpoint_if_moved, latest_checkpoint


def checkpoint() -> str:
    """Run by the worker every minute (audit/schedules.py): a checkpoint when events were
    added, then the newest checkpoint offered to the witnesses (audit.witnesses)."""
    made = checkpoint_if_moved()
    newest = made or latest_checkpoint()
    if newest is not None:
        witnesses.offer(newest)
    if made is None:
        return "no new events since the last checkpoint"
    return f"checkpoint of event {made.seq} written to {made.file_name}"
