"""core.choices: a short model choice list is read in one plain SELECT (no server-side
cursor on PostgreSQL), and offers exactly what Django's own iterator offers."""

import pytest
from django import forms
from django.db import connection
from django.test.utils import CaptureQueriesContext

from core.choices import ShortChoiceField, WholeChoiceIterator
from org.models import Unit
from routing.tracker.forms import TrackerFilterForm

pytestmark = pytest.mark.django_db


class Whole(forms.ModelChoiceField):
    iterator = WholeChoiceIterator


@pytest.mark.parametrize("empty_label", ["---", None])
def test_the_choices_are_djangos(units, empty_label):
    queryset = Unit.objects.order_by("code")
    ours = Whole(queryset, empty_label=empty_label)
    django = forms.ModelChoiceField(queryset, empty_label=empty_label)
    assert [(str(value), label) for value, label in ours.choices] == [
        (str(value), label) for value, label in django.choices]
    assert len(ours.choices) == len(django.choices) == len(units) + (empty_label is not None)


def test_the_trackers_lists_take_one_plain_select_each(units):
    form = TrackerFilterForm(unit_ids=set(Unit.objects.values_list("pk", flat=True)))
    with CaptureQueriesContext(connection) as captured:
        html = str(form["unit"]) + str(form["agency"])
    assert len(captured) == 2
    assert all(query["sql"].startswith("SELECT") for query in captured.captured_queries)
    assert html.count("<option") == len(units) + 1 + 1 + form.fields["agency"].queryset.count()


@pytest.mark.parametrize(("form", "name"), [
    ("routing.tracker.forms.TrackerFilterForm", "agency"),
    ("routing.tracker.forms.TrackerFilterForm", "unit"),
    ("audit.forms.EventFilterForm", "unit"),
    ("routing.case.forms.ReferralForm", "agency"),
    ("intake.case.forms.WorklistForm", "officer"),
])
def test_the_short_lists_of_the_staff_pages_are_read_whole(form, name):
    from django.utils.module_loading import import_string

    assert isinstance(import_string(form).base_fields[name], ShortChoiceField)
