from django import forms
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm
from django.utils.translation import gettext_lazy as _


class EmailLoginForm(AuthenticationForm):
    """The stock login form, labelled for e-mail addresses."""

    username = forms.EmailField(
        label=_("E-mail address"),
        widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "email"}),
    )

    error_messages = {
        "invalid_login": _(
            "That e-mail address and password do not match an account on this site. "
            "Check both and try again, or reset your password."
        ),
        "inactive": _("This account has been deactivated. Ask your administrator."),
        "partnership_ended": _(
            "Your company's partnership has ended, so this account can no longer log in."
        ),
    }

    def confirm_login_allowed(self, user):
        super().confirm_login_allowed(user)
        # Apps above this one refuse logins through the registry (a partner's status).
        from prm.core.extensions import registry

        for check in registry.login_checks():
            code = check(user)
            if code:
                raise forms.ValidationError(self.error_messages[code], code=code)


class ApiKeyForm(forms.Form):
    name = forms.CharField(
        label=_("What the key is for"),
        max_length=100,
        help_text=_("For example the name of the system that will use it."),
    )


def _time_zone_choices() -> list[tuple[str, str]]:
    import zoneinfo

    zones = sorted(z for z in zoneinfo.available_timezones() if "/" in z or z == "UTC")
    return [("", _("The vendor's time zone"))] + [(zone, zone) for zone in zones]


class ProfileForm(forms.Form):
    """What a user may change about themselves: name, language and time zone."""

    full_name = forms.CharField(label=_("Full name"), max_length=150, required=False)
    language = forms.ChoiceField(label=_("Language"), required=False)
    time_zone = forms.ChoiceField(label=_("Time zone"), required=False)

    def __init__(self, *args, **kwargs):
        from django.conf import settings

        super().__init__(*args, **kwargs)
        self.fields["language"].choices = [("", _("The browser's language"))] + [
            (code, name) for code, name in settings.LANGUAGES
        ]
        self.fields["time_zone"].choices = _time_zone_choices()


class QueuedPasswordResetForm(PasswordResetForm):
    """Django's reset form, but the e-mail goes through the mail task: a mail server
    outage must not turn "send me a link" into an error page."""

    def send_mail(
        self,
        subject_template_name,
        email_template_name,
        context,
        from_email,
        to_email,
        html_email_template_name=None,
    ):
        from django.template import loader

        from prm.core.mail import queue_email

        subject = "".join(loader.render_to_string(subject_template_name, context).splitlines())
        body = loader.render_to_string(email_template_name, context)
        queue_email(to=[to_email], subject=subject, body=body)
