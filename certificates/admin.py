from django.contrib import admin

from .models import Certificate, CertificateTemplate, TemplateSignatory


class SignatoryInline(admin.TabularInline):
    model = TemplateSignatory
    max_num = 3
    extra = 0


@admin.register(CertificateTemplate)
class CertificateTemplateAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "landscape", "is_default"]
    inlines = [SignatoryInline]


@admin.register(Certificate)
class CertificateAdmin(admin.ModelAdmin):
    """Read-only: certificates are issued, revoked and replaced through the register pages,
    which keep the audit trail."""

    list_display = ["serial", "holder_name", "subject", "status", "issued_on"]
    list_filter = ["status", "region"]
    search_fields = ["serial", "holder_name"]
    show_full_result_count = False  # a count of every certificate on each filtered page
    readonly_fields = [f.name for f in Certificate._meta.fields]

    def has_add_permission(self, request):
        return False
