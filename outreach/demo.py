"""The demo's "you said, we did" (org.demo): a web suggestion whose reporter allowed a
summary, closed, with the officer's summary waiting for the head, so that `make run`'s head
can publish it and watch the hall screen show it."""


from django.utils import timezone

from intake.case.services import complaint_close
from intake.models import Kind
from intake.services import Content, web_report_submit
from outreach.models import Publication
from outreach.publications import publication_write

UNIT = "DG"
SUGGESTION = ("Үйлчилгээний танхимд дарааллын дугаар олгох машин ажиллахгүй байна, "
              "хүмүүс хэн түрүүлж ирснээ мэдэхгүй маргалдаж байна.")
SAID = "Үйлчилгээний танхимын дугаар олгох машин ажиллахгүй байна гэж хэлсэн."
DID = "Машиныг зассан бөгөөд дараалал хэвийн явж байна."


def seed_publication(units, people, stdout) -> None:
    unit = units[UNIT]
    if Publication.objects.filter(unit=unit).exists():
        return
    logged = web_report_submit(unit=unit, kind=Kind.SUGGESTION,
                               content=Content(body=SUGGESTION),
                               submission_token=f"demo-said-{timezone.now():%Y%m%d}",
                               language="mn", publish_consent=True)
    closed = complaint_close(complaint=logged.complaint, reason="Машиныг зассан.",
                             by=people["officer"])
    publication_write(complaint=closed, by=people["officer"], said=SAID, did=DID)
    stdout.write(f"  {UNIT}: a \"you said, we did\" summary of {logged.complaint.reference} "
                 f"waits for the head at /staff/u/{UNIT}/said/; the hall screen is "
                 f"/screen/{UNIT}/.")


