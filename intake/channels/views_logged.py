"""Staff pages for what comes in by hand one item at a time: phone calls, and walk-ins,
notebook entries, letters, emails and social media messages; then the page that says it was
logged. Who may do what: the table in intake.channels.pages.

A receipt code is shown once, on the page that answers the POST which created it, and is
never stored, logged or put in a message; every other POST here redirects.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods

from intake.channels.forms_logged import CHANNEL_FORMS, PhoneCallForm
from intake.channels.pages import (
    LOGGED_HERE,
    LOGGERS,
    already_logged,
    already_saved,
    channel_page,
    duration_text,
    invalid_status,
    logged_page,
    posted,
    posted_files,
    remember_saved,
    upload_refused,
    uploads_of,
)
from intake.models import Channel, Complaint
from intake.receipts import format_code
from intake.services import Content, Logged, phone_call_log, staff_channel_log
from org.access import unit_role_required
from vault.blind import blind_candidates

CALLS_PER_PAGE = 50

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


def _logged(request, unit, logged: Logged, *, phone: str):
    _tell_about_earlier_complaints(request, unit, logged.complaint, phone)
    if logged.receipt:
        # Shown on this one response and nowhere else: not stored, not redirected to.
        return logged_page(request, unit, logged.complaint,
                           receipt=format_code(logged.receipt))
    messages.success(request, _("Logged as %(reference)s.")
                     % {"reference": logged.complaint.reference})
    return redirect("intake:logged", unit_code=unit.code, complaint_id=logged.complaint.pk)


@unit_role_required(*LOGGERS)
@require_GET
def phone_calls(request, unit):
    """The unit's logged calls, newest first: when, which line, how long, the kind and who
    logged it. Metadata only; nothing is decrypted. A call about a case the person is
    recused from is left out, as everywhere."""
    calls = (Complaint.objects.for_unit(unit).filter(channel=Channel.PHONE)
             .visible_to(request.user).select_related("logged_by")
             .order_by("-received_at", "-pk"))
    page = Paginator(calls, CALLS_PER_PAGE).get_page(request.GET.get("page"))
    rows = [(call, duration_text(call.call_duration_seconds)) for call in page.object_list]
    return channel_page(request, unit, "phone_calls.html", {"page": page, "rows": rows})


@unit_role_required(*LOGGERS)
@require_http_methods(["GET", "POST"])
def phone_call_new(request, unit):
    form = PhoneCallForm(posted(request), unit=unit)
    if form.is_bound and form.is_valid():
        if already_saved(request, form):
            return already_logged(request, unit)
        data = form.cleaned_data
        content = Content(body=data["body"], subject=data["subject"], reporter=form.reporter())
        try:
            logged = phone_call_log(
                unit=unit, line=form.line_called(), started_at=data["started_at"],
                duration_seconds=data["duration"], kind=data["kind"], content=content,
                summary_confirmed=data["summary_confirmed"],
                give_receipt=data["give_receipt"], logged_by=request.user,
                title=data["title"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            remember_saved(request, form)
            return _logged(request, unit, logged, phone=data["caller_phone"])
    return channel_page(request, unit, "phone_call.html", {"form": form},
                 status=invalid_status(request))


@unit_role_required(*LOGGERS)
@require_http_methods(["GET", "POST"])
def channel_log(request, unit, channel):
    form_class = CHANNEL_FORMS.get(channel)
    if form_class is None:
        raise Http404
    if refused := upload_refused(request, unit):  # before the body is read
        return refused
    form = form_class(posted(request), posted_files(request))
    if refused := upload_refused(request, unit):  # while it was read
        return refused
    if form.is_bound and form.is_valid():
        if already_saved(request, form):
            return already_logged(request, unit)
        data = form.cleaned_data
        content = Content(body=data["body"], subject=data["subject"], reporter=form.reporter(),
                          channel_details=form.channel_details())
        try:
            logged = staff_channel_log(
                unit=unit, channel=channel, kind=data["kind"], received_at=data["received_at"],
                content=content, logged_by=request.user,
                give_receipt=data.get("give_receipt", False),
                uploads=uploads_of(data.get("attachments")), title=data["title"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            remember_saved(request, form)
            return _logged(request, unit, logged, phone=data["phone"])
    return channel_page(request, unit, "channel.html", {
        "form": form, "channel": channel, "channel_label": Channel(channel).label,
    }, status=invalid_status(request))


@unit_role_required(*LOGGERS)
@require_GET
def logged(request, unit, complaint_id):
    found = Complaint.objects.filter(pk=complaint_id, unit=unit, channel__in=LOGGED_HERE)
    # Someone recused from the complaint gets 404 like everywhere else (the ids are
    # sequential); whoever logged it still sees what they logged.
    complaint = get_object_or_404(found.visible_to(request.user)
                                  | found.filter(logged_by=request.user))
    return logged_page(request, unit, complaint)
