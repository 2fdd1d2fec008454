"""Referrals that go by post: the list of letters waiting to be sent, the letter printed
from the approved package, and the clerk's note that it went out.

The printed letter is made from the sealed package itself, so what is posted is exactly
what the head approved and what the recorded hash proves; printing it is a reading of that
package and is recorded as one.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from core.paging import CappedPaginator
from org.access import unit_role_required
from org.models import Role
from routing import services
from routing.letters.forms import LetterSentForm
from routing.letters.waiting import waiting_letters
from routing.models import Referral, ReferralState
from routing.reading import letter_package_read
from vault.errors import VaultError

LETTER_ROLES = (Role.CLERK, Role.OFFICER, Role.HEAD)
LETTERS_PER_PAGE = 25


def _waiting(request, unit):
    return (Referral.objects.visible_to(request.user)
            .filter(unit=unit, state=ReferralState.AWAITING_LETTER)
            .defer("cover_letter", "redactions")
            .select_related("agency", "complaint", "approved_by")
            .order_by("approved_at", "pk"))


def _render_list(request, unit, *, forms=None, status=200):
    """A page of the waiting letters, the first approved first. A letter whose form was
    refused is shown with its errors on whichever page is asked for, so they are not lost."""
    forms = forms or {}
    page = CappedPaginator(_waiting(request, unit), LETTERS_PER_PAGE).get_page(
        request.GET.get("page"))
    waiting = list(page.object_list)
    shown = {referral.pk for referral in waiting}
    if forms.keys() - shown:
        waiting = [*_waiting(request, unit).filter(pk__in=forms.keys() - shown), *waiting]
    rows = [(referral, forms.get(referral.pk) or LetterSentForm(prefix=f"sent-{referral.pk}"))
            for referral in waiting]
    return render(request, "routing/letters.html", {
        "unit": unit, "rows": rows, "page": page,
        "others": waiting_letters(unit, request.unit_roles)}, status=status)


@unit_role_required(*LETTER_ROLES)
@require_GET
def letters(request, unit):
    return _render_list(request, unit)


def _letter(request, unit, number) -> Referral:
    return get_object_or_404(_waiting(request, unit), reference=number)


@unit_role_required(*LETTER_ROLES)
@require_POST
def letter_print(request, unit, number):
    referral = _letter(request, unit, number)
    try:
        package = letter_package_read(referral=referral, reader=request.user)
    except VaultError as error:
        # Nothing was shown or recorded as read; damage (ContentDamaged) is recorded once.
        messages.error(request, error.user_message)
        return redirect("routing:letters", unit_code=unit.code)
    return render(request, "routing/letter_print.html", {
        "unit": unit, "referral": referral, "package": package,
        "complaint": package["complaint"],
    })


@unit_role_required(*LETTER_ROLES)
@require_POST
def letter_sent(request, unit, number):
    referral = _letter(request, unit, number)
    form = LetterSentForm(request.POST, prefix=f"sent-{referral.pk}")
    if not form.is_valid():
        return _render_list(request, unit, forms={referral.pk: form}, status=400)
    try:
        services.letter_mark_sent(referral=referral, by=request.user,
                                  letter_number=form.cleaned_data["letter_number"],
                                  sent_on=form.cleaned_data["sent_on"])
    except ValidationError as error:
        form.add_error(None, error)
        return _render_list(request, unit, forms={referral.pk: form}, status=409)
    messages.success(request, _("Referral %(reference)s was marked as sent.")
                     % {"reference": referral.reference})
    return redirect("routing:letters", unit_code=unit.code)
