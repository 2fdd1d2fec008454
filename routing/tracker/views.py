"""The head's referral tracker: every referral of a unit and of the units below it, with the
deadline each one waits on, and the same list as a CSV file.

Metadata only. The cover letter, the redactions and everything sealed in the complaint are
not even fetched (`.only()`), so neither the page nor the file can show them, and nothing is
decrypted or audited as a reading. A referral of a complaint the user is recused from is left
out of the rows, the counts and the file alike.

Which deadline a referral waits on depends on its state:
  prepared, approved, awaiting a letter → the case's refer-by day (its current triage);
  delivered                            → the day the agency should have acknowledged;
  acknowledged                         → the case's resolve-by day;
  delivery failed                      → no day: it needs someone now, so it counts overdue;
  returned, concluded                  → nothing is waited for.
The rule is one SQL expression (`Referral.objects.tracked`), so the rows, the overdue filter
and the overdue count cannot disagree.
"""

import csv
from dataclasses import dataclass
from datetime import date
from urllib.parse import quote

from django.core.handlers.asgi import ASGIRequest
from django.db.models import Q
from django.http import StreamingHttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from core import paging
from core.cells import neutralised
from org.access import unit_role_required
from org.models import Role
from routing.models import NOT_YET_WITH_AGENCY, Referral, ReferralState
from routing.tracker.forms import TrackerFilterForm, referral_label
from routing.tracker.rows import rows_html

TRACKER_PER_PAGE = 50
TRACKER_ROLES = (Role.OFFICER, Role.HEAD)
# What a row shows; nothing sealed is among these, on the referral or on what it joins.
METADATA = (
    "reference", "state", "prepared_at", "approved_at", "acknowledge_expected_by",
    "agency_reference", "unit__code", "complaint__reference", "agency__code",
    "agency__name_mn", "agency__name_en",
)
CSV_CHUNK = 1000
CSV_COLUMNS = (
    "reference", "complaint__reference", "unit__code", "agency__name_mn", "agency__name_en",
    "state", "prepared_at", "approved_at", "next_due", "overdue", "agency_reference",
)
SLOT = "__reference__"
# The only states a referral can be overdue in (Referral.objects.tracked): said outright, so
# that the overdue filter and count read the (unit, state, …) index, not every referral.
OVERDUE = Q(state__in=(*NOT_YET_WITH_AGENCY, ReferralState.DELIVERED,
                       ReferralState.ACKNOWLEDGED, ReferralState.FAILED), overdue=True)

LABELS = {
    "reference": referral_label("reference"),
    "complaint": referral_label("complaint"),
    "unit": referral_label("unit"),
    "agency": referral_label("agency"),
    "state": referral_label("state"),
    "prepared_at": referral_label("prepared_at"),
    "age": gettext_lazy("Age (days)"),
    "next_due": gettext_lazy("Next deadline"),
    "overdue": gettext_lazy("Overdue"),
    "agency_reference": referral_label("agency_reference"),
}


@dataclass(frozen=True)
class TrackerRow:
    referral: Referral
    age_days: int
    state_label: str
    case_url: str | None  # the case page is under the URL's unit only for the unit's own

    @property
    def next_due(self) -> date | None:
        return self.referral.next_due

    @property
    def overdue(self) -> bool:
        return bool(self.referral.overdue)

    @property
    def failed(self) -> bool:
        return self.referral.state == ReferralState.FAILED


def _scope(unit) -> set[int]:
    """The units whose referrals the URL's unit tracks: itself and every unit below it."""
    return unit.descendant_ids()


def _referrals_in(request, unit_ids, today: date):
    return Referral.objects.filter(unit_id__in=unit_ids).visible_to(request.user).tracked(today)


def _counts(referrals) -> tuple[list[dict], dict, dict, dict[str, int]]:
    """Referrals by state, how many are overdue and how many in all, in one query, each
    counted no further than core.paging.CAP: a longer count is shown as "over" it. Last,
    the counts as counted (CAP + 1 for a longer one), by state, "overdue" and "total"."""
    found = paging.capped_counts({
        **{state.value: referrals.filter(state=state) for state in ReferralState},
        "overdue": referrals.filter(OVERDUE), "total": referrals,
    })

    def shown(name):
        return {"count": min(found[name], paging.CAP), "more": found[name] > paging.CAP}

    by_state = [{"state": state.value, "label": state.label, **shown(state.value)}
                for state in ReferralState]
    return by_state, shown("overdue"), shown("total"), found


def _age(referral, today: date) -> int:
    """Days since approval, or since preparation for a referral not approved."""
    started = timezone.localdate(referral.approved_at or referral.prepared_at)
    return max((today - started).days, 0)


def _filtered(request, unit):
    """The form, every referral the user may see here, and those the form selects, newest
    first (none when the form is invalid)."""
    today = timezone.localdate()
    unit_ids = _scope(unit)
    form = TrackerFilterForm(request.GET or None, unit_ids=unit_ids)
    everything = _referrals_in(request, unit_ids, today)
    found = everything.order_by("-prepared_at", "-pk")
    if form.is_bound:
        found = (form.filter(found, overdue=OVERDUE) if form.is_valid()
                 else found.none())
    return today, unit_ids, form, everything, found


def _shown(found):
    """The columns a row shows, and nothing else (nothing sealed is among them)."""
    return found.select_related("unit", "complaint", "agency").only(*METADATA)


def _counted_already(form, counted: dict[str, int]) -> int | None:
    """How many referrals the form selects, when the summary has counted them already: with
    no filter (a query string with only `page`), a state alone or "overdue" alone, the list
    is one of the summary's rows. None when anything else narrows it."""
    if not form.is_bound:
        return counted["total"]
    if not form.is_valid():
        return None
    given = {name for name, value in form.cleaned_data.items() if value}
    if not given:
        return counted["total"]
    if given == {"state"}:
        return counted[form.cleaned_data["state"]]
    if given == {"overdue"}:
        return counted["overdue"]
    return None


@unit_role_required(*TRACKER_ROLES)
@require_GET
def tracker(request, unit):
    today, unit_ids, form, everything, found = _filtered(request, unit)
    by_state, overdue, total, counted = _counts(everything)
    # The page is found by ids first, then its 50 rows are read with their deadlines: so
    # the deadlines are worked out for 50 rows, not for every row sorted to find them.
    paginator = paging.CappedPaginator(found.values_list("pk", flat=True), TRACKER_PER_PAGE)
    already = _counted_already(form, counted)
    if already is not None:
        paginator.count = already  # counted with the summary, to the same cap
    page = paginator.get_page(request.GET.get("page"))
    ids = list(page.object_list)
    by_id = {referral.pk: referral for referral in _shown(found).filter(pk__in=ids)}
    # Reversed once, not once a row: reversing under i18n_patterns is what a page of 50
    # rows would otherwise spend most of its time on.
    case_url = reverse("intake:case", kwargs={"unit_code": unit.code, "reference": SLOT})
    states = dict(ReferralState.choices)
    rows = [
        TrackerRow(referral, _age(referral, today), str(states[referral.state]),
                   case_url.replace(SLOT, quote(referral.complaint.reference))
                   if referral.unit_id == unit.pk else None)
        for referral in (by_id[pk] for pk in ids if pk in by_id)
    ]
    with_units = len(unit_ids) > 1
    return render(request, "routing/tracker.html", {
        "unit": unit, "form": form, "page": page, "rows": rows,
        "rows_html": rows_html(rows, with_units=with_units, labels=LABELS),
        "labels": LABELS, "by_state": by_state, "overdue_count": overdue["count"],
        "overdue_more": overdue["more"], "total": total["count"],
        "total_more": total["more"], "cap": paging.CAP, "with_units": with_units,
    })


# --- the CSV export ---------------------------------------------------------------------------

class _Line:
    """csv.writer writes to this and hands back what it wrote."""

    def write(self, text: str) -> str:
        return text


def _header() -> list[str]:
    return [str(LABELS[name]) for name in (
        "reference", "complaint", "unit", "agency", "state", "prepared_at", "age",
        "next_due", "overdue", "agency_reference",
    )]


def _csv_rows(found):
    """Plain tuples of exactly the exported columns: quicker than model instances, and
    nothing sealed can be among them."""
    return found.values_list(*CSV_COLUMNS, named=True)


def _cells(row, today: date, states: dict, english: bool) -> list[str]:
    # ISO dates: every spreadsheet reads them as dates, whatever its locale.
    return [neutralised(cell) for cell in (
        row.reference, row.complaint__reference, row.unit__code,
        row.agency__name_en if english else row.agency__name_mn, states[row.state],
        timezone.localdate(row.prepared_at).isoformat(), _age(row, today),
        row.next_due.isoformat() if row.next_due else "",
        _("yes") if row.overdue else "", row.agency_reference,
    )]


def _csv_lines(found, today: date, language: str):
    writer = csv.writer(_Line())
    with translation.override(language):
        states = {value: str(label) for value, label in ReferralState.choices}
        english = language == "en"
        # A byte-order mark first, or Excel reads UTF-8 Cyrillic as mojibake.
        yield "\ufeff" + writer.writerow(_header())
        for row in _csv_rows(found).iterator(chunk_size=CSV_CHUNK):
            yield writer.writerow(_cells(row, today, states, english))


async def _csv_lines_async(found, today: date, language: str):
    """The same lines for an ASGI server, fetched a chunk at a time off the event loop, so a
    long file streams instead of being built in memory first."""
    writer = csv.writer(_Line())
    with translation.override(language):
        states = {value: str(label) for value, label in ReferralState.choices}
        english = language == "en"
        yield "\ufeff" + writer.writerow(_header())
        async for row in _csv_rows(found).aiterator(chunk_size=CSV_CHUNK):
            yield writer.writerow(_cells(row, today, states, english))


@unit_role_required(*TRACKER_ROLES)
@require_GET
def tracker_csv(request, unit):
    today, unit_ids, form, everything, found = _filtered(request, unit)
    if form.is_bound and not form.is_valid():
        # The page, with the form's errors, rather than a file that silently holds nothing.
        return render(request, "routing/tracker.html", {
            "unit": unit, "form": form, "page": None, "rows": [], "today": today,
            "labels": LABELS, "by_state": [], "overdue_count": 0, "total": 0,
            "with_units": len(unit_ids) > 1,
        }, status=400)
    language = translation.get_language()
    lines = (_csv_lines_async if isinstance(request, ASGIRequest) else _csv_lines)(
        found, today, language)
    response = StreamingHttpResponse(lines, content_type="text/csv; charset=utf-8")
    filename = f"referrals-{unit.code}-{today.isoformat()}.csv"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
