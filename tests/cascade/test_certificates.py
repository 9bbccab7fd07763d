"""Participation certificates: the coordinator's acceptance of a cascade event gives everyone at
it a certificate of its own kind, with the event's title, hours and dates in the region's zone;
the team hands them out as one ZIP."""

import datetime as dt
import io
import zipfile

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from pypdf import PdfReader

from cascade import services
from cascade.models import Event
from certificates.models import Certificate, CertificateTemplate
from certificates.services import event_issue
from tests.factories import make_user

pytestmark = pytest.mark.django_db


def pdf_text(certificate) -> str:
    with certificate.pdf.open("rb") as handle:
        return " ".join(PdfReader(handle).pages[0].extract_text().split())


@pytest.fixture
def reported(people):
    """A late evening event in Vologda (UTC+3) that ends after local midnight, with a listed
    participant and one who joined with the code, reported by the lead."""
    lead = people["lead"]
    event = services.event_plan(
        team=people["team"],
        by=lead,
        trainers=[lead],
        modules=people["modules"][:1],
        title="Раннее выявление неблагополучия",
        format=Event.Format.IN_PERSON,
        starts_at=dt.datetime(2025, 3, 3, 19, 0, tzinfo=dt.UTC),
        ends_at=dt.datetime(2025, 3, 3, 22, 30, tzinfo=dt.UTC),
        municipality="г. Череповец",
        venue="ЦСОН",
        expected_participants=5,
        hours=4,
    )
    services.participants_upload(
        event=event,
        uploaded=SimpleUploadedFile(
            "list.csv", "ФИО;Организация;Должность\nБелова Нина Олеговна;ЦСОН;психолог\n".encode()
        ),
        by=lead,
    )
    services.event_join(code=event.invite_code, user=people["stranger"])
    services.event_report(event=event, by=lead, outcome="Разобрали случаи.")
    return event


def test_acceptance_issues_a_participation_certificate_to_everyone_at_the_event(
    client_as, people, reported, django_capture_on_commit_callbacks
):
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        client_as(people["coordinator"]).post(
            f"/cascade/events/{reported.pk}/review/", {"decision": "accept"}
        )
    certificates = {c.holder_name: c for c in Certificate.objects.select_related("template")}
    assert set(certificates) == {"Белова Нина Олеговна", people["stranger"].get_full_name()}
    listed = certificates["Белова Нина Олеговна"]
    assert listed.holder is None and listed.organisation_name == "ЦСОН"
    assert listed.template.kind == CertificateTemplate.Kind.CASCADE
    assert (listed.hours, listed.region.code) == (4, "35")
    # 22:00–01:30 in Vologda: two local dates, where UTC would say one.
    assert (listed.date_from, listed.date_to) == (dt.date(2025, 3, 3), dt.date(2025, 3, 4))
    text = pdf_text(listed)
    assert "Белова Нина Олеговна" in text
    assert "приняла участие в обучающем мероприятии команды трансляторов" in text  # «Олеговна»
    assert "«Раннее выявление неблагополучия»" in text
    assert "4 академических часа" in text
    assert "с 3 марта 2025 г. по 4 марта 2025 г." in text.replace("\u00a0", " ")

    # The participant with an account is told and finds it among their certificates.
    joined = certificates[people["stranger"].get_full_name()]
    assert joined.status == "valid" and joined.holder == people["stranger"]
    ready = [m.to for m in mail.outbox if "сертификат" in m.subject.lower()]
    assert ready == [[people["stranger"].email]]
    mine = client_as(people["stranger"]).get("/certificates/").content.decode()
    assert joined.serial in mine and "Раннее выявление неблагополучия" in mine

    # Issuing again gives no second certificate to anyone.
    reported.refresh_from_db()
    assert event_issue(event=reported) == 0
    assert Certificate.objects.count() == 2


def test_a_returned_report_gives_no_certificates(
    client_as, people, reported, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        client_as(people["coordinator"]).post(
            f"/cascade/events/{reported.pk}/review/",
            {"decision": "return", "comment": "Приложите фото."},
        )
    assert not Certificate.objects.exists()
    assert (
        client_as(people["lead"]).get(f"/certificates/cascade/{reported.pk}/zip/").status_code
        == 404
    )


def test_the_team_and_the_coordinator_download_the_events_certificates_as_one_zip(
    client_as, people, reported, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.event_review(event=reported, by=people["coordinator"], accept=True)
    url = f"/certificates/cascade/{reported.pk}/zip/"
    page = client_as(people["lead"]).get(f"/cascade/events/{reported.pk}/").content.decode()
    assert url in page
    for user in (people["lead"], people["coordinator"], people["admin"]):
        response = client_as(user).get(url)
        assert response.status_code == 200, user
        archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
        assert sorted(archive.namelist()) == sorted(
            f"{c.serial}.pdf" for c in Certificate.objects.all()
        )
        assert all(archive.read(name).startswith(b"%PDF") for name in archive.namelist())
    # A participant is not in the team; another region's coordinator is not in the region.
    outsider = make_user("x@example.org", role="specialist", region_code="35")
    for user in (people["stranger"], people["other_coordinator"], outsider):
        assert client_as(user).get(url).status_code == 404, user
    assert url not in client_as(people["stranger"]).get("/certificates/").content.decode()
