"""Every decrypting read shown to a person is recorded by intake.reading.reading_record: the
damage met first, then what was shown. No view records a reading itself."""

import ast

import pytest

from audit.models import AuditEvent
from intake import reading
from intake.damage import Damage
from tests.architecture.imports import modules
from tests.intake.pages_case import make_case

pytestmark = pytest.mark.django_db


def test_no_view_calls_record_read_itself():
    calling = []
    for name, path in modules().items():
        if not any(part == "views" or part.startswith("views_") for part in name.split(".")):
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            called = getattr(node, "func", None)
            if isinstance(node, ast.Call) and "record_read" in (
                    getattr(called, "id", None), getattr(called, "attr", None)):
                calling.append(f"{name}:{node.lineno}")
    assert calling == []


def test_the_damage_is_recorded_before_the_reading_and_empty_fields_are_skipped(
        units, personas):
    complaint = make_case(units, personas)
    attachment = complaint.attachments.get()
    reading.reading_record(
        reader=personas["officer"], unit=complaint.unit,
        subject={"complaint": complaint.pk, "reference": complaint.reference},
        damaged=[Damage(attachment, "filename")],
        shown=[(complaint, ["body"]), (attachment, [])],
    )
    events = list(AuditEvent.objects.filter(action__in=["content.damaged", "content.read"])
                  .order_by("seq"))
    assert [event.action for event in events] == ["content.damaged", "content.read"]
    assert events[1].object_id == str(complaint.pk)
