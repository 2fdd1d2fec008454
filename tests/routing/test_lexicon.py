"""Categories and the triage lexicon as data: seeded by migration, edited by administrators,
picked up by triage without a restart."""

import json

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from routing import triage, words
from routing.models import Category, TriageTerm
from routing.triage import lexicon_from_file, read_lexicon_file, suggest
from tests.routing.test_triage_quality import LABELLED, read

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fresh_lexicon(monkeypatch):
    """Every read checks the database for changes, and no test sees another's cache."""
    monkeypatch.setattr(triage, "LEXICON_TTL_SECONDS", 0)
    triage.forget_lexicon()
    yield
    triage.forget_lexicon()


def test_the_nine_categories_are_seeded_with_the_corruption_related_three():
    assert list(Category.objects.values_list("code", flat=True)) == [
        "bribery", "conflict_of_interest", "abuse_of_office", "red_tape", "service_quality",
        "staff_conduct", "suggestion", "praise", "other",
    ]
    assert set(Category.objects.filter(corruption_related=True).values_list(
        "code", flat=True)) == {"bribery", "conflict_of_interest", "abuse_of_office"}
    assert Category.objects.get(code="red_tape").name_mn == "Хүнд суртал, чирэгдэл"


def test_a_category_is_named_in_the_active_language():
    bribery = Category.objects.get(code="bribery")
    with translation.override("mn"):
        assert bribery.name == "Хээл хахууль" == str(bribery)
    with translation.override("en"):
        assert bribery.name == "Bribery"


def test_every_term_of_the_seed_file_is_in_the_database():
    terms, _ = read_lexicon_file()
    assert TriageTerm.objects.count() == len(terms)


def test_the_database_lexicon_suggests_what_the_seed_file_does():
    from_file = lexicon_from_file()
    for row in read(LABELLED):
        assert suggest(row["text"]) == suggest(row["text"], from_file), row["text"]


def test_a_term_added_by_an_administrator_is_used_without_a_restart():
    text = "Ажилтан надаас ууц нэхсэн"
    assert not suggest(text).corruption
    TriageTerm.objects.create(category=Category.objects.get(code="bribery"), term="ууц",
                              weight=2, kind=TriageTerm.Kind.STEM)
    assert suggest(text).corruption
    assert "ууц" in suggest(text).matched


def test_an_edited_weight_and_a_switched_off_term_take_effect():
    term = TriageTerm.objects.get(category__code="bribery", term="хахуул")
    assert suggest("хахууль").score == 3
    term.weight = 5
    term.save()
    assert suggest("хахууль").score == 5
    term.active = False
    term.save()
    assert not suggest("хахууль").corruption


def test_the_cache_is_kept_until_its_time_is_up(monkeypatch, django_assert_num_queries):
    monkeypatch.setattr(triage, "LEXICON_TTL_SECONDS", 3600)
    suggest("хахууль")
    with django_assert_num_queries(0):
        suggest("хахууль")


def test_terms_of_an_inactive_category_are_not_used():
    assert suggest("Ажилтан бүдүүлэг харьцсан").category == "staff_conduct"
    Category.objects.filter(code="staff_conduct").update(active=False)
    Category.objects.get(code="other").save()  # an edit through the admin saves a row
    assert suggest("Ажилтан бүдүүлэг харьцсан").category == "other"


def test_an_administrator_may_add_a_category():
    category = Category.objects.create(code="land", name_mn="Газар", name_en="Land",
                                       order=95)
    TriageTerm.objects.create(category=category, term="кадастр", weight=1)
    assert suggest("кадастрын зураг алга").category == "land"


@pytest.mark.parametrize("term, kind, category", [
    ("хоёр үг", "stem", "bribery"),
    ("нэг", "phrase", "bribery"),
    ("!!!", "stem", "bribery"),
    ("авлиг", "stem", None),
])
def test_a_malformed_term_is_refused_by_the_form(term, kind, category):
    entry = TriageTerm(term=term, kind=kind, weight=1,
                       category=Category.objects.get(code=category) if category else None)
    with pytest.raises(ValidationError):
        entry.full_clean()


def test_a_negation_needs_no_category():
    TriageTerm(term="авлиг эсрэг", kind="negation", weight=0).full_clean()


def test_the_admin_lists_terms_for_administrators_only(client, personas, signed_in):
    admin = personas["admin"]
    admin.is_staff = admin.is_superuser = True
    admin.save()
    signed_in(admin)
    assert client.get("/admin/routing/triageterm/").status_code == 200
    assert client.get("/admin/routing/category/").status_code == 200
    client.logout()
    officer = personas["officer"]
    officer.is_staff = True
    officer.save()
    signed_in(officer)
    assert client.get("/admin/routing/triageterm/").status_code == 302


def test_the_seed_file_is_valid_json_with_known_kinds():
    data = json.loads(triage.LEXICON_FILE.read_text(encoding="utf-8"))
    assert {group["kind"] for group in data["terms"]} <= set(words.KINDS)
