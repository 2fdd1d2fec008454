from django.contrib import admin

from routing.models import Category, TriageTerm


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ["code", "name_mn", "name_en", "corruption_related", "retention_years", "order",
                    "active"]
    list_filter = ["corruption_related", "active"]
    search_fields = ["code", "name_mn", "name_en"]


@admin.register(TriageTerm)
class TriageTermAdmin(admin.ModelAdmin):
    list_display = ["term", "kind", "category", "weight", "active"]
    list_filter = ["kind", "category", "active"]
    list_editable = ["weight", "active"]
    search_fields = ["term"]
