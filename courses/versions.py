"""Which kept pieces of pages (lms.versions) a write to the courses' data makes stale.

Scopes:
- ``courses.cohort:<id>``: a cohort's roster (learners, their progress, its seminars);
- ``courses.user:<id>``: a learner's own panel (their enrolments, progress, modules studied);
- ``courses.region:<id>``: a coordinator's page (applications from the region, the fill of
  cohorts held there, learners at risk);
- ``courses.enrollments``: the programme admin's coordinator page (every region);
- ``courses.all``: what rarely changes and is shown everywhere (courses and their rules,
  modules, region and organisation names); with it, the version of the site's pages
  (``lms.versions.PAGES``: module pages' titles and addresses).

Every write through the ORM's ``save()`` and ``delete()`` reaches the receivers below; writes in
bulk make everything kept stale (``lms.versions.KeptQuerySet``).
"""

import threading
from contextlib import contextmanager

from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save

from lms.models import Organisation, Region, User
from lms.versions import PAGES, bump

from .models import (
    Attendance,
    Cohort,
    Course,
    CourseModule,
    Enrollment,
    ModuleProgress,
    RegionQuota,
    SeminarSession,
)

ALL = "courses.all"
EVERY_REGION = "courses.enrollments"


def cohort_scope(cohort_id) -> str:
    return f"courses.cohort:{cohort_id}"


def cohort_scopes(cohort_ids) -> list[str]:
    """The scopes of a piece that shows these cohorts: each cohort's, and what every page shows."""
    return [*(cohort_scope(c) for c in cohort_ids), ALL, PAGES]


def user_scope(user_id) -> str:
    return f"courses.user:{user_id}"


def region_scope(region_id) -> str:
    return f"courses.region:{region_id}"


def _nothing() -> dict[str, set]:
    return {"enrollments": set(), "cohorts": set(), "users": set(), "regions": set()}


class _Changes(threading.local):
    """What the writes of the current batch touched (per thread)."""

    def __init__(self):
        self.depth = 0
        self.pending = _nothing()


_changes = _Changes()


@contextmanager
def batch():
    """Writes inside make stale what they touched once, at the end, in at most three queries:
    marking a whole roster costs no more per learner than it did before pieces were kept. Use
    it inside a transaction: a batch left by an error, or whose transaction is marked for
    rollback, makes nothing stale, since nothing it wrote will stay (and the transaction may no
    longer take a query)."""
    _changes.depth += 1
    completed = False
    try:
        yield
        completed = True
    finally:
        _changes.depth -= 1
        if not _changes.depth:
            pending, _changes.pending = _changes.pending, _nothing()
            connection = transaction.get_connection()
            if completed and not (connection.in_atomic_block and connection.needs_rollback):
                _stale(**pending)


def touch(*, enrollments=(), cohorts=(), users=(), regions=()) -> None:
    """Make stale what shows these enrolments, cohorts, learners and regions (now, or at the
    end of the current batch)."""
    touched = {"enrollments": enrollments, "cohorts": cohorts, "users": users, "regions": regions}
    if _changes.depth:
        for kind, ids in touched.items():
            _changes.pending[kind].update(ids)
    else:
        _stale(**{kind: set(ids) for kind, ids in touched.items()})


def _stale(*, enrollments, cohorts, users, regions) -> None:
    """An enrolment stands for its cohort, learner and region; a cohort's regions go with it
    (its fill is on the page of each of its regions' coordinators)."""
    if enrollments:
        rows = Enrollment.objects.filter(pk__in=enrollments).values_list(
            "cohort_id", "user_id", "region_id"
        )
        for cohort_id, user_id, region_id in rows:
            cohorts.add(cohort_id)
            users.add(user_id)
            regions.add(region_id)
    cohorts.discard(None)
    if cohorts:
        regions |= set(
            Cohort.regions.through.objects.filter(cohort_id__in=cohorts).values_list(
                "region_id", flat=True
            )
        )
    bump(
        [cohort_scope(c) for c in cohorts]
        + [user_scope(u) for u in users if u is not None]
        + [region_scope(r) for r in regions if r is not None]
        + [EVERY_REGION]
    )


def _learner(user_id) -> None:
    """A learner's own change (name, modules studied) shows on their panel and every roster and
    coordinator page they are on."""
    rows = Enrollment.objects.filter(user_id=user_id).values_list("cohort_id", "region_id")
    touch(cohorts=[c for c, _r in rows], users=[user_id], regions=[r for _c, r in rows])


def enrollment_changed(sender, instance, **kwargs):
    touch(cohorts=[instance.cohort_id], users=[instance.user_id], regions=[instance.region_id])


def attendance_changed(sender, instance, **kwargs):
    touch(enrollments=[instance.enrollment_id])


def module_progress_changed(sender, instance, **kwargs):
    _learner(instance.user_id)


def user_changed(sender, instance, update_fields=None, **kwargs):
    if update_fields is not None and set(update_fields) <= {"last_login"}:
        return  # signing in changes nothing these pages show
    _learner(instance.pk)


def cohort_changed(sender, instance, **kwargs):
    touch(cohorts=[instance.pk])


def cohort_part_changed(sender, instance, **kwargs):
    """A seminar or a regional quota: the cohort's roster and fill."""
    touch(cohorts=[instance.cohort_id])


def cohort_regions_changed(sender, instance, action, reverse, pk_set=None, **kwargs):
    if not action.startswith("post_"):
        return
    if reverse:  # a region's cohorts changed: rare, from the region's side
        bump([ALL])
    else:
        touch(cohorts=[instance.pk], regions=pk_set or ())


def everything_changed(sender, **kwargs):
    bump([ALL])


def connect() -> None:
    for model, receiver in (
        (Enrollment, enrollment_changed),
        (Attendance, attendance_changed),
        (ModuleProgress, module_progress_changed),
        (Cohort, cohort_changed),
        (SeminarSession, cohort_part_changed),
        (RegionQuota, cohort_part_changed),
        (Course, everything_changed),
        (CourseModule, everything_changed),
        (Region, everything_changed),
        (Organisation, everything_changed),
    ):
        for signal in (post_save, post_delete):
            signal.connect(
                receiver, sender=model, dispatch_uid=f"courses-versions-{model.__name__}"
            )
    post_save.connect(user_changed, sender=User, dispatch_uid="courses-versions-user")
    post_delete.connect(user_changed, sender=User, dispatch_uid="courses-versions-user")
    m2m_changed.connect(
        cohort_regions_changed,
        sender=Cohort.regions.through,
        dispatch_uid="courses-versions-cohort-regions",
    )
