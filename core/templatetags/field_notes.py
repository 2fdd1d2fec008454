"""`{{ field|attach_again }}`, under each field of a form: for a file input of a form shown
again after an error, the warning that the chosen files were not kept. A browser never
sends chosen files back with the page, so without JavaScript they are gone and the person
must know it. Nothing for any other field.

A filter, not an included template: it is written under every field of every form, and an
include cost a tenth of a millisecond each, the letters page's 50 fields five milliseconds."""

from django import template
from django.utils.html import format_html
from django.utils.translation import gettext as _

register = template.Library()


@register.filter
def attach_again(field) -> str:
    form = field.form
    if not (form.is_bound and getattr(field.field.widget, "input_type", None) == "file"
            and form.errors and field.html_name in form.files):
        return ""
    return format_html(
        '<p class="warning" role="alert" id="{}_again">{}</p>', field.auto_id,
        _("The form was shown again because of an error, so the files you chose were not "
          "kept. Attach them again before you send it."))
