import base64
import io

import qrcode
import qrcode.image.svg
from django.contrib import messages
from django.contrib.auth import login
from django.db.models import Count, Q
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_GET
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from org import counts
from org.access import staff_required, unit_role_required
from org.forms import StaffLoginForm, TokenConfirmForm
from org.models import Membership, Role, Unit
from org.two_factor import pending_device


@require_GET
def landing(request):
    """The public start page: the ways to complain, and each unit's complaint line."""
    units = Unit.objects.active().exclude(kind=Unit.Kind.NATIONAL).exclude(public_phone="")
    return render(request, "landing.html", {"units": units})


@sensitive_post_parameters("password", "otp_token")
def login_view(request):
    if request.user.is_authenticated and request.method == "GET":
        return redirect("org:home")
    form = StaffLoginForm(request, data=request.POST or None)
    if request.method == "POST" and form.is_valid():
        login(request, form.user)
        if form.device is not None:
            otp_login(request, form.device)
        return redirect("org:home")
    return render(request, "registration/login.html", {"form": form})


def _qr_data_uri(text: str) -> str:
    image = qrcode.make(text, image_factory=qrcode.image.svg.SvgPathImage, box_size=8)
    buffer = io.BytesIO()
    image.save(buffer)
    return "data:image/svg+xml;base64," + base64.b64encode(buffer.getvalue()).decode()


@sensitive_post_parameters("otp_token")
def two_factor_setup(request):
    """First sign-in: the person links an authenticator app by scanning a code, then proves
    it with one six-digit code. Only signed-in people without a confirmed device get here."""
    if not request.user.is_authenticated:
        return redirect("org:login")
    user = request.user
    if TOTPDevice.objects.filter(user=user, confirmed=True).exists():
        return redirect("org:home")
    # Nothing is written on GET: a device not yet saved has a derived key (org.two_factor).
    device = pending_device(user)
    form = TokenConfirmForm(device, data=request.POST or None)
    if request.method == "POST" and form.is_valid():
        device.confirmed = True
        device.save(update_fields=["confirmed"])  # verifying the code saved it
        otp_login(request, device)
        messages.success(request, _("Two-factor sign-in is set up."))
        return redirect("org:home")
    secret = base64.b32encode(device.bin_key).decode()
    return render(
        request,
        "org/two_factor_setup.html",
        {"form": form, "secret": secret, "qr": _qr_data_uri(device.config_url)},
    )


@staff_required
def home(request):
    memberships = list(Membership.objects.for_user(request.user).order_by("unit__code"))
    units = {m.unit for m in memberships}
    if len(units) == 1:
        return redirect("org:unit_home", unit_code=units.pop().code)
    by_unit: dict = {}
    for membership in memberships:
        by_unit.setdefault(membership.unit, []).append(membership)
    groups = [
        {"unit": unit, "memberships": held,
         "counts": counts.for_unit(unit, {m.role for m in held}, request.user)}
        for unit, held in by_unit.items()
    ]
    return render(request, "org/home.html", {
        "memberships": memberships, "groups": groups, "live_kinds": counts.LIVE_KINDS,
    })


# What each role finds on its unit's home page; later work adds its pages here.
ROLE_DUTIES = {
    Role.CLERK: [
        gettext_lazy("Open the suggestion and complaint boxes with a witness and log every slip."),
        gettext_lazy("Log phone calls, walk-ins, letters and notebook entries."),
        gettext_lazy("Prepare the monthly report."),
    ],
    Role.OFFICER: [
        gettext_lazy("Read and classify new complaints."),
        gettext_lazy("Answer anonymous reporters through their receipt."),
        gettext_lazy("Prepare referrals to the anti-corruption agency."),
    ],
    Role.HEAD: [
        gettext_lazy("Approve referrals and track the agency's answers."),
        gettext_lazy("Review and approve the monthly report."),
    ],
    Role.AUDITOR: [
        gettext_lazy("Verify the audit trail and review who read what."),
    ],
    Role.ADMIN: [
        gettext_lazy("Manage staff accounts, roles and units."),
    ],
}


@unit_role_required()
def unit_home(request, unit):
    roles = [role for role in Role if role.value in request.unit_roles]
    return render(
        request,
        "org/unit_home.html",
        {
            "unit": unit,
            "roles": roles,
            "duties": [(role.label, ROLE_DUTIES[role]) for role in roles],
            "counts": counts.for_unit(unit, request.unit_roles, request.user),
            "live_kinds": counts.LIVE_KINDS,
        },
    )


@unit_role_required(Role.HEAD, Role.ADMIN)
def people(request, unit):
    memberships = (
        Membership.objects.active()
        .filter(unit=unit)
        .select_related("user")
        .annotate(
            devices=Count("user__totpdevice", filter=Q(user__totpdevice__confirmed=True))
        )
        .order_by("user__last_name", "user__first_name", "role")
    )
    return render(
        request,
        "org/people.html",
        {
            "unit": unit,
            "memberships": memberships,
        },
    )
