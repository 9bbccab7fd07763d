import re

import pytest
from django.core import mail
from django.urls import reverse

from lms.models import ConsentRecord, ConsentText, Organisation, Role, User
from tests.factories import make_user, organisation, region

pytestmark = pytest.mark.django_db

SIGNUP = "/accounts/signup/"


def signup_data(**overrides):
    data = {
        "email": "new.specialist@example.org",
        "last_name": "Смирнова",
        "first_name": "Анна",
        "middle_name": "Сергеевна",
        "region": region("55").pk,
        "organisation": organisation("55", "Отдел опеки г. Омска").pk,
        "organisation_name": "",
        "position": "Специалист по опеке",
        "role": "specialist",
        "password1": "Надёжный-пароль-42",
        "password2": "Надёжный-пароль-42",
        "consent_version": ConsentText.objects.latest().version,
        "consent": "on",
    }
    data.update(overrides)
    return data


def confirmation_link():
    assert len(mail.outbox) == 1
    match = re.search(r"https?://[^/\s]+(/accounts/confirm-email/[^\s]+/)", mail.outbox[0].body)
    assert match, mail.outbox[0].body
    return match.group(1)


def test_signup_records_person_role_and_consent_then_verification_signs_in(client):
    response = client.post(SIGNUP, signup_data(), REMOTE_ADDR="203.0.113.7")
    assert response.status_code == 302

    user = User.objects.get(email="new.specialist@example.org")
    assert user.get_full_name() == "Смирнова Анна Сергеевна"
    assert user.region.code == "55"
    assert user.organisation.name == "Отдел опеки г. Омска"
    assert user.roles == {Role.SPECIALIST}
    assert user.effective_timezone == "Asia/Omsk"
    consent = ConsentRecord.objects.get(user=user)
    assert consent.text.version == "1.0"
    assert consent.ip_address == "203.0.113.7"

    # Not signed in until the e-mail is confirmed.
    assert client.get(reverse("dashboard")).status_code == 302
    link = confirmation_link()
    assert client.get(link).status_code == 200
    response = client.post(link, follow=True)
    assert response.redirect_chain[-1][0] == reverse("dashboard")
    assert "Здравствуйте, Анна Сергеевна!" in response.content.decode()


def test_a_new_organisation_typed_by_name_is_created_in_the_chosen_region(client):
    client.post(SIGNUP, signup_data(organisation="", organisation_name="Центр «Семья» г. Тара"))
    user = User.objects.get(email="new.specialist@example.org")
    assert user.organisation == Organisation.objects.get(name="Центр «Семья» г. Тара")
    assert user.organisation.region.code == "55"


def test_a_manager_can_sign_up_as_a_reader_of_the_library(client):
    client.post(SIGNUP, signup_data(role="manager"))
    assert User.objects.get(email="new.specialist@example.org").roles == {Role.MANAGER}


def test_staff_roles_cannot_be_taken_at_sign_up(client):
    response = client.post(SIGNUP, signup_data(role="admin"))
    assert response.status_code == 200
    assert not User.objects.exists()
    assert "Выберите корректный вариант" in response.content.decode()


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        (
            {"consent": ""},
            "Без согласия на обработку персональных данных зарегистрироваться нельзя.",
        ),
        ({"email": "не-почта"}, "Введите правильный адрес электронной почты."),
        ({"email": ""}, "Требуется заполнить это поле."),
        ({"first_name": ""}, "Требуется заполнить это поле."),
        ({"first_name": "Ж" * 101}, "не более 100 символов"),
        ({"password2": "Другой-пароль-42"}, "Вы должны ввести одинаковый пароль дважды."),
        ({"password1": "123", "password2": "123"}, "слишком коротк"),
        (
            {"organisation": "", "organisation_name": ""},
            "Выберите организацию или впишите её название.",
        ),
        ({"region": ""}, "Требуется заполнить это поле."),
        ({"consent_version": "0.9"}, "Текст согласия обновился."),
    ],
)
def test_bad_input_gets_a_clear_russian_message_and_creates_nothing(client, overrides, message):
    response = client.post(SIGNUP, signup_data(**overrides))
    page = response.content.decode()
    assert response.status_code == 200
    assert message in page
    assert not User.objects.exists()
    assert not ConsentRecord.objects.exists()
    # What the person typed is kept in the form.
    assert 'value="Смирнова"' in page


def test_organisation_from_another_region_is_refused(client):
    other = organisation("54", "Отдел опеки г. Новосибирска")
    response = client.post(SIGNUP, signup_data(organisation=other.pk))
    assert "находится в другом регионе: Новосибирская область" in response.content.decode()
    assert not User.objects.exists()


def test_signup_with_a_known_email_answers_like_a_new_one(client):
    make_user("new.specialist@example.org")
    known = client.post(SIGNUP, signup_data())
    mail.outbox.clear()
    unknown = client.post(SIGNUP, signup_data(email="someone.else@example.org"))
    assert known.status_code == unknown.status_code == 302
    assert known["Location"] == unknown["Location"]
    assert User.objects.filter(email="new.specialist@example.org").count() == 1


def test_the_consent_text_a_person_agreed_to_stays_readable(client, specialist):
    client.force_login(specialist)
    profile = client.get(reverse("profile")).content.decode()
    assert "Редакция 1.0" in profile
    text = client.get(reverse("consent_text", args=["1.0"])).content.decode()
    assert "152-ФЗ" in text
    assert client.get(reverse("consent_text", args=["9.9"])).status_code == 404
