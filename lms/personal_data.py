"""A person's own data, for the export 152-FZ entitles them to.

Each app registers an exporter from ``AppConfig.ready()``: ``register_exporter("courses", func)``
where ``func(user) -> list[dict]`` returns only that person's records, as plain JSON-able values.
"""

from collections.abc import Callable

_exporters: dict[str, Callable] = {}


def register_exporter(section: str, func: Callable) -> None:
    _exporters[section] = func


def export_for(user) -> dict:
    data = {
        "profile": {
            "email": user.email,
            "last_name": user.last_name,
            "first_name": user.first_name,
            "middle_name": user.middle_name,
            "document_gender": user.document_gender,
            "position": user.position,
            "organisation": str(user.organisation or ""),
            "region": str(user.region or ""),
            "phone": user.phone,
            "timezone": user.effective_timezone,
            "language": user.language,
            "date_joined": user.date_joined.isoformat(),
            "roles": sorted(str(role) for role in user.roles),
        },
        "consents": [
            {
                "version": c.text.version,
                "given_at": c.given_at.isoformat(),
                "ip_address": c.ip_address,
            }
            for c in user.consents.select_related("text")
        ],
    }
    for section, func in _exporters.items():
        data[section] = func(user)
    return data
