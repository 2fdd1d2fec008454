"""Triage and referrals on a case: the panel routing adds to the case's pages
(intake.panels) and the POST actions behind its forms.

The plain case page shows metadata only: the decision, the referrals and their answers,
never their sealed words. The page shown after "Read the case" (a POST that records the
reading) adds what needs the text: the triage suggestion, computed in memory from the text
just read, and the forms to decide and to prepare a referral. A head about to approve sees
the cover letter there too, and that reading is recorded as well.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from intake.case.pages import (
    CASE_ROLES,
    case_for,
    read_page,
    refused,
    typed_elsewhere,
    typed_forms,
)
from intake.case.services import case_read
from intake.damage import Reading
from intake.models import Status
from org.access import unit_role_required
from org.models import Role
from outbox.models import Agency
from routing import services
from routing.case import carry
from routing.case.evidence import files_sent
from routing.case.forms import (
    AnswerForm,
    ReferralForm,
    ReturnForm,
    TriageForm,
    sign_suggestion,
)
from routing.cover_letter import cover_letter_draft
from routing.delivery import dead_letter_retry
from routing.models import Category, Referral, ReferralState
from routing.reading import cover_letters_read
from routing.strength import preticked, strength_label
from routing.triage import suggest_explained
from routing.triage_notes import render_triage_notes
from vault.errors import DecryptionError, VaultError


def _referrals(complaint):
    return list(
        complaint.referrals.defer("cover_letter", "redactions")
        .select_related("agency", "prepared_by", "approved_by")
        .prefetch_related("answers", "attachments")
        .order_by("prepared_at", "pk")
    )


def _answer_forms(referrals, *, join=False, typed=None) -> dict:
    """An agency-answer form per referral that may be answered; `join` makes them part of
    the read page's one form (routing.case.carry), `typed` fills them as they were typed."""
    typed = typed or {}
    forms = {referral.pk: AnswerForm(prefix=f"answer-{referral.pk}",
                                     initial=typed.get(referral.pk))
             for referral in referrals if referral.state in services.ANSWERABLE}
    return {pk: carry.joined(form) for pk, form in forms.items()} if join else forms


def case_panel(request, unit, complaint, content):
    """Registered in routing.apps: triage and referrals on the case and read pages."""
    decision = services.current_decision(complaint)
    referrals = _referrals(complaint)
    context = {
        "unit": unit, "complaint": complaint, "decision": decision,
        "decisions_before": complaint.triage_decisions.filter(current=False).count(),
        "referrals": referrals,
        "is_head": Role.HEAD in getattr(request, "unit_roles", set()),
        "me": request.user,
        "closed": complaint.status == Status.CLOSED,
        "return_form": ReturnForm(prefix="return"),
        "answer_forms": _answer_forms(referrals, join=content is not None
                                      and complaint.status != Status.CLOSED),
        "ANSWERABLE": services.ANSWERABLE,
        "PREPARED": ReferralState.PREPARED, "FAILED": ReferralState.FAILED,
        "reading": content is not None,
        "suggestion_shown_strength": (strength_label(decision.suggestion.get("score", 0.0))
                                      if decision and decision.suggestion else ""),
        # Decisions recorded before endings stopped counting may keep one; it is not shown.
        "suggestion_shown_terms": [term for term in (decision.suggestion or {}).get(
            "matched", ()) if not term.startswith("-")] if decision else [],
    }
    context["files_sent"] = files_sent(referrals, content,
                                       case_files=complaint.attachments.count())
    # What other apps show under the decision: lifecycle's overdue clocks and escalations.
    context["triage_notes"] = render_triage_notes(request, unit, complaint, content)
    if content is not None and not context["closed"]:
        context.update(_reading_context(request, complaint, content, decision, referrals))
    return "routing/case_panel.html", context


def _reading_context(request, complaint, content, decision, referrals) -> dict:
    text = "\n".join(part for part in (content.subject, content.body) if part)
    # The model's fragments are the text's own, like the matched words: shown, never kept.
    suggestion, words, fragments = suggest_explained(text)
    found = services.suggestion_record(suggestion)
    # Only a category whose own evidence is strong is ticked (routing.strength).
    initial_categories = (list(decision.categories.all()) if decision
                          else list(Category.objects.filter(active=True).filter(
                              code__in=preticked(found))))
    triage_form = TriageForm(prefix="triage", initial={
        "categories": initial_categories,
        "priority": decision.priority if decision else "normal",
        "title": complaint.title,
        "suggestion": sign_suggestion(found),
    })
    agency = services.default_agency(complaint.unit)
    pending = [referral for referral in referrals if referral.state == ReferralState.PREPARED]
    referral_form = None
    if decision is not None and not pending:
        # A file whose name is damaged (intake.damage) is not offered for a referral. The
        # case's files are its evidence, so each goes unless the officer unticks it.
        choices = [(str(f.uid), f.filename) for f in content.files if not f.damaged]
        referral_form = ReferralForm(
            prefix="refer", unit=complaint.unit, files_choices=choices,
            initial={"agency": agency, "attachments": [key for key, _name in choices],
                     "cover_letter": (cover_letter_draft(complaint, agency, decision)
                                      if agency else "")},
        )
    return {"suggestion": found, "suggested": suggested_categories(found),
            "corruption_strength": strength_label(found["score"]),
            "matched_words": words, "model_fragments": fragments,
            "model_percent": (None if suggestion.probability is None
                              else round(suggestion.probability * 100)),
            "triage_form": triage_form, "referral_form": referral_form,
            "letters": cover_letters_read(complaint=complaint, referrals=pending,
                                          reader=request.user),
            "has_agencies": Agency.objects.serving(complaint.unit).exists(),
            "waiting": bool(pending)}


def suggested_categories(suggestion: dict) -> list[dict]:
    """The suggested categories as the page lists them, best first: name, strength of their
    own evidence and whether the form ticks them."""
    categories = {c.code: c for c in Category.objects.filter(
        code__in=suggestion.get("categories", ()))}
    ticked, own = set(preticked(suggestion)), suggestion.get("scores") or {}
    return [{"name": categories[code].name if code in categories else code,
             "strength": strength_label(own.get(code, 0.0)), "ticked": code in ticked}
            for code in suggestion.get("categories", ())]


# --- actions ------------------------------------------------------------------------------

def _back(request, unit, complaint, text):
    messages.success(request, text)
    return redirect("intake:case", unit_code=unit.code, reference=complaint.reference)


def _read_again(request, unit, complaint, *, status=400, **extra):
    """The read page again with a refused form and its errors, or with text typed into the
    other form (routing.case.carry). Showing it decrypts the case once more, which is
    recorded like any reading."""
    try:
        content = case_read(complaint=complaint, reader=request.user)
    except VaultError as error:
        messages.error(request, error.user_message)
        return redirect("intake:case", unit_code=unit.code, reference=complaint.reference)
    return read_page(request, unit, complaint, content, status=status, **extra)


def _referral_form(complaint, data=None, initial=None):
    files = complaint.attachments.values_list("uid", flat=True)
    form = ReferralForm(data, prefix="refer", unit=complaint.unit, initial=initial,
                        files_choices=[(str(uid), str(uid)) for uid in files])
    return _with_names(form, complaint) if data is None else form


def _draft(request, complaint) -> str:
    """The cover letter the read page drafted, to tell a typed letter from it."""
    decision = services.current_decision(complaint)
    agency = Agency.objects.filter(pk=request.POST.get("refer-agency") or None).first()
    return cover_letter_draft(complaint, agency, decision) if agency and decision else ""


def _carried(request, complaint, *, acting: str, draft: str = "", answered=None) -> dict:
    """The read page's other forms as they were typed, for the one `acting` to show again
    (routing.case.carry), intake's action boxes included; empty when nothing was typed into
    them."""
    return {**typed_forms(request),
            **_routing_typed(request, complaint, acting=acting, draft=draft, answered=answered)}


def typed_in_routing(request, complaint) -> dict:
    """Registered with intake.panels: what was typed into routing's boxes on the read page,
    for intake to show again when one of its own buttons was pressed."""
    return _routing_typed(request, complaint, acting="", draft=_draft(request, complaint))


def _routing_typed(request, complaint, *, acting: str, draft: str, answered=None) -> dict:
    extra = {}
    if acting != "triage" and (typed := carry.triage_typed(request.POST, complaint)):
        extra["triage_form"] = TriageForm(prefix="triage", initial=typed)
    if acting != "refer" and (typed := carry.referral_typed(request.POST, draft)):
        extra["referral_form"] = _referral_form(complaint, initial=typed)
    if typed := carry.answers_typed(request.POST, skip=answered):
        extra["answer_forms"] = _answer_forms(_referrals(complaint), join=True, typed=typed)
    return extra


@unit_role_required(*CASE_ROLES)
@require_POST
def triage(request, unit, reference):
    complaint = case_for(request, unit, reference)
    form = TriageForm(request.POST, prefix="triage")
    draft = _draft(request, complaint)
    if not form.is_valid():
        return _read_again(request, unit, complaint, triage_form=form,
                           **_carried(request, complaint, acting="triage", draft=draft))
    data = form.cleaned_data
    try:
        services.triage_decide(
            complaint=complaint, by=request.user, categories=data["categories"],
            corruption_related=data["corruption"], priority=data["priority"],
            reason=data["reason"], suggestion=data["suggestion"],
            # A form sent without the title field (an older page) leaves the title alone.
            title=data["title"] if form.add_prefix("title") in request.POST else None,
        )
    except ValidationError as error:
        return refused(request, unit, complaint, error=error)
    carried = _carried(request, complaint, acting="triage", draft=draft)
    if carried:
        messages.success(request, _("The triage decision was recorded. What you were "
                                    "writing in the other forms is below, as you left it."))
        return _read_again(request, unit, complaint, status=200, **carried)
    return _back(request, unit, complaint, _("The triage decision was recorded."))


@unit_role_required(*CASE_ROLES)
@require_POST
def refer(request, unit, reference):
    complaint = case_for(request, unit, reference)
    form = _referral_form(complaint, request.POST)
    if not form.is_valid():
        return _read_again(request, unit, complaint, referral_form=_with_names(form, complaint),
                           **_carried(request, complaint, acting="refer"))
    data = form.cleaned_data
    try:
        referral = services.referral_prepare(
            complaint=complaint, by=request.user, agency=data["agency"],
            cover_letter=data["cover_letter"],
            attachments=complaint.attachments.filter(uid__in=data["attachments"]),
            include_reporter=data["include_reporter"], redactions=data["redactions"],
        )
    except ValidationError as error:
        return refused(request, unit, complaint, error=error)
    text = _("Referral %(reference)s was prepared; it goes out when the head approves "
             "it.") % {"reference": referral.reference}
    carried = _carried(request, complaint, acting="refer")
    if carried:
        messages.success(request, text + " " + _("What you were writing in the other forms "
                                                 "is shown as you left it; it is not recorded "
                                                 "yet."))
        return _read_again(request, unit, complaint, status=200, **carried)
    return _back(request, unit, complaint, text)


def _with_names(form, complaint):
    """The refused referral form with the files' real names as its choices again (a damaged
    name, recorded when the case was read, stays the file's id here)."""
    reading = Reading()
    names = {str(a.uid): reading.reveal(a, "filename") or str(a.uid)
             for a in complaint.attachments.all()}
    form.fields["attachments"].choices = [(key, names.get(key, key))
                                          for key, _label in form.fields["attachments"].choices]
    return form


def _referral(complaint, number: str) -> Referral:
    return get_object_or_404(complaint.referrals.select_related("agency", "complaint"),
                             reference=number)


@unit_role_required(Role.HEAD)
@require_POST
def approve(request, unit, reference, number):
    complaint = case_for(request, unit, reference)
    referral = _referral(complaint, number)
    if kept := _kept(request, unit, complaint, returning=False):
        return kept
    try:
        services.referral_approve(referral=referral, by=request.user)
    except ValidationError as error:
        return refused(request, unit, complaint, error=error)
    except DecryptionError:
        # The package was not built and nothing was sent; reading the case names the damaged
        # part and records it (intake.damage).
        return refused(request, unit, complaint, error=ValidationError(_(
            "Part of this case is damaged, so the referral cannot be built and nothing was "
            "sent. Read the case to see which part.")))
    if referral.agency.delivery == Agency.Delivery.LETTER:
        text = _("Referral %(reference)s was approved; print the letter and send it.")
    else:
        text = _("Referral %(reference)s was approved and is being sent.")
    return _back(request, unit, complaint, text % {"reference": referral.reference})


def _kept(request, unit, complaint, *, returning: bool):
    """The page again, doing nothing, when the head pressed approve or return with text
    typed elsewhere on it: a reply or note (intake's boxes), or a return reason when
    approving (the two contradict each other)."""
    if kept := typed_elsewhere(request, unit, complaint, None):
        return kept
    reason = request.POST.get("return-reason", "").strip()
    if not returning and reason:
        return refused(request, unit, complaint, panel_extra={
            "return_form": ReturnForm(request.POST, prefix="return")},
            error=ValidationError(_("You wrote a reason to return the referral: nothing was "
                                    "approved. Return it, or clear the reason and approve.")))
    return None


@unit_role_required(Role.HEAD)
@require_POST
def send_back(request, unit, reference, number):
    complaint = case_for(request, unit, reference)
    referral = _referral(complaint, number)
    if kept := _kept(request, unit, complaint, returning=True):
        return kept
    form = ReturnForm(request.POST, prefix="return")
    if not form.is_valid():
        return refused(request, unit, complaint, panel_extra={"return_form": form})
    try:
        services.referral_return(referral=referral, by=request.user,
                                 reason=form.cleaned_data["reason"])
    except ValidationError as error:
        return refused(request, unit, complaint, error=error)
    return _back(request, unit, complaint, _("Referral %(reference)s was returned.")
                 % {"reference": referral.reference})


@unit_role_required(*CASE_ROLES)
@require_POST
def answer(request, unit, reference, number):
    complaint = case_for(request, unit, reference)
    referral = _referral(complaint, number)
    form = AnswerForm(request.POST, prefix=f"answer-{referral.pk}")
    read_page_sent = carry.from_read_page(request.POST)
    carried = (_carried(request, complaint, acting="answer", draft=_draft(request, complaint),
                        answered=referral.pk) if read_page_sent else {})
    if not form.is_valid():
        forms = carried.pop("answer_forms", None) or _answer_forms(_referrals(complaint),
                                                                     join=read_page_sent)
        forms[referral.pk] = carry.joined(form) if read_page_sent else form
        if read_page_sent:
            return _read_again(request, unit, complaint, answer_forms=forms, **carried)
        return refused(request, unit, complaint, panel_extra={"answer_forms": forms})
    data = form.cleaned_data
    try:
        services.answer_record(
            referral=referral, by=request.user, kind=data["kind"],
            answered_on=data["answered_on"], agency_reference=data["agency_reference"],
            status=data["status"], text=data["text"],
        )
    except ValidationError as error:
        return refused(request, unit, complaint, error=error)
    if carried:
        messages.success(request, _("The agency's answer was recorded. What you were writing "
                                    "in the other forms is shown as you left it."))
        return _read_again(request, unit, complaint, status=200, **carried)
    return _back(request, unit, complaint, _("The agency's answer was recorded."))


@unit_role_required(Role.HEAD)
@require_POST
def retry(request, unit, reference, number):
    complaint = case_for(request, unit, reference)
    referral = _referral(complaint, number)
    try:
        dead_letter_retry(referral=referral, by=request.user)
    except ValidationError as error:
        return refused(request, unit, complaint, error=error)
    return _back(request, unit, complaint, _("Referral %(reference)s will be sent again.")
                 % {"reference": referral.reference})

