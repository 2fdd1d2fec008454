"""Sections other apps add to a case's pages, without intake knowing those apps.

Routing shows its triage and referrals on the case page this way: intake renders whatever
panels are registered, in order, and never imports the apps that register them (the arrows
of DESIGN.md point from routing to intake, not back).

    from intake.panels import register_case_panel

    def my_panel(request, unit, complaint, content):   # content: CaseContent or None
        return "myapp/panel.html", {...}                 # or None to show nothing

    register_case_panel(my_panel, order=10)

`content` is the case as just read (a POST that recorded the reading) or None on the plain
case page, where nothing may be decrypted. A panel that decrypts anything else records that
reading itself (intake.reading.reading_record).
"""

from collections.abc import Callable

from django.template.loader import render_to_string

_panels: list[tuple[int, Callable]] = []


def register_case_panel(panel: Callable, order: int = 50) -> None:
    if all(existing is not panel for _, existing in _panels):
        _panels.append((order, panel))
        _panels.sort(key=lambda entry: entry[0])


def render_case_panels(request, unit, complaint, content=None, **extra) -> list[str]:
    """The registered panels as HTML, in order. `extra` reaches every panel's template
    (a refused action passes its bound form and errors this way)."""
    shown = []
    for _, panel in _panels:
        found = panel(request, unit, complaint, content)
        if found is not None:
            template, context = found
            shown.append(render_to_string(template, {**context, **extra}, request=request))
    return shown
