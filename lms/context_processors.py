from dataclasses import dataclass

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from .models import Role


@dataclass(frozen=True)
class NavItem:
    url_name: str
    label: str
    roles: tuple  # empty: every signed-in person
    order: int
    public: bool  # shown to visitors who are not signed in too


_items: list[NavItem] = []


def register_nav_item(
    url_name: str, label, *roles: str, order: int = 50, public: bool = False
) -> None:
    """Apps add their entries to the main menu from ``AppConfig.ready()``. ``url_name`` is a
    URL pattern's name, or a path starting with "/" (a Wagtail page such as the library)."""
    if any(item.url_name == url_name for item in _items):
        return
    _items.append(NavItem(url_name, label, roles, order, public))
    _items.sort(key=lambda item: item.order)


# The programme admin may open every page, but their menu lists only the staff tools and the
# pages of roles they really hold: a learner's or a trainer's own pages would be empty for them,
# and a menu of every page wraps onto three lines.
STAFF_ROLES = frozenset({Role.COORDINATOR, Role.EDITOR, Role.ADMIN})


def _shown_to(user, item: NavItem) -> bool:
    if not item.roles:
        return True
    held = user.roles
    return any(role in held for role in item.roles) or (
        Role.ADMIN in held and any(role in STAFF_ROLES for role in item.roles)
    )


register_nav_item("dashboard", _("Личный кабинет"), order=10)
register_nav_item("wagtailadmin_home", _("Редакция"), Role.EDITOR, order=90)
register_nav_item("admin:index", _("Администрирование"), Role.ADMIN, order=95)


def navigation(request):
    """The main menu for the reader's roles: each item is (url, label, current)."""
    user = getattr(request, "user", None)
    signed_in = user is not None and user.is_authenticated
    items = [(reverse("wagtail_serve", args=[""]), _("Главная"))] + [
        (item.url_name if item.url_name.startswith("/") else reverse(item.url_name), item.label)
        for item in _items
        if item.public or (signed_in and _shown_to(user, item))
    ]
    path = request.path if request is not None else ""
    # The current item is the longest menu URL the page is under ("/courses/teach/…" is
    # «Мои потоки», not «Курсы»).
    matches = [url for url, _label in items if url == path or (url != "/" and path.startswith(url))]
    current = max(matches, key=len) if matches else None
    return {
        "nav_items": [
            {"url": url, "label": label, "current": url == current} for url, label in items
        ]
    }
