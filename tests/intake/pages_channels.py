"""The staff pages of the channels logged by hand, and which roles of unit DG may open each.

Same shape as STAFF_PAGES in tests/org/test_access.py. A page whose URL names a record gets
its arguments from a callable, given the ids of records made by `make_records`.
"""

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone, translation

from audit.models import AuditEvent
from intake.models import BoxOpening, Channel, Complaint, DiscardedSlip, Kind
from intake.services import Content, box_opening_record, staff_channel_log

DG = {"unit_code": "DG"}
BOX_KEEPERS = {"clerk"}
BOX_VIEWERS = {"clerk", "officer", "head", "auditor"}
LOGGERS = {"clerk", "officer"}
CHANNELS = ["walk_in", "notebook", "letter", "email", "social"]


def _opening(ids):
    return {**DG, "opening_id": ids["opening"]}


def _complaint(ids):
    return {**DG, "complaint_id": ids["complaint"]}


PAGES = [
    ("intake:box_openings", DG, BOX_VIEWERS),
    ("intake:box_opening_new", DG, BOX_KEEPERS),
    ("intake:box_opening", _opening, BOX_VIEWERS),
    ("intake:box_slip_new", _opening, BOX_KEEPERS),
    ("intake:box_slip_discard", _opening, BOX_KEEPERS),
    ("intake:box_opening_close", _opening, BOX_KEEPERS),
    ("intake:box_opening_print", _opening, BOX_VIEWERS),
    ("intake:phone_calls", DG, LOGGERS),
    ("intake:phone_call_new", DG, LOGGERS),
    *[("intake:channel_log", {**DG, "channel": channel}, LOGGERS) for channel in CHANNELS],
    ("intake:logged", _complaint, LOGGERS),
]


def make_records(personas, units) -> dict:
    """An opening with slips still to log and a logged letter, both in DG."""
    an_hour_ago = timezone.now() - timedelta(hours=1)
    opening = box_opening_record(
        unit=units["DG"], box=BoxOpening.Box.COMPLAINT, opened_at=an_hour_ago,
        opened_by=personas["clerk"], witness=personas["officer"], slip_count=2,
        recorded_by=personas["clerk"],
    )
    letter = staff_channel_log(
        unit=units["DG"], channel=Channel.LETTER, kind=Kind.COMPLAINT, received_at=an_hour_ago,
        content=Content(body="Захидлаар ирсэн гомдол"), logged_by=personas["clerk"],
    ).complaint
    return {"opening": opening.pk, "complaint": letter.pk}


def page_url(name, kwargs, ids=None, *, language=None):
    arguments = kwargs(ids) if callable(kwargs) else kwargs
    with translation.override(language or "mn"):
        return reverse(name, kwargs=arguments)


def url(name, *, language=None, **kwargs):
    """The URL of a page of unit DG (or the unit given as unit_code), Mongolian by default."""
    return page_url(name, {**DG, **kwargs}, language=language)


def local_input(moment) -> str:
    """A moment as a clerk types it (core.dates), in Ulaanbaatar time: 2026.03.02 14:30."""
    return timezone.localtime(moment).strftime("%Y.%m.%d %H:%M")


def counts() -> dict:
    """What a refused form must leave untouched."""
    return {
        "complaints": Complaint.objects.count(),
        "openings": BoxOpening.objects.count(),
        "discarded": DiscardedSlip.objects.count(),
        "events": AuditEvent.objects.count(),
    }


def error_codes(response) -> dict:
    """The codes of the errors of the form a page showed, by field ("__all__" for the form)."""
    form = response.context["form"]
    return {field: {error.code for error in errors}
            for field, errors in form.errors.as_data().items()}
