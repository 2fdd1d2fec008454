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

from core.panels import Panels

_case_panels = Panels()
register_case_panel = _case_panels.register
render_case_panels = _case_panels.render

# Boxes other apps put on the read page share intake's one form (intake.case.forms
# .CASE_FORM); when an action of intake's is pressed with text in one of them, intake shows
# the read page again with that text instead of dropping it.
_typed_hooks: list = []


def register_typed_text(hook) -> None:
    """`hook(request, complaint)` returns the panel values that show again what was typed
    into the app's boxes (as read_page's `panel_extra`), or an empty dict."""
    if hook not in _typed_hooks:
        _typed_hooks.append(hook)


def typed_text_of_others(request, complaint) -> dict:
    found = {}
    for hook in _typed_hooks:
        found.update(hook(request, complaint))
    return found
