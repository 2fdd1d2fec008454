"""The poster's page (which size, which language) and the poster itself, for the unit's
clerks, officers and heads. Both only read."""

from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET

from org.access import unit_role_required
from org.models import Role
from outreach.poster import LANGUAGES, SIZES, PosterUnavailable, poster_pdf, report_address
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
