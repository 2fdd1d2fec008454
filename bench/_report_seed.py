"""Seeding bench/report.py's database: 30 departments under a national authority, and
complaints, triage, referrals, agency answers and box openings made with INSERT ... SELECT
over generate_series from one template row of each kind made through the ORM (so every
sealed column holds real ciphertext; one data key is shared by all rows, which changes
nothing the figures read). The reports' counters are then filled from those rows in bulk
(`tallies_fill`). Runs inside bench/report.py's Django set-up."""

import time
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.contrib.auth import get_user_model
from django.db import connection, transaction

from intake.models import BoxOpening, Channel, Complaint
from intake.tallies import tallies_add, tallies_recount
from intake.tally_models import Tally
from org.models import Membership, Role, Unit
from routing.models import Agency, AgencyAnswer, Category, Referral, TriageDecision
from vault.models import DataKey

UB = ZoneInfo("Asia/Ulaanbaatar")
UNITS = 30
CHANNELS = ["web", "phone", "phone", "walk_in", "walk_in", "letter", "complaint_box",
            "suggestion_box", "notebook", "email", "social"]
STATUSES = ["closed", "closed", "closed", "closed", "acknowledged", "in_progress", "referred",
            "new"]
REFERRAL_STATES = ["concluded", "concluded", "acknowledged", "acknowledged", "delivered",
                   "returned", "prepared", "approved", "awaiting_letter", "failed"]
CORRUPT_CODES = ["bribery", "conflict_of_interest", "abuse_of_office"]
OTHER_CODES = ["red_tape", "service_quality", "staff_conduct", "suggestion", "praise", "other"]
LOCAL_DAY = "(%s AT TIME ZONE 'Asia/Ulaanbaatar')::date"


def pick(expression: str, choices: int) -> str:
    """SQL for a number in [0, choices) that looks random but is the same every run (a hash
    of `expression`), so no two choices line up with each other or with the unit."""
    return f"mod(abs(hashint8({expression})::bigint), {choices})"


CORRUPT = pick("c.id * 11", 50)  # 2 % of complaints are corruption-related


def _columns(model, overrides: dict[str, str]) -> tuple[str, str]:
    """The INSERT's column list and the SELECT's expressions: `overrides` by column, the
    template row's value (alias t) for every other column but the primary key."""
    names, values = [], []
    for field in model._meta.concrete_fields:
        if field.primary_key:
            continue
        names.append(f'"{field.column}"')
        values.append(overrides.pop(field.column, f't."{field.column}"'))
    if overrides:
        raise SystemExit(f"{model.__name__} has no column {sorted(overrides)}")
    return ", ".join(names), ", ".join(values)


def templates(unit, people, agency, data_key) -> dict:
    """One complaint, triage decision and referral made through the ORM, far in the past
    (outside every month measured), whose sealed columns the seeded rows copy."""
    long_ago = datetime(2000, 1, 3, 10, tzinfo=UB)
    complaint = Complaint(data_key=data_key, unit=unit, reference="TEMPLATE-1",
                          channel=Channel.LETTER, received_at=long_ago,
                          acknowledge_due=long_ago.date(), resolve_due=long_ago.date())
    complaint.body = "Бичиг хэргийн ажилтан мөнгө нэхсэн, дараалал удаан."
    complaint.save()
    decision = TriageDecision(complaint=complaint, data_key=data_key, corruption_related=False,
                              decided_by=people["officer"], decided_at=long_ago)
    decision.reason = "Үйлчилгээний чанар."
    decision.save()
    referral = Referral(reference="TEMPLATE-1-R1", complaint=complaint, unit=unit,
                        data_key=data_key, agency=agency, prepared_by=people["officer"],
                        prepared_at=long_ago)
    referral.cover_letter = "Танай байгууллагад шилжүүлж байна."
    referral.save()
    return {"complaint": complaint, "decision": decision, "referral": referral}


def _organisation() -> dict:
    """The national authority and its departments, a clerk, an officer and a head in every
    department, the anti-corruption agency (by API) and the police (by letter)."""
    national = Unit.objects.create(code="UBEG", kind=Unit.Kind.NATIONAL,
                                   name_mn="Улсын бүртгэлийн ерөнхий газар",
                                   name_en="General Authority for State Registration")
    units = [Unit.objects.create(code=f"D{number:02d}", kind=Unit.Kind.DEPARTMENT,
                                 parent=national, name_mn=f"Хэлтэс {number:02d}",
                                 name_en=f"Department {number:02d}")
             for number in range(1, UNITS + 1)]
    User = get_user_model()
    people = {}
    for name, role in (("clerk", Role.CLERK), ("officer", Role.OFFICER), ("head", Role.HEAD)):
        people[name] = User.objects.create_user(username=name, password=None)
        for unit in units:
            Membership.objects.create(user=people[name], unit=unit, role=role)
    data_key = DataKey.objects.create_fresh()
    agencies = []
    for code, delivery, kind in (("atg", Agency.Delivery.API, Agency.Kind.ANTI_CORRUPTION),
                                 ("police", Agency.Delivery.LETTER, Agency.Kind.POLICE)):
        agency = Agency(data_key=data_key, code=code, name_mn=f"{code} газар",
                        name_en=f"{code} office", kind=kind, delivery=delivery,
                        is_default=code == "atg", api_url="https://atg.example.mn/api/",
                        postal_address="Улаанбаатар")
        agency.api_secret = "bench-secret"
        agency.save()
        agencies.append(agency)
    return {"units": units, "people": people, "agencies": agencies, "data_key": data_key}


def complaints_insert(cursor, template, *, total: int, start: datetime, end: datetime,
                      unit_id: str, more: dict[str, str] | None = None,
                      params: dict | None = None) -> None:
    """`total` complaints spread evenly from `start` to `end` over the channels, copied from
    `template`'s sealed columns. `unit_id` is the SQL that gives the i-th one (`s.i`) its unit;
    `more` sets further columns by SQL, with their `params`."""
    local = LOCAL_DAY % "s.at"
    columns, values = _columns(Complaint, {
        "uid": "gen_random_uuid()",
        "unit_id": unit_id,
        "reference": "'B-' || s.i",
        "channel": f"(%(channels)s::text[])[1 + {pick('s.i', len(CHANNELS))}]",
        "kind": f"CASE WHEN {pick('-s.i', 5)} = 0 THEN 'suggestion' ELSE 'complaint' END",
        "status": "s.status",
        "received_at": "s.at",
        "logged_at": "s.at",
        "acknowledge_due": f"{local} + 9",
        # A few never acknowledged; most in time, some late.
        "acknowledged_at": (f"CASE WHEN {pick('s.i * 3', 11)} = 0 THEN NULL "
                            f"ELSE s.at + {pick('s.i * 5', 13)} * interval '1 day' END"),
        "resolve_due": f"{local} + 42",
        "closed_at": ("CASE WHEN s.status = 'closed' "
                      f"THEN s.at + {pick('s.i * 7', 50)} * interval '1 day' END"),
        **(more or {}),
    })
    step_us = (end - start) / timedelta(microseconds=1) / total
    cursor.execute(
        f"WITH s AS (SELECT i, %(start)s::timestamptz + (i - 1) * %(step)s "
        f"  * interval '1 microsecond' AS at, "
        f"  (%(statuses)s::text[])[1 + {pick('i * 13', len(STATUSES))}] AS status "
        f"  FROM generate_series(1, %(total)s) AS i) "
        f"INSERT INTO intake_complaint ({columns}) SELECT {values} "
        f"FROM s CROSS JOIN (SELECT * FROM intake_complaint WHERE id = %(template)s) t",
        {"start": start, "step": step_us, "total": total, "channels": CHANNELS,
         "statuses": STATUSES, "template": template.pk, **(params or {})})


def _insert_triage(cursor, made: dict) -> None:
    """80 % of the complaints triaged, 2 % corruption-related, each with one category."""
    columns, values = _columns(TriageDecision, {
        "uid": "gen_random_uuid()",
        "complaint_id": "c.id",
        "corruption_related": f"{CORRUPT} = 1",
        "refer_due": f"CASE WHEN {CORRUPT} = 1 THEN {LOCAL_DAY % 'c.received_at'} + 7 END",
        "decided_at": "c.received_at + interval '1 day'",
        "current": "true",
    })
    cursor.execute(
        f"INSERT INTO routing_triagedecision ({columns}) SELECT {values} "
        f"FROM intake_complaint c CROSS JOIN "
        f"(SELECT * FROM routing_triagedecision WHERE id = %(template)s) t "
        f"WHERE {pick('c.id * 17', 5)} <> 0 AND c.id <> %(complaint)s",
        {"template": made["decision"].pk, "complaint": made["complaint"].pk})
    codes = dict(Category.objects.values_list("code", "pk"))
    cursor.execute(
        "INSERT INTO routing_triagedecision_categories (triagedecision_id, category_id) "
        "SELECT d.id, CASE WHEN d.corruption_related "
        "  THEN (%(corrupt)s::bigint[])[1 + mod(d.id, 3)] "
        "  ELSE (%(other)s::bigint[])[1 + mod(d.id, 6)] END "
        "FROM routing_triagedecision d WHERE d.id <> %(template)s",
        {"corrupt": [codes[code] for code in CORRUPT_CODES],
         "other": [codes[code] for code in OTHER_CODES], "template": made["decision"].pk})


def _insert_referrals(cursor, template, agencies) -> None:
    """Each corruption-related complaint referred once (a quarter twice), in every state."""
    columns, values = _columns(Referral, {
        "uid": "gen_random_uuid()",
        "reference": "c.reference || '-R' || n.k",
        "complaint_id": "c.id",
        "unit_id": "c.unit_id",
        "agency_id": "(%(agencies)s::bigint[])[1 + mod(c.id + n.k, 2)]",
        "state": "r.state",
        "prepared_at": "c.received_at + (1 + n.k) * interval '1 day'",
        "approved_at": ("CASE WHEN r.state IN ('prepared', 'returned') THEN NULL "
                        "ELSE c.received_at + (2 + n.k) * interval '1 day' END"),
        "acknowledge_expected_by": (
            "CASE WHEN r.state IN ('prepared', 'returned', 'approved') THEN NULL ELSE "
            f"{LOCAL_DAY % 'c.received_at'} + 12 END"),
        "acknowledged_at": ("CASE WHEN r.state IN ('acknowledged', 'concluded') "
                            "THEN c.received_at + (5 + mod(c.id, 15)) * interval '1 day' END"),
        "concluded_at": ("CASE WHEN r.state = 'concluded' "
                         "THEN c.received_at + 60 * interval '1 day' END"),
        "agency_reference": ("CASE WHEN r.state IN ('acknowledged', 'concluded') "
                             "THEN 'АТГ-' || c.id ELSE '' END"),
    })
    cursor.execute(
        f"INSERT INTO routing_referral ({columns}) SELECT {values} "
        f"FROM routing_triagedecision d JOIN intake_complaint c ON c.id = d.complaint_id "
        f"CROSS JOIN LATERAL (SELECT k FROM generate_series(1, "
        f"  CASE WHEN {pick('c.id * 19', 4)} = 1 THEN 2 ELSE 1 END) AS k) n "
        f"CROSS JOIN LATERAL (SELECT (%(states)s::text[])"
        f"  [1 + {pick('c.id * 23 + n.k', len(REFERRAL_STATES))}] AS state) r "
        f"CROSS JOIN (SELECT * FROM routing_referral WHERE id = %(template)s) t "
        f"WHERE d.corruption_related",
        {"states": REFERRAL_STATES, "agencies": [agency.pk for agency in agencies],
         "template": template.pk})


def _insert_answers_and_openings(cursor, *, start: datetime, end: datetime,
                                 unit_ids: list[int], people: dict) -> None:
    """The agency's recommendation or notice on a third of the acknowledged referrals, and
    three box openings per unit and month (some empty)."""
    cursor.execute(
        'INSERT INTO routing_agencyanswer ("uid", "referral_id", "data_key_id", "kind", "via", '
        '"event_id", "agency_reference", "status", "text", "answered_on", "received_at", '
        '"entered_by_id") '
        "SELECT gen_random_uuid(), r.id, r.data_key_id, "
        "  CASE WHEN mod(r.id, 2) = 0 THEN 'recommendation' ELSE 'notice' END, 'staff', NULL, "
        "  r.agency_reference, '', NULL, "
        "  (r.prepared_at AT TIME ZONE 'Asia/Ulaanbaatar')::date + 20, "
        "  r.prepared_at + interval '20 days', NULL "
        "FROM routing_referral r "
        "WHERE r.state IN ('acknowledged', 'concluded') AND mod(r.id, 3) = 0")
    cursor.execute(
        "INSERT INTO intake_boxopening (unit_id, box, opened_at, opened_by_id, witness_id, "
        "  slip_count, reconciled_at, created_at) "
        "SELECT u, CASE WHEN d = 15 THEN 'suggestion_box' ELSE 'complaint_box' END, "
        "  m + (d - 1) * interval '1 day' + interval '10 hours', %(clerk)s, %(officer)s, "
        "  mod(u + d + extract(month FROM m)::int, 4), NULL, m "
        "FROM unnest(%(units)s::bigint[]) AS u, "
        "  generate_series(%(start)s::timestamptz, %(end)s::timestamptz - interval '1 day', "
        "    interval '1 month') AS m, unnest(ARRAY[5, 15, 25]) AS d",
        {"units": unit_ids, "start": start, "end": end, "clerk": people["clerk"].pk,
         "officer": people["officer"].pk})


def seed(total: int, first_month: date, end: datetime) -> dict:
    """The whole database; returns the units, the people and how many rows of each kind."""
    world = _organisation()
    units, people = world["units"], world["people"]
    made = templates(units[0], people, world["agencies"][0], world["data_key"])
    start = datetime.combine(first_month, datetime.min.time(), tzinfo=UB)
    unit_ids = [unit.pk for unit in units]
    with transaction.atomic(), connection.cursor() as cursor:
        complaints_insert(cursor, made["complaint"], total=total, start=start, end=end,
                          unit_id=f"(%(units)s::bigint[])[1 + mod(s.i, {UNITS})]",
                          params={"units": unit_ids})
        _insert_triage(cursor, made)
        _insert_referrals(cursor, made["referral"], world["agencies"])
        _insert_answers_and_openings(cursor, start=start, end=end, unit_ids=unit_ids,
                                     people=people)
    started = time.perf_counter()
    tallies_fill()
    tallied = time.perf_counter() - started
    with connection.cursor() as cursor:
        # What autovacuum does after a bulk load on a live server: statistics, and the
        # visibility map that lets an index answer without visiting the table.
        cursor.execute("VACUUM (ANALYZE)")
    counts = {
        "complaints": Complaint.objects.count() - 1,
        "triaged": TriageDecision.objects.count() - 1,
        "corruption": TriageDecision.objects.filter(corruption_related=True).count(),
        "referrals": Referral.objects.count() - 1,
        "answers": AgencyAnswer.objects.count(),
        "openings": BoxOpening.objects.count(),
        "tallies": Tally.objects.count(),
    }
    return {"units": units, "people": people, "counts": counts, "tallied": tallied}


def tallies_fill() -> None:
    """The reports' counters (intake.tallies) for the rows inserted behind the workflows'
    back: counted from the rows by the nightly check's GROUP BY queries and written in bulk,
    as the data migration fills an existing installation's."""
    with transaction.atomic():
        Tally.objects.all().delete()
        tallies_add(tallies_recount())
