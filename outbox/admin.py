from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from outbox.models import Agency
from vault.models import DataKey


class AgencyForm(forms.ModelForm):
    """The API secret is write-only: the form never shows it, and an empty field keeps the
    one already set."""

    # Declared for assume_scheme: an address typed without one is meant as https.
    api_url = forms.URLField(label=_("API address"), required=False, max_length=200,
                             assume_scheme="https")
    new_api_secret = forms.CharField(
        label=_("API shared secret"), required=False, max_length=200,
        widget=forms.PasswordInput(render_value=False),
        help_text=_("Write-only. Leave empty to keep the current secret."),
    )

    class Meta:
        model = Agency
        fields = ["code", "name_mn", "name_en", "kind", "delivery", "is_default", "email",
                  "openpgp_key", "api_url", "postal_address", "acknowledge_within_days",
                  "active"]

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("new_api_secret"):
            # Set before the model's clean() runs, which checks that API delivery has one.
            self.instance.api_secret = cleaned["new_api_secret"]
        return cleaned

    def _update_errors(self, errors):
        # The model names the sealed field; the form asks for it under another name.
        if hasattr(errors, "error_dict") and "api_secret" in errors.error_dict:
            errors.error_dict["new_api_secret"] = errors.error_dict.pop("api_secret")
        super()._update_errors(errors)


@admin.register(Agency)
class AgencyAdmin(admin.ModelAdmin):
    form = AgencyForm
    list_display = ["code", "name_mn", "kind", "delivery", "is_default", "active"]
    list_filter = ["kind", "delivery", "active"]
    search_fields = ["code", "name_mn", "name_en"]

    def save_model(self, request, obj, form, change):
        if not change:
            obj.data_key = DataKey.objects.create_fresh()
        super().save_model(request, obj, form, change)
