import datetime as dt

import pytest
from django.core import mail
from django.utils import timezone

from courses import services
from courses.models import Attendance, AttendanceChange, Enrollment, ModuleProgress
from courses.services import CourseError
from courses.signals import enrollment_completed
from tests.factories import enroll, held, make_cohort, make_course, make_session, make_user

pytestmark = pytest.mark.django_db

Status = Enrollment.Status


@pytest.fixture
def coordinator():
    return make_user("coord@example.org", role="coordinator", region_code="54", totp=True)


def apply(user, cohort):
    return services.enrollment_apply(
        user=user, cohort=cohort, position="Специалист", organisation_name="ООП"
    )


def test_apply_creates_one_pending_application_and_tells_the_applicant(specialist):
    cohort = make_cohort()
    first = apply(specialist, cohort)
    again = apply(specialist, cohort)  # double click, retry
    assert first == again
    assert Enrollment.objects.count() == 1
    assert first.status == Status.PENDING
    assert first.region == specialist.region
    assert [m.to for m in mail.outbox] == [[specialist.email]]
    assert "получена" in mail.outbox[0].subject


@pytest.mark.parametrize(
    ("cohort_kwargs", "message"),
    [
        ({"status": "draft"}, "Приём заявок в этот поток закрыт."),
        (
            {
                "applications_close_at": timezone.now() - dt.timedelta(minutes=1),
                "applications_open_at": timezone.now() - dt.timedelta(days=2),
            },
            "Приём заявок в этот поток закрыт.",
        ),
        ({"regions": ("02",)}, "набирает специалистов других регионов"),
    ],
)
def test_apply_is_refused_with_a_reason(specialist, cohort_kwargs, message):
    cohort = make_cohort(**cohort_kwargs)
    with pytest.raises(CourseError, match=message):
        apply(specialist, cohort)
    assert not Enrollment.objects.exists()


def test_one_place_per_course_at_a_time(specialist):
    course = make_course()
    apply(specialist, make_cohort(course))
    with pytest.raises(CourseError, match="в другом потоке"):
        apply(specialist, make_cohort(course))


def test_approve_waitlist_reject_and_capacity(coordinator):
    cohort = make_cohort(capacity=1)
    a, b, c = (apply(make_user(f"l{n}@example.org"), cohort) for n in range(3))
    mail.outbox.clear()

    assert services.enrollment_decide(enrollment=a, decision="approve", by=coordinator).status == (
        Status.ENROLLED
    )
    with pytest.raises(CourseError, match="Мест в потоке .* нет"):
        services.enrollment_decide(enrollment=b, decision="approve", by=coordinator)
    assert services.enrollment_decide(enrollment=b, decision="waitlist", by=coordinator).status == (
        Status.WAITLISTED
    )
    with pytest.raises(CourseError, match="Укажите причину"):
        services.enrollment_decide(enrollment=c, decision="reject", by=coordinator, reason=" ")
    rejected = services.enrollment_decide(
        enrollment=c, decision="reject", by=coordinator, reason="Курс для специалистов ООП"
    )
    assert rejected.status == Status.REJECTED
    with pytest.raises(CourseError, match="уже принято решение"):
        services.enrollment_decide(enrollment=c, decision="approve", by=coordinator)

    subjects = [m.subject for m in mail.outbox]
    assert any("зачислены" in s for s in subjects)
    assert any("лист ожидания" in s for s in subjects)
    assert any("отклонена" in s for s in subjects)
    assert "Курс для специалистов ООП" in mail.outbox[-1].body


def test_a_freed_seat_goes_to_the_first_in_line_once(coordinator):
    cohort = make_cohort(capacity=1)
    holder = apply(make_user("holder@example.org"), cohort)
    services.enrollment_decide(enrollment=holder, decision="approve", by=coordinator)
    first = apply(make_user("first@example.org"), cohort)
    second = apply(make_user("second@example.org"), cohort)
    services.enrollment_decide(enrollment=first, decision="waitlist", by=coordinator)
    services.enrollment_decide(enrollment=second, decision="waitlist", by=coordinator)
    mail.outbox.clear()

    services.enrollment_withdraw(enrollment=holder, by=holder.user)

    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.status, second.status) == (Status.ENROLLED, Status.WAITLISTED)
    assert [m.to for m in mail.outbox] == [["first@example.org"]]
    assert "Место освободилось" in mail.outbox[0].subject


def test_region_quota_limits_a_regions_seats_inside_capacity(coordinator):
    from courses.models import RegionQuota
    from tests.factories import region

    cohort = make_cohort(capacity=3, regions=("54", "70"))
    RegionQuota.objects.create(cohort=cohort, region=region("54"), seats=1)
    nsk = [apply(make_user(f"nsk{n}@example.org", region_code="54"), cohort) for n in range(2)]
    tomsk = apply(make_user("tomsk@example.org", region_code="70"), cohort)
    services.enrollment_decide(enrollment=nsk[0], decision="approve", by=coordinator)
    # The cohort has room (1 of 3 taken): the coordinator is told it is the region's quota.
    with pytest.raises(
        CourseError,
        match="Квота региона «Новосибирская область» в потоке «.*» заполнена: занято 1 из 1.",
    ):
        services.enrollment_decide(enrollment=nsk[1], decision="approve", by=coordinator)
    assert services.enrollment_decide(
        enrollment=tomsk, decision="approve", by=coordinator
    ).status == (Status.ENROLLED)


def test_moving_a_learner_keeps_attendance_and_module_progress(coordinator, specialist):
    course = make_course(modules=2)
    source, target = make_cohort(course), make_cohort(course)
    enrollment = enroll(specialist, source)
    session = held(make_session(source))
    services.attendance_mark(session=session, marks={enrollment.pk: "present"}, by=coordinator)
    services.module_mark_studied(user=specialist, module=course.modules.first())

    moved = services.enrollment_move(enrollment=enrollment, to_cohort=target, by=coordinator)

    enrollment.refresh_from_db()
    assert enrollment.status == Status.TRANSFERRED
    assert moved.cohort == target and moved.status == Status.ENROLLED
    assert moved.transferred_from == enrollment
    assert Attendance.objects.filter(enrollment=enrollment, status="present").count() == 1
    assert ModuleProgress.objects.filter(user=specialist).count() == 1
    from courses.selectors import progress_for_enrollments

    progress = progress_for_enrollments([moved])[moved.pk]
    assert progress.sessions_attended == 1
    assert progress.modules_studied == 1


def test_move_refuses_another_course_and_a_full_cohort(coordinator, specialist):
    enrollment = enroll(specialist, make_cohort())
    with pytest.raises(CourseError, match="того же курса"):
        services.enrollment_move(enrollment=enrollment, to_cohort=make_cohort(), by=coordinator)
    full = make_cohort(enrollment.cohort.course, capacity=1)
    enroll(make_user("other@example.org"), full)
    with pytest.raises(CourseError, match="Мест в потоке .* нет: занято 1 из 1"):
        services.enrollment_move(enrollment=enrollment, to_cohort=full, by=coordinator)


def test_attendance_changes_are_kept_with_who_and_when(coordinator, specialist):
    cohort = make_cohort()
    enrollment = enroll(specialist, cohort)
    outsider = enroll(make_user("outsider@example.org"), make_cohort())
    session = held(make_session(cohort))
    assert (
        services.attendance_mark(
            session=session, marks={enrollment.pk: "absent", outsider.pk: "present"}, by=coordinator
        )
        == 1
    )
    assert (
        services.attendance_mark(session=session, marks={enrollment.pk: "absent"}, by=coordinator)
        == 0
    )
    services.attendance_mark(session=session, marks={enrollment.pk: "excused"}, by=coordinator)
    changes = list(AttendanceChange.objects.values_list("old_status", "new_status", "changed_by"))
    assert changes == [("", "absent", coordinator.pk), ("absent", "excused", coordinator.pk)]
    assert not Attendance.objects.filter(enrollment=outsider).exists()


def test_attendance_is_refused_before_the_seminar_begins_and_for_a_cancelled_one(
    coordinator, specialist
):
    course = make_course(modules=0, completion_attendance_percent=100)
    cohort = make_cohort(course)
    enrollment = enroll(specialist, cohort)
    session = make_session(cohort)  # the day after tomorrow
    with pytest.raises(CourseError, match="ещё не начался"):
        services.attendance_mark(session=session, marks={enrollment.pk: "present"}, by=coordinator)
    held(session)
    session.cancelled = True
    session.save()
    with pytest.raises(CourseError, match="отменён"):
        services.attendance_mark(session=session, marks={enrollment.pk: "present"}, by=coordinator)
    assert not Attendance.objects.exists()
    enrollment.refresh_from_db()
    assert enrollment.status == Status.ENROLLED


def test_a_mark_made_in_advance_does_not_count_towards_completion(coordinator, specialist):
    """Marks saved for a future seminar before this was refused are not attendance."""
    course = make_course(modules=0, completion_attendance_percent=50)
    cohort = make_cohort(course)
    enrollment = enroll(specialist, cohort)
    future = make_session(cohort)
    Attendance.objects.create(session=future, enrollment=enrollment, status="present")
    from courses.selectors import progress_for_enrollments

    assert progress_for_enrollments([enrollment])[enrollment.pk].sessions_attended == 0
    assert services.completions_evaluate(enrollment_ids=[enrollment.pk]) == 0


def test_a_mistaken_mark_is_set_back_to_unmarked_with_its_history(coordinator, specialist):
    cohort = make_cohort()
    enrollment = enroll(specialist, cohort)
    session = held(make_session(cohort))
    services.attendance_mark(session=session, marks={enrollment.pk: "absent"}, by=coordinator)
    assert services.attendance_mark(session=session, marks={enrollment.pk: ""}, by=coordinator) == 1
    attendance = Attendance.objects.get(enrollment=enrollment)
    assert attendance.status == "" and attendance.get_status_display() == "Не отмечено"
    assert list(attendance.changes.values_list("old_status", "new_status")) == [
        ("", "absent"),
        ("absent", ""),
    ]
    # Unmarked and never marked are the same: nothing to change, nothing recorded.
    other = enroll(make_user("other@example.org"), cohort)
    assert services.attendance_mark(session=session, marks={other.pk: ""}, by=coordinator) == 0
    assert not Attendance.objects.filter(enrollment=other).exists()


def test_completion_happens_once_when_rules_are_met_and_is_announced_after_commit(
    coordinator, specialist, django_capture_on_commit_callbacks
):
    course = make_course(
        modules=2, completion_attendance_percent=50, completion_modules_percent=100
    )
    cohort = make_cohort(course)
    enrollment = enroll(specialist, cohort)
    sessions = [
        make_session(cohort, starts_at=timezone.now() - dt.timedelta(days=d)) for d in (2, 1)
    ]
    received = []

    def on_completed(sender, enrollment_id, **kwargs):
        received.append(enrollment_id)

    enrollment_completed.connect(on_completed)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            services.attendance_mark(
                session=sessions[0], marks={enrollment.pk: "present"}, by=coordinator
            )
            for module in course.modules.all()[:1]:
                services.module_mark_studied(user=specialist, module=module)
        enrollment.refresh_from_db()
        assert enrollment.status == Status.ENROLLED
        assert received == []

        with django_capture_on_commit_callbacks(execute=True):
            services.module_mark_studied(user=specialist, module=course.modules.last())
            services.module_mark_studied(user=specialist, module=course.modules.last())
            services.attendance_mark(
                session=sessions[1], marks={enrollment.pk: "present"}, by=coordinator
            )
    finally:
        enrollment_completed.disconnect(on_completed)
    enrollment.refresh_from_db()
    assert enrollment.status == Status.COMPLETED
    assert enrollment.completed_at is not None
    assert received == [enrollment.pk]


def test_supervisions_required_by_the_course_hold_completion_back(coordinator, specialist):
    course = make_course(modules=0, completion_attendance_percent=0, completion_supervisions=2)
    enrollment = enroll(specialist, make_cohort(course))
    services.enrollment_supervisions_set(enrollment=enrollment, count=1)
    enrollment.refresh_from_db()
    assert enrollment.status == Status.ENROLLED
    services.enrollment_supervisions_set(enrollment=enrollment, count=2)
    enrollment.refresh_from_db()
    assert enrollment.status == Status.COMPLETED


def test_marking_a_whole_roster_checks_completion_in_one_batch(coordinator):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def mark_all(n):
        cohort = make_cohort(make_course(modules=0, completion_attendance_percent=100))
        session = held(make_session(cohort))
        marks = {
            enroll(make_user(f"b{cohort.pk}-{i}@example.org"), cohort).pk: "present"
            for i in range(n)
        }
        with CaptureQueriesContext(connection) as queries:
            services.attendance_mark(session=session, marks=marks, by=coordinator)
        assert Enrollment.objects.filter(cohort=cohort, status="completed").count() == n
        return len(queries)

    # Per learner: the mark, its change record, the completion and the e-mail's queries
    # stay per row; checking the rules does not.
    small, large = mark_all(3), mark_all(13)
    per_learner = (large - small) / 10
    assert per_learner <= 4
