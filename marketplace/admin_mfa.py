"""The Django admin of sign-in credentials: authenticators without their secrets, and email addresses read-only.

Email addresses (allauth.account) are read-only here: an operator who could add a verified address to someone's
account could reset its password and sign in as them.

allauth's own admin shows and edits `data`, which holds the TOTP secret and the recovery-code seed: anyone who
reads it can compute the user's codes. This admin replaces it: the list and a read-only page without `data`, no
adding, no editing. Deleting stays, so an operator can reset a lost phone; the user then activates a new one.
"""

import allauth.account.admin  # noqa: F401  (allauth's admins first, so that they can be replaced here)
import allauth.mfa.admin  # noqa: F401
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.contrib import admin
from django.db.models.constants import LOOKUP_SEP

if admin.site.is_registered(Authenticator):
    admin.site.unregister(Authenticator)


@admin.register(Authenticator)
class AuthenticatorAdmin(admin.ModelAdmin):
    list_display = ("user", "type", "created_at", "last_used_at")
    list_filter = ("type",)
    search_fields = ("user__email",)
    fields = ("user", "type", "created_at", "last_used_at")
    readonly_fields = fields

    def lookup_allowed(self, lookup, value, request=None):
        """The admin accepts a filter on any local field through the URL (?data__contains=…), which would let the
        secret be found character by character. `data` cannot be looked up at all (a 400)."""
        if lookup.split(LOOKUP_SEP)[0] == "data":
            return False
        return super().lookup_allowed(lookup, value, request)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


if admin.site.is_registered(EmailAddress):
    admin.site.unregister(EmailAddress)


@admin.register(EmailAddress)
class EmailAddressAdmin(admin.ModelAdmin):
    list_display = ("email", "user", "primary", "verified")
    list_filter = ("primary", "verified")
    search_fields = ("email", "user__email")
    fields = ("user", "email", "primary", "verified")
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
