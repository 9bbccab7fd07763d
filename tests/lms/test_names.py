"""Names are stored as they print: no invisible characters, NFC, one space; documents use the
holder's own grammatical form."""

import pytest
from django.urls import reverse

from lms.models import Organisation, User
from lms.names import clean_name, gender_from_patronymic, in_gender
from tests.factories import make_user, region

pytestmark = pytest.mark.django_db

RLO, ZWSP, LRM, SOFT_HYPHEN, NBSP = "\u202e", "\u200b", "\u200e", "\u00ad", "\u00a0"
DECOMPOSED_I = "и\u0306"  # «й» as «и» plus a combining breve


@pytest.mark.parametrize(
    "typed, stored",
    [
        (f"{RLO}Анна", "Анна"),
        (f"Ан{ZWSP}на", "Анна"),
        (f"{LRM}Петрова{SOFT_HYPHEN}", "Петрова"),
        (f"Андре{DECOMPOSED_I}", "Андрей"),
        (f"  Анна{NBSP}Мария\t\nПетрова ", "Анна Мария Петрова"),
        ("Римма\u2066\u2069", "Римма"),
        ("Салтыков-Щедрин", "Салтыков-Щедрин"),
    ],
)
def test_names_are_cleaned(typed, stored):
    assert clean_name(typed) == stored
    assert len(clean_name(f"Андре{DECOMPOSED_I}")) == 6


def test_names_are_cleaned_on_every_way_into_the_database():
    user = make_user("a@example.org", last_name=f"{RLO}Иванова", first_name=f"Ма{ZWSP}рия")
    assert (user.last_name, user.first_name) == ("Иванова", "Мария")  # save()
    User.objects.filter(pk=user.pk).update(middle_name=f"Петровна{RLO}")  # update()
    user.refresh_from_db()
    assert user.middle_name == "Петровна"
    User.objects.bulk_create(
        [User(email="b@example.org", last_name=f"{LRM}Смирнова", first_name="Анна")]
    )
    assert User.objects.get(email="b@example.org").last_name == "Смирнова"
    Organisation.objects.bulk_create([Organisation(name=f"ЦСОН{RLO}", region=region("54"))])
    assert Organisation.objects.filter(name="ЦСОН").exists()


def test_the_profile_saves_a_cleaned_name(client):
    user = make_user("c@example.org", role="specialist")
    client.force_login(user)
    response = client.post(
        reverse("profile"),
        {
            "last_name": f"{RLO}Петрова",
            "first_name": f"Мария{ZWSP}",
            "middle_name": "",
            "gender": "",
            "region": region("54").pk,
            "organisation": str(user.organisation_id),
            "organisation_name": "",
            "position": "Специалист",
            "phone": "",
            "timezone": "",
            "language": "ru",
        },
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.get_full_name() == "Петрова Мария"


def test_a_name_of_invisible_characters_only_is_refused(client):
    user = make_user("d@example.org", role="specialist")
    client.force_login(user)
    response = client.post(reverse("profile"), {"last_name": RLO + ZWSP, "first_name": "Мария"})
    assert response.status_code == 200
    assert 'id="id_last_name_error"' in response.content.decode()
    user.refresh_from_db()
    assert user.last_name == "Иванова"


@pytest.mark.parametrize(
    "name, gender",
    [
        ("Сергеевна", "f"),
        ("Ильинична", "f"),
        ("Смирнова Анна Сергеевна", "f"),
        ("Алиева Лейла Гусейн кызы", "f"),
        ("Сергеевич", "m"),
        ("Ильич", "m"),
        ("Мамедов Эльдар Гусейн оглы", "m"),
        ("Мамедов Эльдар Гусейн-оглы", "m"),
        ("", "n"),
        ("Смирнова Анна", "n"),
    ],
)
def test_the_form_is_proposed_from_the_patronymic(name, gender):
    assert gender_from_patronymic(name) == gender


def test_neutral_words_take_the_holders_form():
    text = "прошёл(а) обучение; прошёл(-ла) курс; принял(а) участие; зачислен(а)"
    assert in_gender(text, "f") == "прошла обучение; прошла курс; приняла участие; зачислена"
    assert in_gender(text, "m") == "прошёл обучение; прошёл курс; принял участие; зачислен"
    assert in_gender(text, "n") == text


def test_the_persons_own_choice_wins_over_the_patronymic(client):
    user = make_user("e@example.org", role="specialist", middle_name="Сергеевна")
    assert user.document_gender == "f"
    client.force_login(user)
    page = client.get(reverse("profile")).content.decode()
    assert "по отчеству (сейчас: женская" in page
    user.gender = "n"
    user.save()
    assert user.document_gender == "n"


def test_names_on_lists_are_cleaned_too():
    """What a coordinator's list or a cascade team's list brings in: the enrolment's
    organisation (printed on certificates) and the cascade person's ФИО and organisation."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from cascade.models import Person
    from courses.importing import roster_import
    from courses.models import Enrollment
    from tests.factories import make_cohort

    coordinator = make_user("c02@example.org", role="coordinator", region_code="02", totp=True)
    listing = (
        f"ФИО;E-mail;Организация;Должность\nПетрова Анна;p@example.org;{RLO}ЦСОН{ZWSP};психолог"
    )
    cohort = make_cohort(regions=("02",))
    report = roster_import(
        cohort=cohort, uploaded=SimpleUploadedFile("l.csv", listing.encode()), by=coordinator
    )
    assert report.saved
    assert Enrollment.objects.get(cohort=cohort).organisation_name == "ЦСОН"

    Person.objects.bulk_create(
        [Person(region=region("02"), full_name=f"{RLO}Белова Нина", organisation=f"ООП{LRM}")]
    )
    person = Person.objects.get()
    assert (person.full_name, person.organisation) == ("Белова Нина", "ООП")
