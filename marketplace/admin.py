"""The Django admin for platform operators: reference data, people and posts, and a read-only audit log.

State changes of organisations go through the operator pages (services with audit), so the organisation
admin here is read-only for status, grade and reputation. Memberships are read-only too: they change only through
marketplace.services (audited, the organisation's admins told), and platform staff belong to no organisation, so
the user form refuses to make a member staff. Every admin here follows the sealing rule of `admin_sealing`.
"""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import UserChangeForm
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext_lazy as _

from . import admin_mfa  # noqa: F401  (authenticators without their secrets)
from .admin_sealing import ReadOnlyPermissions, SealedLookupsAdmin
from .models import (
    AuditEvent,
    District,
    Membership,
    OfficeStaff,
    Organisation,
    ServiceCategory,
    StreetOffice,
    User,
    WorkingDayOverride,
)


class PlatformUserChangeForm(UserChangeForm):
    STAFF_FLAGS = ("is_platform_operator", "is_staff", "is_superuser")

    def clean(self):
        """A member of an organisation is not made platform staff (the service refuses the other way round)."""
        cleaned = super().clean()
        made_staff = [f for f in self.STAFF_FLAGS if f in self.changed_data and cleaned.get(f)]
        if made_staff and self.instance.pk and Membership.objects.filter(user=self.instance).exists():
            raise ValidationError(
                _("This person is a member of an organisation, and platform staff cannot be. They must leave their "
                  "organisations first."), code="member_staff")
        return cleaned


@admin.register(User)
class UserAdmin(SealedLookupsAdmin, DjangoUserAdmin):
    form = PlatformUserChangeForm
    list_display = ("email", "display_name", "is_platform_operator", "is_staff", "is_active", "language")
    list_filter = ("is_platform_operator", "is_staff", "is_active", "language")
    search_fields = ("email", "display_name", "username")
    ordering = ("email",)
    fieldsets = (
        *DjangoUserAdmin.fieldsets,
        (_("Platform"), {"fields": ("display_name", "language", "is_platform_operator")}),
    )

    # No operator takes over someone's account (and with it, an organisation's sealed bids): the sign-in address
    # and the password of an existing person are theirs to change, through allauth's pages, never here.
    def get_readonly_fields(self, request, obj=None):
        fields = tuple(super().get_readonly_fields(request, obj))
        return fields + ("email", "username", "password") if obj is not None else fields

    def user_change_password(self, request, id, form_url=""):
        raise PermissionDenied


class OfficeStaffInline(admin.TabularInline):
    model = OfficeStaff
    extra = 0
    autocomplete_fields = ("user",)


@admin.register(StreetOffice)
class StreetOfficeAdmin(SealedLookupsAdmin):
    list_display = ("name", "district", "filed_budget_threshold", "rating_score", "rating_count")
    list_filter = ("district",)
    search_fields = ("name", "name_en")
    readonly_fields = ("rating_score", "rating_count", "rating_breakdown")
    inlines = [OfficeStaffInline]


@admin.register(District)
class DistrictAdmin(SealedLookupsAdmin):
    list_display = ("name", "name_en")
    search_fields = ("name",)


@admin.register(ServiceCategory)
class ServiceCategoryAdmin(SealedLookupsAdmin):
    list_display = ("code", "name", "name_en", "sort_order")
    search_fields = ("code", "name")


class MembershipInline(ReadOnlyPermissions, admin.TabularInline):
    """Who belongs to the organisation, read-only: joining, leaving and roles go through the services."""

    model = Membership
    extra = 0
    can_delete = False
    fields = ("user", "role", "created_at")
    readonly_fields = fields


@admin.register(Organisation)
class OrganisationAdmin(SealedLookupsAdmin):
    list_display = ("name", "track", "status", "grade", "home_office", "rating_score", "rating_count", "created_at")
    list_filter = ("track", "status", "grade", "home_office__district")
    search_fields = ("name", "name_en", "uscc", "filing_number")
    readonly_fields = ("status", "status_reason", "suspended_until", "grade", "grade_date", "rating_score",
                       "rating_count", "rating_breakdown", "contracts_completed", "contracts_terminated")
    inlines = [MembershipInline]


@admin.register(WorkingDayOverride)
class WorkingDayOverrideAdmin(SealedLookupsAdmin):
    """Holidays and swapped working days for years the chinese-calendar package does not know yet."""

    list_display = ("date", "is_working_day", "note")
    list_filter = ("is_working_day",)
    date_hierarchy = "date"


@admin.register(AuditEvent)
class AuditEventAdmin(SealedLookupsAdmin):
    list_display = ("created_at", "actor_repr", "verb", "object_repr")
    list_filter = ("verb", "content_type")
    search_fields = ("actor_repr", "object_repr", "verb")
    date_hierarchy = "created_at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
