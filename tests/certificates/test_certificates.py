import csv
import hashlib
import io
import zipfile

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook
from pypdf import PdfReader

from certificates import services
from certificates.models import Certificate, CertificateEvent
from courses import services as course_services
from courses.models import Enrollment
from lms.models import SecurityEvent
from tests.factories import enroll, make_cohort, make_course, make_user

pytestmark = pytest.mark.django_db


def pdf_text(certificate) -> str:
    with certificate.pdf.open("rb") as handle:
        data = handle.read()
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages), data


@pytest.fixture
def completed(django_capture_on_commit_callbacks):
    """A learner who completes a course; the certificate is issued and generated on commit."""
    course = make_course(
        "Семейно-ориентированный подход", modules=1, completion_attendance_percent=0
    )
    cohort = make_cohort(course, regions=("54",))
    learner = make_user(
        "anna@example.org",
        role="specialist",
        region_code="54",
        last_name="Смирнова",
        first_name="Анна",
        middle_name="Сергеевна",
    )
    enrollment = enroll(learner, cohort)
    with django_capture_on_commit_callbacks(execute=True):
        course_services.module_mark_studied(user=learner, module=course.modules.get())
    enrollment.refresh_from_db()
    assert enrollment.status == Enrollment.Status.COMPLETED
    return {"learner": learner, "cohort": cohort, "enrollment": enrollment}


def test_completion_issues_one_certificate_with_its_pdf_and_an_email(completed):
    certificate = Certificate.objects.get()
    assert certificate.status == "valid"
    assert certificate.serial == f"ОП-{timezone.localdate().year}-000001"
    assert certificate.holder == completed["learner"]
    text, data = pdf_text(certificate)
    assert "Смирнова Анна Сергеевна" in text
    assert certificate.serial in text
    assert certificate.code in text and "verify" in text  # the short URL under the QR code
    assert hashlib.sha256(data).hexdigest() == certificate.sha256
    assert len(data) < 60 * 1024
    ready = [m for m in mail.outbox if certificate.serial in m.subject]
    assert ready and ready[0].to == ["anna@example.org"]
    assert f"/verify/{certificate.code}/" in ready[0].body


@pytest.fixture
def public_site(settings):
    settings.SITE_URL = "https://opeka.example.org"


def test_links_on_the_pdf_and_in_the_email_come_from_site_url(public_site, completed):
    certificate = Certificate.objects.get()
    text, _data = pdf_text(certificate)
    assert f"opeka.example.org/verify/{certificate.code}" in "".join(text.split())
    (ready,) = [m for m in mail.outbox if certificate.serial in m.subject]
    assert f"https://opeka.example.org/verify/{certificate.code}/" in ready.body
    assert "testserver" not in ready.body and "localhost" not in ready.body


def test_the_certificate_speaks_of_the_holder_in_their_own_form(
    completed, django_capture_on_commit_callbacks
):
    certificate = Certificate.objects.get()
    assert certificate.holder_gender == "f"  # proposed by «Сергеевна»
    text, _data = pdf_text(certificate)
    assert "прошла обучение" in text and "прошёл(а)" not in text
    learner = completed["learner"]
    learner.gender = "n"  # she prefers the neutral wording: her choice wins
    learner.save()
    admin = make_user("admin@example.org", role="admin", totp=True)
    with django_capture_on_commit_callbacks(execute=True):
        new = services.certificate_reissue(certificate=certificate, reason="Форма", by=admin)
    new.refresh_from_db()
    assert new.holder_gender == "n"
    assert "прошёл(а) обучение" in pdf_text(new)[0]


def test_issuing_again_and_generating_again_change_nothing(completed):
    certificate = Certificate.objects.get()
    services.on_enrollment_completed(sender=None, enrollment_id=completed["enrollment"].pk)
    assert services.certificate_generate(certificate.pk) is False
    assert Certificate.objects.count() == 1
    assert CertificateEvent.objects.filter(kind="generated").count() == 1


def test_serials_are_numbered_per_year_without_gaps():
    assert services.next_serial(2027) == "ОП-2027-000001"
    assert services.next_serial(2027) == "ОП-2027-000002"
    assert services.next_serial(2028) == "ОП-2028-000001"


def test_verification_shows_validity_and_nothing_more(client, completed):
    certificate = Certificate.objects.get()
    page = client.get(reverse("certificates:verify", args=[certificate.code])).content.decode()
    assert "Сертификат действителен" in page
    assert "Смирнова Анна Сергеевна" in page
    assert "Семейно-ориентированный подход" in page
    assert "anna@example.org" not in page
    assert completed["learner"].organisation.name not in page
    unknown = client.get(reverse("certificates:verify", args=["нет-такого-кода"]))
    assert unknown.status_code == 404
    assert "не найден" in unknown.content.decode()


def test_verification_is_rate_limited(client):
    for _n in range(30):
        client.get(reverse("certificates:verify", args=["x"]))
    assert client.get(reverse("certificates:verify", args=["x"])).status_code == 429


def test_revoke_needs_a_reason_and_reissue_points_to_the_new_serial(client, completed):
    admin = make_user("admin@example.org", role="admin", totp=True)
    certificate = Certificate.objects.get()
    with pytest.raises(services.CertificateError, match="причину"):
        services.certificate_revoke(certificate=certificate, reason=" ", by=admin)
    new = services.certificate_reissue(
        certificate=certificate,
        reason="Опечатка в ФИО",
        by=admin,
        holder_name="Смирнова Анна Сергеевна",
    )
    certificate.refresh_from_db()
    assert certificate.status == "revoked" and certificate.replaced_by == new
    assert new.serial != certificate.serial and new.enrollment == certificate.enrollment
    assert SecurityEvent.objects.filter(kind="certificate_revoked", actor=admin).exists()
    page = client.get(reverse("certificates:verify", args=[certificate.code])).content.decode()
    assert "Сертификат отозван" in page and new.serial in page


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("holder", 200),
        ("other", 404),
        ("coordinator", 200),
        ("other_coordinator", 404),
        ("admin", 200),
        ("editor", 404),
    ],
)
def test_who_downloads_the_pdf(client, completed, who, status):
    people = {
        "holder": completed["learner"],
        "other": make_user("other@example.org", role="specialist", region_code="54"),
        "coordinator": make_user(
            "c54@example.org", role="coordinator", region_code="54", totp=True
        ),
        "other_coordinator": make_user(
            "c02@example.org", role="coordinator", region_code="02", totp=True
        ),
        "admin": make_user("admin@example.org", role="admin", totp=True),
        "editor": make_user("editor@example.org", role="editor", totp=True),
    }
    client.force_login(people[who])
    certificate = Certificate.objects.get()
    response = client.get(reverse("certificates:download", args=[certificate.pk]))
    assert response.status_code == status
    if status == 200:
        assert response["Content-Disposition"].startswith("attachment")
        assert b"".join(response.streaming_content).startswith(b"%PDF")


def test_bulk_issue_for_a_cohort_and_a_streamed_zip(client, django_capture_on_commit_callbacks):
    course = make_course(modules=0, completion_attendance_percent=0)
    cohort = make_cohort(course, regions=("54",))
    for n in range(3):
        enroll(make_user(f"l{n}@example.org"), cohort, status="completed")
    admin = make_user("admin@example.org", role="admin", totp=True)
    client.force_login(admin)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("certificates:cohort_issue", args=[cohort.pk]))
    assert Certificate.objects.filter(status="valid").count() == 3
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("certificates:cohort_issue", args=[cohort.pk]))
    assert Certificate.objects.count() == 3
    response = client.get(reverse("certificates:cohort_zip", args=[cohort.pk]))
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    assert sorted(archive.namelist()) == sorted(
        f"{c.serial}.pdf" for c in Certificate.objects.all()
    )
    assert all(archive.read(name).startswith(b"%PDF") for name in archive.namelist())
    register = client.get(reverse("certificates:register")).content.decode()
    assert cohort.title in register


def test_register_exports(client, completed):
    coordinator = make_user("c54@example.org", role="coordinator", region_code="54", totp=True)
    client.force_login(coordinator)
    rows = list(
        csv.reader(
            io.StringIO(
                client.get(reverse("certificates:register_export", args=["csv"]))
                .getvalue()
                .decode("utf-8-sig")
            ),
            delimiter=";",
        )
    )
    assert rows[0][:3] == ["Номер", "Код проверки", "Владелец"]
    assert rows[1][2] == "Смирнова Анна Сергеевна"
    sheet = load_workbook(
        io.BytesIO(client.get(reverse("certificates:register_export", args=["xlsx"])).getvalue())
    ).active
    assert sheet.cell(2, 3).value == "Смирнова Анна Сергеевна"
    client.force_login(make_user("s@example.org", role="specialist"))
    assert client.get(reverse("certificates:register_export", args=["csv"])).status_code == 404


def test_a_revocation_without_a_reason_keeps_what_was_typed(client, completed):
    client.force_login(make_user("admin@example.org", role="admin", totp=True))
    certificate = Certificate.objects.get()
    page = client.post(
        reverse("certificates:manage", args=[certificate.pk]),
        {"action": "reissue", "reason": "", "holder_name": "Смирнова-Петрова Анна Сергеевна"},
        follow=True,
    ).content.decode()
    assert "Укажите причину отзыва" in page
    assert 'value="Смирнова-Петрова Анна Сергеевна"' in page
    certificate.refresh_from_db()
    assert certificate.status == "valid"
