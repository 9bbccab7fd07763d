from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from .models import Role


def navigation(request):
    """The main menu for the reader's roles: each item is (url, label)."""
    user = getattr(request, "user", None)
    items = [(reverse("wagtail_serve", args=[""]), _("Главная"))]
    if user is not None and user.is_authenticated:
        items.append((reverse("dashboard"), _("Личный кабинет")))
        if user.has_role(Role.EDITOR):
            items.append((reverse("wagtailadmin_home"), _("Редакция")))
        if user.has_role(Role.ADMIN):
            items.append((reverse("admin:index"), _("Администрирование")))
    current = request.path if request is not None else ""
    return {
        "nav_items": [
            {
                "url": url,
                "label": label,
                "current": url == current or (url != "/" and current.startswith(url)),
            }
            for url, label in items
        ]
    }
