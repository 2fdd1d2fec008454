"""An ordered set of page sections that apps higher in the app order add to a page drawn by
an app lower down, which never imports them (intake.panels for a case's pages,
routing.triage_notes for routing's triage card).

A panel is `panel(request, unit, complaint, content)` returning `(template, context)`, or
None to show nothing; `content` is the case as just read, or None where nothing may be
decrypted.

A panel also says where it belongs on a long page: `primary(request, complaint)` is true
when the panel is one of the few things the case's current state calls for (it is then shown
open, near the top), and `title` names it when it is folded away. A folded panel opens by
itself when a form in it was refused, so the error is never hidden.
"""

from collections.abc import Callable

from django.forms import BaseForm
from django.template.loader import render_to_string
from django.utils.safestring import SafeString


class Shown(SafeString):
    """One panel as HTML (it prints as before in `{{ panel }}`), with where it goes: whether
    it is `primary` for the case's state, the `title` of its fold, and whether it holds a
    form `error` (then its fold is open)."""

    primary: bool = False
    title: str = ""
    error: bool = False


def never(request, complaint) -> bool:
    return False


def _holds_error(context: dict) -> bool:
    """Whether a form the panel shows was refused (a bound form with errors, alone or in a
    dictionary of forms, as routing's answer forms are)."""
    for value in context.values():
        forms = value.values() if isinstance(value, dict) else [value]
        if any(isinstance(form, BaseForm) and form.is_bound and form.errors for form in forms):
            return True
    return False


class Panels:
    def __init__(self) -> None:
        self._panels: list[tuple[int, Callable, Callable, str]] = []

    def register(self, panel: Callable, order: int = 50, *,
                 primary: Callable = never, title: str = "") -> None:
        """Adds `panel` once (registering it again changes nothing); lower orders first.
        `primary(request, complaint)` says when the case's state calls for it; `title` is
        the summary of its fold otherwise."""
        if all(existing is not panel for _, existing, _, _ in self._panels):
            self._panels.append((order, panel, primary, title))
            self._panels.sort(key=lambda entry: entry[0])

    def render(self, request, unit, complaint, content=None, **extra) -> list[Shown]:
        """The registered panels as HTML, in order. `extra` reaches every panel's template
        (a refused action passes its bound form and errors this way)."""
        shown = []
        for _, panel, primary, title in self._panels:
            found = panel(request, unit, complaint, content)
            if found is not None:
                template, context = found
                merged = {**context, **extra}
                html = Shown(render_to_string(template, merged, request=request))
                html.primary = bool(primary(request, complaint))
                html.title = title
                # Only the panel's own forms count: a refused form reaches every panel.
                html.error = _holds_error({key: merged[key] for key in context})
                shown.append(html)
        return shown
