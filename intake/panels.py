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
