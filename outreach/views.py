"""The poster's page (which size, which language) and the poster itself, for the unit's
clerks, officers and heads; the hall screen (public, no sign-in) and its settings (the
unit's head)."""

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from org.access import unit_role_required
from org.models import Role, Unit
from outreach.forms import ScreenSettingsForm
from outreach.models import ScreenSettings
from outreach.poster import (
    LANGUAGES,
    SIZES,
    PosterUnavailable,
    poster_pdf,
    qr_svg,
    report_address,
)
from outreach.screen import screen_data
from outreach.services import screen_settings_change
from reporting import fonts

MAKERS = (Role.CLERK, Role.OFFICER, Role.HEAD)


def _page(request, unit, problem: str | None = None, status: int = 200):
    try:
        address = report_address(unit)
    except PosterUnavailable as refusal:
        address, problem = None, problem or str(refusal)
    downloads = [
        {"size": size, "language": language,
         "url": reverse("outreach:poster_pdf", kwargs={"unit_code": unit.code, "size": size})
         + f"?lang={language}"}
        for language in LANGUAGES for size in SIZES]
    return render(request, "outreach/poster.html", {
        "unit": unit, "address": address, "problem": problem,
        "downloads": [] if problem else downloads,
    }, status=status)


@unit_role_required(*MAKERS)
@require_GET
def poster(request, unit):
    return _page(request, unit)


@unit_role_required(*MAKERS)
@require_GET
def poster_file(request, unit, size: str):
    language = request.GET.get("lang", "mn")
    if size not in SIZES or language not in LANGUAGES:
        raise Http404
    try:
        data = poster_pdf(unit, size=size, language=language)
    except (PosterUnavailable, fonts.FontMissing) as refusal:
        return _page(request, unit, problem=str(refusal), status=409)
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = (
        f'attachment; filename="poster-{unit.code}-{size}-{language}.pdf"')
    return response


# --- the hall screen --------------------------------------------------------------------

def _public_unit(unit_code: str) -> Unit:
    unit = Unit.objects.active().filter(code=unit_code).first()
    if unit is None:
        raise Http404
    return unit


@require_GET
def screen(request, unit_code: str):
    """The service hall's screen: no sign-in, full screen, turning through the slides."""
    unit = _public_unit(unit_code)
    data = screen_data(unit)
    return render(request, "outreach/screen.html", {
        "unit": unit, "data": data, "refresh": settings.SCREEN_REFRESH_SECONDS,
        "data_url": reverse("outreach:screen_data", kwargs={"unit_code": unit.code}),
        "qr_url": reverse("outreach:screen_qr", kwargs={"unit_code": unit.code}),
    })


@require_GET
def screen_json(request, unit_code: str):
    return JsonResponse(screen_data(_public_unit(unit_code)),
                        json_dumps_params={"ensure_ascii": False})


@require_GET
def screen_qr(request, unit_code: str):
    """The report form's QR code as SVG, for the screen's lines slide."""
    address = screen_data(_public_unit(unit_code))["address"]
    if not address:
        raise Http404
    return HttpResponse(qr_svg(address), content_type="image/svg+xml")


@unit_role_required(Role.HEAD)
@require_http_methods(["GET", "POST"])
def screen_settings(request, unit):
    chosen = ScreenSettings.for_unit(unit)
    form = ScreenSettingsForm(request.POST or None, initial={
        "slides": chosen.slides, "seconds": chosen.seconds,
        "campaign_text": chosen.campaign_text})
    if request.method == "POST" and form.is_valid():
        screen_settings_change(unit=unit, by=request.user, **form.cleaned_data)
        messages.success(request, _("Saved. The hall screens show it at their next refresh."))
        return redirect("outreach:screen_settings", unit_code=unit.code)
    path = reverse("outreach:screen", kwargs={"unit_code": unit.code})
    return render(request, "outreach/screen_settings.html", {
        "unit": unit, "form": form, "screen_url": path,
        "screen_address": (settings.PUBLIC_URL + path if settings.PUBLIC_URL
                           else request.build_absolute_uri(path)),
    }, status=400 if form.is_bound else 200)
