import json

import pytest
from django.urls import reverse

from lms.models import DeletionRequest
from supervision import services as supervision_services
from tests.factories import enroll, make_cohort, make_supervision, make_user

pytestmark = pytest.mark.django_db


def test_a_person_exports_their_own_data_and_nobody_elses(client):
    cohort = make_cohort()
    me = make_user("me@example.org", role="specialist", last_name="Моя")
    other = make_user("other@example.org", role="specialist", last_name="Чужая")
    enroll(me, cohort)
    enroll(other, cohort)
    session = make_supervision(make_user("s@example.org", role="trainer"), cohort=cohort)
    for person, text in ((me, "Мой случай"), (other, "Чужой случай")):
        booking = supervision_services.booking_create(session=session, user=person)
        supervision_services.case_submit(
            booking=booking, title=text, text=f"<p>{text}</p>", confirmed=True
        )
    client.force_login(me)
    response = client.get(reverse("personal_data_export"))
    assert response["Content-Disposition"].startswith("attachment")
    data = json.loads(response.content)
    assert data["profile"]["email"] == "me@example.org"
    assert data["consents"][0]["version"] == "1.0"
    assert len(data["learning"]["enrollments"]) == 1
    assert data["supervision"][0]["case"]["title"] == "Мой случай"
    text = response.content.decode()
    assert "other@example.org" not in text and "Чужой случай" not in text and "Чужая" not in text


def test_a_deletion_request_is_recorded_once(client):
    me = make_user("me@example.org", role="specialist")
    client.force_login(me)
    client.post(reverse("deletion_request"), {"comment": "Ухожу из профессии"})
    page = client.post(reverse("deletion_request"), follow=True).content.decode()
    assert "уже рассматривается" in page
    assert DeletionRequest.objects.get().comment == "Ухожу из профессии"
