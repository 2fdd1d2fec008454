"""The project's form renderer writes plain inputs in Python (core/rendering.py); what it
writes must be what Django's own templates write, character for character, whatever the
value and the attributes: hostile text is escaped, safe text is not, a True attribute is its
name alone and a False one is left out."""

import pytest
from django import forms
from django.conf import settings
from django.forms.renderers import DjangoTemplates, get_default_renderer
from django.utils.html import format_html
from django.utils.translation import gettext_lazy, override
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from core.rendering import INPUT_TEMPLATES, SELECT_TEMPLATE, FormRenderer, select_html
from intake.fields import DayField, MultipleFileInput

DJANGO = DjangoTemplates()
OURS = FormRenderer()

HOSTILE = ['"><script>alert(1)</script>', "a & b 'c'", "Өргөдөл «гомдол»", "", " ", "0"]
# format_html's result is safe text, which both write as it is.
VALUES = [None, *HOSTILE, 0, 12.5, -3, format_html("<b>{}</b>", "kept"),
          gettext_lazy("Letter number")]
ATTRS = [
    {},
    {"required": True, "disabled": False, "maxlength": 64},
    {"id": "id_x", "placeholder": gettext_lazy("Sent on"), "aria-describedby": "id_x_helptext"},
    {"data-evil": '"><img src=x onerror=alert(1)>', "class": "a b", "pattern": r"\d{4}[.\-\/]"},
    {"checked": True, "autofocus": True, "size": 10, "step": 0.5},
]


def _input_widgets():
    """Every widget class, Django's and the project's, whose template is a plain input."""
    found, waiting = set(), [forms.Widget]
    while waiting:
        widget = waiting.pop()
        waiting.extend(widget.__subclasses__())
        # DateTimeBaseInput is only a base: it has no format of its own to write a value in.
        if (getattr(widget, "template_name", None) in INPUT_TEMPLATES
                and getattr(widget, "format_key", None) != ""):
            found.add(widget)
    return sorted(found, key=lambda widget: (widget.__module__, widget.__name__))


def _context(widget_class, value, attrs):
    widget = widget_class(attrs=attrs)
    return widget.template_name, widget.get_context("field-1", value, attrs)


def test_the_settings_name_this_renderer():
    assert settings.FORM_RENDERER == "core.rendering.FormRenderer"
    assert isinstance(get_default_renderer(), FormRenderer)


def test_every_input_widget_is_covered_the_projects_too():
    widgets = _input_widgets()
    assert {forms.TextInput, forms.NumberInput, forms.DateInput, forms.CheckboxInput,
            forms.HiddenInput, forms.FileInput, type(DayField().widget)} <= set(widgets)
    # The project's several-files input keeps its template (clearable_file_input.html).
    assert not {forms.Select, forms.Textarea, forms.RadioSelect, MultipleFileInput} & set(widgets)


@pytest.mark.parametrize("widget_class", _input_widgets(), ids=lambda w: w.__name__)
@pytest.mark.parametrize("language", ["mn", "en"])
def test_each_input_is_written_as_djangos_template_writes_it(widget_class, language):
    with override(language):
        for value in VALUES:
            for attrs in ATTRS:
                template_name, context = _context(widget_class, value, dict(attrs))
                expected = DJANGO.render(template_name, context)
                assert OURS.render(template_name, context) == expected, (value, attrs)


def test_a_days_input_in_a_form_is_the_same_with_errors_and_help():
    class Letter(forms.Form):
        number = forms.CharField(max_length=64, help_text=gettext_lazy("Letter number"))
        sent_on = DayField(required=True)
        agree = forms.BooleanField()

    for data in (None, {"number": '"><b>', "sent_on": "2026.13.45", "agree": "on"}):
        form = Letter(data, prefix="sent-7")
        for name in ("number", "sent_on", "agree"):
            bound = form[name]
            ours = str(bound)
            bound.form.renderer = DJANGO
            assert ours == str(bound)
            bound.form.renderer = OURS


def _select_widgets():
    """Every widget class, Django's and the project's, written by select.html (but the admin's,
    which need a model field, a site or a name to exist)."""
    found, waiting = set(), [forms.Widget]
    while waiting:
        widget = waiting.pop()
        waiting.extend(widget.__subclasses__())
        if (getattr(widget, "template_name", None) == SELECT_TEMPLATE
                and not widget.__module__.startswith("django.contrib.admin")):
            found.add(widget)
    return sorted(found, key=lambda widget: (widget.__module__, widget.__name__))


CHOICES = [
    [],
    [("", gettext_lazy("Any agency")), ("atg", '"><script>alert(1)</script>'), ("b", "Б & В")],
    [(1, 2000), (2, 12.5), ("x", format_html("<b>{}</b>", "kept")), (None, "none")],
    [("Хэлтэс", [("D01", "D01 · Улсын бүртгэл"), ("D02", "a 'b'")]), ("c", "C"),
     ('"><i>', [("z", "Z")])],
]


def test_every_select_widget_is_covered():
    assert {forms.Select, forms.SelectMultiple, forms.NullBooleanSelect} <= set(_select_widgets())


@pytest.mark.parametrize("widget_class", _select_widgets(), ids=lambda w: w.__name__)
@pytest.mark.parametrize("language", ["mn", "en"])
def test_each_select_is_written_as_djangos_templates_write_it(widget_class, language):
    if widget_class is forms.NullBooleanSelect:  # its own three choices, and no list
        cases = [(None, value) for value in (None, True, False, "unknown")]
    else:
        cases = [(choices, value) for choices in CHOICES
                 for value in (None, "", "b", 1, ["b", "D02"], "D01", '"><i>')]
    with override(language):
        for choices, value in cases:
            for attrs in ATTRS:
                widget = widget_class(attrs=dict(attrs))
                if choices is not None:
                    widget.choices = choices
                expected = widget.render("field-1", value, renderer=DJANGO)
                written = widget.render("field-1", value, renderer=OURS)
                assert written == expected, (choices, value, attrs)


def test_a_model_choice_list_in_a_form_is_the_same(db, units):
    """The tracker's lists of units and agencies, chosen and not, valid and not."""
    from org.models import Unit
    from routing.tracker.forms import TrackerFilterForm

    unit_ids = set(Unit.objects.values_list("pk", flat=True))
    assert len(unit_ids) > 1
    for data in (None, {"unit": "DG", "state": "delivered"}, {"unit": "<nowhere>"}):
        form = TrackerFilterForm(data, unit_ids=unit_ids)
        for name in ("unit", "agency", "state"):
            ours = str(form[name])
            form.renderer = DJANGO
            assert ours == str(form[name]), (data, name)
            form.renderer = OURS


def test_an_option_with_a_template_of_its_own_keeps_the_templates():
    class Marked(forms.Select):
        option_template_name = "django/forms/widgets/input.html"

    widget = Marked(choices=[("a", "A")])
    assert widget.render("kind", "a", renderer=OURS) == widget.render("kind", "a",
                                                                      renderer=DJANGO)
    assert select_html(widget.get_context("kind", "a", {})["widget"]) is None


def test_other_widgets_still_render_from_their_templates():
    area = forms.Textarea()
    assert area.render("text", '"<b>', renderer=OURS) == area.render("text", '"<b>',
                                                                     renderer=DJANGO)


@hypothesis_settings(max_examples=200, deadline=None)
@given(value=st.one_of(st.none(), st.text(), st.integers()),
       attrs=st.dictionaries(st.from_regex(r"[a-z][a-z-]{0,12}", fullmatch=True),
                             st.one_of(st.booleans(), st.text(), st.integers()), max_size=6))
def test_any_value_and_attributes_are_written_alike(value, attrs):
    template_name, context = _context(forms.TextInput, value, attrs)
    assert OURS.render(template_name, context) == DJANGO.render(template_name, context)


@hypothesis_settings(max_examples=200, deadline=None)
@given(choices=st.lists(st.tuples(st.one_of(st.text(), st.integers()),
                                  st.one_of(st.text(), st.integers())), max_size=5),
       group=st.one_of(st.none(), st.text(min_size=1)), value=st.one_of(st.none(), st.text()))
def test_any_choices_are_written_alike(choices, group, value):
    widget = forms.Select(choices=[(group, choices)] if group else choices)
    assert widget.render("x", value, renderer=OURS) == widget.render("x", value,
                                                                     renderer=DJANGO)
