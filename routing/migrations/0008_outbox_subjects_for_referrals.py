"""A referral becomes a subject of the outbox like any other: each outbox row that named its
referral by a foreign key now names it by subject kind, id and number, as monthly reports
and checkpoints already did, and the foreign key goes. Reversible: going back puts the
foreign key back from the subject's id."""

from django.db import migrations, models
from django.db.models import F, OuterRef, Subquery

REFERRAL = "referral"


def name_referrals_as_subjects(apps, schema_editor):
    Outbox = apps.get_model("routing", "Outbox")
    Referral = apps.get_model("routing", "Referral")
    reference = Referral.objects.filter(pk=OuterRef("referral_id")).values("reference")[:1]
    Outbox.objects.filter(referral__isnull=False).update(
        subject_kind=REFERRAL, subject_id=F("referral_id"), subject_reference=Subquery(reference))


def name_referrals_by_foreign_key(apps, schema_editor):
    Outbox = apps.get_model("routing", "Outbox")
    Outbox.objects.filter(subject_kind=REFERRAL).update(
        referral_id=F("subject_id"), subject_id=None, subject_reference="")


class Migration(migrations.Migration):

    dependencies = [
        ("routing", "0007_escalation_to_lifecycle"),
    ]

    operations = [
        migrations.RunPython(name_referrals_as_subjects, name_referrals_by_foreign_key,
                             elidable=False),
        migrations.RemoveField(
            model_name="outbox",
            name="referral",
        ),
        migrations.AddIndex(
            model_name="outbox",
            index=models.Index(fields=["subject_kind", "subject_id"], name="outbox_subject"),
        ),
    ]
