from django import forms
from django.contrib.auth import authenticate, user_login_failed
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django_otp import devices_for_user, match_token


class StaffLoginForm(forms.Form):
    """Password and, for anyone with an authenticator set up, the current six-digit code.

    A wrong code counts as a failed login for lockout, exactly as a wrong password does.
    """

    username = forms.CharField(
        label=_("Username"), max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "username", "autofocus": True}),
    )
    password = forms.CharField(
        label=_("Password"), strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    otp_token = forms.CharField(
        label=_("Code from your authenticator app"), required=False, max_length=8,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric",
                                      "pattern": "[0-9 ]*"}),
        help_text=_("Six digits. Leave empty only if you have not set up two-factor sign-in yet."),
    )

    error_messages = {
        "invalid_login": _("Wrong username or password."),
        "invalid_token": _("The code is wrong or has expired. Check the time on your phone "
                           "and try again."),
    }

    def __init__(self, request, *args, **kwargs):
        self.request = request
        self.user = None
        self.device = None
        super().__init__(*args, **kwargs)

    def clean(self):
        cleaned = super().clean()
        username, password = cleaned.get("username"), cleaned.get("password")
        if not username or not password:
            return cleaned
        user = authenticate(self.request, username=username, password=password)
        if user is None:
            raise ValidationError(self.error_messages["invalid_login"], code="invalid_login")
        if any(devices_for_user(user, confirmed=True)):
            token = (cleaned.get("otp_token") or "").replace(" ", "")
            device = match_token(user, token) if token.isdigit() else None
            if device is None:
                user_login_failed.send(
                    sender=__name__, credentials={"username": username}, request=self.request
                )
                raise ValidationError(self.error_messages["invalid_token"], code="invalid_token")
            self.device = device
        self.user = user
        return cleaned


class TokenConfirmForm(forms.Form):
    otp_token = forms.CharField(
        label=_("Code from your authenticator app"), max_length=8,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric",
                                      "autofocus": True}),
    )

    def __init__(self, device, *args, **kwargs):
        self.device = device
        super().__init__(*args, **kwargs)

    def clean_otp_token(self):
        token = self.cleaned_data["otp_token"].replace(" ", "")
        if not token.isdigit() or not self.device.verify_token(token):
            raise ValidationError(
                _("The code is wrong or has expired. Check the time on your phone and try again."),
                code="invalid_token",
            )
        return token
