"""Lines other apps add to the triage card of routing's case panel, without routing knowing
those apps.

lifecycle shows a case's overdue clocks and its escalations this way, under the triage
decision and above the suggestion, where they were when the clocks were routing's: the
clocks sit above routing in the app order, so routing renders whatever is registered and
never imports them (core.panels, as intake.panels is, one level up).

    from routing.triage_notes import register_triage_note

    def my_note(request, unit, complaint, content):    # as an intake.panels panel
        return "myapp/note.html", {...}                 # or None to show nothing

    register_triage_note(my_note, order=10)
"""

from core.panels import Panels

_triage_notes = Panels()
register_triage_note = _triage_notes.register
render_triage_notes = _triage_notes.render
