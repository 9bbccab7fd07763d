from django.contrib import admin

from .models import Booking, CaseDeletion, SupervisionSession


@admin.register(SupervisionSession)
class SupervisionSessionAdmin(admin.ModelAdmin):
    list_display = ["title", "supervisor", "kind", "starts_at", "capacity", "status"]
    list_filter = ["kind", "status", "format"]
    list_select_related = ["supervisor"]


@admin.register(Booking)
class BookingAdmin(admin.ModelAdmin):
    """Read-only: bookings change through the booking pages, which lock and notify. Case texts
    are not shown here at all: only their author, supervisor and group see them."""

    list_display = ["user", "session", "status", "booked_at"]
    list_filter = ["status"]
    list_select_related = ["user", "session"]
    show_full_result_count = False
    readonly_fields = [
        "session",
        "user",
        "status",
        "booked_at",
        "waitlisted_at",
        "cancelled_at",
        "marked_by",
    ]

    def has_add_permission(self, request):
        return False


@admin.register(CaseDeletion)
class CaseDeletionAdmin(admin.ModelAdmin):
    list_display = ["title", "session", "author", "attachments", "deleted_at", "reason"]
    list_select_related = ["session", "author"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
