"""Two provinces in one installation, each with its own parent authority and its own office
of the anti-corruption agency, and one national agency: each unit's referrals and reports go
to the agencies that serve it, and nothing crosses to the other province."""

import pytest

from org.models import Unit
from outbox.models import Agency
from reporting.services import recipients_of
from routing.case.forms import ReferralForm
from tests.routing.helpers import make_agency

pytestmark = pytest.mark.django_db


@pytest.fixture
def offices(units):
    national = make_agency("atg", delivery=Agency.Delivery.LETTER)
    made = {"national": national}
    for code in ("DG", "DU"):
        office = make_agency(f"atg-{code.lower()}", delivery=Agency.Delivery.LETTER,
                             name_mn=f"Авлигатай тэмцэх газрын {code} салбар")
        parent = make_agency(f"parent-{code.lower()}", delivery=Agency.Delivery.LETTER,
                             default=False, kind=Agency.Kind.PARENT,
                             name_mn=f"{code} аймгийн Засаг даргын тамгын газар")
        office.serves.add(units[code])
        parent.serves.add(units[code])
        made[code], made[f"parent-{code}"] = office, parent
    return made


def test_each_provinces_report_goes_to_its_own_office_and_parent(units, offices):
    assert recipients_of(units["DG"]) == [offices["DG"], offices["parent-DG"]]
    assert recipients_of(units["DU"]) == [offices["DU"], offices["parent-DU"]]


def test_a_unit_without_an_office_of_its_own_falls_back_to_the_national_agency(
        units, offices):
    below = Unit.objects.create(code="DG1", kind=Unit.Kind.DEPARTMENT, parent=units["DG"],
                                name_mn="Сайншанд сумын хэлтэс", name_en="Sainshand")
    elsewhere = Unit.objects.create(code="GA", kind=Unit.Kind.DEPARTMENT,
                                    parent=units["UBEG"], name_mn="Говь-Алтай",
                                    name_en="Govi-Altai")
    # A unit below DG is served by DG's offices; one with none of its own, by the nation's.
    assert recipients_of(below) == [offices["DG"], offices["parent-DG"]]
    assert Agency.objects.default_for(elsewhere) == offices["national"]
    assert recipients_of(elsewhere) == [offices["national"]]


def test_the_referral_form_offers_only_the_agencies_serving_the_unit(units, offices):
    form = ReferralForm(prefix="refer", unit=units["DG"])
    offered = set(form.fields["agency"].queryset.values_list("code", flat=True))
    assert offered == {"atg", "atg-dg", "parent-dg"}
    refused = ReferralForm({"refer-agency": offices["DU"].pk, "refer-cover_letter": "Хүндэт"},
                           prefix="refer", unit=units["DG"])
    assert not refused.is_valid()
    assert "agency" in refused.errors


def test_an_inactive_office_is_passed_over(units, offices):
    offices["DG"].active = False
    offices["DG"].save()
    assert Agency.objects.default_for(units["DG"]) == offices["national"]
