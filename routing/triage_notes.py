"""Lines other apps add to the triage card of routing's case panel, without routing knowing
those apps.

lifecycle shows a case's overdue clocks and its escalations this way, under the triage
decision and above the suggestion, where they were when the clocks were routing's: the
clocks sit above routing in the app order, so routing renders whatever is registered and
never imports them (the same hook as intake.panels, one level up).

    from routing.triage_notes import register_triage_note

    def my_note(request, unit, complaint, content):    # as an intake.panels panel
        return "myapp/note.html", {...}                 # or None to show nothing

    register_triage_note(my_note, order=10)
"""

from collections.abc import Callable

from django.template.loader import render_to_string

_notes: list[tuple[int, Callable]] = []


def register_triage_note(note: Callable, order: int = 50) -> None:
    if all(existing is not note for _, existing in _notes):
        _notes.append((order, note))
        _notes.sort(key=lambda entry: entry[0])


def render_triage_notes(request, unit, complaint, content=None) -> list[str]:
    """The registered notes as HTML, in order."""
    shown = []
    for _, note in _notes:
        found = note(request, unit, complaint, content)
        if found is not None:
            template, context = found
            shown.append(render_to_string(template, context, request=request))
    return shown
