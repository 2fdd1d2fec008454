"""A few demo complaints in the demo department (org.demo), logged through the same
workflows as real ones, so they are sealed, numbered and audited like any other."""

from datetime import timedelta

from django.utils import timezone

from intake.models import Channel, Complaint, Kind
from intake.services import Content, phone_call_log, staff_channel_log, web_report_submit

UNIT = "DG"

WEB_REPORT = (
    "Гэрлэлтийн гэрчилгээ авахаар очиход 3-р цонхны ажилтан 100 мянган төгрөг өгвөл "
    "маргааш гаргаж өгнө, өгөхгүй бол нэг сар хүлээнэ гэж хахууль нэхсэн. Бусад иргэдээс "
    "ч мөн мөнгө авдаг гэж сонссон."
)
CALL = (
    "Иргэний үнэмлэх солиулахаар гурван удаа ирсэн, бичиг баримт дутуу гэж өөр өөр "
    "шалтгаанаар буцаасан. Чирэгдэл үүсгэж байна."
)
LETTER = (
    "Газрын эрхийн бүртгэлийг хэлтсийн ажилтан өөрийн хамаатны нэр дээр ээлж дараалалгүй "
    "түрүүлж хийсэн гэж сонссон. Ашиг сонирхлын зөрчил байж магадгүй."
)
# The same matter as the web report, told on the phone line the next day and noted by the
# clerk: the case pages suggest each for the other ("Probably the same matter").
CALL_SAME_MATTER = (
    "Иргэн утсаар залгаж мэдэгдэв. Гэрлэлтийн гэрчилгээ авахаар очиход 3-р цонхны ажилтан "
    "100 мянган төгрөг өгвөл маргааш гаргаж өгнө, өгөхгүй бол нэг сар хүлээнэ гэж хэлсэн. "
    "Бусад иргэдээс ч мөн мөнгө авдаг гэж сонссон гэнэ."
)
NOTEBOOK = "Бямба гаригт үйлчилгээний цагийг уртасгаж өгөхийг хүсье."


def seed_complaints(units, people, stdout) -> None:
    unit = units[UNIT]
    if Complaint.objects.filter(unit=unit).exists():
        return
    clerk = people["clerk"]
    now = timezone.now()
    web = web_report_submit(unit=unit, kind=Kind.COMPLAINT, content=Content(body=WEB_REPORT),
                            submission_token="demo-web-report", language="mn")
    phone_call_log(
        unit=unit, line=unit.public_phone, started_at=now - timedelta(hours=3),
        duration_seconds=240, kind=Kind.COMPLAINT,
        content=Content(body=CALL, reporter={"phone": "+97699112233"}),
        summary_confirmed=True, give_receipt=False, logged_by=clerk,
        title="Иргэний үнэмлэх солиход чирэгдүүлсэн",
    )
    phone_call_log(
        unit=unit, line=unit.public_phone, started_at=now - timedelta(hours=1),
        duration_seconds=180, kind=Kind.COMPLAINT, content=Content(body=CALL_SAME_MATTER),
        summary_confirmed=True, give_receipt=False, logged_by=clerk,
    )
    # The clerk's own few words for the queue; the web report gets its title at triage.
    staff_channel_log(unit=unit, channel=Channel.LETTER, kind=Kind.COMPLAINT,
                      received_at=now - timedelta(days=1), content=Content(body=LETTER),
                      logged_by=clerk, title="Газрын бүртгэлд ээлж зөрчсөн байж болзошгүй")
    staff_channel_log(unit=unit, channel=Channel.NOTEBOOK, kind=Kind.SUGGESTION,
                      received_at=now - timedelta(days=2), content=Content(body=NOTEBOOK),
                      logged_by=clerk, title="Бямба гаригт ажиллах санал")
    stdout.write(f"  Demo complaints logged in {UNIT}; the web report's receipt code is "
                 f"{web.receipt} (try it at /track/).")
