"""The case page's panel "Probably the same matter": the other complaints of the case's
matter, and the unit's recent complaints that are probably the same matter (intake.matters),
each with a "link" and a "not the same" button of the page's one form.

It reads metadata only (a phone's blind index, similarity buckets), so the plain case page
shows it; every complaint in it is one the person may open (cases_for), so a recused officer
never learns of the other complaint.
"""

from django.utils.translation import gettext_lazy as _

from intake.case.pages import cases_for
from intake.matters import matter_others, suggestions_for
from intake.panels import register_case_panel

TEMPLATE = "intake/staff/case/actions/matter.html"
# Field of the page's one form that names the other complaint (intake.case.views_matters).
OTHER = "matter-other"


def _found(request, unit, complaint) -> dict:
    """The panel's lists, worked out once per request (the panel and `primary` both ask)."""
    cache = request.__dict__.setdefault("_shugel_matters", {})
    if complaint.pk not in cache:
        visible = cases_for(request, unit)
        cache[complaint.pk] = {"others": matter_others(complaint, visible),
                               "suggestions": suggestions_for(complaint, visible)}
    return cache[complaint.pk]


def matter(request, unit, complaint, content):
    found = _found(request, unit, complaint)
    if not found["others"] and not found["suggestions"]:
        return None
    return TEMPLATE, {"unit": unit, "complaint": complaint, "other_field": OTHER, **found}


def suggested(request, complaint) -> bool:
    """Open near the top while there are suggestions to answer (core.panels asks this
    after the panel itself, which found them for the unit in the URL)."""
    found = request.__dict__.get("_shugel_matters", {}).get(complaint.pk)
    return bool(found and found["suggestions"])


def register() -> None:
    register_case_panel(matter, order=8, primary=suggested, title=_("Probably the same matter"))
