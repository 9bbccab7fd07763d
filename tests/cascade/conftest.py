"""A region with a finished cohort, its graduate leading a translator team, and the people
around it: the region's coordinator, another region's, the admin and a stranger."""

import datetime as dt

import pytest
from django.utils import timezone

from cascade import services
from cascade.models import Event
from cascade.reach import reach_refresh
from tests.factories import enroll, make_cohort, make_course, make_user, region


def png_bytes() -> bytes:
    import io

    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), "white").save(buffer, "PNG")
    return buffer.getvalue()


PNG = png_bytes()


@pytest.fixture
def people():
    course = make_course(modules=2)
    cohort = make_cohort(course, regions=("35",), status="finished")
    lead = make_user("lead@example.org", role="specialist", region_code="35", first_name="Лидия")
    enroll(lead, cohort, status="completed")
    reach_refresh()
    coordinator = make_user("c35@example.org", role="coordinator", region_code="35", totp=True)
    team = services.team_create(
        by=coordinator,
        region=region("35"),
        name="Вологодская команда",
        lead=lead,
        modules=course.modules.all(),
    )
    return {
        "lead": lead,
        "coordinator": coordinator,
        "other_coordinator": make_user(
            "c38@example.org", role="coordinator", region_code="38", totp=True
        ),
        "admin": make_user("admin@example.org", role="admin", totp=True),
        "stranger": make_user("s@example.org", role="specialist", region_code="35"),
        "team": team,
        "modules": list(course.modules.all()),
    }


def past_event(people, **fields):
    start = timezone.now() - dt.timedelta(days=2)
    return services.event_plan(
        team=people["team"],
        by=people["lead"],
        trainers=[people["lead"]],
        modules=people["modules"][:1],
        title=fields.pop("title", "Семинар для коллег"),
        format=Event.Format.IN_PERSON,
        starts_at=start,
        ends_at=start + dt.timedelta(hours=3),
        municipality="г. Череповец",
        venue="ЦСОН",
        expected_participants=15,
        hours=3,
        **fields,
    )
