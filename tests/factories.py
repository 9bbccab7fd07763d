"""Test data in one place: people with roles, regions from the data migration."""

import io
import zipfile

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.core.files.base import ContentFile

from cms.models import LibraryDocument, PracticePage
from lms import services
from lms.models import Organisation, Region, User

DEFAULT_PASSWORD = "Пароль-для-тестов-2026"


def region(code: str) -> Region:
    return Region.objects.get(code=code)


def organisation(
    region_code: str = "54", name: str = "Отдел опеки и попечительства"
) -> Organisation:
    return Organisation.objects.get_or_create(region=region(region_code), name=name)[0]


def make_user(
    email: str,
    *,
    role: str | None = None,
    region_code: str = "54",
    password: str = DEFAULT_PASSWORD,
    totp: bool = False,
    **fields,
) -> User:
    """A verified user of ``region_code`` with ``role`` (a coordinator's in that region)."""
    fields.setdefault("last_name", "Иванова")
    fields.setdefault("first_name", "Мария")
    fields.setdefault("middle_name", "Петровна")
    user = User.objects.create_user(
        email=email,
        password=password,
        region=region(region_code),
        organisation=organisation(region_code),
        **fields,
    )
    EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
    services.consent_record(user=user, text=services.consent_text_current())
    if role:
        services.role_grant(
            user=user, role=role, region=user.region if role == "coordinator" else None
        )
    if totp:
        TOTP.activate(user, generate_totp_secret())
    return user


def totp_secret(user: User) -> str:
    from allauth.mfa.utils import decrypt

    return decrypt(Authenticator.objects.get(user=user, type="totp").data["secret"])


# Courses ---------------------------------------------------------------------------------------


def make_course(title="Семейно-ориентированный подход", *, modules=2, **fields):
    from courses.models import Course, CourseModule

    fields.setdefault("slug", f"course-{Course.objects.count() + 1}")
    fields.setdefault("description", "Курс для специалистов органов опеки.")
    fields.setdefault("academic_hours", 72)
    course = Course.objects.create(title=title, **fields)
    for n in range(modules):
        CourseModule.objects.create(course=course, order=n, title=f"Модуль {n + 1}")
    return course


def make_cohort(course=None, *, regions=("54",), capacity=20, status="recruiting", **fields):
    import datetime as dt

    from django.utils import timezone

    from courses.models import Cohort

    now = timezone.now()
    cohort = Cohort.objects.create(
        course=course or make_course(),
        title=fields.pop("title", f"Поток {Cohort.objects.count() + 1}"),
        starts_on=fields.pop("starts_on", (now + dt.timedelta(days=30)).date()),
        ends_on=fields.pop("ends_on", (now + dt.timedelta(days=120)).date()),
        capacity=capacity,
        applications_open_at=fields.pop("applications_open_at", now - dt.timedelta(days=1)),
        applications_close_at=fields.pop("applications_close_at", now + dt.timedelta(days=20)),
        status=status,
        **fields,
    )
    cohort.regions.set([region(code) for code in regions])
    return cohort


def make_session(cohort, *, starts_at=None, hours=3, **fields):
    import datetime as dt

    from django.utils import timezone

    from courses.models import SeminarSession

    starts_at = starts_at or timezone.now() + dt.timedelta(days=2)
    fields.setdefault("format", "online")
    fields.setdefault("online_url", "https://meet.example.org/seminar")
    return SeminarSession.objects.create(
        cohort=cohort,
        title=fields.pop("title", "Семинар-тренинг"),
        starts_at=starts_at,
        ends_at=starts_at + dt.timedelta(hours=hours),
        **fields,
    )


def enroll(user, cohort, status="enrolled"):
    """An enrolment in ``status`` without going through the application flow."""
    from courses.models import Enrollment

    return Enrollment.objects.create(
        user=user,
        cohort=cohort,
        region=user.region,
        status=status,
        position=user.position or "Специалист",
        organisation_name=str(user.organisation or ""),
    )


# Supervision -----------------------------------------------------------------------------------


def make_supervision(supervisor, *, cohort=None, course=None, starts_at=None, capacity=3, **fields):
    import datetime as dt

    from django.utils import timezone

    from supervision.models import SupervisionSession

    starts_at = starts_at or timezone.now() + dt.timedelta(days=3)
    fields.setdefault("title", "Групповая супервизия")
    fields.setdefault("online_url", "https://meet.example.org/s")
    return SupervisionSession.objects.create(
        supervisor=supervisor,
        cohort=cohort,
        course=course,
        starts_at=starts_at,
        ends_at=starts_at + dt.timedelta(hours=2),
        capacity=capacity,
        booking_opens_at=fields.pop("booking_opens_at", timezone.now() - dt.timedelta(days=1)),
        booking_closes_at=fields.pop("booking_closes_at", starts_at - dt.timedelta(hours=1)),
        **fields,
    )


# Library ---------------------------------------------------------------------------------------


def docx(*paragraphs: str) -> bytes:
    body = "".join(f"<w:p><w:r><w:t>{p}</w:t></w:r></w:p>" for p in paragraphs)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr(
            "word/document.xml",
            '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
            f"<w:body>{body}</w:body></w:document>",
        )
    return buffer.getvalue()


def document(title="Описание практики", content=None, name="practice.docx"):
    doc = LibraryDocument(title=title)
    doc.file.save(name, ContentFile(content or docx("Текст документа")), save=False)
    doc._set_document_file_metadata()
    doc.save()
    return doc


def practice(library, title, *, code="35", year=2017, topics=(), groups=(), summary=None, **kw):
    page = PracticePage(
        title=title,
        slug=kw.pop("slug", None) or f"p-{PracticePage.objects.count() + 1}",
        summary=summary or f"Кратко: {title}",
        region=region(code),
        year=year,
        organisation=kw.pop("organisation", "Региональный ресурсный центр"),
        period="2016–2017",
        what_was_done=kw.pop("what_was_done", "<p>Провели семинары.</p>"),
        results=kw.pop("results", "<p>Участники получили помощь.</p>"),
        **kw,
    )
    page.topics = [library["topics"][t] for t in topics]
    page.target_groups = [library["groups"][g] for g in groups]
    library["index"].add_child(instance=page)
    page.save_revision().publish()
    return page


def held(meeting, *, hours_ago=1):
    """Move a seminar or supervision that was planned ahead (to be booked) so it has begun,
    as it must have before attendance is marked."""
    import datetime as dt

    from django.utils import timezone

    length = meeting.ends_at - meeting.starts_at
    meeting.starts_at = timezone.now() - dt.timedelta(hours=hours_ago)
    meeting.ends_at = meeting.starts_at + length
    type(meeting).objects.filter(pk=meeting.pk).update(
        starts_at=meeting.starts_at, ends_at=meeting.ends_at
    )
    return meeting
