"""An ordered set of page sections that apps higher in the app order add to a page drawn by
an app lower down, which never imports them (intake.panels for a case's pages,
routing.triage_notes for routing's triage card).

A panel is `panel(request, unit, complaint, content)` returning `(template, context)`, or
None to show nothing; `content` is the case as just read, or None where nothing may be
decrypted.
"""

from collections.abc import Callable

from django.template.loader import render_to_string


class Panels:
    def __init__(self) -> None:
        self._panels: list[tuple[int, Callable]] = []

    def register(self, panel: Callable, order: int = 50) -> None:
        """Adds `panel` once (registering it again changes nothing); lower orders first."""
        if all(existing is not panel for _, existing in self._panels):
            self._panels.append((order, panel))
            self._panels.sort(key=lambda entry: entry[0])

    def render(self, request, unit, complaint, content=None, **extra) -> list[str]:
        """The registered panels as HTML, in order. `extra` reaches every panel's template
        (a refused action passes its bound form and errors this way)."""
        shown = []
        for _, panel in self._panels:
            found = panel(request, unit, complaint, content)
            if found is not None:
                template, context = found
                shown.append(render_to_string(template, {**context, **extra},
                                              request=request))
        return shown
