"""The demo department's surveys reproduce the reference report's figures."""

from datetime import date

import pytest
from django.core.management import call_command

from org.models import Unit
from surveys.models import Round
from surveys.results import period_summary
from tests.demo_model import SEEDS_THE_DEMO

pytestmark = pytest.mark.django_db


@SEEDS_THE_DEMO
def test_seed_demo_gives_dg_four_rounds_with_the_reference_figures_once(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    call_command("seed_demo")
    call_command("seed_demo")
    assert Round.objects.filter(unit__code="DG", year=2026).count() == 4
    summary = period_summary(Unit.objects.get(code="DG"), date(2026, 1, 1), date(2026, 12, 31))
    assert (summary.rounds, summary.answers) == (4, 400)
    service, source = summary.questions
    assert [share.percent for share in service.shares] == [74.0, 24.0, 2.0]
    assert [share.percent for share in source.shares] == [34.0, 26.0, 27.0, 6.0, 4.0, 3.0]
