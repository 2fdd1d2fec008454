"""The form renderer (settings.FORM_RENDERER): Django's, but the plain `<input>` widgets and
the `<select>` lists are written here in Python.

Every text, number, date, hidden, file and checkbox input goes through Django's input.html
and attrs.html, whose variable lookups cost about half a millisecond an input in a full page:
the letters page has two inputs on each of its 25 cards, and they were half its time. The
markup written here is Django's, character for character (tests/core/test_rendering.py
compares the two on every input widget of Django and of the project, with hostile values).
A select list went through select_option.html and attrs.html once an option: the national
head's tracker spent 1.2 ms on writing its two lists (31 units, the agencies), 0.6 ms now.
Every other widget (textarea, radio, multiwidget) still renders from its template.
"""

from django.forms.renderers import DjangoTemplates
from django.utils.formats import localize
from django.utils.safestring import SafeString
from django.utils.timezone import template_localtime

from core.html import escaped

# The widget templates that only include django/forms/widgets/input.html.
INPUT_TEMPLATES = frozenset(
    f"django/forms/widgets/{kind}.html"
    for kind in ("input", "text", "number", "email", "url", "password", "hidden", "date",
                 "datetime", "time", "search", "tel", "color", "file", "checkbox"))

SELECT_TEMPLATE = "django/forms/widgets/select.html"
OPTION_TEMPLATE = "django/forms/widgets/select_option.html"


def _attributes(attrs: dict) -> str:
    # attrs.html: a True attribute is its name alone, a False one is left out.
    return "".join(f" {escaped(name)}" if value is True
                   else f' {escaped(name)}="{escaped(value)}"'
                   for name, value in attrs.items() if value is not False)


def input_html(widget: dict) -> SafeString:
    """One input element from a widget's context, as input.html and attrs.html write it
    (each value that is not already safe is escaped, as `{{ }}` does)."""
    value = "" if widget["value"] is None else f' value="{escaped(widget["value"])}"'
    return SafeString(f'<input type="{escaped(widget["type"])}" '
                      f'name="{escaped(widget["name"])}"{value}{_attributes(widget["attrs"])}>')


def _option_html(option: dict) -> str:
    # select_option.html; `{{ widget.label }}` is localised as any template variable is.
    return (f'<option value="{escaped(option["value"])}"{_attributes(option["attrs"])}>'
            f'{escaped(localize(template_localtime(option["label"])))}</option>\n')


def select_html(widget: dict) -> SafeString | None:
    """A select list from its widget's context, as select.html writes it with each option
    from select_option.html; None if an option has a template of its own."""
    groups = []
    for group_name, options, _index in widget["optgroups"]:
        if any(option["template_name"] != OPTION_TEMPLATE for option in options):
            return None
        written = "".join(f"\n  {_option_html(option)}" for option in options)
        groups.append(f'\n  <optgroup label="{escaped(group_name)}">{written}\n  </optgroup>'
                      if group_name else written)
    return SafeString(f'<select name="{escaped(widget["name"])}"'
                      f'{_attributes(widget["attrs"])}>{"".join(groups)}\n</select>')


class FormRenderer(DjangoTemplates):
    def render(self, template_name, context, request=None):
        if template_name in INPUT_TEMPLATES:
            return input_html(context["widget"])
        if template_name == SELECT_TEMPLATE:
            written = select_html(context["widget"])
            if written is not None:
                return written
        return super().render(template_name, context, request=request)
