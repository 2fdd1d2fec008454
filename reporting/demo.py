"""Last month in the demo department (org.demo), so that its monthly report has something
to say: the complaint box opened with a witness and found empty, and a suggestion written
in the notebook. The report itself is left for the clerk to draft, prepare and send on."""

from datetime import datetime, time

from django.utils import timezone

from intake.models import BoxOpening, Channel, Kind
from intake.services import Content, box_opening_record, staff_channel_log
from reporting.figures import month_period
from reporting.services import last_month

UNIT = "DG"
SUGGESTION = "Үйлчилгээний танхимд дарааллын дугаар олгодог машин тавьж өгөхийг хүсье."


def _at(day, hour: int):
    return timezone.make_aware(datetime.combine(day, time(hour)),
                               timezone.get_default_timezone())


def seed_last_month(units, people, stdout) -> None:
    unit = units[UNIT]
    period = month_period(last_month())
    if BoxOpening.objects.filter(unit=unit, opened_at__gte=period.start,
                                 opened_at__lt=period.end).exists():
        return
    clerk, officer = people["clerk"], people["officer"]
    for day in (period.first.replace(day=10), period.first.replace(day=24)):
        box_opening_record(unit=unit, box=BoxOpening.Box.COMPLAINT, opened_at=_at(day, 10),
                           opened_by=clerk, witness=officer, slip_count=0, recorded_by=clerk)
    staff_channel_log(unit=unit, channel=Channel.NOTEBOOK, kind=Kind.SUGGESTION,
                      received_at=_at(period.first.replace(day=17), 15),
                      content=Content(body=SUGGESTION), logged_by=clerk)
    stdout.write(f"  {UNIT}: {period.label} has two empty box openings and one suggestion; "
                 f"its monthly report is ready to draft.")
