"""The citizen's pages: report without an account, then follow the case with a receipt.

Nothing here reads, stores or logs the visitor's address or browser (the rate limits keep a
keyed hash of the address for a few minutes, in the cache only). Receipt codes travel only
in POST bodies, and every way a lookup can fail gives the same page in the same time.
"""

import asyncio
import hashlib
import time
from functools import wraps

from asgiref.sync import sync_to_async
from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django.views.debug import SafeExceptionReporterFilter
from django.views.decorators.debug import sensitive_variables
from django.views.decorators.http import require_http_methods

from intake import ratelimit
from intake.fields import upload_too_large
from intake.models import Complaint, Status
from intake.public.forms import (
    LOOKUP_TOKEN_SALT,
    TOKEN_REFUSED,
    TOKEN_SALT,
    ReceiptForm,
    ReporterMessageForm,
    WebReportForm,
    form_token_age,
    new_form_token,
    public_units,
    unit_named,
)
from intake.public.kept_pages import kept_page, shareable
from intake.public.notes import reporter_notes
from intake.public.receipt_page import receipt_page, shown_again
from intake.public.services import reporter_thread_read
from intake.receipts import clean_code, format_code, receipt_candidates
from intake.services import Content, Upload, reporter_message_send, web_report_submit
from intake.uploads import request_too_large

# Every receipt lookup answers no sooner than this after the request came in, found or not,
# so that the time taken does not tell whether a code exists (the hash takes most of it).
LOOKUP_FLOOR_SECONDS = 0.35

SLOW_DOWN = _("Too many attempts in a short time. Wait ten minutes and try again. Nothing "
              "was saved.")
PACED = _("Many people are sending at this moment, so the site asks everyone for a short wait. "
          "Wait half a minute, then send again; with JavaScript on, your browser needs only a "
          "few seconds. What you wrote is kept below. Nothing was saved yet.")


def answers_after_the_floor(view):
    """Holds back the answer to a POST until LOOKUP_FLOOR_SECONDS after it arrived. The wait
    is asynchronous, so a waiting lookup does not keep a server thread busy."""
    run_view = sync_to_async(view)

    @wraps(view)
    async def wrapped(request, *args, **kwargs):
        started = time.monotonic()
        response = await run_view(request, *args, **kwargs)
        if request.method == "POST":
            await asyncio.sleep(max(0.0, LOOKUP_FLOOR_SECONDS - (time.monotonic() - started)))
        return response

    return wrapped


class _HiddenEvenInDevelopment(SafeExceptionReporterFilter):
    """Django hides what is marked sensitive only when DEBUG is off; a receipt, or what a
    reporter wrote, is hidden from the development error page too."""

    def is_active(self, request):
        return True


def hides_the_receipt(view):
    """Keeps the receipt, and whatever else the reporter sent, off error pages and reports:
    every POST field and every local variable of the view and the frames below it (the
    receipt, the page's context) show as stars. Put it under `answers_after_the_floor`, so
    that it runs in the same thread as the view."""
    hidden = sensitive_variables()(view)

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        request.sensitive_post_parameters = "__ALL__"
        request.exception_reporter_filter = _HiddenEvenInDevelopment()
        return hidden(request, *args, **kwargs)

    return wrapped


def _token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _uploads(files) -> list[Upload]:
    return [Upload(file=f.open(), filename=f.filename, content_type=f.content_type)
            for f in files]


def _too_large(request):
    return render(request, "intake/public/too_large.html", status=413)


def _already_received(request):
    return render(request, "intake/public/already_received.html", status=409)


def _paced(form, *scopes: str):
    """The form, asking the page for a proof of work while the site is under pressure."""
    if ratelimit.under_pressure(*scopes):
        form.pow_bits = ratelimit.POW_BITS
    return form


def _refusal(request, form, salt: str, *scopes: str) -> ValidationError | None:
    """Why this POST may not go on (shown on `form`, with what was typed), or None.

    A missing or bad form token is refused before anything is counted, so made-up posts
    spend nobody's budget. While the site is under pressure a post without the proof of work
    (or the wait) is slowed, not counted. Then the client's own limits are spent."""
    token = request.POST.get("token", "")
    age = form_token_age(token, salt)
    if age is None:
        return ValidationError(TOKEN_REFUSED, code="token")
    _paced(form, *scopes)
    if form.pow_bits and not ratelimit.paced(token, request.POST.get("pow", ""), age=age):
        return ValidationError(PACED, code="paced")
    if not ratelimit.allow(request, *scopes):
        return ValidationError(SLOW_DOWN, code="slow_down")
    # A report's token is spent by the report itself; a lookup's or a message's is spent here,
    # once the client's own limits let it through: what a client may make the cache remember
    # is bounded by those limits.
    if form.pow_bits and salt == LOOKUP_TOKEN_SALT and not ratelimit.first_use(token, age=age):
        return ValidationError(PACED, code="spent")
    return None


def _refused(form, refusal: ValidationError) -> int:
    """Puts the refusal on the form; the status to answer with. A refused token is replaced
    by a fresh one (the form's own check has already said why)."""
    if refusal.code == "token":
        if "token" not in form.errors:
            form.add_error("token", refusal)
        form.renew_token()
        return 400
    if refusal.code == "spent":  # sent again: a fresh form, and so fresh work, is needed
        form.renew_token()
    form.add_error(None, refusal)
    return 429


def _report_page(request, form, status=200):
    if form.is_bound and "token" in form.errors:
        form.renew_token()
    return render(request, "intake/public/report.html", {"form": form}, status=status)


def _empty_report_page(request, chosen):
    """The form as first shown; an anonymous visitor's is kept and shared (kept_pages)."""
    def form(token: str):
        initial = {"token": token, **({"unit": chosen} if chosen else {})}
        found = WebReportForm(initial=initial, units=units)
        found.pow_bits = pow_bits  # as _paced would
        return found

    units = list(public_units())
    pow_bits = ratelimit.POW_BITS if ratelimit.under_pressure("report") else 0
    if not shareable(request):
        return _report_page(request, form(new_form_token()))
    key = ("report", chosen.pk if chosen else None, pow_bits,
           *((unit.pk, unit.code, unit.name_mn, unit.name_en) for unit in units))
    return kept_page(request, key, lambda csrf, token: render_to_string(
        "intake/public/report.html", {"form": form(token), "csrf_token": csrf}, request),
        token=new_form_token())


@require_http_methods(["GET", "POST"])
@hides_the_receipt
def report(request):
    if request.method == "GET":
        return _empty_report_page(request, unit_named(request.GET.get("unit")))
    if request_too_large(request):  # by the declared length, before the body is parsed
        return _too_large(request)
    token = request.POST.get("token", "")
    if token and Complaint.objects.filter(submission_token=_token_digest(token)).exists():
        return _already_received(request)
    form = WebReportForm(request.POST)
    if refusal := _refusal(request, form, TOKEN_SALT, "report"):
        # The words come back with the refusal, so nothing typed is lost; the files are not
        # checked.
        status = _refused(form, refusal)
        return _report_page(request, form, status=status)
    if getattr(request, "upload_too_large", False):
        # Reading stopped at the file that was too large; what came before it is shown again.
        form.add_error("attachments", upload_too_large())
        return _report_page(request, form, status=413)
    form = _paced(WebReportForm(request.POST, request.FILES, units=form.units), "report")
    if not form.is_valid():
        return _report_page(request, form, status=400)
    data = form.cleaned_data
    content = Content(
        body=data["body"], subject=data["who"], particulars=form.particulars(),
        reporter=form.reporter(),
    )
    try:
        logged = web_report_submit(
            unit=data["unit"], kind=data["kind"], content=content,
            submission_token=_token_digest(data["token"]), language=get_language(),
            uploads=_uploads(data["attachments"]), publish_consent=data["publish"],
        )
    except IntegrityError:  # the same form sent twice at the same moment
        return _already_received(request)
    return receipt_page(request, receipt=format_code(logged.receipt),
                        reference=logged.complaint.reference)


@require_http_methods(["GET", "POST"])
@hides_the_receipt
def receipt(request):
    """The receipt page again, in this URL's language: the language switch of the page the
    report's POST answered (intake.public.receipt_page). Never looks a code up."""
    if request.method == "GET":
        # Reached by the header's language links of this very page: nothing to show.
        return redirect("intake:track")
    shown = shown_again(request.POST.get("shown", ""))
    if shown is None:
        return render(request, "intake/public/receipt_gone.html", status=400)
    return receipt_page(request, receipt=shown["receipt"], reference=shown["reference"])


def _find_by_receipt(raw: str) -> Complaint | None:
    """The live complaint a receipt opens, or None. The hashing costs the same whatever was
    typed (see receipts.receipt_candidates); the views' time floor covers the rest."""
    candidates = receipt_candidates(clean_code(raw))
    if not candidates:
        return None
    return (
        Complaint.objects.select_related("unit", "data_key")
        .filter(receipt_hash__in=candidates, data_key__shredded_at__isnull=True)
        .first()
    )


def _case_page(request, complaint: Complaint, code: str, *, form=None, sent=False, status=200):
    thread, damaged = reporter_thread_read(complaint=complaint)
    return render(request, "intake/public/case.html", {
        "complaint": complaint,
        "thread": thread,
        "damaged": damaged,
        # Only ever written into the hidden field of the POST form below, never into a link.
        "receipt": code,
        "form": form or ReporterMessageForm(),
        "sent": sent,
        "closed": complaint.status == Status.CLOSED,
        "notes": reporter_notes(complaint),
    }, status=status)


def _not_found(request):
    # The same bytes for a code that never existed, one whose case was shredded and a
    # mistyped one: no form, no token, nothing that varies.
    return render(request, "intake/public/not_found.html", status=404)


@require_http_methods(["GET", "POST"])
@answers_after_the_floor
@hides_the_receipt
def track(request):
    if request.method == "GET":
        if request.GET:
            # A code put in the address is not looked up, nor repeated in this page's links:
            # the address bar is cleared instead.
            return redirect(request.path)
        return render(request, "intake/public/track.html",
                      {"form": _paced(ReceiptForm(), "track")})
    form = ReceiptForm(request.POST)
    if refusal := _refusal(request, form, LOOKUP_TOKEN_SALT, "track"):
        status = _refused(form, refusal)
        # The form comes back empty, with its token (a page without JavaScript waits from
        # when it was given): a receipt is never written into a visible field.
        again = ReceiptForm(initial={"token": form.data.get("token")})
        again.pow_bits = form.pow_bits
        return render(request, "intake/public/track.html",
                      {"form": again, "refusal": refusal.message}, status=status)
    raw = request.POST.get("receipt", "")
    complaint = _find_by_receipt(raw)
    if complaint is None:
        return _not_found(request)
    return _case_page(request, complaint, clean_code(raw),
                      form=_paced(ReporterMessageForm(), "track", "message"))


@require_http_methods(["GET", "POST"])
@answers_after_the_floor
@hides_the_receipt
def track_message(request):
    if request.method == "GET":
        # Reached only by the language switch of a page this view answered.
        return redirect("intake:track")
    if request_too_large(request):
        return _too_large(request)
    raw = request.POST.get("receipt", "")
    # Sending a message looks a receipt up too, so it spends a lookup as well. Refused, the
    # message comes back to be sent again, without the case: nothing was looked up.
    form = ReporterMessageForm(request.POST)
    if refusal := _refusal(request, form, LOOKUP_TOKEN_SALT, "track", "message"):
        status = _refused(form, refusal)
        return render(request, "intake/public/message_again.html",
                      {"form": form, "receipt": raw[:40]}, status=status)
    complaint = _find_by_receipt(raw)
    if complaint is None:
        return _not_found(request)
    code = clean_code(raw)
    if getattr(request, "upload_too_large", False):
        form.add_error("attachments", upload_too_large())
        return _case_page(request, complaint, code, form=form, status=413)
    form = _paced(ReporterMessageForm(request.POST, request.FILES), "track", "message")
    if complaint.status == Status.CLOSED or not form.is_valid():
        return _case_page(request, complaint, code, form=form, status=400)
    try:
        reporter_message_send(complaint=complaint, body=form.cleaned_data["body"],
                              uploads=_uploads(form.cleaned_data["attachments"]))
    except ValidationError as error:  # closed in the meantime
        form.add_error(None, error)
        return _case_page(request, complaint, code, form=form, status=400)
    return _case_page(request, complaint, code, sent=True,
                      form=_paced(ReporterMessageForm(), "track", "message"))
