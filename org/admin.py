from django.contrib import admin

from org.models import CalendarDay, Membership, Unit


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(Unit)
class UnitAdmin(admin.ModelAdmin):
    list_display = ["code", "name_mn", "name_en", "kind", "parent", "is_active"]
    list_filter = ["kind", "is_active"]
    search_fields = ["code", "name_mn", "name_en"]
    inlines = [MembershipInline]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "unit", "role", "position", "is_active"]
    list_filter = ["role", "unit", "is_active"]
    autocomplete_fields = ["user", "unit"]


@admin.register(CalendarDay)
class CalendarDayAdmin(admin.ModelAdmin):
    list_display = ["date", "kind", "name_mn", "name_en", "unit"]
    list_filter = ["kind", "unit"]
    date_hierarchy = "date"
    search_fields = ["name_mn", "name_en"]
