"""What intake's audit events mean in words (audit.vocabulary), registered when intake loads:
its actions, the details they keep, and its objects named by reference number, with a link
to the case or the box opening only for someone who may open it.

`case_links` is the one place that decides whether an event may link to a case: it asks
Complaint.objects.for_staff, the rule the case page itself applies. Routing and lifecycle
name their objects by the case they belong to and use it too."""

from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _

from audit import vocabulary as words
from audit.vocabulary import Field, Named, Reader
from intake.case.pages import CASE_ROLES
from intake.channels.pages import BOX_VIEWERS
from intake.damage import DAMAGED_ACTION
from intake.models import Attachment, BoxOpening, Channel, Complaint, Kind, Message, Note, Status
from org.models import Unit
from org.naming import in_a_sentence

REFERENCE = Field(_("Reference number"))
COMPLAINT = Field(_("Complaint"))
HIDDEN = Field(_("Record"), "hidden")  # an id the reference beside it already names


def register() -> None:
    words.register_choices("channel", Channel.choices)
    words.register_choices("complaint_kind", Kind.choices)
    words.register_choices("status", Status.choices)
    words.register_choices("box", BoxOpening.Box.choices)
    words.register_choices("content", {
        "body": _("Complaint text"), "subject": _("Subject"),
        "particulars": _("Particulars"), "reporter": _("Reporter's name and contacts"),
        "channel_details": _("How it came in"), "messages": _("Messages with the reporter"),
        "notes": _("Internal notes"), "attachment_names": _("File names"),
        "attachment": _("File"), "file": _("File"), "filename": _("File name"),
        "wrapped": _("Encryption key"),
    })
    words.register_fields({
        "reference": REFERENCE, "complaint": COMPLAINT,
        "attachments": Field(_("Files"), "count"),
        "late": Field(_("Late"), "bool"),
        "reason": Field(_("Reason")),
        "slips": Field(_("Slips"), "count"),
    })
    _register_actions()
    _register_matter_actions()
    words.register_object("intake.complaint", _("Complaint"), describe=describe_complaints)
    words.register_object("intake.message", _("Message"), describe=_part_of_case(Message))
    words.register_object("intake.note", _("Note"), describe=_part_of_case(Note))
    words.register_object("intake.attachment", _("File"), describe=_part_of_case(Attachment))
    words.register_object("intake.boxopening", _("Box opening"), describe=describe_openings)
    words.register_object("vault.datakey", _("Encryption key"), describe=describe_data_keys)
    words.register_finder(find_complaint)


def _register_actions() -> None:
    words.register_group("complaint", _("Complaints"))
    words.register_group("box", _("Box openings"))
    words.register_group("message", _("Messages with the reporter"))
    words.register_group("note", _("Notes"))
    action = words.register_action
    action("complaint.logged", _("Registered the complaint"), fields={
        "reference": REFERENCE, "channel": Field(_("Channel"), "channel"),
        "kind": Field(_("Kind"), "complaint_kind"),
        "receipt_issued": Field(_("Receipt code given"), "bool"),
    })
    action("complaint.recused", _("Recused the staff the complaint names"), fields={
        "count": Field(_("Staff recused"), "count"), "users": Field(_("Recused"), "person"),
        "escalated_to": Field(_("Case also given to"), "unit"),
    })
    action("complaint.acknowledged", _("Acknowledged receipt to the reporter"), fields={
        "from": Field(_("Status before"), "status"), "to": Field(_("Status after"), "status"),
    })
    action("complaint.amended", _("Corrected the complaint's record"), fields={
        "field": Field(_("Part corrected"), "content"),
        "amendment": Field(_("Record of the correction"), "hash"),
    })
    action("complaint.extended", _("Extended the time to resolve the complaint"), fields={
        "from": Field(_("Was due"), "date"), "to": Field(_("Now due"), "date"),
        "working_days": Field(_("Working days added"), "count"),
        "notice": Field(_("Record of the notice to the reporter"), "hash"),
    })
    action("complaint.closed", _("Closed the complaint"), fields={
        "from": Field(_("Status before"), "status"),
        "feedback": Field(_("Record of the answer to the reporter"), "hash"),
    })
    action("complaint.titled", _("Gave the case a short title"), fields={
        "length": Field(_("Characters in the title"), "count"),
        "replaced": Field(_("Replaced an earlier title"), "bool"),
    })
    action("complaint.assigned", _("Assigned the case to an officer"), fields={
        "from": Field(_("Assigned before"), "person"), "to": Field(_("Assigned now"), "person"),
    })
    action("box.opened", _("Opened a box with a witness"), fields={
        "box": Field(_("Box"), "box"), "slips": Field(_("Slips in the box"), "count"),
        "opened_by": Field(_("Opened by"), "person"), "witness": Field(_("Witness"), "person"),
    })
    action("box.slip_discarded", _("Set a slip aside as not a complaint"))
    action("box.reconciled", _("Closed the box opening"), fields={
        "slips": Field(_("Slips logged"), "count")})
    action("message.from_reporter", _("Wrote to the unit about the complaint"))
    action("message.from_staff", _("Replied to the reporter"))
    action("note.added", _("Added an internal note"))
    action(DAMAGED_ACTION, _("Found sealed content damaged"), fields={
        "fields": Field(_("Damaged parts"), "content"), "reference": COMPLAINT,
        "complaint": HIDDEN, "referral": HIDDEN, "report": HIDDEN,
        "referral_reference": Field(_("Referral")), "month": Field(_("Month"), "month"),
    })


def _register_matter_actions() -> None:
    """One matter across channels (intake.matters)."""
    words.register_group("matter", _("One matter across channels"))
    same = Field(_("The other complaint"))
    words.register_action("matter.linked", _("Linked complaints as one matter"),
                          fields={"with": same, "matter": Field(_("Matter"), "hidden")})
    words.register_action("matter.unlinked", _("Took the complaint out of its matter"),
                          fields={"matter": Field(_("Matter"), "hidden")})
    words.register_action("matter.dismissed",
                          _("Said a suggested complaint is not the same matter"),
                          fields={"with": same})


# --- naming objects -----------------------------------------------------------------------------

def case_links(reader: Reader, complaint_ids) -> dict[int, str]:
    """The case page of each complaint `reader` may open, by complaint id: one query per
    unit in which the reader handles cases (Complaint.objects.for_staff decides)."""
    ids = {int(pk) for pk in complaint_ids}
    handled = {unit_id: held for unit_id, held in reader.units.items()
               if held.roles & set(CASE_ROLES)}
    links: dict[int, str] = {}
    if not ids or not handled:
        return links
    for unit in Unit.objects.filter(pk__in=handled):
        roles = handled[unit.pk].roles & set(CASE_ROLES)
        for pk, reference in (Complaint.objects.for_staff(reader.user, unit=unit, roles=roles)
                              .filter(pk__in=ids).values_list("pk", "reference")):
            links.setdefault(pk, reverse("intake:case", kwargs={
                "unit_code": unit.code, "reference": reference}))
    return links


def _numbers(ids) -> list[int]:
    return [int(pk) for pk in ids if str(pk).isdigit()]


def describe_complaints(ids, reader: Reader) -> dict[str, Named]:
    found = dict(Complaint.objects.filter(pk__in=_numbers(ids)).values_list("pk", "reference"))
    links = case_links(reader, found)
    return {str(pk): Named(reference, links.get(pk, "")) for pk, reference in found.items()}


def _part_of_case(model):
    """Names a message, note or file by the reference of its case, linked to the case."""

    def describe(ids, reader: Reader) -> dict[str, Named]:
        rows = list(model.objects.filter(pk__in=_numbers(ids))
                    .values_list("pk", "complaint_id", "complaint__reference"))
        links = case_links(reader, {complaint for _pk, complaint, _ref in rows})
        return {str(pk): Named(reference, links.get(complaint, ""))
                for pk, complaint, reference in rows}

    return describe


def describe_openings(ids, reader: Reader) -> dict[str, Named]:
    """"2026.10.05 14:00, complaint box", linked for those who may see the unit's boxes."""
    named = {}
    boxes = dict(BoxOpening.Box.choices)
    for pk, unit_id, box, opened_at in (BoxOpening.objects.filter(pk__in=_numbers(ids))
                                        .values_list("pk", "unit_id", "box", "opened_at")):
        when = formats.date_format(timezone.localtime(opened_at), "SHORT_DATETIME_FORMAT")
        url = ""
        if reader.holds(unit_id, BOX_VIEWERS):
            url = reverse("intake:box_opening", kwargs={
                "unit_code": reader.code_of(unit_id), "opening_id": pk})
        named[str(pk)] = Named(f"{when}, {in_a_sentence(boxes.get(box, box))}", url)
    return named


def describe_data_keys(ids, reader: Reader) -> dict[str, Named]:
    """A complaint's data key, by the complaint's reference."""
    rows = dict(Complaint.objects.filter(data_key_id__in=_numbers(ids))
                .values_list("pk", "data_key_id"))
    references = describe_complaints([str(pk) for pk in rows], reader)
    return {str(key): references[str(pk)] for pk, key in rows.items()}


# --- finding a complaint's events by its reference number -----------------------------------

def find_complaint(text: str) -> dict[str, list]:
    complaint = (Complaint.objects.filter(reference__iexact=text)
                 .values_list("pk", "data_key_id").first())
    if complaint is None:
        return {}
    pk, data_key = complaint
    return {
        "intake.complaint": [pk], "vault.datakey": [data_key],
        "intake.message": Message.objects.filter(complaint_id=pk).values_list("pk", flat=True),
        "intake.note": Note.objects.filter(complaint_id=pk).values_list("pk", flat=True),
        "intake.attachment": Attachment.objects.filter(complaint_id=pk)
        .values_list("pk", flat=True),
    }
