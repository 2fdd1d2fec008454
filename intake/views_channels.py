"""Staff pages for what comes in by hand: box openings and their slips, phone calls, and
walk-ins, notebook entries, letters, emails and social media messages.

Who may do what (tests/intake/pages_channels.py holds the same table):

| page                                   | clerk | officer | head | auditor | admin |
|----------------------------------------|-------|---------|------|---------|-------|
| list of box openings, one opening      |  yes  |  view   | view |  view   |  no   |
| record an opening, log or discard a    |  yes  |   no    |  no  |   no    |  no   |
| slip, close an opening                 |       |         |      |         |       |
| log a phone call or another channel    |  yes  |   yes   |  no  |   no    |  no   |
| the "logged" confirmation page         |  yes  |   yes   |  no  |   no    |  no   |

Officers may view openings because they handle the slips' complaints and often witness the
opening; the box itself stays the clerk's duty. Opening pages show metadata only (counts,
reference numbers, reasons): no page here decrypts what anyone wrote.

A receipt code is shown once, on the page that answers the POST which created it, and is
never stored, logged or put in a message; every other POST here redirects.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods

from intake.forms_staff import (
    CHANNEL_FORMS,
    BoxOpeningFilterForm,
    BoxOpeningForm,
    BoxSlipForm,
    DiscardSlipForm,
    PhoneCallForm,
)
from intake.models import BoxOpening, Channel, Complaint
from intake.receipts import format_code
from intake.services import (
    Content,
    Logged,
    Upload,
    box_opening_reconcile,
    box_opening_record,
    box_slip_discard,
    box_slip_log,
    phone_call_log,
    staff_channel_log,
)
from intake.uploads import request_too_large
from org.access import unit_role_required
from org.models import Role
from vault.blind import blind_candidates

BOX_KEEPERS = (Role.CLERK,)
BOX_VIEWERS = (Role.CLERK, Role.OFFICER, Role.HEAD, Role.AUDITOR)
LOGGERS = (Role.CLERK, Role.OFFICER)
OPENINGS_PER_PAGE = 50
# Channels whose complaints are logged on these pages and shown on the "logged" page.
LOGGED_HERE = {Channel.PHONE, *CHANNEL_FORMS}
TEMPLATES = "intake/staff/channels/"

# The one-time tokens of forms already saved in this session (see OnceOnlyForm).
USED_TOKENS = "intake_used_form_tokens"
KEEP_TOKENS = 50


def _page(request, unit, template, context=None, *, status=200):
    roles = request.unit_roles
    return render(request, TEMPLATES + template, {
        "unit": unit,
        # For intake's own links.
        "can_keep_boxes": bool(roles & set(BOX_KEEPERS)),
        "can_view_boxes": bool(roles & set(BOX_VIEWERS)),
        "can_log": bool(roles & set(LOGGERS)),
        "channel_forms": [(key, Channel(key).label) for key in CHANNEL_FORMS],
        **(context or {}),
    }, status=status)


def _posted(request):
    return request.POST if request.method == "POST" else None


def _files(request):
    return request.FILES if request.method == "POST" else None


def _uploads(files) -> list[Upload]:
    return [Upload(file=f.open(), filename=f.filename, content_type=f.content_type)
            for f in files or ()]


def _upload_refused(request, unit):
    """A response when the files sent are over the limit (nothing is saved), else None."""
    if request.method == "POST" and (
        request_too_large(request) or getattr(request, "upload_too_large", False)
    ):
        return _page(request, unit, "too_large.html", status=413)
    return None


def _already_saved(request, form) -> bool:
    return form.cleaned_data["token"] in request.session.get(USED_TOKENS, [])


def _remember_saved(request, form):
    used = request.session.get(USED_TOKENS, [])[-(KEEP_TOKENS - 1):]
    request.session[USED_TOKENS] = [*used, form.cleaned_data["token"]]


def _already(request, unit):
    return _page(request, unit, "already_logged.html", status=409)


def _invalid_status(request) -> int:
    return 400 if request.method == "POST" else 200


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
    return _page(request, unit, "openings.html", {"form": form, "page": page})


@unit_role_required(*BOX_KEEPERS)
@require_http_methods(["GET", "POST"])
def box_opening_new(request, unit):
    form = BoxOpeningForm(_posted(request), unit=unit, user=request.user)
    if form.is_bound and form.is_valid():
        if _already_saved(request, form):
            return _already(request, unit)
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
            _remember_saved(request, form)
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
    return _page(request, unit, "opening_new.html", {"form": form},
                 status=_invalid_status(request))


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
    return _page(request, unit, "opening.html", _opening_context(request, opening))


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
    if refused := _upload_refused(request, unit):  # before the body is read
        return refused
    form = BoxSlipForm(_posted(request), _files(request))
    if refused := _upload_refused(request, unit):  # while it was read
        return refused
    if form.is_bound and form.is_valid():
        if _already_saved(request, form):
            return _already(request, unit)
        data = form.cleaned_data
        content = Content(body=data["body"], subject=data["subject"],
                          reporter=form.reporter())
        try:
            logged = box_slip_log(opening=opening, kind=data["kind"], content=content,
                                  logged_by=request.user, scans=_uploads(data["scans"]))
        except ValidationError as error:
            form.add_error(None, error)
        else:
            _remember_saved(request, form)
            messages.success(request, _("Slip logged as %(reference)s.")
                             % {"reference": logged.complaint.reference})
            return _after_slip(request, unit, opening)
    context = _opening_context(request, opening)
    context["form"] = form
    return _page(request, unit, "slip_new.html", context, status=_invalid_status(request))


@unit_role_required(*BOX_KEEPERS)
@require_http_methods(["GET", "POST"])
def box_slip_not_a_complaint(request, unit, opening_id):
    opening = _opening(unit, opening_id)
    form = DiscardSlipForm(_posted(request))
    if form.is_bound and form.is_valid():
        if _already_saved(request, form):
            return _already(request, unit)
        try:
            box_slip_discard(opening=opening, reason=form.cleaned_data["reason"],
                             logged_by=request.user)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            _remember_saved(request, form)
            messages.success(request, _("The slip was set aside as not a complaint."))
            return _after_slip(request, unit, opening)
    context = _opening_context(request, opening)
    context["form"] = form
    return _page(request, unit, "slip_discard.html", context, status=_invalid_status(request))


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
    return _page(request, unit, "opening_close.html", context,
                 status=400 if error else 200)


# --- phone calls and the other channels -----------------------------------------------------

def _tell_about_earlier_complaints(request, unit, complaint: Complaint, phone: str):
    """How many earlier complaints in this unit gave the same number: found through the blind
    index (under every key version), so the number is never compared or shown in clear."""
    if not phone:
        return
    earlier = (
        Complaint.objects.for_unit(unit)
        .filter(reporter_phone_index__in=blind_candidates("phone", phone))
        .exclude(pk=complaint.pk)
        .count()
    )
    if earlier:
        text = ngettext(
            "This number has reported before: %(count)d earlier complaint in this unit came "
            "from it.",
            "This number has reported before: %(count)d earlier complaints in this unit came "
            "from it.",
            earlier,
        ) % {"count": earlier}
    else:
        text = _("No earlier complaint in this unit came from this number.")
    messages.info(request, text, extra_tags="repeat-caller")


def _facts(complaint: Complaint) -> dict:
    seconds = complaint.call_duration_seconds
    return {
        "complaint": complaint,
        "by_phone": complaint.channel == Channel.PHONE,
        "duration": f"{seconds // 60}:{seconds % 60:02d}" if seconds is not None else "",
    }


def _logged(request, unit, logged: Logged, *, phone: str):
    _tell_about_earlier_complaints(request, unit, logged.complaint, phone)
    if logged.receipt:
        # Shown on this one response and nowhere else: not stored, not redirected to.
        return _page(request, unit, "logged.html", {
            **_facts(logged.complaint), "receipt": format_code(logged.receipt),
        })
    messages.success(request, _("Logged as %(reference)s.")
                     % {"reference": logged.complaint.reference})
    return redirect("intake:logged", unit_code=unit.code, complaint_id=logged.complaint.pk)


@unit_role_required(*LOGGERS)
@require_http_methods(["GET", "POST"])
def phone_call_new(request, unit):
    form = PhoneCallForm(_posted(request), unit=unit)
    if form.is_bound and form.is_valid():
        if _already_saved(request, form):
            return _already(request, unit)
        data = form.cleaned_data
        content = Content(body=data["body"], subject=data["subject"], reporter=form.reporter())
        try:
            logged = phone_call_log(
                unit=unit, line=form.line_called(), started_at=data["started_at"],
                duration_seconds=data["duration"], kind=data["kind"], content=content,
                summary_confirmed=data["summary_confirmed"],
                give_receipt=data["give_receipt"], logged_by=request.user,
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            _remember_saved(request, form)
            return _logged(request, unit, logged, phone=data["caller_phone"])
    return _page(request, unit, "phone_call.html", {"form": form},
                 status=_invalid_status(request))


@unit_role_required(*LOGGERS)
@require_http_methods(["GET", "POST"])
def channel_log(request, unit, channel):
    form_class = CHANNEL_FORMS.get(channel)
    if form_class is None:
        raise Http404
    if refused := _upload_refused(request, unit):  # before the body is read
        return refused
    form = form_class(_posted(request), _files(request))
    if refused := _upload_refused(request, unit):  # while it was read
        return refused
    if form.is_bound and form.is_valid():
        if _already_saved(request, form):
            return _already(request, unit)
        data = form.cleaned_data
        content = Content(body=data["body"], subject=data["subject"], reporter=form.reporter(),
                          channel_details=form.channel_details())
        try:
            logged = staff_channel_log(
                unit=unit, channel=channel, kind=data["kind"], received_at=data["received_at"],
                content=content, logged_by=request.user,
                give_receipt=data.get("give_receipt", False),
                uploads=_uploads(data.get("attachments")),
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            _remember_saved(request, form)
            return _logged(request, unit, logged, phone=data["phone"])
    return _page(request, unit, "channel.html", {
        "form": form, "channel": channel, "channel_label": Channel(channel).label,
    }, status=_invalid_status(request))


@unit_role_required(*LOGGERS)
@require_GET
def logged(request, unit, complaint_id):
    found = Complaint.objects.filter(pk=complaint_id, unit=unit, channel__in=LOGGED_HERE)
    # Someone recused from the complaint gets 404 like everywhere else (the ids are
    # sequential); whoever logged it still sees what they logged.
    complaint = get_object_or_404(found.visible_to(request.user)
                                  | found.filter(logged_by=request.user))
    return _page(request, unit, "logged.html", _facts(complaint))
