"""Reach: how many people the cascade reached in each region, and in which wave.

Wave 1 are the programme's graduates (completed enrolments, in the region they studied from).
A translator teaches in the wave after their own: a graduate's trainees are wave 2, the
trainees of someone trained in wave 2 are wave 3. A translator who is neither a graduate nor
trained in the cascade (an expert admitted with a stated reason) teaches as the first line, so
their trainees are wave 2 as well; the expert is not counted as reached.

A person is counted once per region, at the lowest wave that reaches them: ``Person`` is found
by account, or by normalised ФИО and organisation, and duplicates a coordinator merged count as
the record they were merged into. Waves are computed for the whole programme at once (a
translator's own wave may come from another region) and stored on ``Person``, so pages only
count rows.

The waves are refreshed in Celery, never in a request: at national size one refresh takes
seconds, and a marking that completes a whole cohort would otherwise run it once per learner.
A write that changes who is reached calls `refresh_requested()` in its transaction: it leaves a
`ReachRequest` row and queues `cascade.tasks.reach_refresh` after the commit. The task takes
the lock row, refreshes once for every request it finds, and deletes those; the tasks queued
by the same batch then find nothing and return at once.
"""

import heapq
from collections import defaultdict

from django.db import transaction
from django.db.models import Count, F
from django.utils.timezone import now

from courses.models import Enrollment
from lms.queueing import enqueue_on_commit

from .models import (
    Event,
    Participation,
    Person,
    ReachRefresh,
    ReachRequest,
    likely_duplicates,
    normalised,
    person_key,
)

FIRST_LINE = 1


@transaction.atomic
def reach_refresh() -> int:
    """Recompute every person's wave from graduates, accepted events and merges. Returns how
    many people changed wave. Idempotent; cheap enough to run on every acceptance or merge."""
    _graduates_as_persons()
    persons = list(Person.objects.only("pk", "user_id", "merged_into_id", "wave"))
    root = _roots(persons)
    graduates = Person.objects.filter(
        user__enrollments__status=Enrollment.Status.COMPLETED,
        user__enrollments__region_id=F("region_id"),
    ).values_list("pk", flat=True)
    wave = {root[pk]: FIRST_LINE for pk in graduates}

    participants = defaultdict(set)  # accepted event -> root persons
    trained = set()  # root persons who attended an accepted event
    for event_id, person_id in Participation.objects.filter(
        event__status=Event.Status.ACCEPTED
    ).values_list("event_id", "person_id"):
        participants[event_id].add(root[person_id])
        trained.add(root[person_id])
    events_of_trainer = defaultdict(list)
    for event_id, user_id in Event.trainers.through.objects.filter(
        event__status=Event.Status.ACCEPTED
    ).values_list("event_id", "user_id"):
        events_of_trainer[user_id].append(event_id)
    roots_of_user, users_of_root = defaultdict(set), defaultdict(set)
    for person in persons:
        if person.user_id:
            roots_of_user[person.user_id].add(root[person.pk])
            users_of_root[root[person.pk]].add(person.user_id)

    # Dijkstra over unit steps: events taken in order of their best translator's wave.
    heap = []
    for user_id, event_ids in events_of_trainer.items():
        roots = roots_of_user.get(user_id, set())
        known = [wave[r] for r in roots if r in wave]
        if known:
            own = min(known)
        elif not roots & trained:
            own = FIRST_LINE  # an admitted expert, never trained in the cascade
        else:
            continue  # trained in the cascade: pushed when their own trainer's event is taken
        for event_id in event_ids:
            heapq.heappush(heap, (own, event_id))
    done = set()
    while heap:
        own, event_id = heapq.heappop(heap)
        if event_id in done:
            continue
        done.add(event_id)
        for person in participants[event_id]:
            if person in wave and wave[person] <= own + 1:
                continue
            wave[person] = own + 1
            for user_id in users_of_root.get(person, ()):
                for next_event in events_of_trainer.get(user_id, ()):
                    if next_event not in done:
                        heapq.heappush(heap, (own + 1, next_event))

    changed = []
    for person in persons:
        new = wave.get(person.pk) if root[person.pk] == person.pk else None
        if person.wave != new:
            person.wave = new
            changed.append(person)
    Person.objects.bulk_update(changed, ["wave"], batch_size=1000)
    _duplicates_refresh()
    return len(changed)


def _duplicates_refresh() -> None:
    """Name every region's groups of likely duplicates on their records (``duplicates_group``),
    so that the coordinator's page of repeats reads a few groups instead of comparing the
    whole region on every view."""
    by_region = defaultdict(list)
    people = Person.objects.only("pk", "region_id", "full_name", "organisation", "merged_into_id")
    for person in people.order_by("pk").iterator(chunk_size=2000):
        by_region[person.region_id].append(person)
    changed = []
    for persons in by_region.values():
        group_of = {}
        live = [p for p in persons if p.merged_into_id is None]
        for group in likely_duplicates(live):
            first = min(group, key=lambda p: p.pk)
            for person in group:
                group_of[person.pk] = f"{normalised(first.full_name)[:300]} {first.pk}"
        for person in persons:
            new = group_of.get(person.pk, "")
            if person.duplicates_group != new:
                person.duplicates_group = new
                changed.append(person)
    Person.objects.bulk_update(changed, ["duplicates_group"], batch_size=1000)


def refresh_requested() -> None:
    """Ask for the waves to be refreshed once the current transaction commits."""
    from .tasks import reach_refresh as reach_refresh_task

    ReachRequest.objects.create()
    enqueue_on_commit(reach_refresh_task)  # lost with the broker down: beat serves the row


def refresh_pending(*, nowait: bool = False) -> int:
    """Refresh the waves if any write asked for it since the last refresh; returns how many
    requests were served (0: nothing to do). One refresh at a time, under the lock row; with
    ``nowait`` a refresh already running raises OperationalError instead of being waited for
    (the task then retries later, and does not hold a worker meanwhile)."""
    with transaction.atomic():
        lock, _created = ReachRefresh.objects.select_for_update(nowait=nowait).get_or_create(pk=1)
        pending = list(ReachRequest.objects.values_list("pk", flat=True))
        if not pending:
            return 0
        lock.changed = reach_refresh()
        lock.refreshed_at = now()
        lock.save(update_fields=["changed", "refreshed_at"])
        ReachRequest.objects.filter(pk__in=pending).delete()
    return len(pending)


def on_enrollment_completed(sender, enrollment_id, **kwargs):
    """A new graduate is wave 1 of their region from the day they complete."""
    refresh_requested()


def reach_by_wave(region_ids=None) -> dict:
    """{region_id: {wave: people}}, each person once and merged duplicates not at all. People
    only on lists of events not (yet) accepted have no wave and are not counted."""
    people = Person.objects.filter(merged_into__isnull=True, wave__isnull=False)
    if region_ids is not None:
        people = people.filter(region_id__in=region_ids)
    result = defaultdict(dict)
    for region_id, wave, count in (
        # COUNT(*), not of a column: the partial index person_reached then answers alone.
        people.values_list("region_id", "wave").annotate(n=Count("*")).order_by()
    ):
        result[region_id][wave] = count
    return dict(result)


def _graduates_as_persons() -> None:
    """Every graduate is a person of the region they studied from (wave 1), so meeting them
    again at a cascade event does not count them twice."""
    have = set(Person.objects.filter(user__isnull=False).values_list("user_id", "region_id"))
    new = {}
    completed = Enrollment.objects.filter(status=Enrollment.Status.COMPLETED).select_related(
        "user__organisation"
    )
    for enrollment in completed:
        key = (enrollment.user_id, enrollment.region_id)
        if key in have or key in new:
            continue
        user = enrollment.user
        organisation = enrollment.organisation_name or (
            user.organisation.name if user.organisation else ""
        )
        new[key] = Person(
            region_id=enrollment.region_id,
            user=user,
            full_name=user.get_full_name(),
            organisation=organisation,
            email=user.email,
            key=person_key(user.get_full_name(), organisation),
        )
    Person.objects.bulk_create(new.values(), ignore_conflicts=True)


def _roots(persons) -> dict[int, int]:
    """Each person's record that counts: ``merged_into`` followed to its end."""
    parent = {p.pk: p.merged_into_id for p in persons}
    root = {}
    for pk in parent:
        path, current = [], pk
        while parent.get(current) and current not in path:
            path.append(current)
            current = parent[current]
        for visited in [*path, current]:
            root[visited] = current
    return root
