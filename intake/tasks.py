"""Intake's background tasks: thin wrappers that take ids and call a service."""

from intake import signing


def complaint_sign(complaint_id: int) -> int:
    """Sign one new complaint for matter suggestions (intake.signing); the payload is its id
    alone, the worker reads the text in memory."""
    return signing.complaint_sign(complaint_id=complaint_id)
