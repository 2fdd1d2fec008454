"""Case endings in templates: `{% load grammar %}` then `{{ agency.name|dative }}`.

Each filter inflects on a Mongolian page and returns the value as it is on an English one
(core.grammar.in_case), so a name can go into a translated sentence as its own placeholder:

    {% blocktranslate with agency_dative=agency.name|dative %}
      Send to {{ agency_dative }}{% endblocktranslate %}

The Mongolian msgstr puts the name where the dative belongs ("%(agency_dative)s илгээх"), the
English one reads the plain name.
"""

from django import template

from core.grammar import Case, in_case

register = template.Library()


def _filter(case: Case):
    def inflected(value):
        return in_case(str(value), case) if value not in (None, "") else value

    inflected.__name__ = case.value
    inflected.__doc__ = f"The value in the {case.value} on a Mongolian page."
    return inflected


for _case in Case:
    # Not is_safe: a name is plain text, and the page escapes what the filter returns.
    register.filter(_case.value, _filter(_case))
