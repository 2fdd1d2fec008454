from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps


class OrgConfig(AppConfig):
    default = True
    name = "org"

    def ready(self):
        from django.utils.translation import gettext_lazy as _

        from org.models import Role
        from org.navigation import register

        register("org:people", _("Staff"), {Role.HEAD, Role.ADMIN}, order=90)


class ShugelAdminConfig(admin_apps.AdminConfig):
    default = False
    default_site = "org.admin_site.ShugelAdminSite"
