from .models import Certificate


def export(user) -> list[dict]:
    return [
        {
            "serial": c.serial,
            "subject": c.subject,
            "hours": c.hours,
            "issued_on": c.issued_on.isoformat(),
            "status": c.status,
        }
        for c in Certificate.objects.filter(holder=user)
    ]
