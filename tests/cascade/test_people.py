"""The coordinator's merge of near-duplicate people: what is offered as a likely duplicate,
merging and unmerging from the page with the reach following, and who may do it."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cascade import services
from cascade.models import Person, likely_duplicates
from cascade.reach import reach_refresh
from cascade.tasks import reach_refresh as reach_refresh_task
from tests.cascade.conftest import past_event

pytestmark = pytest.mark.django_db


def listed(*rows):
    return [Person(full_name=name, organisation=organisation) for name, organisation in rows]


def names(groups):
    return [sorted(p.full_name for p in group) for group in groups]


def test_likely_duplicates_are_one_surname_with_agreeing_names_and_organisation():
    people = listed(
        ("Хабибуллина Айгуль Рифовна", "ЦСОН г. Уфы"),
        ("Хабибуллина А. Р.", "цсон  г. уфы"),
        ("Хабибуллина Айгуль Рифовна", "Отдел опеки г. Стерлитамака"),  # a namesake elsewhere
        ("Хабибуллина Гульнара Рифовна", "ЦСОН г. Уфы"),  # her sister
        ("Ахметова Зарина Ильдаровна", "ЦСОН г. Уфы"),
        ("Ахметова Зарина", "ЦСОН г. Уфы"),
        ("Ахметов Зарин Ильдарович", "ЦСОН г. Уфы"),  # another surname
    )
    assert names(likely_duplicates(people)) == [
        ["Ахметова Зарина", "Ахметова Зарина Ильдаровна"],
        ["Хабибуллина А. Р.", "Хабибуллина Айгуль Рифовна"],
    ]
    # A record with no organisation may be either namesake: all three are shown together.
    people.append(Person(full_name="Хабибуллина Айгуль", organisation=""))
    assert len(likely_duplicates(people)[1]) == 4


@pytest.fixture
def reached(people, django_capture_on_commit_callbacks):
    """An accepted event whose list spelled one participant twice."""
    event = past_event(people)
    services.participants_upload(
        event=event,
        uploaded=SimpleUploadedFile(
            "list.csv",
            "ФИО;Организация;Должность\n"
            "Хабибуллина Айгуль Рифовна;ЦСОН г. Уфы;психолог\n"
            "Хабибуллина А. Р.;ЦСОН г. Уфы;психолог\n"
            "Ахметова Зарина Ильдаровна;ЦСОН г. Уфы;специалист\n".encode(),
        ),
        by=people["lead"],
    )
    services.event_report(event=event, by=people["lead"], outcome="Итоги")
    with django_capture_on_commit_callbacks(execute=True):
        services.event_review(event=event, by=people["coordinator"], accept=True)
    return event


def total(client):
    page = client.get("/cascade/regions/35/").content.decode()
    return page.split("Обучено всего: ")[1].split(".")[0]


def test_the_coordinator_merges_a_near_duplicate_and_can_undo_it(
    client_as, people, reached, django_capture_on_commit_callbacks
):
    client = client_as(people["coordinator"])
    assert total(client) == "4"  # the lead, and three listed records
    page = client.get("/cascade/regions/35/people/").content.decode()
    assert page.count('data-testid="merge-group"') == 1
    assert "<td>Хабибуллина А. Р." in page and "<td>Ахметова" not in page
    full = Person.objects.get(full_name="Хабибуллина Айгуль Рифовна")
    short = Person.objects.get(full_name="Хабибуллина А. Р.")

    response = client.post(
        "/cascade/regions/35/people/merge/", {"keep": full.pk, "merge": [full.pk, short.pk]}
    )
    assert response.status_code == 302
    short.refresh_from_db()
    assert short.merged_into == full and short.merged_by == people["coordinator"]
    page = client.get("/cascade/regions/35/people/").content.decode()
    assert "Похожих записей нет." in page  # the group lost its second record at once
    assert "группы пересчитываются" in page  # and the refresh is still to run
    with django_capture_on_commit_callbacks(execute=True):
        reach_refresh_task.delay()
    assert total(client) == "3"
    page = client.get("/cascade/regions/35/people/").content.decode()
    assert "Похожих записей нет." in page and "пересчитываются" not in page
    assert "Объединённые записи" in page and people["coordinator"].get_full_name() in page

    with django_capture_on_commit_callbacks(execute=True):  # the refresh the undo asks for
        client.post(f"/cascade/people/{short.pk}/unmerge/")
    short.refresh_from_db()
    assert short.merged_into is None and short.merged_by is None
    assert total(client) == "4"


def test_a_search_finds_records_a_coordinator_knows_are_one_person(client_as, people, reached):
    """A surname changed on marriage is no likely duplicate, but the search shows both."""
    client = client_as(people["coordinator"])
    page = client.get("/cascade/regions/35/people/", {"q": "ахметова"}).content.decode()
    assert "<td>Ахметова Зарина Ильдаровна" in page and "<td>Хабибуллина" not in page
    page = client.get("/cascade/regions/35/people/", {"q": "цсон г. уфы"}).content.decode()
    assert page.count("<tr>") - 1 == 3  # the three records of the organisation
    ahmetova = Person.objects.get(full_name="Ахметова Зарина Ильдаровна")
    full = Person.objects.get(full_name="Хабибуллина Айгуль Рифовна")
    response = client.post(
        "/cascade/regions/35/people/merge/", {"keep": full.pk, "merge": [ahmetova.pk], "q": "уфы"}
    )
    assert response["Location"] == "/cascade/regions/35/people/?q=%D1%83%D1%84%D1%8B"
    assert Person.objects.get(pk=ahmetova.pk).merged_into == full


def test_merges_that_cannot_be_refused_with_a_message_and_nothing_saved(client_as, people, reached):
    client = client_as(people["coordinator"])
    full = Person.objects.get(full_name="Хабибуллина Айгуль Рифовна")
    short = Person.objects.get(full_name="Хабибуллина А. Р.")
    lead = Person.objects.get(user=people["lead"])
    joined = services._person_for_user(people["stranger"], lead.region_id)

    page = client.post(
        "/cascade/regions/35/people/merge/", {"keep": lead.pk, "merge": [joined.pk]}, follow=True
    ).content.decode()
    assert "две разные учётные записи" in page
    page = client.post(
        "/cascade/regions/35/people/merge/", {"keep": full.pk, "merge": [full.pk]}, follow=True
    ).content.decode()
    assert "Отметьте записи, которые нужно объединить" in page
    page = client.post(
        "/cascade/regions/35/people/merge/", {"merge": [short.pk]}, follow=True
    ).content.decode()
    assert "Выберите запись, которая останется" in page
    page = client.post(
        "/cascade/regions/35/people/merge/", {"keep": "x", "merge": ["1; drop"]}, follow=True
    ).content.decode()
    assert "Выберите запись, которая останется" in page
    page = client.post(
        "/cascade/regions/35/people/merge/", {"keep": full.pk, "merge": ["abc"]}, follow=True
    ).content.decode()
    assert "Отметьте записи, которые нужно объединить" in page
    page = client.post(f"/cascade/people/{full.pk}/unmerge/", follow=True).content.decode()
    assert "ни с кем не объединена" in page
    assert not Person.objects.filter(merged_into__isnull=False).exists()


def test_only_the_regions_coordinator_and_the_admin_merge(client_as, people, reached):
    full = Person.objects.get(full_name="Хабибуллина Айгуль Рифовна")
    short = Person.objects.get(full_name="Хабибуллина А. Р.")
    for user in (people["other_coordinator"], people["lead"], people["stranger"]):
        client = client_as(user)
        assert client.get("/cascade/regions/35/people/").status_code == 404
        merge = {"keep": full.pk, "merge": [short.pk]}
        assert client.post("/cascade/regions/35/people/merge/", merge).status_code == 404
    assert not Person.objects.filter(merged_into__isnull=False).exists()
    # A record of another region cannot be slipped into this region's merge.
    other = Person.objects.create(region_id=people["other_coordinator"].region_id, full_name="X")
    client = client_as(people["admin"])
    assert client.get("/cascade/regions/35/people/").status_code == 200
    page = client.post(
        "/cascade/regions/35/people/merge/", {"keep": other.pk, "merge": [short.pk]}, follow=True
    ).content.decode()
    assert "Выберите запись, которая останется" in page
    client.post("/cascade/regions/35/people/merge/", {"keep": full.pk, "merge": [short.pk]})
    assert Person.objects.get(pk=short.pk).merged_into == full
    assert (
        client_as(people["other_coordinator"])
        .post(f"/cascade/people/{short.pk}/unmerge/")
        .status_code
        == 404
    )
    assert Person.objects.get(pk=short.pk).merged_into == full


def test_the_page_costs_the_same_queries_for_few_and_many_duplicates(client_as, people):
    region_id = people["team"].region_id

    def spell(n):
        for i in range(n):
            Person.objects.create(region_id=region_id, full_name=f"Фамилия{i} Анна Ивановна")
            Person.objects.create(region_id=region_id, full_name=f"Фамилия{i} А. И.")
            merged = Person.objects.create(region_id=region_id, full_name=f"Иная{i} Вера")
            merged.merged_into = Person.objects.create(region_id=region_id, full_name=f"Иная{i} В.")
            merged.merged_by = people["coordinator"]
            merged.save()
        reach_refresh()  # what the task does after the lists change: names the groups

    client = client_as(people["coordinator"])
    spell(2)
    client.get("/cascade/regions/35/people/")
    with CaptureQueriesContext(connection) as few:
        assert (
            client.get("/cascade/regions/35/people/")
            .content.decode()
            .count('data-testid="merge-group"')
            == 2
        )
    spell(40)
    with CaptureQueriesContext(connection) as many:
        page = client.get("/cascade/regions/35/people/").content.decode()
    assert page.count('data-testid="merge-group"') == 42
    assert len(many) == len(few)
