from audit.services import checkpoint_if_moved


def checkpoint() -> str:
    """Run by the worker on the schedule (audit/schedules.py)."""
    made = checkpoint_if_moved()
    if made is None:
        return "no new events since the last checkpoint"
    return f"checkpoint of event {made.seq} written to {made.file_name}"
