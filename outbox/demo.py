"""The demo's agencies (org.demo): the anti-corruption agency by HTTPS API, played locally
by `manage.py agency_standin`, and three bodies that take referrals by post: the
prosecutor, the police and the parent authority."""

import secrets

from outbox.models import Agency
from vault.models import DataKey

STANDIN_URL = "http://127.0.0.1:8100/referrals/"

AGENCIES = [
    # code, kind, delivery, default, Mongolian name, English name, postal address
    ("atg", Agency.Kind.ANTI_CORRUPTION, Agency.Delivery.API, True,
     "Авлигатай тэмцэх газар", "Independent Authority Against Corruption",
     "Улаанбаатар, Сүхбаатар дүүрэг, Төрийн ордны гудамж"),
    ("dg-prosecutor", Agency.Kind.PROSECUTOR, Agency.Delivery.LETTER, False,
     "Дорноговь аймгийн Прокурорын газар", "Dornogovi Province Prosecutor's Office",
     "Дорноговь аймаг, Сайншанд сум, 1-р баг"),
    ("dg-police", Agency.Kind.POLICE, Agency.Delivery.LETTER, False,
     "Дорноговь аймгийн Цагдаагийн газар", "Dornogovi Province Police Department",
     "Дорноговь аймаг, Сайншанд сум, 2-р баг"),
    ("ubeg", Agency.Kind.PARENT, Agency.Delivery.LETTER, False,
     "Улсын бүртгэлийн ерөнхий газар", "General Authority for State Registration",
     "Улаанбаатар, Хан-Уул дүүрэг, Засгийн газрын 12-р байр"),
]


def seed_agencies(units, people, stdout) -> None:
    for code, kind, delivery, default, name_mn, name_en, address in AGENCIES:
        if Agency.objects.filter(code=code).exists():
            continue
        agency = Agency(
            data_key=DataKey.objects.create_fresh(), code=code, kind=kind, delivery=delivery,
            is_default=default, name_mn=name_mn, name_en=name_en, postal_address=address,
            api_url=STANDIN_URL if delivery == Agency.Delivery.API else "",
        )
        # A fresh secret for each demo database; the stand-in reads it from here.
        agency.api_secret = (secrets.token_urlsafe(32)
                             if delivery == Agency.Delivery.API else None)
        agency.save()
