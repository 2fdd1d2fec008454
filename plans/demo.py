"""This year's anti-corruption plan in the demo department (org.demo): the reference's
goals and measures, approved by the head, with an outreach posting, an open day and a
training recorded against them, so that the implementation report has something to say."""

from datetime import date

from django.utils import timezone

from plans.models import ActivityKind, OutreachChannel, Plan
from plans.reference_plan import load_into
from plans.services import active_staff, activity_record, plan_approve, plan_create, training_record

UNIT = "DG"


def _day(today: date, month: int, day: int) -> date:
    wanted = date(today.year, month, day)
    return wanted if wanted <= today else today


def seed_plan(units, people, stdout) -> None:
    unit, today = units[UNIT], timezone.localdate()
    if Plan.objects.filter(unit=unit, year=today.year).exists():
        return
    clerk, head = people["clerk"], people["head"]
    plan = plan_create(unit=unit, year=today.year, copy="empty", by=clerk)
    load_into(plan, by=clerk)
    plan = plan_approve(plan=plan, by=head)
    measures = {m.number: m for m in plan.measures()}
    activity_record(
        unit=unit, measure=measures["1.1"], kind=ActivityKind.OUTREACH,
        channel=OutreachChannel.BOARD, day=_day(today, 3, 12),
        place="Нэг цонхны үйлчилгээний танхим",
        description="Авлигатай тэмцэх газраас бэлтгэсэн “Авлигын эсрэг нэгдье” шторкийг "
                    "танхимын дэлгэцээр тогтмол үзүүлж байна", feedback="", by=clerk)
    activity_record(
        unit=unit, measure=measures["1.2"], kind=ActivityKind.OPEN_DAY, channel="",
        day=_day(today, 5, 21), place="Сайншанд хот, Соёмбо цогцолбор",
        description="Нээлттэй хаалганы өдөрлөг зохион байгуулж, 46 иргэнд үйлчилсэн",
        feedback="Дарааллын дугаар олгох машин тавих санал ирсэн", by=clerk)
    training_record(
        unit=unit, measure=measures["3.3"], day=_day(today, 4, 8),
        topic="“Мэдээллийн ил тод байдал”, “Шүгэл үлээгчийг хамгаалах, хамтран ажиллах”",
        trainer="Иргэний улсын ахлах бүртгэгч Э.Уранбилэг",
        articles="Авлигын эсрэг хуулийн 6 дугаар зүйлийн 6.2, 8 дугаар зүйлийн 8.1",
        attendee_ids=list(active_staff(unit).values_list("pk", flat=True))[:4], by=clerk)
    stdout.write(f"  {UNIT}: the {today.year} anti-corruption plan is approved, with two "
                 f"activities and a training; its report is ready to draft.")
