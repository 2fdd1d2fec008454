from django.db import transaction
from django.utils import timezone

from audit.services import record
from outreach.models import ScreenSettings
from outreach.screen import forget


@transaction.atomic
def screen_settings_change(*, unit, by, slides: list[str], seconds: int,
                           campaign_text: str) -> ScreenSettings:
    chosen, _created = ScreenSettings.objects.update_or_create(unit=unit, defaults={
        "slides": sorted(slides), "seconds": seconds, "campaign_text": campaign_text.strip(),
        "updated_by": by, "updated_at": timezone.now()})
    # The campaign's words are the head's, public by design; the trail keeps which slides.
    record(actor=by, action="screen.changed", target=chosen, unit=unit,
           details={"slides": sorted(slides), "seconds": seconds,
                    "campaign_characters": len(chosen.campaign_text)})
    transaction.on_commit(lambda: forget(unit))
    return chosen
