"""Two refreshes of the waves never overlap, and a task finding one running does not wait for
it: PostgreSQL, a second connection holding the lock row."""

import threading

import pytest
from django.db import OperationalError, connection, transaction

from cascade.models import ReachRefresh, ReachRequest
from cascade.reach import refresh_pending

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_a_refresh_finding_another_running_gives_way_at_once(postgres):
    ReachRequest.objects.create()
    locked, release = threading.Event(), threading.Event()

    def running_refresh():
        with transaction.atomic():
            ReachRefresh.objects.select_for_update().get(pk=1)
            locked.set()
            release.wait(10)
        connection.close()

    thread = threading.Thread(target=running_refresh)
    thread.start()
    try:
        assert locked.wait(10)
        with pytest.raises(OperationalError):
            refresh_pending(nowait=True)
        assert ReachRequest.objects.count() == 1  # still pending, for the retry
    finally:
        release.set()
        thread.join(10)
    assert refresh_pending(nowait=True) == 1
    assert not ReachRequest.objects.exists()
