from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from org.demo import run_demo_seeders
from org.models import Membership, Role, Unit

DEMO_PASSWORD = "shugel-demo-2026"

UNITS = [
    # code, kind, parent, Mongolian name, English name, public line, place (mn, en)
    ("UBEG", Unit.Kind.NATIONAL, None, "Улсын бүртгэлийн ерөнхий газар",
     "General Authority for State Registration", "", ("Улаанбаатар хот", "Ulaanbaatar")),
    ("DG", Unit.Kind.DEPARTMENT, "UBEG", "Дорноговь аймгийн Улсын бүртгэлийн хэлтэс",
     "Dornogovi Province State Registration Department", "7052-2200",
     ("Сайншанд сум", "Sainshand")),
    ("DGZU", Unit.Kind.SUBUNIT, "DG", "Замын-Үүд сум дахь улсын бүртгэлийн тасаг",
     "Zamiin-Uud Soum State Registration Office", "", ("Замын-Үүд сум", "Zamiin-Uud")),
    ("DU", Unit.Kind.DEPARTMENT, "UBEG", "Дундговь аймгийн Улсын бүртгэлийн хэлтэс",
     "Dundgovi Province State Registration Department", "7059-2200",
     ("Мандалговь сум", "Mandalgovi")),
]

PEOPLE = [
    # username, first name, last name, unit, role, position
    ("clerk", "Сарантуяа", "Б.", "DG", Role.CLERK, "Архив, бичиг хэргийн эрхлэгч"),
    ("officer", "Тэмүүлэн", "Д.", "DG", Role.OFFICER, "Улсын бүртгэлийн улсын байцаагч"),
    ("head", "Уранбилэг", "Э.", "DG", Role.HEAD, "Хэлтсийн дарга"),
    ("auditor", "Батзориг", "Г.", "DG", Role.AUDITOR, "Дотоод аудитор"),
    ("admin", "Энхжаргал", "Л.", "DG", Role.ADMIN, "Системийн администратор"),
    ("national_head", "Мөнхбаяр", "Ц.", "UBEG", Role.HEAD, "Газрын дарга"),
    ("du_officer", "Номин", "С.", "DU", Role.OFFICER, "Улсын бүртгэлийн улсын байцаагч"),
]


class Command(BaseCommand):
    help = (
        "Create the demo units, one account per role, the agencies and a few complaints, "
        "and print the logins. "
        "Safe to run again: existing records are kept. Refuses to run in production."
    )

    def handle(self, *args, **options):
        if settings.PRODUCTION:
            raise CommandError("Demo accounts are never created in production.")
        with transaction.atomic():
            self.seed()
        self.print_logins()

    def seed(self):
        units = {}
        for code, kind, parent, name_mn, name_en, phone, (place_mn, place_en) in UNITS:
            units[code], _ = Unit.objects.update_or_create(
                code=code,
                defaults={
                    "kind": kind, "parent": units.get(parent), "name_mn": name_mn,
                    "name_en": name_en, "public_phone": phone, "place_mn": place_mn,
                    "place_en": place_en,
                },
            )
        User = get_user_model()
        people = {}
        for username, first, last, unit, role, position in PEOPLE:
            user, created = User.objects.get_or_create(
                username=username, defaults={"first_name": first, "last_name": last}
            )
            if created:
                user.set_password(DEMO_PASSWORD)
                user.is_staff = role == Role.ADMIN
                user.is_superuser = role == Role.ADMIN
                user.save()
            Membership.objects.get_or_create(
                user=user, unit=units[unit], role=role, defaults={"position": position}
            )
            people[username] = user
        # Agencies, complaints and the like, from the apps that own them (org.demo).
        run_demo_seeders(units, people, self.stdout)

    def print_logins(self):
        self.stdout.write("")
        self.stdout.write(self.style.SUCCESS(f"Demo logins (password for all: {DEMO_PASSWORD})"))
        for username, first, last, unit, role, _position in PEOPLE:
            self.stdout.write(f"  {username:15} {role.label:22} {unit:5} {last}{first}")
        if settings.REQUIRE_2FA:
            self.stdout.write(
                "  Two-factor sign-in is on: each person links an app at first sign-in."
            )
        self.stdout.write("")
