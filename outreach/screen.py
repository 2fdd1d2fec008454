"""What the hall screen says, as plain data for its page and its JSON (read by
static/js/screen.js every SCREEN_REFRESH_SECONDS): the phone lines, the report form's
address, this year's figures and the campaign text.

The figures are the approved monthly reports' (the latest approved version of each month),
never live counts: the screen in the hall says what the unit has signed for. A count from 1
to 4 is shown as "<5", so that a small number does not point at a person; no figure shown
is the difference of two others, so none can be worked back.
"""

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from org.models import Unit
from outreach.models import Publication, ScreenSettings, Slide
from outreach.poster import PosterUnavailable, report_address
from reporting.models import MonthlyReport, State

CACHE_SECONDS = 30
SMALL = 5  # counts from 1 to SMALL - 1 are shown as "<5"


def shown_count(count: int) -> str:
    return f"<{SMALL}" if 0 < count < SMALL else str(count)


def year_figures(unit: Unit, year: int) -> dict:
    """From the latest approved version of each month's report of `unit` in `year`."""
    latest: dict = {}
    for report in (MonthlyReport.objects.filter(unit=unit, period__year=year,
                                                 state=State.APPROVED)
                   .only("period", "version", "figures").order_by("period", "version")):
        latest[report.period] = report.figures
    received = sum(figures["received"]["total"] for figures in latest.values())
    referred = sum(figures["corruption"]["referred"] for figures in latest.values())
    nil = sum(1 for figures in latest.values() if figures.get("nil"))
    return {"year": year, "months": len(latest), "received": shown_count(received),
            "referred": shown_count(referred), "nil_months": nil}


def screen_data(unit: Unit) -> dict:
    """Everything the screen shows, in the active language; cached CACHE_SECONDS per unit
    and language, so that a hall's screens cost the database nothing between refreshes."""
    key = f"outreach:screen:{unit.pk}:{translation.get_language()}"
    found = cache.get(key)
    if found is None:
        found = _assemble(unit)
        cache.set(key, found, CACHE_SECONDS)
    return found


def forget(unit: Unit) -> None:
    """Called when the head changes the settings: the screens show them at their next
    refresh, not after the cache expires."""
    cache.delete_many([f"outreach:screen:{unit.pk}:{code}" for code, _name in
                       settings.LANGUAGES])


def _assemble(unit: Unit) -> dict:
    chosen = ScreenSettings.for_unit(unit)
    try:
        address = report_address(unit)
    except PosterUnavailable:
        address = ""
    today = timezone.localdate()
    latest = Publication.objects.filter(unit=unit, state=Publication.State.PUBLISHED).order_by(
        "-published_at", "-pk").first()
    return {
        "unit": unit.name,
        "slides": [slide for slide in chosen.shown() if slide != Slide.SAID or latest],
        "said": {"said": latest.said, "did": latest.did} if latest else None,
        "seconds": chosen.seconds,
        "phone": unit.public_phone,
        "hotline": settings.AGENCY_HOTLINE,
        "address": address,
        "figures": year_figures(unit, today.year),
        "campaign": chosen.campaign_text.strip(),
        "words": {
            "lines": _("Tell us about bribery, corruption and red tape"),
            "phone": _("Our line for bribery and red tape"),
            "hotline": _("Anti-Corruption Agency hotline"),
            "web": _("Or report on the web, with your name or without it"),
            "figures": _("This year, from our approved monthly reports"),
            "received": _("complaints and suggestions received"),
            "referred": _("corruption cases referred to the Anti-Corruption Agency"),
            "nil_months": _("months in which no corruption complaint was received"),
            "said_title": _("You said, we did"),
            "you_said": _("You said:"),
            "we_did": _("We did:"),
        },
    }
