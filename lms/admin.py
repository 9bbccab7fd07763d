from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _

from . import services
from .models import (
    ConsentRecord,
    ConsentText,
    DeletionRequest,
    Organisation,
    Region,
    RoleAssignment,
    SecurityEvent,
    User,
)


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "name_en", "timezone", "in_programme"]
    list_filter = ["in_programme", "timezone"]
    search_fields = ["name", "name_en", "code"]


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "region"]
    list_filter = ["kind", "region"]
    search_fields = ["name"]
    list_select_related = ["region"]


class RoleAssignmentInline(admin.TabularInline):
    model = RoleAssignment
    fk_name = "user"
    fields = ["role", "region"]
    extra = 0


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    ordering = ["last_name", "first_name"]
    list_display = ["email", "last_name", "first_name", "middle_name", "region", "is_active"]
    list_filter = ["is_active", "role_assignments__role", "region"]
    list_select_related = ["region"]
    search_fields = ["email", "last_name", "first_name", "middle_name"]
    show_full_result_count = False
    readonly_fields = ["last_login", "date_joined", "is_staff", "is_superuser"]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        (
            _("Человек"),
            {
                "fields": [
                    "last_name",
                    "first_name",
                    "middle_name",
                    "gender",
                    "position",
                    "organisation",
                    "region",
                    "phone",
                    "timezone",
                    "language",
                ]
            },
        ),
        (
            _("Доступ"),
            {"fields": ["is_active", "is_staff", "is_superuser", "last_login", "date_joined"]},
        ),
    ]
    add_fieldsets = [
        (None, {"fields": ["email", "last_name", "first_name", "password1", "password2"]}),
    ]
    autocomplete_fields = ["organisation"]
    inlines = [RoleAssignmentInline]

    def save_model(self, request, obj, form, change):
        deactivated = change and "is_active" in form.changed_data and not obj.is_active
        super().save_model(request, obj, form, change)
        if deactivated:
            services.security_event_log(
                SecurityEvent.Kind.ACCOUNT_DEACTIVATED, request=request, user=obj
            )

    def save_formset(self, request, form, formset, change):
        """Roles change only through the role services, which log and sync admin access."""
        if formset.model is not RoleAssignment:
            return super().save_formset(request, form, formset, change)
        user = form.instance
        formset.save(commit=False)
        for obj in formset.deleted_objects:
            services.role_revoke(
                user=user, role=obj.role, region=obj.region, by=request.user, request=request
            )
        for obj, _changed in formset.changed_objects:
            old = RoleAssignment.objects.get(pk=obj.pk)
            services.role_revoke(
                user=user, role=old.role, region=old.region, by=request.user, request=request
            )
            services.role_grant(
                user=user, role=obj.role, region=obj.region, by=request.user, request=request
            )
        for obj in formset.new_objects:
            services.role_grant(
                user=user, role=obj.role, region=obj.region, by=request.user, request=request
            )


@admin.register(ConsentText)
class ConsentTextAdmin(admin.ModelAdmin):
    list_display = ["version", "title", "published_at"]

    def get_readonly_fields(self, request, obj=None):
        # A text someone has agreed to is a record: publish a new version instead.
        if obj is not None and obj.records.exists():
            return ["version", "title", "body", "published_at"]
        return []


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ConsentRecord)
class ConsentRecordAdmin(ReadOnlyAdmin):
    list_display = ["user", "text", "given_at", "ip_address"]
    list_select_related = ["user", "text"]
    search_fields = ["user__email", "user__last_name"]


@admin.register(SecurityEvent)
class SecurityEventAdmin(ReadOnlyAdmin):
    list_display = ["at", "kind", "user", "actor", "ip_address"]
    list_filter = ["kind"]
    list_select_related = ["user", "actor"]
    search_fields = ["user__email", "actor__email", "ip_address"]
    show_full_result_count = False


@admin.register(DeletionRequest)
class DeletionRequestAdmin(admin.ModelAdmin):
    list_display = ["email", "requested_at", "status"]
    list_filter = ["status"]
    readonly_fields = ["user", "email", "requested_at", "comment"]
