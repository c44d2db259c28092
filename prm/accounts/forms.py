from django import forms
from django.contrib.auth.forms import AuthenticationForm
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
        partner = user.partner
        if partner is not None:
            from partners.rules import Action, partner_may

            if not partner_may(partner, Action.LOG_IN):
                raise forms.ValidationError(
                    self.error_messages["partnership_ended"], code="partnership_ended"
                )


class ApiKeyForm(forms.Form):
    name = forms.CharField(
        label=_("What the key is for"),
        max_length=100,
        help_text=_("For example the name of the system that will use it."),
    )
