""""You said, we did" for staff: the list of cases that may be published and the summaries
waiting or published (officers and heads), writing one, the head's publish and withdraw, and
the printable page for the information board."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from intake.models import Complaint, Status
from org.access import unit_role_required
from org.models import Role
from outreach.forms import PublicationForm
from outreach.models import Publication
from outreach.publications import (
    publication_approve,
    publication_withdraw,
    publication_write,
    published,
)

EDITORS = (Role.OFFICER, Role.HEAD)


def _cases(request, unit):
    return Complaint.objects.for_staff(request.user, unit=unit, roles=request.unit_roles)


def _case(request, unit, reference: str) -> Complaint:
    found = _cases(request, unit).filter(reference=reference).first()
    if found is None:
        raise Http404
    return found


@unit_role_required(*EDITORS)
@require_GET
def said_list(request, unit):
    cases = _cases(request, unit)
    return render(request, "outreach/said_list.html", {
        "unit": unit, "is_head": Role.HEAD in request.unit_roles,
        "to_write": cases.filter(status=Status.CLOSED, publish_consent=True,
                                 publication__isnull=True).order_by("-closed_at")[:50],
        "summaries": Publication.objects.filter(complaint__in=cases)
        .select_related("complaint").order_by("state", "-written_at")[:100],
    })


@unit_role_required(*EDITORS)
@require_http_methods(["GET", "POST"])
def said_write(request, unit, reference: str):
    complaint = _case(request, unit, reference)
    existing = Publication.objects.filter(complaint=complaint).first()
    form = PublicationForm(request.POST or None, initial={
        "said": existing.said if existing else "", "did": existing.did if existing else ""})
    refusal = None
    if request.method == "POST" and form.is_valid():
        try:
            publication_write(complaint=complaint, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            refusal = error.messages
        else:
            messages.success(request, _("Saved. The head publishes it or sends it back."))
            return redirect("outreach:said_list", unit_code=unit.code)
    return render(request, "outreach/said_write.html", {
        "unit": unit, "complaint": complaint, "form": form, "existing": existing,
        "refusal": refusal,
    }, status=409 if refusal else 400 if form.is_bound else 200)


def _decide(request, unit, reference: str, service, text: str):
    complaint = _case(request, unit, reference)
    found = Publication.objects.filter(complaint=complaint).first()
    try:
        if found is None:
            raise ValidationError(_("This case has no summary yet."), code="missing")
        service(publication=found, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, text)
    return redirect("outreach:said_list", unit_code=unit.code)


@unit_role_required(Role.HEAD)
@require_POST
def said_approve(request, unit, reference: str):
    return _decide(request, unit, reference, publication_approve,
                   _("Published. The hall screens show it at their next refresh."))


@unit_role_required(Role.HEAD)
@require_POST
def said_withdraw(request, unit, reference: str):
    return _decide(request, unit, reference, publication_withdraw, _("Withdrawn."))


@unit_role_required(Role.CLERK, Role.OFFICER, Role.HEAD)
@require_GET
def said_print(request, unit):
    """An A4 page of the latest published summaries, for the information board."""
    return render(request, "outreach/said_print.html",
                  {"unit": unit, "items": published(unit, limit=6)})
