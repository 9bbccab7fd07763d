"""The demo programme's people: organisations of the seven regions and a person of every role.

Each app may have a ``demo`` module with ``load(stdout)``; ``manage.py demo`` calls them in
INSTALLED_APPS order. Every loader is idempotent.
"""

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.conf import settings

from lms import services
from lms.models import Organisation, Region, Role, User

DEMO_PASSWORD = "demo-opeka-2026"  # noqa: S105 - published on purpose, DEBUG only

# region code -> organisations (guardianship authorities and institutions)
ORGANISATIONS = {
    "02": [
        ("Отдел опеки и попечительства Администрации городского округа город Уфа", "authority"),
        ("Центр сопровождения замещающих семей «Остров надежды», Уфа", "institution"),
    ],
    "74": [
        ("Управление социальной защиты населения г. Челябинска, отдел опеки", "authority"),
        ("Центр помощи детям, оставшимся без попечения родителей, г. Копейск", "institution"),
    ],
    "45": [
        ("Отдел опеки и попечительства Администрации г. Кургана", "authority"),
    ],
    "55": [
        ("Отдел опеки и попечительства Министерства образования Омской области", "authority"),
        ("Омский центр профилактики социального сиротства", "institution"),
    ],
    "54": [
        ("Отдел опеки и попечительства мэрии г. Новосибирска", "authority"),
        ("Новосибирский центр семейного устройства «Семья для ребёнка»", "institution"),
    ],
    "70": [
        ("Отдел опеки и попечительства Администрации г. Томска", "authority"),
    ],
    "50": [
        ("Окружное управление социального развития № 5, Подольск", "authority"),
        ("Центр «Моя семья», Мытищи", "institution"),
    ],
}

# (e-mail, фамилия, имя, отчество, region code, organisation index, position, roles)
PEOPLE = [
    (
        "admin@demo.opeka.local",
        "Соколова",
        "Ирина",
        "Викторовна",
        "50",
        0,
        "Руководитель программы",
        [Role.ADMIN],
    ),
    (
        "editor@demo.opeka.local",
        "Морозов",
        "Андрей",
        "Павлович",
        "50",
        1,
        "Методист, редактор библиотеки",
        [Role.EDITOR],
    ),
    (
        "trainer@demo.opeka.local",
        "Лебедева",
        "Марина",
        "Сергеевна",
        "50",
        1,
        "Тренер, супервизор",
        [Role.TRAINER],
    ),
    (
        "coordinator.ufa@demo.opeka.local",
        "Галиев",
        "Ринат",
        "Маратович",
        "02",
        0,
        "Региональный координатор",
        [Role.COORDINATOR],
    ),
    (
        "coordinator.nsk@demo.opeka.local",
        "Кузнецова",
        "Ольга",
        "Игоревна",
        "54",
        0,
        "Региональный координатор",
        [Role.COORDINATOR],
    ),
    (
        "specialist.ufa@demo.opeka.local",
        "Хасанова",
        "Алсу",
        "Ильдаровна",
        "02",
        0,
        "Главный специалист отдела опеки",
        [Role.SPECIALIST],
    ),
    (
        "specialist.omsk@demo.opeka.local",
        "Петров",
        "Денис",
        "Алексеевич",
        "55",
        0,
        "Специалист по опеке и попечительству",
        [Role.SPECIALIST],
    ),
    (
        "specialist.nsk@demo.opeka.local",
        "Иванова",
        "Екатерина",
        "Николаевна",
        "54",
        0,
        "Ведущий специалист отдела опеки",
        [Role.SPECIALIST],
    ),
    (
        "manager@demo.opeka.local",
        "Васильев",
        "Сергей",
        "Петрович",
        "74",
        0,
        "Начальник управления опеки",
        [Role.MANAGER],
    ),
]

STAFF_ROLES = set(settings.LMS_MFA_REQUIRED_ROLES)


def load(stdout):
    regions = {r.code: r for r in Region.objects.filter(code__in=ORGANISATIONS)}
    organisations = {
        code: [
            Organisation.objects.get_or_create(
                region=regions[code], name=name, defaults={"kind": kind}
            )[0]
            for name, kind in rows
        ]
        for code, rows in ORGANISATIONS.items()
    }
    for row in PEOPLE:
        _person(row, regions, organisations)


def _person(row, regions, organisations):
    email, last, first, middle, code, org_index, position, roles = row
    user, created = User.objects.get_or_create(
        email=email,
        defaults={
            "last_name": last,
            "first_name": first,
            "middle_name": middle,
            "region": regions[code],
            "organisation": organisations[code][org_index],
            "position": position,
        },
    )
    if created:
        user.set_password(DEMO_PASSWORD)
        user.save(update_fields=["password"])
        services.consent_record(user=user, text=services.consent_text_current())
    EmailAddress.objects.get_or_create(
        user=user, email=email, defaults={"verified": True, "primary": True}
    )
    for role in roles:
        region = regions[code] if role == Role.COORDINATOR else None
        services.role_grant(user=user, role=role, region=region)
    if (
        STAFF_ROLES & set(roles)
        and not Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()
    ):
        TOTP.activate(user, generate_totp_secret())


def print_logins(stdout):
    stdout.write("Демо-программа готова. Входы (пароль у всех один):")
    order = [row[0] for row in PEOPLE]
    people = sorted(User.objects.filter(email__in=order), key=lambda u: order.index(u.email))
    for user in people:
        roles = ", ".join(str(Role(r).label) for r in Role.values if r in user.roles)
        stdout.write(f"  {user.email:<36} {roles}")
    stdout.write(f"  пароль: {DEMO_PASSWORD}")
    if settings.MFA_TOTP_INSECURE_BYPASS_CODE:
        stdout.write(
            "  Координаторам, редактору и администратору нужен код второго фактора: в режиме "
            f"разработки подходит {settings.MFA_TOTP_INSECURE_BYPASS_CODE}."
        )
