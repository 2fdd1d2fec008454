"""The agencies and the outbox move from routing to this app. Their tables keep their names
(`routing_agency`, `routing_outbox`, `routing_deliveryattempt`) and their rows, so Django's
picture of the models is created here without touching the database; routing forgets its
own picture once the foreign keys pointing at them have moved (routing 0008 and 0009,
reporting 0002). The content types follow, so the admin's history of an agency stays its."""

import uuid

import django.db.models.deletion
import django.utils.timezone
from django.db import migrations, models

import vault.fields

MOVED = ("agency", "outbox", "deliveryattempt")
DELIVERY = [("api", "HTTPS API"), ("email", "Email, encrypted with OpenPGP"),
            ("letter", "Printed letter")]


def _move_content_types(apps, schema_editor, source, target):
    from django.contrib.contenttypes.models import ContentType as LiveContentType

    ContentType = apps.get_model("contenttypes", "ContentType")
    types = ContentType.objects.using(schema_editor.connection.alias)
    taken = set(types.filter(app_label=target).values_list("model", flat=True))
    types.filter(app_label=source, model__in=set(MOVED) - taken).update(app_label=target)
    LiveContentType.objects.clear_cache()


def content_types_to_outbox(apps, schema_editor):
    _move_content_types(apps, schema_editor, "routing", "outbox")


def content_types_to_routing(apps, schema_editor):
    _move_content_types(apps, schema_editor, "outbox", "routing")


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("routing", "0008_outbox_subjects_for_referrals"),
        ("vault", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(state_operations=[
            migrations.CreateModel(
                name="Agency",
                fields=[
                    ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                    ("uid", models.UUIDField(default=uuid.uuid4, editable=False, unique=True)),
                    ("code", models.SlugField(max_length=40, unique=True, verbose_name="code")),
                    ("name_mn", models.CharField(max_length=200, verbose_name="name in Mongolian")),
                    ("name_en", models.CharField(max_length=200, verbose_name="name in English")),
                    ("kind", models.CharField(choices=[("anti_corruption", "Anti-corruption agency"), ("police", "Police"), ("prosecutor", "Prosecutor"), ("parent", "Parent authority"), ("other", "Other competent body")], max_length=32, verbose_name="kind")),
                    ("delivery", models.CharField(choices=DELIVERY, max_length=16, verbose_name="delivery")),
                    ("is_default", models.BooleanField(default=False, help_text="The agency a corruption-related referral is addressed to unless the officer chooses another.", verbose_name="default for corruption-related cases")),
                    ("email", models.EmailField(blank=True, max_length=254, verbose_name="email address")),
                    ("openpgp_key", models.TextField(blank=True, help_text="ASCII-armoured. Referrals by email are encrypted to this key.", verbose_name="OpenPGP public key")),
                    ("api_url", models.URLField(blank=True, verbose_name="API address")),
                    ("api_secret", vault.fields.EncryptedTextField(blank=True, null=True, sealed_as="routing.agency", verbose_name="API shared secret")),
                    ("postal_address", models.TextField(blank=True, verbose_name="postal address")),
                    ("acknowledge_within_days", models.PositiveSmallIntegerField(default=5, verbose_name="acknowledges within (working days)")),
                    ("active", models.BooleanField(default=True, verbose_name="active")),
                    ("data_key", models.ForeignKey(editable=False, on_delete=django.db.models.deletion.PROTECT, related_name="+", to="vault.datakey")),
                ],
                options={
                    "verbose_name": "agency",
                    "verbose_name_plural": "agencies",
                    "db_table": "routing_agency",
                    "ordering": ["-is_default", "kind", "code"],
                    "constraints": [
                        models.UniqueConstraint(condition=models.Q(("is_default", True)), fields=("is_default",), name="one_default_agency"),
                    ],
                },
            ),
            migrations.CreateModel(
                name="Outbox",
                fields=[
                    ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                    ("key", models.UUIDField(default=uuid.uuid4, editable=False, unique=True, verbose_name="idempotency key")),
                    ("subject_kind", models.CharField(max_length=16)),
                    ("subject_reference", models.CharField(blank=True, max_length=64)),
                    ("subject_id", models.PositiveBigIntegerField(blank=True, null=True)),
                    ("delivery", models.CharField(choices=DELIVERY, max_length=16)),
                    ("package_name", models.CharField(max_length=100)),
                    ("package_sha256", models.CharField(max_length=64)),
                    ("package_size", models.PositiveBigIntegerField()),
                    ("state", models.CharField(choices=[("pending", "Waiting to be sent"), ("manual", "To be sent by hand"), ("delivered", "Delivered"), ("dead", "Given up")], db_index=True, default="pending", max_length=16)),
                    ("attempts", models.PositiveSmallIntegerField(default=0)),
                    ("next_attempt_at", models.DateTimeField(db_index=True, default=django.utils.timezone.now)),
                    ("lease_until", models.DateTimeField(blank=True, null=True)),
                    ("last_error", models.CharField(blank=True, max_length=200)),
                    ("created_at", models.DateTimeField(default=django.utils.timezone.now)),
                    ("delivered_at", models.DateTimeField(blank=True, null=True)),
                    ("agency", models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name="+", to="outbox.agency")),
                    ("data_key", models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name="+", to="vault.datakey")),
                ],
                options={
                    "db_table": "routing_outbox",
                    "ordering": ["created_at", "pk"],
                    "indexes": [
                        models.Index(fields=["subject_kind", "subject_id"], name="outbox_subject"),
                    ],
                },
            ),
            migrations.CreateModel(
                name="DeliveryAttempt",
                fields=[
                    ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                    ("number", models.PositiveSmallIntegerField()),
                    ("started_at", models.DateTimeField()),
                    ("finished_at", models.DateTimeField(blank=True, null=True)),
                    ("outcome", models.CharField(blank=True, choices=[("delivered", "Delivered"), ("retry", "Failed, will retry"), ("permanent", "Refused, will not retry")], max_length=16)),
                    ("detail", models.CharField(blank=True, max_length=200)),
                    ("outbox", models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name="attempt_log", to="outbox.outbox")),
                ],
                options={
                    "db_table": "routing_deliveryattempt",
                    "ordering": ["outbox", "number"],
                },
            ),
        ]),
        migrations.RunPython(content_types_to_outbox, content_types_to_routing, elidable=False),
    ]
