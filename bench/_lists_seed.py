"""Seeding bench/lists.py's PostgreSQL database: the organisation and template rows of
bench/_report_seed.py (30 departments under UBEG, a clerk, an officer and a head in each),
then with INSERT ... SELECT over generate_series: complaints, half of them in D01 (the
department whose pages are measured), the rest spread over the other 29; their triage; one
referral for one complaint in ten; one audit event per complaint; recusals of D01's head
and officer; and a few cases escalated to UBEG. Every sealed column holds real ciphertext
copied from a template row made through the ORM (one data key shared by all rows, which
changes nothing a list reads). Runs inside bench/lists.py's Django set-up."""

from datetime import datetime

from _report_seed import (
    LOCAL_DAY,
    REFERRAL_STATES,
    _columns,
    _insert_triage,
    _organisation,
    complaints_insert,
    pick,
    templates,
)
from django.contrib.auth import get_user_model
from django.db import connection, transaction

from intake.models import Complaint, Recusal
from org.models import Membership, Role
from routing.models import Referral

# Half of the complaints in D01: its head's queue and tracker are the long ones.
D01_SHARE = 2
REFERRED_ONE_IN = 10
ESCALATED_ONE_IN = 500


def _insert_complaints(cursor, template, *, total: int, start: datetime, end: datetime,
                       unit_ids: list[int], national_id: int) -> None:
    """bench/_report_seed.py's complaints, half in D01, some assigned to its officer and a
    few escalated to the national office."""
    others = len(unit_ids) - 1
    complaints_insert(
        cursor, template, total=total, start=start, end=end,
        unit_id=(f"CASE WHEN mod(s.i, {D01_SHARE}) = 0 THEN (%(units)s::bigint[])[1] "
                 f"ELSE (%(units)s::bigint[])[2 + mod(s.i / {D01_SHARE}, {others})] END"),
        more={
            "assigned_to_id": f"CASE WHEN {pick('s.i * 31', 3)} = 0 THEN NULL ELSE %(officer)s END",
            "escalated_to_id": (f"CASE WHEN {pick('s.i * 37', ESCALATED_ONE_IN)} = 0 "
                                "THEN %(national)s END"),
        },
        params={"units": unit_ids, "officer": _officer_id(), "national": national_id})


def _officer_id() -> int:
    return get_user_model().objects.get(username="officer").pk


def _insert_referrals(cursor, template, agencies, police_id: int) -> None:
    """One complaint in REFERRED_ONE_IN referred once, in every state; those awaiting a
    letter go to the police, who take them by post."""
    columns, values = _columns(Referral, {
        "uid": "gen_random_uuid()",
        "reference": "c.reference || '-R1'",
        "complaint_id": "c.id",
        "unit_id": "c.unit_id",
        "agency_id": ("CASE WHEN r.state = 'awaiting_letter' THEN %(police)s "
                      "ELSE (%(agencies)s::bigint[])[1 + mod(c.id, 2)] END"),
        "state": "r.state",
        "prepared_at": "c.received_at + interval '1 day'",
        "approved_at": ("CASE WHEN r.state IN ('prepared', 'returned') THEN NULL "
                        "ELSE c.received_at + interval '2 days' END"),
        "approved_by_id": ("CASE WHEN r.state IN ('prepared', 'returned') THEN NULL "
                           "ELSE %(head)s END"),
        "acknowledge_expected_by": (
            "CASE WHEN r.state IN ('prepared', 'returned', 'approved', 'awaiting_letter') "
            f"THEN NULL ELSE {LOCAL_DAY % 'c.received_at'} + 12 END"),
        "acknowledged_at": ("CASE WHEN r.state IN ('acknowledged', 'concluded') "
                            "THEN c.received_at + (5 + mod(c.id, 15)) * interval '1 day' END"),
        "concluded_at": ("CASE WHEN r.state = 'concluded' "
                         "THEN c.received_at + 60 * interval '1 day' END"),
        "agency_reference": ("CASE WHEN r.state IN ('acknowledged', 'concluded') "
                             "THEN 'АТГ-' || c.id ELSE '' END"),
    })
    cursor.execute(
        f"INSERT INTO routing_referral ({columns}) SELECT {values} "
        f"FROM intake_complaint c "
        f"CROSS JOIN LATERAL (SELECT (%(states)s::text[])"
        f"  [1 + {pick('c.id * 23', len(REFERRAL_STATES))}] AS state) r "
        f"CROSS JOIN (SELECT * FROM routing_referral WHERE id = %(template)s) t "
        f"WHERE {pick('c.id * 19', REFERRED_ONE_IN)} = 0 AND c.reference LIKE 'B-%%'",
        {"states": REFERRAL_STATES, "agencies": [agency.pk for agency in agencies],
         "template": template.pk, "police": police_id,
         "head": get_user_model().objects.get(username="head").pk})


def _insert_events(cursor, officer_id: int) -> None:
    """One 'complaint.logged' event per complaint, numbered after the trail's own, and the
    chain's head moved past them so an event recorded later does not collide. Their HMACs
    are not real: the pages list events, they do not verify them."""
    cursor.execute("SELECT COALESCE(MAX(seq), 0) FROM audit_auditevent")
    first = cursor.fetchone()[0]
    cursor.execute(
        "INSERT INTO audit_auditevent (seq, occurred_at, actor_kind, actor_user_id, "
        "  actor_label, action, object_type, object_id, unit_id, details, key_version, "
        "  prev_hash, mac) "
        "SELECT %(first)s + row_number() OVER (ORDER BY c.id), "
        "  to_char(c.received_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"'), "
        "  'staff', %(officer)s, 'officer', 'complaint.logged', 'intake.complaint', "
        "  c.id::text, c.unit_id, '{\"reference\":\"' || c.reference || '\"}', 1, "
        "  repeat('0', 64), repeat('0', 64) "
        "FROM intake_complaint c WHERE c.reference LIKE 'B-%%'",
        {"first": first, "officer": officer_id})
    cursor.execute("UPDATE audit_chainhead SET seq = (SELECT MAX(seq) FROM audit_auditevent)")


def _insert_recusals(cursor, people: dict, d01_id: int, recusals: int) -> None:
    """D01's head and officer recused from `recusals` of its complaints each."""
    for offset, user in enumerate((people["head"], people["officer"])):
        cursor.execute(
            "INSERT INTO intake_recusal (complaint_id, user_id, reason, created_at) "
            "SELECT c.id, %(user)s, 'named', c.received_at FROM intake_complaint c "
            "WHERE c.unit_id = %(unit)s AND mod(c.id, 97) = %(offset)s "
            "ORDER BY c.id DESC LIMIT %(count)s",
            {"user": user.pk, "unit": d01_id, "offset": offset, "count": recusals})


def _more_people(world: dict, national) -> None:
    """An auditor of D01 and of the nation, and the national head."""
    User = get_user_model()
    d01 = world["units"][0]
    for name, unit, role in (("auditor", d01, Role.AUDITOR),
                             ("national_auditor", national, Role.AUDITOR),
                             ("national_head", national, Role.HEAD)):
        world["people"][name] = User.objects.create_user(username=name, password=None)
        Membership.objects.create(user=world["people"][name], unit=unit, role=role)


def seed(total: int, start: datetime, end: datetime, recusals: int) -> dict:
    world = _organisation()
    units, people = world["units"], world["people"]
    national = units[0].parent
    _more_people(world, national)
    made = templates(units[0], people, world["agencies"][0], world["data_key"])
    unit_ids = [unit.pk for unit in units]
    police = next(agency for agency in world["agencies"] if agency.code == "police")
    with transaction.atomic(), connection.cursor() as cursor:
        _insert_complaints(cursor, made["complaint"], total=total, start=start, end=end,
                           unit_ids=unit_ids, national_id=national.pk)
        _insert_triage(cursor, made)
        _insert_referrals(cursor, made["referral"], world["agencies"], police.pk)
        _insert_events(cursor, people["officer"].pk)
        _insert_recusals(cursor, people, units[0].pk, recusals)
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    counts = {
        "complaints": Complaint.objects.count() - 1,
        "d01": Complaint.objects.filter(unit=units[0]).count() - 1,
        "referrals": Referral.objects.count() - 1,
        "d01_referrals": Referral.objects.filter(unit=units[0]).count() - 1,
        "recusals": Recusal.objects.count(),
    }
    return {"units": units, "national": national, "people": people, "counts": counts}
