"""What the pages for what comes in by hand share: who may do what, the page frame with
intake's own links, uploads refused before they are read, and the one-time tokens that save
a form once (intake.channels.fields.OnceOnlyForm).

Who may do what (tests/intake/pages_channels.py holds the same table):

| page                                   | clerk | officer | head | auditor | admin |
|----------------------------------------|-------|---------|------|---------|-------|
| list of box openings, one opening,     |  yes  |  view   | view |  view   |  no   |
| its printable record                   |       |         |      |         |       |
| record an opening, log or discard a    |  yes  |   no    |  no  |   no    |  no   |
| slip, close an opening                 |       |         |      |         |       |
| the list of phone calls, log a call or |  yes  |   yes   |  no  |   no    |  no   |
| another channel                        |       |         |      |         |       |
| the "logged" confirmation page         |  yes  |   yes   |  no  |   no    |  no   |

The "logged" page also lets whoever logged it give the case its short title
(intake.case.views.case_worklist takes the form).
"""

from django.shortcuts import render

from intake.case.forms import TitleForm
from intake.channels.forms_logged import CHANNEL_FORMS
from intake.models import Channel, Complaint
from intake.services import Upload
from intake.uploads import request_too_large
from org.models import Role

BOX_KEEPERS = (Role.CLERK,)
BOX_VIEWERS = (Role.CLERK, Role.OFFICER, Role.HEAD, Role.AUDITOR)
LOGGERS = (Role.CLERK, Role.OFFICER)
TEMPLATES = "intake/staff/channels/"

# Channels whose complaints are logged on these pages and shown on the "logged" page.
LOGGED_HERE = {Channel.PHONE, *CHANNEL_FORMS}

# The one-time tokens of forms already saved in this session (see OnceOnlyForm).
USED_TOKENS = "intake_used_form_tokens"
KEEP_TOKENS = 50


def channel_page(request, unit, template, context=None, *, status=200):
    roles = request.unit_roles
    return render(request, TEMPLATES + template, {
        "unit": unit,
        # For intake's own links.
        "can_keep_boxes": bool(roles & set(BOX_KEEPERS)),
        "can_view_boxes": bool(roles & set(BOX_VIEWERS)),
        "can_log": bool(roles & set(LOGGERS)),
        "channel_forms": [(key, Channel(key).label) for key in CHANNEL_FORMS],
        **(context or {}),
    }, status=status)


def duration_text(seconds: int | None) -> str:
    """A call's length as the form takes it: minutes and seconds, "4:30"."""
    return f"{seconds // 60}:{seconds % 60:02d}" if seconds is not None else ""


def _facts(complaint: Complaint) -> dict:
    return {
        "complaint": complaint,
        "by_phone": complaint.channel == Channel.PHONE,
        "duration": duration_text(complaint.call_duration_seconds),
    }


def logged_page(request, unit, complaint: Complaint, *, title_form=None, status=200,
                **extra):
    """The page that says what was logged, with the form for the case's short title (a
    refused one passes its bound form and the status)."""
    form = title_form or TitleForm(prefix="worklist", initial={"title": complaint.title})
    return channel_page(request, unit, "logged.html",
                        {**_facts(complaint), "title_form": form, **extra},
                        status=status)


def posted(request):
    return request.POST if request.method == "POST" else None


def posted_files(request):
    return request.FILES if request.method == "POST" else None


def uploads_of(files) -> list[Upload]:
    return [Upload(file=f.open(), filename=f.filename, content_type=f.content_type)
            for f in files or ()]


def upload_refused(request, unit):
    """A response when the files sent are over the limit (nothing is saved), else None."""
    if request.method == "POST" and (
        request_too_large(request) or getattr(request, "upload_too_large", False)
    ):
        return channel_page(request, unit, "too_large.html", status=413)
    return None


def already_saved(request, form) -> bool:
    return form.cleaned_data["token"] in request.session.get(USED_TOKENS, [])


def remember_saved(request, form):
    used = request.session.get(USED_TOKENS, [])[-(KEEP_TOKENS - 1):]
    request.session[USED_TOKENS] = [*used, form.cleaned_data["token"]]


def already_logged(request, unit):
    return channel_page(request, unit, "already_logged.html", status=409)


def invalid_status(request) -> int:
    return 400 if request.method == "POST" else 200
