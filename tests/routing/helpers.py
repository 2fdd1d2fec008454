"""Agencies, triaged cases and referrals for routing's tests, made through the workflows."""

import importlib

from django.utils import timezone

from outbox.models import Agency
from routing.cover_letter import cover_letter_draft
from routing.models import Category, Priority
from routing.services import (
    referral_approve,
    referral_prepare,
    triage_decide,
)
from vault.models import DataKey


def make_agency(code="atg", *, delivery=Agency.Delivery.API, api_url="http://127.0.0.1:9/",
                secret="agency-shared-secret", default=True, **fields) -> Agency:
    agency = Agency(
        data_key=DataKey.objects.create_fresh(), code=code,
        name_mn=fields.pop("name_mn", "Авлигатай тэмцэх газар"),
        name_en=fields.pop("name_en", "Independent Authority Against Corruption"),
        kind=fields.pop("kind", Agency.Kind.ANTI_CORRUPTION), delivery=delivery,
        is_default=default, api_url=api_url if delivery == Agency.Delivery.API else "",
        **fields,
    )
    agency.api_secret = secret if delivery == Agency.Delivery.API else None
    agency.save()
    return agency


def seeded_categories(codes):
    """The categories of `codes`. A transactional test empties every table, the categories
    seeded by routing's migration included; they are seeded again the same way."""
    if not Category.objects.exists():
        from django.apps import apps

        importlib.import_module("routing.migrations.0002_seed_categories_and_lexicon").seed(
            apps, None)
    return Category.objects.filter(code__in=codes)


def triage(complaint, officer, codes=("bribery",), *, corruption=None, reason="Хээл хахууль."):
    return triage_decide(
        complaint=complaint, by=officer,
        categories=seeded_categories(codes), corruption_related=corruption,
        priority=Priority.HIGH, reason=reason,
        suggestion={"corruption": True, "category": "bribery", "categories": ["bribery"],
                    "score": 2.5, "matched": ["хахууль"], "against": []},
    )


def prepare(complaint, officer, agency, **fields):
    decision = complaint.triage_decisions.current().first() or triage(complaint, officer)
    return referral_prepare(
        complaint=complaint, by=officer, agency=agency,
        cover_letter=fields.pop("cover_letter", cover_letter_draft(complaint, agency, decision)),
        **fields,
    )


def approved_referral(complaint, officer, head, agency, **fields):
    """A referral prepared by `officer` and approved by `head`, with its outbox row."""
    return referral_approve(referral=prepare(complaint, officer, agency, **fields), by=head)


def today():
    return timezone.localdate()
