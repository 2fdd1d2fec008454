"""An agency needs what its way of delivery needs, and the admin never shows its secret."""

import pytest
from django.core.exceptions import ValidationError

from outbox.admin import AgencyForm
from outbox.models import Agency
from tests.routing.helpers import make_agency
from vault.models import DataKey

pytestmark = pytest.mark.django_db


def test_an_agency_needs_what_its_way_of_delivery_needs(db):
    agency = make_agency(api_url="http://agency.example.mn/referrals/")
    with pytest.raises(ValidationError) as refused:
        agency.full_clean()
    assert "api_url" in refused.value.message_dict
    agency.api_url, agency.api_secret = "https://agency.example.mn/referrals/", None
    with pytest.raises(ValidationError) as refused:
        agency.full_clean()
    assert set(refused.value.message_dict) == {"api_secret"}
    agency.api_secret = "s3cret"
    agency.full_clean()
    agency.delivery = Agency.Delivery.LETTER
    with pytest.raises(ValidationError) as refused:
        agency.full_clean()
    assert set(refused.value.message_dict) == {"postal_address"}


def test_the_admin_form_sets_the_secret_without_ever_showing_it(db):
    data = {"code": "police", "name_mn": "Цагдаа", "name_en": "Police", "kind": "police",
            "delivery": "api", "api_url": "https://police.example.mn/api/referrals",
            "acknowledge_within_days": 5, "active": "on"}
    form = AgencyForm(data=data)
    assert not form.is_valid() and "new_api_secret" in form.errors
    form = AgencyForm(data={**data, "new_api_secret": "from-the-police"})
    assert form.is_valid(), form.errors
    agency = form.save(commit=False)
    agency.data_key = DataKey.objects.create_fresh()
    agency.save()
    agency = Agency.objects.get(code="police")
    assert agency.api_secret.reveal() == "from-the-police"
    shown = AgencyForm(instance=agency).as_p()
    assert "from-the-police" not in shown
    kept = AgencyForm(data={**data, "name_en": "National Police"}, instance=agency)
    assert kept.is_valid(), kept.errors
    kept.save()
    assert Agency.objects.get(code="police").api_secret.reveal() == "from-the-police"


def test_the_secret_stays_bound_to_the_label_it_was_sealed_under_in_routing():
    """Secrets sealed while the model was routing.Agency must still open: the model label
    is part of each value's associated data."""
    field = Agency._meta.get_field("api_secret")
    assert field._aad_prefix == "shugel:v1|routing.agency|api_secret|"
    assert Agency._meta.label_lower == "outbox.agency"
