"""Staff pages for the suggestion and complaint boxes: the openings, one opening, recording
one (with its witness), logging or setting aside each slip, and closing the opening once every
slip is accounted for. Who may do what: the table in intake.channels.pages.

Officers may view openings because they handle the slips' complaints and often witness the
opening; the box itself stays the clerk's duty. Opening pages show metadata only (counts,
reference numbers, reasons): no page here decrypts what anyone wrote. Every POST here
redirects.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods

from intake.channels.forms_boxes import (
    BoxOpeningFilterForm,
    BoxOpeningForm,
    BoxSlipForm,
    DiscardSlipForm,
)
from intake.channels.pages import (
    BOX_KEEPERS,
    BOX_VIEWERS,
    already_logged,
    already_saved,
    channel_page,
    invalid_status,
    posted,
    posted_files,
    remember_saved,
    upload_refused,
    uploads_of,
)
from intake.models import BoxOpening
from intake.services import (
    Content,
    box_opening_reconcile,
    box_opening_record,
    box_slip_discard,
    box_slip_log,
)
from org.access import unit_role_required
from org.models import Role

OPENINGS_PER_PAGE = 50


# --- box openings --------------------------------------------------------------------------

def _opening(unit, opening_id) -> BoxOpening:
    return get_object_or_404(
        BoxOpening.objects.select_related("opened_by", "witness"), pk=opening_id, unit=unit
    )


def _logged_count(opening: BoxOpening) -> int:
    return opening.complaints.count() + opening.discarded.count()


@unit_role_required(*BOX_VIEWERS)
@require_GET
def box_openings(request, unit):
    form = BoxOpeningFilterForm(request.GET or None)
    openings = (
        BoxOpening.objects.filter(unit=unit)
        .select_related("opened_by", "witness")
        .annotate(complaints_logged=Count("complaints", distinct=True),
                  discarded_logged=Count("discarded", distinct=True))
        .order_by("-opened_at", "-pk")
    )
    if form.is_bound:
        openings = form.filter(openings) if form.is_valid() else openings.none()
    page = Paginator(openings, OPENINGS_PER_PAGE).get_page(request.GET.get("page"))
    return channel_page(request, unit, "openings.html", {"form": form, "page": page})


@unit_role_required(*BOX_KEEPERS)
@require_http_methods(["GET", "POST"])
def box_opening_new(request, unit):
    form = BoxOpeningForm(posted(request), unit=unit, user=request.user)
    if form.is_bound and form.is_valid():
        if already_saved(request, form):
            return already_logged(request, unit)
        data = form.cleaned_data
        try:
            opening = box_opening_record(
                unit=unit, box=data["box"], opened_at=data["opened_at"],
                opened_by=data["opened_by"], witness=data["witness"],
                slip_count=data["slip_count"], recorded_by=request.user,
            )
        except ValidationError as error:
            form.add_error("witness" if error.code == "witness" else None, error)
        else:
            remember_saved(request, form)
            if opening.slip_count == 0:
                messages.success(request, _("The opening was recorded. The box was empty, so "
                                            "the opening is already closed."))
            else:
                messages.success(request, ngettext(
                    "The opening was recorded. Now log the %(count)d slip.",
                    "The opening was recorded. Now log each of the %(count)d slips.",
                    opening.slip_count,
                ) % {"count": opening.slip_count})
            return redirect("intake:box_opening", unit_code=unit.code, opening_id=opening.pk)
    return channel_page(request, unit, "opening_new.html", {"form": form},
                 status=invalid_status(request))


def _opening_context(request, opening: BoxOpening) -> dict:
    slips = list(
        opening.complaints.order_by("logged_at", "pk").annotate(scans=Count("attachments"))
    )
    discarded = list(opening.discarded.order_by("logged_at", "pk"))
    logged = len(slips) + len(discarded)
    keeper = Role.CLERK in request.unit_roles
    return {
        "opening": opening,
        "slips": slips,
        "discarded": discarded,
        "logged": logged,
        "remaining": max(opening.slip_count - logged, 0),
        "may_log": keeper and not opening.is_reconciled and logged < opening.slip_count,
        "may_close": keeper and not opening.is_reconciled,
    }


@unit_role_required(*BOX_VIEWERS)
@require_GET
def box_opening(request, unit, opening_id):
    opening = _opening(unit, opening_id)
    return channel_page(request, unit, "opening.html", _opening_context(request, opening))


def _after_slip(request, unit, opening: BoxOpening):
    """Straight on to the next slip while some remain; back to the opening when all are in."""
    if _logged_count(opening) < opening.slip_count:
        return redirect("intake:box_slip_new", unit_code=unit.code, opening_id=opening.pk)
    messages.info(request, _("Every slip of this opening is logged. Close the opening to "
                             "confirm the count."))
    return redirect("intake:box_opening", unit_code=unit.code, opening_id=opening.pk)


@unit_role_required(*BOX_KEEPERS)
@require_http_methods(["GET", "POST"])
def box_slip_new(request, unit, opening_id):
    opening = _opening(unit, opening_id)
    if refused := upload_refused(request, unit):  # before the body is read
        return refused
    form = BoxSlipForm(posted(request), posted_files(request))
    if refused := upload_refused(request, unit):  # while it was read
        return refused
    if form.is_bound and form.is_valid():
        if already_saved(request, form):
            return already_logged(request, unit)
        data = form.cleaned_data
        content = Content(body=data["body"], subject=data["subject"],
                          reporter=form.reporter())
        try:
            logged = box_slip_log(opening=opening, kind=data["kind"], content=content,
                                  logged_by=request.user, scans=uploads_of(data["scans"]),
                                  title=data["title"])
        except ValidationError as error:
            form.add_error(None, error)
        else:
            remember_saved(request, form)
            messages.success(request, _("Slip logged as %(reference)s.")
                             % {"reference": logged.complaint.reference})
            return _after_slip(request, unit, opening)
    context = _opening_context(request, opening)
    context["form"] = form
    return channel_page(request, unit, "slip_new.html", context, status=invalid_status(request))


@unit_role_required(*BOX_KEEPERS)
@require_http_methods(["GET", "POST"])
def box_slip_not_a_complaint(request, unit, opening_id):
    opening = _opening(unit, opening_id)
    form = DiscardSlipForm(posted(request))
    if form.is_bound and form.is_valid():
        if already_saved(request, form):
            return already_logged(request, unit)
        try:
            box_slip_discard(opening=opening, reason=form.cleaned_data["reason"],
                             logged_by=request.user)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            remember_saved(request, form)
            messages.success(request, _("The slip was set aside as not a complaint."))
            return _after_slip(request, unit, opening)
    context = _opening_context(request, opening)
    context["form"] = form
    return channel_page(request, unit, "slip_discard.html", context, status=invalid_status(request))


@unit_role_required(*BOX_KEEPERS)
@require_http_methods(["GET", "POST"])
def box_opening_close(request, unit, opening_id):
    opening = _opening(unit, opening_id)
    error = None
    if request.method == "POST":
        try:
            box_opening_reconcile(opening=opening, by=request.user)
        except ValidationError as refusal:
            error = refusal.messages[0]
        else:
            messages.success(request, _("The opening is closed: every slip is accounted for."))
            return redirect("intake:box_opening", unit_code=unit.code, opening_id=opening.pk)
    context = _opening_context(request, opening)
    context["error"] = error
    return channel_page(request, unit, "opening_close.html", context,
                 status=400 if error else 200)


@unit_role_required(*BOX_VIEWERS)
@require_GET
def box_opening_print(request, unit, opening_id):
    """The paper record of an opening, for the one who opened the box and the witness to
    sign, as the department files it: the unit, when, who, how many slips and the reference
    numbers they were logged under. Metadata only, like the opening's page."""
    opening = _opening(unit, opening_id)
    context = _opening_context(request, opening)
    context["printed_at"] = timezone.now()
    return channel_page(request, unit, "opening_record.html", context)
