"""The reach per region and wave (the cascade's home and region pages) is counted from the
partial index person_reached alone on PostgreSQL, whatever the number of persons."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cascade.models import Person
from cascade.reach import reach_by_wave
from tests.factories import region

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]


def test_reach_is_counted_by_an_index_only_scan(postgres):
    here = region("35")
    Person.objects.bulk_create(
        Person(region=here, full_name=f"Иванова Мария {n}", key=f"k{n}", wave=1 + n % 2)
        for n in range(40)
    )
    with CaptureQueriesContext(connection) as queries:
        assert reach_by_wave([here.pk]) == {here.pk: {1: 20, 2: 20}}
    sql = queries[-1]["sql"]
    with connection.cursor() as cursor:
        # A small table is read whole whatever its indexes: forbid that, to see what the
        # planner can use once the programme is national.
        cursor.execute("SET enable_seqscan = off")
        try:
            cursor.execute("EXPLAIN " + sql)
            explained = "\n".join(row[0] for row in cursor.fetchall())
        finally:
            cursor.execute("RESET enable_seqscan")
    assert "person_reached" in explained, explained
    assert "Index Only Scan" in explained, explained
