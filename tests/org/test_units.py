import pytest
from django.core.management import call_command

from org.models import Membership, Unit
from tests.demo_model import SEEDS_THE_DEMO

pytestmark = pytest.mark.django_db


def test_units_form_a_tree(units):
    sub = Unit.objects.create(code="DGZU", kind=Unit.Kind.SUBUNIT, parent=units["DG"],
                              name_mn="Замын-Үүд", name_en="Zamiin-Uud")
    assert sub.ancestors() == [units["DG"], units["UBEG"]]
    assert units["UBEG"].descendant_ids() == {u.pk for u in Unit.objects.all()}
    assert units["DG"].descendant_ids() == {units["DG"].pk, sub.pk}


def test_unit_names_follow_the_language(units):
    from django.utils import translation

    with translation.override("en"):
        assert units["DG"].name.startswith("Dornogovi")
    with translation.override("mn"):
        assert units["DG"].name.startswith("Дорноговь")


@SEEDS_THE_DEMO
def test_seed_demo_is_idempotent_and_prints_the_logins(capsys):
    call_command("seed_demo")
    first = (Unit.objects.count(), Membership.objects.count())
    call_command("seed_demo")
    assert (Unit.objects.count(), Membership.objects.count()) == first
    out = capsys.readouterr().out
    for username in ("clerk", "officer", "head", "auditor", "admin"):
        assert username in out
    dg = Unit.objects.get(code="DG")
    assert dg.parent.code == "UBEG" and dg.public_phone == "7052-2200"
    assert set(Membership.objects.filter(unit=dg).values_list("role", flat=True)) == {
        "clerk", "officer", "head", "auditor", "admin"}


@SEEDS_THE_DEMO
def test_seed_demo_adds_agencies_and_complaints_once(settings, tmp_path):
    from intake.models import BoxOpening, Complaint, Recusal
    from outbox.models import Agency

    settings.MEDIA_ROOT = tmp_path / "media"
    call_command("seed_demo")
    call_command("seed_demo")
    # Five this month (intake.demo: a web report and a call that are one matter among them),
    # a closed web suggestion whose summary waits for the head (outreach.demo) and last
    # month's suggestion (reporting.demo), with two empty box openings last month, whatever
    # day of the month the test runs.
    assert Complaint.objects.filter(unit__code="DG").count() == 7
    from intake.matters import suggestions_for
    from intake.models import Channel

    web, call = (Complaint.objects.filter(unit__code="DG", channel=channel,
                                          publish_consent=False).order_by("pk").last()
                 for channel in (Channel.WEB, Channel.PHONE))
    assert [s.complaint for s in suggestions_for(call, Complaint.objects.all())] == [web]
    assert BoxOpening.objects.filter(unit__code="DG", slip_count=0).count() == 2
    assert not Recusal.objects.exists()  # the demo texts name none of the demo staff
    default = Agency.objects.get(is_default=True)
    assert default.delivery == Agency.Delivery.API and default.api_secret.reveal()
    assert Agency.objects.count() == 4
