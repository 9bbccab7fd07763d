"""Bulk enrolment of a cohort from an uploaded list: all rows or none.

Every row is checked first and reported (enrolled, already in the cohort, error with the reason).
If any row has an error, or the seats do not suffice, nothing is saved. New people get an
account and an invitation to set their password; they accept the consent text at first sign-in.
"""

from dataclasses import dataclass, field

from allauth.account.models import EmailAddress
from django.db import transaction
from django.utils.timezone import now
from django.utils.translation import gettext as _

from lms.models import Organisation, Role, User
from lms.notify import notify
from lms.services import role_grant, user_invite

from . import versions
from .models import SEAT_STATUSES, Cohort, Enrollment
from .roster_file import RosterError, RosterRow, parse_roster
from .services import Seats, cohort_locked


@dataclass
class ImportLine:
    row: RosterRow
    outcome: str  # "enrolled", "invited", "existing"

    @property
    def label(self):
        return {
            "enrolled": _("зачислен(а)"),
            "invited": _("зачислен(а), отправлено приглашение"),
            "existing": _("уже в потоке"),
        }[self.outcome]


@dataclass
class ImportReport:
    lines: list[ImportLine] = field(default_factory=list)
    errors: list[RosterError] = field(default_factory=list)
    saved: bool = False

    @property
    def enrolled_count(self):
        return sum(1 for line in self.lines if line.outcome != "existing")

    @property
    def existing_count(self):
        return sum(1 for line in self.lines if line.outcome == "existing")


def _region_for_new_people(cohort: Cohort, by):
    regions = list(cohort.regions.all())
    mine = [r for r in regions if r.pk in by.coordinated_region_ids()]
    return (mine or regions)[0]


def roster_import(*, cohort: Cohort, uploaded, by, request=None) -> ImportReport:
    rows, errors = parse_roster(uploaded)
    report = ImportReport(errors=errors)
    if errors:
        return report
    # What the new learners make stale (rosters, panels) is found once for the whole list.
    with transaction.atomic(), versions.batch():
        cohort = cohort_locked(cohort.pk)
        region = _region_for_new_people(cohort, by)
        seats = Seats(cohort)
        existing_users = {
            u.email: u
            for u in User.objects.filter(email__in=[r.email for r in rows]).select_related("region")
        }
        enrolled_ids = set(
            Enrollment.objects.filter(
                cohort=cohort, user__in=existing_users.values(), status__in=SEAT_STATUSES
            ).values_list("user_id", flat=True)
        )
        elsewhere = set(
            Enrollment.objects.active()
            .filter(user__in=existing_users.values(), cohort__course=cohort.course)
            .exclude(cohort=cohort)
            .values_list("user_id", flat=True)
        )
        # Applications to this cohort that the list turns into enrolments.
        applications = {
            e.user_id: e
            for e in Enrollment.objects.filter(
                cohort=cohort,
                user__in=existing_users.values(),
                status__in=[Enrollment.Status.PENDING, Enrollment.Status.WAITLISTED],
            )
        }
        organisations = {}
        new_enrollments = []
        for row in rows:
            user = existing_users.get(row.email)
            if user is not None and user.pk in enrolled_ids:
                report.lines.append(ImportLine(row, "existing"))
                continue
            if user is not None and user.pk in elsewhere:
                report.errors.append(
                    RosterError(
                        row.line,
                        _(
                            "Строка %(line)s: %(email)s уже учится или подал(а) заявку "
                            "в другом потоке "
                            "этого курса; переведите его (её) из того потока."
                        )
                        % {"line": row.line, "email": row.email},
                    )
                )
                continue
            learner_region = user.region if user is not None and user.region_id else region
            if refusal := seats.refusal(learner_region.pk):
                report.errors.append(
                    RosterError(
                        row.line,
                        _("Строка %(line)s: %(refusal)s") % {"line": row.line, "refusal": refusal},
                    )
                )
                continue
            seats.take(learner_region.pk)
            if report.errors:
                continue  # nothing will be saved: only the remaining rows' problems matter
            invited = user is None
            if invited:
                user = _create_person(row, region, organisations)
            application = applications.get(user.pk)
            if application is not None:
                application.status = Enrollment.Status.ENROLLED
                application.decided_by = by
                application.decided_at = now()
                application.save(update_fields=["status", "decided_by", "decided_at"])
            else:
                new_enrollments.append(
                    Enrollment(
                        user=user,
                        cohort=cohort,
                        region=learner_region,
                        status=Enrollment.Status.ENROLLED,
                        position=row.position,
                        organisation_name=row.organisation,
                        decided_by=by,
                        decided_at=now(),
                    )
                )
            report.lines.append(ImportLine(row, "invited" if invited else "enrolled"))
            context = {"cohort": cohort, "course": cohort.course}
            if invited:
                user_invite(user=user, request=request, context=context)
            else:
                notify(user, "courses/email/application_enrolled", context)
        if report.errors:
            transaction.set_rollback(True)  # nothing half-imported
            report.lines = []
            return report
        Enrollment.objects.bulk_create(new_enrollments)  # everything kept is stale (BULK)
        report.saved = True
    return report


def _create_person(row: RosterRow, region, organisations: dict) -> User:
    """An account for someone new on the list; ``organisations`` keeps the list's organisations
    by name, so each is looked up once."""
    organisation = organisations.get(row.organisation)
    if organisation is None:
        organisation, _created = Organisation.objects.get_or_create(
            region=region, name=row.organisation, defaults={"kind": Organisation.Kind.OTHER}
        )
        organisations[row.organisation] = organisation
    user = User.objects.create_user(
        email=row.email,
        password=None,
        last_name=row.last_name,
        first_name=row.first_name,
        middle_name=row.middle_name,
        position=row.position,
        region=region,
        organisation=organisation,
    )
    EmailAddress.objects.create(user=user, email=row.email, verified=True, primary=True)
    role_grant(user=user, role=Role.SPECIALIST)
    return user
