"""`{{ file.content_type|file_kind }}`: the kind of a file in words ("PDF баримт бичиг"), not
its media type ("application/pdf"), which no clerk reads. A type not listed is shown as it
is, so that nothing is hidden."""

from django import template
from django.utils.translation import gettext_lazy as _

register = template.Library()

KINDS = {
    "application/pdf": _("PDF document"),
    "image/jpeg": _("JPEG picture"),
    "image/png": _("PNG picture"),
}


@register.filter
def file_kind(content_type: str) -> str:
    return str(KINDS.get((content_type or "").lower(), content_type))
