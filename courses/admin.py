from django.contrib import admin

from .models import Cohort, Course, CourseModule, Enrollment, RegionQuota, SeminarSession


class CourseModuleInline(admin.TabularInline):
    model = CourseModule
    fields = ["order", "title", "page"]
    extra = 0


@admin.register(Course)
class CourseAdmin(admin.ModelAdmin):
    list_display = ["title", "academic_hours", "is_published"]
    prepopulated_fields = {"slug": ["title"]}
    inlines = [CourseModuleInline]


class RegionQuotaInline(admin.TabularInline):
    model = RegionQuota
    extra = 0


@admin.register(Cohort)
class CohortAdmin(admin.ModelAdmin):
    list_display = ["title", "course", "status", "starts_on", "capacity"]
    list_filter = ["status", "course", "regions"]
    filter_horizontal = ["regions", "trainers"]
    autocomplete_fields = ["coordinator"]
    inlines = [RegionQuotaInline]


@admin.register(SeminarSession)
class SeminarSessionAdmin(admin.ModelAdmin):
    list_display = ["title", "cohort", "starts_at", "format", "cancelled"]
    list_filter = ["format", "cancelled", "cohort__course"]
    list_select_related = ["cohort"]


@admin.register(Enrollment)
class EnrollmentAdmin(admin.ModelAdmin):
    """Read-mostly: decisions go through the coordinator's pages, which lock and notify."""

    list_display = ["user", "cohort", "region", "status", "applied_at"]
    list_filter = ["status", "cohort__course", "region"]
    list_select_related = ["user", "cohort", "region"]
    search_fields = ["user__email", "user__last_name", "cohort__title"]
    show_full_result_count = False
    readonly_fields = [f.name for f in Enrollment._meta.fields]

    def has_add_permission(self, request):
        return False
