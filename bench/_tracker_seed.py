"""Seeding bench/tracker.py's database with bulk_create: the department DG and three
siblings under UBEG, complaints with their current triage, ten referrals to a complaint in
the states a tracker mostly holds, every sealed field really sealed (one data key shared by
all rows). Runs inside bench/tracker.py's Django set-up."""

import random
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.contrib.auth import get_user_model
from django.db import transaction

from intake.models import Channel, Complaint, Kind, Recusal, Status
from org.models import Membership, Role, Unit
from routing.models import Agency, Referral, TriageDecision
from vault.models import DataKey

UB = ZoneInfo("Asia/Ulaanbaatar")
PER_COMPLAINT = 10
BATCH = 2000
# The life of most referrals is over: a tracker mostly holds concluded ones.
STATES = [("concluded", 55), ("acknowledged", 15), ("delivered", 10), ("returned", 7),
          ("prepared", 5), ("approved", 3), ("awaiting_letter", 3), ("failed", 2)]
SIBLINGS = ("DU", "OM", "SB")


def _organisation() -> dict:
    """UBEG, DG and its siblings; DG's head and officer and the national head; three
    agencies, one for each way of delivery; the data key every row shares."""
    national = Unit.objects.create(code="UBEG", kind=Unit.Kind.NATIONAL,
                                   name_mn="Улсын бүртгэлийн ерөнхий газар",
                                   name_en="General Authority for State Registration")
    units = {"DG": Unit.objects.create(code="DG", kind=Unit.Kind.DEPARTMENT, parent=national,
                                       name_mn="Дорноговь", name_en="Dornogovi")}
    for code in SIBLINGS:
        units[code] = Unit.objects.create(code=code, kind=Unit.Kind.DEPARTMENT,
                                          parent=national, name_mn=code, name_en=code)
    User = get_user_model()
    people = {}
    for name, unit, role in (("head", units["DG"], Role.HEAD),
                             ("officer", units["DG"], Role.OFFICER),
                             ("national_head", national, Role.HEAD)):
        people[name] = User.objects.create_user(username=name, password=None)
        Membership.objects.create(user=people[name], unit=unit, role=role)

    data_key = DataKey.objects.create_fresh()
    agencies = []
    for code, delivery in (("atg", Agency.Delivery.API), ("police", Agency.Delivery.LETTER),
                           ("prosecutor", Agency.Delivery.EMAIL)):
        agency = Agency(data_key=data_key, code=code, name_mn=f"{code} газар",
                        name_en=f"{code} office", kind=Agency.Kind.OTHER, delivery=delivery,
                        is_default=code == "atg")
        agency.api_secret = "bench-secret" if delivery == Agency.Delivery.API else None
        agency.save()
        agencies.append(agency)
    return {"units": units, "national": national, "people": people, "agencies": agencies,
            "data_key": data_key}


def _complaints(count: int, today: date, world: dict) -> list[Complaint]:
    """`count` complaints over the last three years, seven in ten in DG, each with a
    current corruption-related triage decision."""
    units, data_key = world["units"], world["data_key"]
    start = datetime(today.year - 3, 1, 5, 9, tzinfo=UB)
    span = (datetime.combine(today, datetime.min.time(), tzinfo=UB) - start).total_seconds()
    # Mostly DG: the department whose head the page is measured for.
    unit_of = [units["DG"] if number % 10 < 7 else units[SIBLINGS[number % 3]]
               for number in range(count)]
    complaints = []
    for number in range(count):
        received = start + timedelta(seconds=span * number / count)
        complaint = Complaint(
            data_key=data_key, unit=unit_of[number],
            reference=f"{unit_of[number].code}-{received.year}-{number + 1:06d}",
            channel=Channel.LETTER, kind=Kind.COMPLAINT, status=Status.REFERRED,
            received_at=received, acknowledge_due=received.date() + timedelta(days=9),
            resolve_due=received.date() + timedelta(days=42),
        )
        complaint.body = "Бичиг хэргийн ажилтан мөнгө нэхсэн."
        complaints.append(complaint)
    Complaint.objects.bulk_create(complaints, batch_size=BATCH)
    complaints = list(Complaint.objects.only("pk", "unit_id", "reference", "received_at")
                      .order_by("pk"))
    decisions = []
    for complaint in complaints:
        decision = TriageDecision(
            complaint=complaint, data_key=data_key, corruption_related=True,
            refer_due=complaint.received_at.date() + timedelta(days=7),
            decided_by=world["people"]["officer"], decided_at=complaint.received_at,
        )
        decision.reason = "Хээл хахууль."
        decisions.append(decision)
    TriageDecision.objects.bulk_create(decisions, batch_size=BATCH)
    return complaints


def _referral(complaint, number: int, state: str, world: dict) -> Referral:
    prepared = complaint.received_at + timedelta(hours=2 + number)
    approved = None if state in ("prepared", "returned") else prepared + timedelta(days=1)
    agencies = world["agencies"]
    referral = Referral(
        reference=f"{complaint.reference}-R{number + 1}", complaint=complaint,
        unit_id=complaint.unit_id, data_key=world["data_key"],
        agency=agencies[number % len(agencies)], state=state,
        prepared_by=world["people"]["officer"], prepared_at=prepared, approved_at=approved,
        acknowledge_expected_by=prepared.date() + timedelta(days=9) if approved else None,
        agency_reference=f"АТГ-{number}" if state in ("acknowledged", "concluded") else "",
    )
    referral.cover_letter = "Танай байгууллагад шилжүүлж байна."
    return referral


def _referrals(complaints: list[Complaint], total: int, rng, world: dict) -> None:
    """`total` referrals, PER_COMPLAINT to a complaint, in states weighted as STATES."""
    states = [state for state, weight in STATES for _ in range(weight)]
    made, pending = 0, []
    for complaint in complaints:
        batch = [_referral(complaint, number, rng.choice(states), world)
                 for number in range(min(PER_COMPLAINT, total - made))]
        made += len(batch)
        pending.extend(batch)
        if len(pending) >= BATCH:
            Referral.objects.bulk_create(pending)
            pending.clear()
    if pending:
        Referral.objects.bulk_create(pending)


def seed(total: int, today: date) -> dict:
    rng = random.Random(7)
    world = _organisation()
    with transaction.atomic():
        complaints = _complaints(-(-total // PER_COMPLAINT), today, world)
        _referrals(complaints, total, rng, world)
        # A few recusals, so the exclusion the page always makes has something to exclude.
        Recusal.objects.bulk_create(
            Recusal(complaint=complaint, user=world["people"]["head"])
            for complaint in rng.sample(complaints, min(20, len(complaints)))
        )
    return {key: world[key] for key in ("units", "national", "people", "agencies")}
