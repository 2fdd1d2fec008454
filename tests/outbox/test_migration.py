"""The outbox's tables move from routing to the outbox app with their rows: a database at
routing 0006, where an outbox row names its referral by a foreign key, is migrated forward;
the row then names the referral as its subject, the agency's sealed secret still opens, and
the admin's content types follow the models."""

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from outbox.models import Agency, Outbox
from routing.models import Referral
from tests.intake.pages_case import make_case
from tests.routing.helpers import approved_referral, make_agency

BEFORE = [("routing", "0006_retention")]


def _migrate(targets) -> MigrationExecutor:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets or executor.loader.graph.leaf_nodes())
    return executor


@pytest.fixture
def at_routing_0006(transactional_db, settings, tmp_path):
    """Goes back to routing 0006 once the test has made its rows, and always forward again."""
    settings.MEDIA_ROOT = tmp_path / "media"
    yield lambda: _migrate(BEFORE)
    _migrate(None)
    ContentType.objects.clear_cache()


# Slow: migrates a whole database back and forward, like the restore drill.
@pytest.mark.slow
def test_a_referrals_outbox_row_names_it_as_its_subject_after_migrating(
        at_routing_0006, units, personas):
    post = make_agency("post", delivery=Agency.Delivery.LETTER, default=False,
                       postal_address="Улаанбаатар, 1-р хороо")
    api = make_agency("atg", secret="the-agency-secret")
    referral = approved_referral(make_case(units, personas), personas["officer"],
                                 personas["head"], post)
    report_row = Outbox.objects.create(
        subject_kind="report", subject_id=7, subject_reference="DG-T-2026-10", agency=api,
        delivery=api.delivery, data_key=api.data_key, package_name="x", package_sha256="0",
        package_size=1)

    old = at_routing_0006().loader.project_state(BEFORE).apps
    OldOutbox = old.get_model("routing", "Outbox")
    row = OldOutbox.objects.get(referral_id=referral.pk)
    assert (row.subject_kind, row.subject_id, row.subject_reference) == ("referral", None, "")
    OldContentType = old.get_model("contenttypes", "ContentType")
    assert OldContentType.objects.filter(app_label="routing", model="agency").exists()

    _migrate(None)
    row = Outbox.objects.get(pk=row.pk)
    assert (row.subject_kind, row.subject_id, row.subject_reference) == (
        "referral", referral.pk, referral.reference)
    assert Referral.objects.get(pk=referral.pk).outbox == row
    assert Outbox.objects.of("report", 7).get() == report_row
    assert Agency.objects.get(code="atg").api_secret.reveal() == "the-agency-secret"
    ContentType.objects.clear_cache()
    assert ContentType.objects.get_for_model(Agency).app_label == "outbox"
    assert not ContentType.objects.filter(app_label="routing", model="outbox").exists()
