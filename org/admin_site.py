from django.contrib import admin
from django.shortcuts import redirect


class ShugelAdminSite(admin.AdminSite):
    """Django's admin, open only to administrators who signed in through Shugel's own login
    (with its second factor and lockout)."""

    site_header = "Shugel"

    def has_permission(self, request):
        from org.access import second_factor_satisfied
        from org.models import Membership, Role

        user = request.user
        return (
            user.is_active
            and user.is_staff
            and second_factor_satisfied(user)
            and Membership.objects.active().filter(user=user, role=Role.ADMIN).exists()
        )

    def login(self, request, extra_context=None):
        return redirect("org:login")
