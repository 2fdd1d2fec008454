"""What routing's audit events mean in words (audit.vocabulary), registered when routing
loads: triage and referral actions, the agencies and categories their details name, and
referrals, decisions and answers named by number, linked to their case for those who may
open it (intake.audit_terms.case_links)."""

from django.utils.translation import gettext_lazy as _

from audit import vocabulary as words
from audit.vocabulary import Field, Named, Reader
from intake.audit_terms import case_links
from intake.models import Complaint
from outbox.models import Agency, Outbox
from routing.models import (
    AgencyAnswer,
    Category,
    Priority,
    Referral,
    ReferralState,
    TriageDecision,
    TriageModel,
)

AGENCY = Field(_("Agency"), "agency")
REFERRAL = Field(_("Referral"))
ATTEMPTS = Field(_("Attempts"), "count")
DELIVERY = Field(_("Sent by"), "delivery")
PACKAGE_HASH = Field(_("Package hash (SHA-256)"), "hash")
ERROR = Field(_("What went wrong"))


def register() -> None:
    words.register_kind("agency", resolve=agency_names)
    words.register_kind("category", resolve=category_names)
    words.register_choices("referral_state", ReferralState.choices)
    words.register_choices("priority", Priority.choices)
    words.register_choices("delivery", Agency.Delivery.choices)
    words.register_choices("answer_kind", AgencyAnswer.Kind.choices)
    words.register_choices("answer_via", AgencyAnswer.Via.choices)
    words.register_choices("content", {
        "cover_letter": _("Cover letter"), "redactions": _("Words blacked out"),
        "package": _("Package sent to the agency"),
    })
    words.register_fields({
        "agency": AGENCY, "referral": REFERRAL, "attempts": ATTEMPTS, "delivery": DELIVERY,
        "package_sha256": PACKAGE_HASH, "error": ERROR,
        "permanent": Field(_("Refused for good"), "bool"),
        "last_error": Field(_("Last error")),
        "outbox": Field(_("Delivery record"), "hash"),
        "letter_number": Field(_("Letter number")),
    })
    _register_actions()
    _register_learning()
    words.register_object("routing.referral", _("Referral"), describe=describe_referrals)
    words.register_object("routing.triagedecision", _("Triage decision"),
                          describe=describe_decisions)
    words.register_object("routing.agencyanswer", _("Agency's answer"),
                          describe=describe_answers)
    words.register_object("outbox.outbox", _("Package to deliver"), describe=describe_outbox)
    words.register_finder(find_referrals)


def _register_actions() -> None:
    words.register_group("referral", _("Referrals"))
    action = words.register_action
    action("complaint.triaged", _("Decided what the complaint is about"), fields={
        "categories": Field(_("Categories"), "category"),
        "corruption": Field(_("Corruption-related"), "bool"),
        "derived": Field(_("The categories say corruption-related"), "bool"),
        "priority": Field(_("Priority"), "priority"),
        "suggested_corruption": Field(_("Suggested as corruption-related"), "bool"),
        "suggested_category": Field(_("Suggested category"), "category"),
        "agrees_with_suggestion": Field(_("Agrees with the suggestion"), "bool"),
        "replaces": Field(_("Replaces an earlier decision"), "exists"),
    })
    action("referral.prepared", _("Prepared a referral"), fields={
        "agency": AGENCY, "attachments": Field(_("Files sent"), "count"),
        "include_reporter": Field(_("Reporter's identity included"), "bool"),
        "redacted_phrases": Field(_("Words blacked out"), "count"),
    })
    action("referral.approved", _("Approved the referral and sent it"), fields={
        "agency": AGENCY, "delivery": DELIVERY,
        "package_bytes": Field(_("Package size"), "bytes"),
    })
    action("referral.returned", _("Returned the referral to be redone"))
    action("referral.letter_sent", _("Posted the referral letter"), fields={
        "sent_on": Field(_("Sent on"), "date")})
    action("referral.answer", _("Recorded the agency's answer"), fields={
        "kind": Field(_("Kind of answer"), "answer_kind"),
        "via": Field(_("Received through"), "answer_via"),
        "agency_reference": Field(_("Agency's reference number")),
        "state": Field(_("Referral now"), "referral_state"),
        "has_text": Field(_("With a text"), "bool"),
    })
    action("referral.delivered", _("Delivered the referral to the agency"))
    action("referral.failed", _("Could not deliver the referral"))
    action("referral.retried", _("Tried again to deliver the referral"))


def _register_learning() -> None:
    """The learned triage model's events (routing.learning): counts and rates only."""
    words.register_choices("triage_verdict", TriageModel.Verdict.choices)
    words.register_object("routing.triagemodel", _("Triage model"))
    words.register_group("triage", _("Learned triage"))
    version = Field(_("Model version"), "count")
    rates = {"recall": Field(_("Share of corruption complaints found")),
             "precision": Field(_("Share of corruption suggestions that were right"))}
    words.register_action("triage.texts_read", _("Read decided complaints to learn from"),
                          fields={"texts": Field(_("Texts"), "count"),
                                  "damaged": Field(_("Damaged, left out"), "count")})
    words.register_action("triage.model_trained", _("Trained a triage model"), fields={
        "version": version, "texts": Field(_("Labelled texts"), "count"),
        "decisions": Field(_("Officers' decisions"), "count"), **rates})
    verdict = {"version": version, "verdict": Field(_("Why"), "triage_verdict"),
               "baseline_version": Field(_("Compared with model"), "count")}
    words.register_action("triage.model_promoted", _("Promoted a triage model"),
                          fields=verdict)
    words.register_action("triage.model_refused", _("Refused a triage model"),
                          fields=verdict)


def agency_names(codes: set) -> dict[str, str]:
    return {agency.code: agency.name for agency in Agency.objects.filter(code__in=codes)}


def category_names(codes: set) -> dict[str, str]:
    return {category.code: category.name
            for category in Category.objects.filter(code__in=codes)}


def _numbers(ids) -> list[int]:
    return [int(pk) for pk in ids if str(pk).isdigit()]


def _describe(model, name_field: str):
    """Names a referral, decision or answer by `name_field`, linked to its case."""

    def describe(ids, reader: Reader) -> dict[str, Named]:
        rows = list(model.objects.filter(pk__in=_numbers(ids))
                    .values_list("pk", _complaint_field(model), name_field))
        links = case_links(reader, {complaint for _pk, complaint, _name in rows})
        return {str(pk): Named(name, links.get(complaint, "")) for pk, complaint, name in rows}

    return describe


def _complaint_field(model) -> str:
    return "referral__complaint_id" if model is AgencyAnswer else "complaint_id"


describe_referrals = _describe(Referral, "reference")
describe_decisions = _describe(TriageDecision, "complaint__reference")
describe_answers = _describe(AgencyAnswer, "referral__reference")


def describe_outbox(ids, reader: Reader) -> dict[str, Named]:
    """A package by the number of what it carries (a referral or a report)."""
    rows = list(Outbox.objects.filter(pk__in=_numbers(ids))
                .values_list("pk", "referral__complaint_id", "referral__reference",
                             "subject_reference"))
    links = case_links(reader, {complaint for _pk, complaint, _r, _s in rows if complaint})
    return {str(pk): Named(referral or subject or str(pk), links.get(complaint, ""))
            for pk, complaint, referral, subject in rows}


def find_referrals(text: str) -> dict[str, list]:
    """A referral by its number, or a complaint's referrals and decisions by its number."""
    referrals = Referral.objects.filter(reference__iexact=text)
    complaint = Complaint.objects.filter(reference__iexact=text).values_list("pk", flat=True)
    found = list(referrals.values_list("pk", flat=True)) + list(
        Referral.objects.filter(complaint__in=complaint).values_list("pk", flat=True))
    return {
        "routing.referral": found,
        "routing.agencyanswer": AgencyAnswer.objects.filter(referral__in=found)
        .values_list("pk", flat=True),
        "outbox.outbox": Outbox.objects.filter(subject_kind=Referral.OUTBOX_KIND,
                                               subject_id__in=found).values_list("pk", flat=True),
        "routing.triagedecision": TriageDecision.objects.filter(complaint__in=complaint)
        .values_list("pk", flat=True),
    }
