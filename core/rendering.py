"""The form renderer (settings.FORM_RENDERER): Django's, but the plain `<input>` widgets are
written here in Python.

Every text, number, date, hidden, file and checkbox input goes through Django's input.html
and attrs.html, whose variable lookups cost about half a millisecond an input in a full page:
the letters page has two inputs on each of its 25 cards, and they were half its time. The
markup written here is Django's, character for character (tests/core/test_rendering.py
compares the two on every input widget of Django and of the project, with hostile values).
Every other widget (select, textarea, radio, multiwidget) still renders from its template.
"""

from django.forms.renderers import DjangoTemplates
from django.utils.html import format_html, format_html_join

# The widget templates that only include django/forms/widgets/input.html.
INPUT_TEMPLATES = frozenset(
    f"django/forms/widgets/{kind}.html"
    for kind in ("input", "text", "number", "email", "url", "password", "hidden", "date",
                 "datetime", "time", "search", "tel", "color", "file", "checkbox"))


def _attribute(name, value):
    # attrs.html: a True attribute is its name alone, a False one is left out.
    return format_html(" {}", name) if value is True else format_html(' {}="{}"', name, value)


def input_html(widget: dict):
    """One input element from a widget's context, as input.html and attrs.html write it
    (format_html escapes each value that is not already safe, as `{{ }}` does)."""
    attributes = format_html_join("", "{}", ((_attribute(name, value),)
                                             for name, value in widget["attrs"].items()
                                             if value is not False))
    if widget["value"] is None:
        return format_html('<input type="{}" name="{}"{}>',
                           widget["type"], widget["name"], attributes)
    return format_html('<input type="{}" name="{}" value="{}"{}>',
                       widget["type"], widget["name"], widget["value"], attributes)


class FormRenderer(DjangoTemplates):
    def render(self, template_name, context, request=None):
        if template_name in INPUT_TEMPLATES:
            return input_html(context["widget"])
        return super().render(template_name, context, request=request)
