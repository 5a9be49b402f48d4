"""The Django admin for platform operators: reference data, people and posts, and a read-only audit log.

State changes of organisations go through the operator pages (services with audit), so the organisation
admin here is read-only for status, grade and reputation.
"""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _

from . import admin_mfa  # noqa: F401  (authenticators without their secrets)
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


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    list_display = ("email", "display_name", "is_platform_operator", "is_staff", "is_active", "language")
    list_filter = ("is_platform_operator", "is_staff", "is_active", "language")
    search_fields = ("email", "display_name", "username")
    ordering = ("email",)
    fieldsets = (
        *DjangoUserAdmin.fieldsets,
        (_("Platform"), {"fields": ("display_name", "language", "is_platform_operator")}),
    )


class OfficeStaffInline(admin.TabularInline):
    model = OfficeStaff
    extra = 0
    autocomplete_fields = ("user",)


@admin.register(StreetOffice)
class StreetOfficeAdmin(admin.ModelAdmin):
    list_display = ("name", "district", "filed_budget_threshold", "rating_score", "rating_count")
    list_filter = ("district",)
    search_fields = ("name", "name_en")
    readonly_fields = ("rating_score", "rating_count", "rating_breakdown")
    inlines = [OfficeStaffInline]


@admin.register(District)
class DistrictAdmin(admin.ModelAdmin):
    list_display = ("name", "name_en")
    search_fields = ("name",)


@admin.register(ServiceCategory)
class ServiceCategoryAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "name_en", "sort_order")
    search_fields = ("code", "name")


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ("user",)


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ("name", "track", "status", "grade", "home_office", "rating_score", "rating_count", "created_at")
    list_filter = ("track", "status", "grade", "home_office__district")
    search_fields = ("name", "name_en", "uscc", "filing_number")
    readonly_fields = ("status", "status_reason", "suspended_until", "grade", "grade_date", "rating_score",
                       "rating_count", "rating_breakdown", "contracts_completed", "contracts_terminated")
    inlines = [MembershipInline]


@admin.register(WorkingDayOverride)
class WorkingDayOverrideAdmin(admin.ModelAdmin):
    """Holidays and swapped working days for years the chinese-calendar package does not know yet."""

    list_display = ("date", "is_working_day", "note")
    list_filter = ("is_working_day",)
    date_hierarchy = "date"


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
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
