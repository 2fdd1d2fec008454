"""The notification centre: a person's own notifications, marking them read, and their
notification settings. Personal pages, tied to no unit: anyone on the staff may open them,
and each shows only its own user's notifications.

A row links to what it is about only when the person holds a role that opens that page in
the event's unit; the link is built from the ids in the event's subject, since an event
holds nothing else.
"""

from dataclasses import dataclass

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from notify.forms import CentreFilterForm, SettingsForm
from notify.models import Kind, Notification
from org.access import staff_required
from org.models import Membership, Role

PER_PAGE = 50
HANDLERS = frozenset({Role.OFFICER, Role.HEAD})
# Kinds about one complaint, or one of its referrals, open the case: the referral is
# approved, returned, followed and answered there, not on the unit's tracker.
CASE_KINDS = {Kind.COMPLAINT_LOGGED, Kind.COMPLAINT_TRIAGED, Kind.REPORTER_MESSAGE,
              Kind.CLOCK_APPROACHING, Kind.CLOCK_OVERDUE, Kind.RETENTION_WARNING,
              Kind.CONTENT_DAMAGED}
REFERRAL_KINDS = {Kind.REFERRAL_PREPARED, Kind.REFERRAL_APPROVED, Kind.REFERRAL_DELIVERED,
                  Kind.REFERRAL_FAILED, Kind.REFERRAL_ANSWERED}
# Kinds about a monthly report open that report's page (reporting's URL, by name).
REPORT_KINDS = {Kind.REPORT_DRAFTED, Kind.REPORT_AWAITING_REVIEW, Kind.REPORT_APPROVED,
                Kind.REPORT_LATE, Kind.REPORT_DELIVERY_FAILED, Kind.REPORT_SENT_BACK}


@dataclass(frozen=True)
class Row:
    notification: Notification
    link: str | None
    link_text: str


def _link(notification: Notification, roles_by_unit: dict) -> tuple[str | None, str]:
    """Where a row leads, and what the link says (a reference number, never content)."""
    subject, code = notification.event.subject, notification.unit.code
    roles = roles_by_unit.get(notification.unit_id, set())
    if notification.kind in REPORT_KINDS and subject.get("month"):
        # Whoever is told of a report may open it: its own unit's staff and the parent
        # unit's heads, as the report page itself checks.
        try:
            return (reverse("reporting:month", kwargs={"unit_code": code,
                                                       "month": subject["month"]}),
                    subject.get("report_reference") or subject["month"])
        except NoReverseMatch:
            return None, ""
    if notification.kind == Kind.CALENDAR_INCOMPLETE:
        # The administrators enter the holidays in the admin site's calendar.
        if Role.ADMIN not in roles:
            return None, ""
        return reverse("admin:org_calendarday_changelist"), _("Holiday calendar")
    if notification.kind == Kind.TALLY_MISMATCH:
        # The counters were put right from the records; the status page says the rest.
        if Role.ADMIN not in roles:
            return None, ""
        named = (subject.get(key) for key in ("unit_code", "month", "figure"))
        return (reverse("ops:status", kwargs={"unit_code": code}),
                " · ".join(str(part) for part in named if part))
    if not roles & HANDLERS:
        return None, ""
    try:
        if notification.kind in CASE_KINDS | REFERRAL_KINDS and subject.get("reference"):
            text = subject.get("referral_reference") or subject["reference"]
            return (reverse("intake:case", kwargs={"unit_code": code,
                                                   "reference": subject["reference"]}),
                    text)
        if notification.kind in REFERRAL_KINDS:  # an event from before referrals named cases
            return (reverse("routing:tracker", kwargs={"unit_code": code}),
                    subject.get("referral_reference") or _("Referrals"))
    except NoReverseMatch:  # a reference that is not one (the route's pattern refuses it)
        pass
    return None, ""


@staff_required
@require_GET
def centre(request):
    form = CentreFilterForm(request.GET or None, user=request.user)
    found = (Notification.objects.filter(recipient=request.user)
             .select_related("event", "unit").order_by("-created_at", "-pk"))
    if form.is_bound:
        found = form.filter(found) if form.is_valid() else found.none()
    page = Paginator(found, PER_PAGE).get_page(request.GET.get("page"))
    roles_by_unit: dict = {}
    for unit_id, role in (Membership.objects.active().filter(user=request.user)
                          .values_list("unit_id", "role")):
        roles_by_unit.setdefault(unit_id, set()).add(role)
    rows = [Row(n, *_link(n, roles_by_unit)) for n in page.object_list]
    return render(request, "notify/centre.html", {
        "form": form, "page": page, "rows": rows,
        "unread": Notification.objects.filter(recipient=request.user).unread().count(),
    })


@staff_required
@require_POST
def mark_read(request):
    """Marks one of the person's notifications read (`id`), or all of them (`all`). Someone
    else's notification, or no notification at all, is 404, and nothing changes."""
    mine = Notification.objects.filter(recipient=request.user).unread()
    if request.POST.get("all"):
        count = mine.update(read_at=timezone.now())
        messages.success(request, ngettext("%(count)d notification marked as read.",
                                           "%(count)d notifications marked as read.",
                                           count) % {"count": count})
    else:
        raw = request.POST.get("id", "")
        if not raw.isdigit():
            raise Http404
        notification = get_object_or_404(Notification, pk=int(raw), recipient=request.user)
        if notification.read_at is None:
            notification.read_at = timezone.now()
            notification.save(update_fields=["read_at"])
    return redirect("notify:centre")


@staff_required
@require_http_methods(["GET", "POST"])
def settings_view(request):
    form = SettingsForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Your notification settings are saved."))
        return redirect("notify:settings")
    return render(request, "notify/settings.html", {"form": form})
