"""The officer's answers to "probably the same matter" on a case page: link the suggested
complaint as the same matter, say it is not the same, or take the case out of its matter.

Each is a button of the page's one form, so typed text elsewhere on the page comes along:
when there is any, nothing is done and the page comes back with it (typed_elsewhere). The
other complaint is found like the case itself, among the cases the person may see, so a
complaint of another unit, or one they are recused from, is 404 as if it did not exist.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from intake import matters
from intake.case.matter_panel import OTHER
from intake.case.pages import CASE_ROLES, case_for, refused, typed_elsewhere
from org.access import unit_role_required


def _answer(request, unit, reference, workflow, success: str, *, pair: bool = True):
    complaint = case_for(request, unit, reference)
    kept = typed_elsewhere(request, unit, complaint, None)
    if kept is not None:
        return kept
    arguments = {"complaint": complaint, "by": request.user}
    if pair:
        named = request.POST.get(OTHER, "").strip()
        if not named:
            return refused(request, unit, complaint, error=ValidationError(
                _("Choose the complaint with its button."), code="missing"))
        arguments["other"] = case_for(request, unit, named)
    try:
        workflow(**arguments)
    except ValidationError as error:
        return refused(request, unit, complaint, error=error)
    messages.success(request, success)
    return redirect("intake:case", unit_code=unit.code, reference=complaint.reference)


@unit_role_required(*CASE_ROLES)
@require_POST
def case_matter_link(request, unit, reference):
    return _answer(request, unit, reference, matters.complaints_link,
                   _("Linked: the complaints are now one matter."))


@unit_role_required(*CASE_ROLES)
@require_POST
def case_matter_dismiss(request, unit, reference):
    return _answer(request, unit, reference, matters.suggestion_dismiss,
                   _("Noted: that complaint will not be suggested again for this one."))


@unit_role_required(*CASE_ROLES)
@require_POST
def case_matter_unlink(request, unit, reference):
    return _answer(request, unit, reference, matters.complaint_unlink,
                   _("This complaint was taken out of the matter."), pair=False)
