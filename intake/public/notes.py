"""Lines other apps add to the reporter's own case page (the tracking page), without intake
knowing those apps: outreach says there that a summary of the report was published.

    from intake.public.notes import register_reporter_note

    register_reporter_note(lambda complaint: _("…") or None)

A note must say only what the reporter may know of their own case: never that another
complaint exists, never who handles it.
"""

_notes: list = []


def register_reporter_note(note) -> None:
    if note not in _notes:
        _notes.append(note)


def reporter_notes(complaint) -> list[str]:
    return [text for note in _notes if (text := note(complaint))]
