"""The citizen's survey: one short page at /survey/<unit code>/, answered without an account,
and a thank-you page.

Nothing here reads, stores or logs the visitor's address or browser. The abuse limits are
the report form's (intake.ratelimit, through its public functions, in a scope of our own):
a signed form token first, then, while the site is under pressure, the proof of work or the
wait, then the client's own limit; a form token is counted once. The answer itself only
counts up the round's tallies (surveys.services.survey_answer_record).
"""

from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_http_methods

from intake import ratelimit
from intake.public.forms import TOKEN_REFUSED, form_token_age
from org.models import Unit
from surveys.apps import SCOPE
from surveys.forms import TOKEN_SALT, SurveyAnswerForm
from surveys.models import Round
from surveys.services import survey_answer_record

SLOW_DOWN = _("Too many answers from here in a short time. Wait ten minutes and try again. "
              "Nothing was saved.")
PACED = _("Many people are sending at this moment, so the site asks everyone for a short wait. "
          "Wait half a minute, then send again; with JavaScript on, your browser needs only a "
          "few seconds. Your answers are kept below. Nothing was saved yet.")
ALREADY = _("This form has already been sent. Thank you: your answer was counted once.")


def _unit(unit_code: str) -> Unit:
    unit = Unit.objects.active().filter(code__iexact=unit_code).first()
    if unit is None:
        raise Http404
    return unit


def _refusal(request, form) -> ValidationError | None:
    """Why this POST may not go on, or None: a made-up or old token (counted by nobody), no
    proof of work or wait while the site is under pressure, the client over its limit."""
    token = request.POST.get("token", "")
    age = form_token_age(token, TOKEN_SALT)
    if age is None:
        return ValidationError(TOKEN_REFUSED, code="token")
    if ratelimit.under_pressure(SCOPE):
        form.pow_bits = ratelimit.POW_BITS
        if not ratelimit.paced(token, request.POST.get("pow", ""), age=age):
            return ValidationError(PACED, code="paced")
    if not ratelimit.allow(request, SCOPE):
        return ValidationError(SLOW_DOWN, code="slow_down")
    return None


def _page(request, unit, survey, form, status=200):
    return render(request, "surveys/public/answer.html",
                  {"unit": unit, "survey": survey, "form": form}, status=status)


@require_http_methods(["GET", "POST"])
def answer(request, unit_code):
    unit = _unit(unit_code)
    survey = (Round.objects.for_unit(unit).open_on(timezone.localdate())
              .select_related("questionnaire").first())
    if survey is None:
        return render(request, "surveys/public/closed.html", {"unit": unit},
                      status=404 if request.method == "POST" else 200)
    if request.method == "GET":
        form = SurveyAnswerForm(survey=survey)
        if ratelimit.under_pressure(SCOPE):
            form.pow_bits = ratelimit.POW_BITS
        return _page(request, unit, survey, form)
    form = SurveyAnswerForm(request.POST, survey=survey)
    if refusal := _refusal(request, form):
        form.is_valid()  # the answers chosen are shown again, with the reason
        if refusal.code == "token":
            form.renew_token()
        form.add_error(None, refusal)
        return _page(request, unit, survey, form, status=400 if refusal.code == "token" else 429)
    if not form.is_valid():
        if "token" in form.errors:
            form.renew_token()
        return _page(request, unit, survey, form, status=400)
    # Each form given out counts once: sent twice (a double click, a replay), it is not
    # counted again. The cache keeps a hash of the token for the token's life, nothing else.
    if not ratelimit.first_use(TOKEN_SALT + form.cleaned_data["token"]):
        return render(request, "surveys/public/thanks.html",
                      {"unit": unit, "notice": ALREADY}, status=409)
    survey_answer_record(survey=survey, choices=form.chosen())
    return redirect("surveys:thanks", unit_code=unit.code)


@require_GET
def thanks(request, unit_code):
    return render(request, "surveys/public/thanks.html", {"unit": _unit(unit_code)})
