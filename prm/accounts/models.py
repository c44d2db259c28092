"""Users: one table per schema, logging in by e-mail, each with one role."""

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class Role(models.TextChoices):
    """What a user is in a vendor's programme; decides home page, menus and scope."""

    OPERATOR = "operator", _("Platform operator")
    VENDOR_ADMIN = "vendor_admin", _("Vendor admin")
    CHANNEL_MANAGER = "channel_manager", _("Channel manager")
    PARTNER_ADMIN = "partner_admin", _("Partner admin")
    PARTNER_REP = "partner_rep", _("Partner sales rep")


VENDOR_ROLES = frozenset({Role.VENDOR_ADMIN, Role.CHANNEL_MANAGER})
PARTNER_ROLES = frozenset({Role.PARTNER_ADMIN, Role.PARTNER_REP})


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create(self, email, password, **fields):
        if not email:
            raise ValueError("An e-mail address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **fields)
        user.set_password(password)  # None gives an unusable password (invitations)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **fields):
        fields.setdefault("is_staff", False)
        fields.setdefault("is_superuser", False)
        return self._create(email, password, **fields)

    def create_superuser(self, email, password=None, **fields):
        fields.update(is_staff=True, is_superuser=True)
        fields.setdefault("role", Role.OPERATOR)
        return self._create(email, password, **fields)

    def get_by_natural_key(self, username):
        return self.get(email__iexact=username)


class User(AbstractBaseUser, PermissionsMixin):
    """A person who logs in on one vendor's host (or the operator on the public host).

    Partner users are tied to exactly one partner through `partners.Membership`; the
    role says what they may do there.
    """

    email = models.EmailField(_("e-mail address"), unique=True)
    full_name = models.CharField(_("full name"), max_length=150, blank=True)
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    language = models.CharField(_("language"), max_length=8, blank=True)
    time_zone = models.CharField(
        _("time zone"),
        max_length=64,
        blank=True,
        help_text=_("Empty: the vendor's time zone."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    is_staff = models.BooleanField(
        _("staff status"), default=False, help_text=_("Can log in to the admin site.")
    )
    date_joined = models.DateTimeField(_("date joined"), default=timezone.now)

    #: Role, access and name changes (never the password hash).
    history = HistoricalRecords(excluded_fields=["password", "last_login", "date_joined"])

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        ordering = ["email"]

    def __str__(self) -> str:
        return self.full_name or self.email

    def get_full_name(self) -> str:
        return self.full_name or self.email

    def get_short_name(self) -> str:
        return (self.full_name or self.email).split(" ")[0]

    @property
    def is_vendor_admin(self) -> bool:
        return self.is_active and self.role == Role.VENDOR_ADMIN

    @property
    def is_channel_manager(self) -> bool:
        return self.is_active and self.role == Role.CHANNEL_MANAGER

    @property
    def is_vendor_staff(self) -> bool:
        return self.is_active and self.role in VENDOR_ROLES

    @property
    def is_partner_user(self) -> bool:
        return self.is_active and self.role in PARTNER_ROLES and self.partner is not None

    @property
    def is_partner_admin(self) -> bool:
        return self.is_partner_user and self.role == Role.PARTNER_ADMIN

    @cached_property
    def partner(self):
        """The partner this user belongs to, or None for vendor staff."""
        if self.role not in PARTNER_ROLES:
            return None
        membership = getattr(self, "membership", None)
        return membership.partner if membership else None


class ApiKey(models.Model):
    """A key a program sends as `Authorization: Bearer <key>` to act as its user.

    Only a SHA-256 digest is stored: the key itself is shown once, when it is made. Keys
    are long random strings, so a fast digest is enough (nothing to brute-force). The key
    lives in the vendor's schema like its user, so another vendor's host never finds it.
    """

    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="api_keys", verbose_name=_("user")
    )
    name = models.CharField(_("name"), max_length=100)
    prefix = models.CharField(_("prefix"), max_length=16, editable=False)
    digest = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        User,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("revoked by"),
    )

    class Meta:
        verbose_name = _("API key")
        verbose_name_plural = _("API keys")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None
