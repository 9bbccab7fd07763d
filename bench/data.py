"""Grow the demo programme to the "large" size the benchmark measures, in bulk.

On top of ``manage.py demo``: 1,000 more learners. 100 join the running Bashkortostan cohort
(the roster under test grows to about a hundred people) and 20 the recruiting Novosibirsk one;
the other 880 fill 40 more cohorts of the demo course across the seven programme regions
(finished, running and recruiting), 22 learners each, with six seminars per cohort, attendance
for every seminar already held and module progress. Capacities are raised to hold the seats
taken, so the data keeps the platform's invariants.

The library (cms app, /library/) gets 10,000 good practices under the demo's index page, in 40
regions (the seven programme regions weigh four times as much as the 33 others), years
2010–2026, one to three topics and one or two target groups each, with Russian texts built from
word lists so that a search for «семья», «опекун», «наставничество» or «выпускники» finds some
of them, not all. They are written in bulk, as Wagtail would have left them after publishing
(live, first_published_at, tree path and url_path, the index's numchild) but without revisions,
and added to Wagtail's search index (the database backend) in chunks.

Idempotent: the learners have e-mails under ``@bench.opeka.local`` and the practices slugs
starting with ``bench-practice-``; each part is added only if none of its rows exist. Import
only after ``django.setup()``.
"""

import datetime as dt
import random

from django.contrib.auth.hashers import make_password
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import Count, F, Q
from django.utils import timezone
from wagtail.models import Page
from wagtail.search.backends import get_search_backend
from wagtail.search.models import IndexEntry

from cms.models import LibraryIndexPage, LibraryPage, PracticePage, TargetGroup, Topic
from courses.demo import COURSE_SLUG
from courses.models import (
    SEAT_STATUSES,
    Attendance,
    Cohort,
    Course,
    CourseModule,
    Enrollment,
    ModuleProgress,
    SeminarSession,
)
from lms.demo import ORGANISATIONS
from lms.models import Organisation, Region, Role, RoleAssignment, User

DOMAIN = "@bench.opeka.local"
UFA_EXTRA = 100
NSK_EXTRA = 20
EXTRA_COHORTS = 40
PER_COHORT = 22
SESSIONS_PER_COHORT = 6

LAST_NAMES = ["Иванова", "Смирнова", "Кузнецова", "Попова", "Васильева", "Петрова", "Соколова"]
FIRST_NAMES = ["Анна", "Мария", "Елена", "Ольга", "Наталья", "Ирина", "Светлана", "Татьяна"]
MIDDLE_NAMES = ["Александровна", "Сергеевна", "Викторовна", "Игоревна", "Павловна"]

Status = Enrollment.Status

LIBRARY_PRACTICES = 10_000
LIBRARY_SLUG = "bench-practice-"
LIBRARY_OTHER_REGIONS = 33  # besides the seven programme regions, which weigh four times more
LIBRARY_DEMO_REGIONS = ["35", "38", "22", "72"]  # the demo practices' regions, always among them
LIBRARY_BATCH = 1000  # rows per INSERT
LIBRARY_INDEX_BATCH = 250  # pages per search index INSERT

# Word lists for the practices' texts. Words a reader searches for («семья», «опекун»,
# «наставничество», «выпускники») are in some variants only, so a search finds a share of the
# library, not all of it. (format, in the accusative)
FORMATS = [
    ("Школа", "школу"),
    ("Клуб", "клуб"),
    ("Служба", "службу"),
    ("Программа", "программу"),
    ("Проект", "проект"),
    ("Мастерская", "мастерскую"),
    ("Лаборатория", "лабораторию"),
    ("Площадка", "площадку"),
    ("Марафон", "марафон"),
    ("Стажировка", "стажировку"),
    ("Консультационный пункт", "консультационный пункт"),
    ("Модель", "модель"),
]
NAMES = [
    "Вместе",
    "Шаг навстречу",
    "Опора",
    "Точка роста",
    "Новый дом",
    "Ресурс",
    "Мост",
    "Свой путь",
    "Маяк",
    "Рядом",
    "Территория детства",
    "Крылья",
    "Дорога домой",
    "Открытые двери",
    "Горизонт",
    "Тёплый дом",
    "Равновесие",
    "Старт",
]
# For whom, in the genitive, by target group slug.
AUDIENCES = {
    "birth-families": [
        "кровных семей",
        "родителей, воспитывающих детей в трудных условиях",
        "матерей с детьми раннего возраста",
        "родителей в кризисе",
    ],
    "substitute-families": [
        "замещающих семей",
        "приёмных родителей и опекунов",
        "приёмных родителей",
        "кандидатов в приёмные родители",
    ],
    "children-with-disabilities": [
        "детей с инвалидностью и их родителей",
        "детей с ОВЗ",
        "детей с особенностями развития",
    ],
    "care-leavers": [
        "выпускников организаций для детей-сирот",
        "подростков, готовящихся к самостоятельной жизни",
        "молодых людей, покинувших детский дом",
    ],
    "families-in-danger": [
        "семей в социально опасном положении",
        "родителей в социально опасном положении",
        "детей из группы риска",
    ],
    "specialists": [
        "специалистов органов опеки",
        "специалистов системы профилактики",
        "социальных работников и психологов",
    ],
    "families-in-difficulty": [
        "семей в трудной жизненной ситуации",
        "родителей в трудной жизненной ситуации",
        "многодетных и малообеспеченных родителей",
    ],
    "managers": [
        "руководителей профильных ведомств",
        "руководителей учреждений",
        "руководителей органов опеки",
    ],
}
ORGANISATIONS_KINDS = [
    "Центр помощи детям, оставшимся без попечения родителей",
    "Социально-реабилитационный центр для несовершеннолетних",
    "Комплексный центр социального обслуживания населения",
    "Отдел опеки и попечительства администрации муниципального района",
    "Центр психолого-педагогической, медицинской и социальной помощи",
    "Ресурсный центр для приёмных родителей",
    "Центр социальной помощи семье и детям",
    "Благотворительный фонд помощи детям-сиротам",
    "Учебно-методический центр развития социального обслуживания",
    "Министерство социального развития, опеки и попечительства",
]
ACTORS = ["Специалисты центра", "Сотрудники учреждения", "Орган опеки и НКО", "Сотрудники отдела"]
ACTORS += ["Трансляторы района", "Психологи и социальные педагоги"]
LAUNCHED = ["запустили", "создали", "открыли", "выстроили", "опробовали"]
# By topic slug: a sentence for the summary, and what was done.
TOPIC_LINES = {
    "prevention": [
        "Главное — раньше узнавать о неблагополучии и помогать до того, как ребёнок окажется в "
        "учреждении.",
        "Работа строится на раннем выявлении трудностей и помощи родителям на месте.",
    ],
    "family-support": [
        "Каждой семье назначают куратора, который составляет план помощи вместе с родителями.",
        "Куратор сопровождает родителей полгода и привлекает нужных специалистов.",
        "Помощь на дому сочетается с группами поддержки и консультациями юриста.",
    ],
    "substitute-families": [
        "Приёмным родителям помогают в первый год, когда ребёнок привыкает к новому дому.",
        "Особое внимание — подготовке к приёму подростков, братьев и сестёр.",
    ],
    "staff-training": [
        "Специалисты учатся на семинарах-тренингах и разборе реальных случаев.",
        "Обучение дополнено регулярными супервизиями и стажировками.",
    ],
    "interagency": [
        "Школы, поликлиники, полиция и социальные службы действуют по общему регламенту.",
        "Решения по сложным случаям принимает межведомственный консилиум.",
    ],
    "early-age": [
        "Помощь начинается с первых месяцев жизни ребёнка и идёт через домашние визиты.",
        "Служба ранней помощи работает с детьми до трёх лет и их мамами.",
    ],
    "case-management": [
        "Каждый случай ведёт один куратор: от оценки потребностей до закрытия.",
        "Оценка потребностей ребёнка и ресурсов родителей повторяется каждые три месяца.",
    ],
    "supervision": [
        "Специалисты раз в месяц разбирают трудные случаи с супервизором.",
        "Супервизии помогают удерживать качество работы и не выгорать.",
    ],
    "best-practices": [
        "Лучшие решения района описаны и переданы коллегам из соседних территорий.",
        "Опыт собран в сборник и обсуждён на региональном форуме.",
    ],
    "burnout-prevention": [
        "Для сотрудников работают группы поддержки и программа наставничества.",
        "Руководители следят за нагрузкой и проводят интервизии.",
    ],
}
ACTIVITIES = {
    "prevention": [
        "раннее выявление неблагополучия вместе со школами и поликлиниками",
        "выезды мобильной бригады в отдалённые сёла",
        "индивидуальные планы помощи ребёнку и родителям",
        "горячая линия для родителей и соседей",
    ],
    "family-support": [
        "сопровождение на дому в течение полугода",
        "консультации психолога и юриста",
        "группы поддержки для родителей",
        "помощь в оформлении пособий и поиске работы",
    ],
    "substitute-families": [
        "школа приёмных родителей с занятиями по выходным",
        "встречи клуба приёмных родителей раз в месяц",
        "сопровождение в период адаптации ребёнка",
        "летний лагерь для приёмных детей и их родителей",
    ],
    "staff-training": [
        "семинары-тренинги для специалистов района",
        "разбор случаев в малых группах",
        "стажировки в соседних районах",
        "обучение трансляторов из числа прошедших курс",
    ],
    "interagency": [
        "межведомственный консилиум по каждому случаю помещения ребёнка в учреждение",
        "общая база случаев для всех служб района",
        "соглашения с полицией, школами и больницами",
    ],
    "early-age": [
        "служба ранней помощи",
        "домашнее визитирование",
        "консультации по развитию ребёнка до трёх лет",
    ],
    "case-management": [
        "ведение случая куратором",
        "оценка потребностей ребёнка",
        "семейные конференции",
    ],
    "supervision": [
        "групповые супервизии раз в месяц",
        "индивидуальная супервизия для новых сотрудников",
        "балинтовские группы",
    ],
    "best-practices": [
        "конкурс практик района",
        "сборник лучших практик",
        "стажировочная площадка для коллег",
    ],
    "burnout-prevention": [
        "тренинги профилактики выгорания",
        "интервизии",
        "программа наставничества для молодых специалистов",
    ],
}
GROUP_ACTIVITIES = {
    "care-leavers": [
        "наставничество для выпускников детских домов",
        "тренировочная квартира",
        "помощь в поиске работы и жилья",
    ],
    "substitute-families": [
        "консультации юриста по устройству ребёнка",
        "группы для приёмных детей",
    ],
    "birth-families": ["восстановление связей ребёнка с родителями", "родительские группы"],
}
RESULTS = [
    "участников, прошедших программу целиком: {n}",
    "детей, вернувшихся к родителям из учреждений: {k}",
    "специалистов, обученных новым инструментам: {n}",
    "число детей, помещённых в учреждения, снизилось на {p} %",
    "{p} % участников оценили помощь как полезную",
    "районов области, перенявших опыт: {k}",
    "обращений, разобранных на консилиуме: {n}",
]
GROUP_RESULTS = {
    "care-leavers": ["выпускников, нашедших работу: {k}", "молодых людей, получивших жильё: {k}"],
    "substitute-families": [
        "детей, обретших приёмных родителей: {k}",
        "опекунов, прошедших обучение: {k}",
    ],
    "birth-families": ["детей, оставшихся в семье благодаря своевременной помощи: {n}"],
    "specialists": ["специалистов, прошедших супервизию: {n}"],
}
FIGURES = [
    ("{n}", "человек получили помощь"),
    ("{k}", "специалистов в команде"),
    ("{p}%", "снижение числа помещений детей в учреждения"),
    ("{k}", "районов переняли опыт"),
    ("{n}", "консультаций за год"),
]
PEOPLE = [
    "психолог, социальный педагог и куратор случаев",
    "специалисты органа опеки и волонтёры",
    "команда из пяти специалистов центра",
    "кураторы, юрист и медицинский работник",
]
MONEY = [
    "средства регионального бюджета",
    "грант Фонда поддержки детей, находящихся в трудной жизненной ситуации",
    "президентский грант",
    "бюджет учреждения, без дополнительных расходов",
]


# What a cohort's enrolments look like at each stage: mostly seats, some applications waiting.
STATUS_MIX = {
    Cohort.Status.FINISHED: [Status.COMPLETED] * 17 + [Status.ENROLLED] * 3,
    Cohort.Status.RUNNING: [Status.ENROLLED] * 17 + [Status.WAITLISTED, Status.PENDING],
    Cohort.Status.RECRUITING: [Status.ENROLLED] * 11 + [Status.PENDING] * 9,
}


def attendance_mark(rng) -> str:
    """A mark for a seminar held: mostly present."""
    return rng.choices(
        [Attendance.Status.PRESENT, Attendance.Status.ABSENT, Attendance.Status.EXCUSED],
        weights=[85, 10, 5],
    )[0]


def seminars(cohort, modules, starts, zone, url) -> list[SeminarSession]:
    """The cohort's online seminars, one per module, a fortnight apart from ``starts``."""
    return [
        SeminarSession(
            cohort=cohort,
            title=module.title,
            module=module,
            starts_at=starts + dt.timedelta(days=14 * k),
            ends_at=starts + dt.timedelta(days=14 * k, hours=6),
            timezone=zone,
            format=SeminarSession.Format.ONLINE,
            online_url=url,
        )
        for k, module in enumerate(modules[:SESSIONS_PER_COHORT])
    ]


def grow() -> bool:
    """Add the bench data unless it is there already; True if anything was added."""
    added = False
    if not User.objects.filter(email__endswith=DOMAIN).exists():
        with transaction.atomic():
            _Grower().run()
        added = True
    if not LibraryPage.objects.filter(slug__startswith=LIBRARY_SLUG).exists():
        with transaction.atomic():
            _Library().run()
        added = True
    return added


def sizes() -> dict[str, int]:
    live = LibraryPage.objects.live()
    return {
        "users": User.objects.count(),
        "cohorts": Cohort.objects.count(),
        "seminar sessions": SeminarSession.objects.count(),
        "enrolments (all statuses)": Enrollment.objects.count(),
        "enrolments holding a seat": Enrollment.objects.filter(status__in=SEAT_STATUSES).count(),
        "attendance rows": Attendance.objects.count(),
        "module progress rows": ModuleProgress.objects.count(),
        "library pages, live (practices)": live.filter(kind=LibraryPage.Kind.PRACTICE).count(),
        "library pages, live (recommendations)": live.filter(
            kind=LibraryPage.Kind.RECOMMENDATION
        ).count(),
        "library regions with a live page": live.values("region").distinct().count(),
        "library page–topic rows": LibraryPage.topics.through.objects.count(),
        "library page–target group rows": LibraryPage.target_groups.through.objects.count(),
        "search index entries (all models)": IndexEntry.objects.count(),
    }


class _Grower:
    def __init__(self):
        self.rng = random.Random(2026)  # noqa: S311 - test data, not security
        self.now = timezone.now()
        self.course = Course.objects.get(slug=COURSE_SLUG)
        self.modules = list(CourseModule.objects.filter(course=self.course).order_by("order"))
        self.trainer = User.objects.get(email="trainer@demo.opeka.local")
        self.regions = {r.code: r for r in Region.objects.filter(code__in=ORGANISATIONS)}
        self.organisations = {
            code: list(Organisation.objects.filter(region__code=code)) for code in ORGANISATIONS
        }
        self.coordinators = {
            a.region.code: a.user
            for a in RoleAssignment.objects.filter(role=Role.COORDINATOR).select_related(
                "region", "user"
            )
        }
        self.serial = 0

    def run(self):
        demo = Cohort.objects.filter(course=self.course).order_by("pk")
        ufa = demo.filter(regions__code="02", status=Cohort.Status.RUNNING).first()
        nsk = demo.filter(regions__code="54").first()
        self._fill(ufa, ["02"], UFA_EXTRA)
        self._fill(nsk, ["54", "55"], NSK_EXTRA)
        codes = list(ORGANISATIONS)
        kinds = [Cohort.Status.FINISHED, Cohort.Status.RUNNING, Cohort.Status.RECRUITING]
        for n in range(EXTRA_COHORTS):
            code = codes[n % len(codes)]
            cohort = self._cohort(n, code, kinds[n % len(kinds)])
            self._fill(cohort, [code], PER_COHORT)
        # Keep "seats taken never exceed capacity" true for the data added in bulk.
        for cohort in Cohort.objects.annotate(
            taken=Count("enrollments", filter=Q(enrollments__status__in=SEAT_STATUSES))
        ).filter(taken__gt=F("capacity")):
            cohort.capacity = cohort.taken
            cohort.save(update_fields=["capacity"])

    def _cohort(self, n, code, status):
        starts = {
            Cohort.Status.FINISHED: self.now - dt.timedelta(days=200 + n),
            Cohort.Status.RUNNING: self.now - dt.timedelta(days=40 + n % 10),
            Cohort.Status.RECRUITING: self.now + dt.timedelta(days=30 + n % 10),
        }[status]
        cohort = Cohort.objects.create(
            course=self.course,
            title=f"Поток Б-{n + 1:02d} — {self.regions[code].name}",
            status=status,
            capacity=25,
            starts_on=starts.date(),
            ends_on=(starts + dt.timedelta(days=90)).date(),
            applications_open_at=starts - dt.timedelta(days=40),
            applications_close_at=starts - dt.timedelta(days=1),
            coordinator=self.coordinators.get(code),
        )
        cohort.regions.add(self.regions[code])
        cohort.trainers.add(self.trainer)
        SeminarSession.objects.bulk_create(
            seminars(
                cohort,
                self.modules,
                starts,
                self.regions[code].timezone,
                "https://meet.example.org/opeka-bench",
            )
        )
        return cohort

    def _statuses(self, cohort, count):
        mix = STATUS_MIX[cohort.status]
        return [mix[k % len(mix)] for k in range(count)]

    def _fill(self, cohort, codes, count):
        users = User.objects.bulk_create(self._person(codes[k % len(codes)]) for k in range(count))
        RoleAssignment.objects.bulk_create(
            RoleAssignment(user=u, role=Role.SPECIALIST) for u in users
        )
        enrollments = Enrollment.objects.bulk_create(
            Enrollment(
                user=u,
                cohort=cohort,
                region_id=u.region_id,
                status=status,
                position=u.position,
                organisation_name=u.organisation.name,
                applied_at=self.now - dt.timedelta(days=60),
                decided_at=self.now - dt.timedelta(days=50) if status in SEAT_STATUSES else None,
                waitlisted_at=self.now - dt.timedelta(days=50)
                if status == Status.WAITLISTED
                else None,
                completed_at=self.now - dt.timedelta(days=5)
                if status == Status.COMPLETED
                else None,
            )
            for u, status in zip(users, self._statuses(cohort, count), strict=True)
        )
        held = list(cohort.sessions.filter(ends_at__lt=self.now).order_by("starts_at"))
        attendance, progress = [], []
        for e in enrollments:
            if e.status not in SEAT_STATUSES:
                continue
            done = e.status == Status.COMPLETED
            for session in held:
                attendance.append(
                    Attendance(
                        session=session,
                        enrollment=e,
                        status=Attendance.Status.PRESENT if done else attendance_mark(self.rng),
                        marked_by=self.trainer,
                        marked_at=session.ends_at,
                    )
                )
            studied = len(self.modules) if done else self.rng.randint(0, len(held))
            progress += [
                ModuleProgress(user_id=e.user_id, module=m) for m in self.modules[:studied]
            ]
        Attendance.objects.bulk_create(attendance)
        ModuleProgress.objects.bulk_create(progress)

    def _person(self, code):
        self.serial += 1
        return User(
            email=f"learner{self.serial:04d}{DOMAIN}",
            last_name=self.rng.choice(LAST_NAMES),
            first_name=self.rng.choice(FIRST_NAMES),
            middle_name=self.rng.choice(MIDDLE_NAMES),
            region=self.regions[code],
            organisation=self.rng.choice(self.organisations[code]),
            position="Специалист отдела опеки и попечительства",
            password=make_password(None),  # cannot sign in; the bench signs in demo people
        )


class _Library:
    """10,000 live practices under the library's index, written in bulk (see the docstring)."""

    def __init__(self):
        self.rng = random.Random(2027)  # noqa: S311 - test data, not security
        self.now = timezone.now()
        self.index = LibraryIndexPage.objects.get()
        programme = list(Region.objects.filter(in_programme=True).order_by("code"))
        demo = list(Region.objects.filter(code__in=LIBRARY_DEMO_REGIONS).order_by("code"))
        others = list(
            Region.objects.filter(in_programme=False)
            .exclude(code__in=LIBRARY_DEMO_REGIONS)
            .order_by("code")
        )
        others = demo + self.rng.sample(others, LIBRARY_OTHER_REGIONS - len(demo))
        self.regions = programme + others
        self.region_weights = [4] * len(programme) + [1] * len(others)
        self.topics = {t.slug: t.pk for t in Topic.objects.all()}
        self.groups = {g.slug: g.pk for g in TargetGroup.objects.all()}
        # The first topics and groups of the demo's lists are the library's common ones.
        self.topic_weights = [max(1, 10 - k) for k in range(len(self.topics))]
        self.group_weights = [max(2, 8 - k) for k in range(len(self.groups))]
        self.years = list(range(2010, 2027))
        self.year_weights = [1 + k for k in range(len(self.years))]  # more of them recently

    def run(self):
        content_type = ContentType.objects.get_for_model(PracticePage)
        depth = self.index.depth + 1
        last = (
            Page.objects.filter(path__startswith=self.index.path, depth=depth)
            .order_by("-path")
            .values_list("path", flat=True)
            .first()
        )
        step = Page._str2int(last[-Page.steplen :]) if last else 0
        pages = [
            self._practice(n, Page._get_path(self.index.path, depth, step + n), content_type)
            for n in range(1, LIBRARY_PRACTICES + 1)
        ]
        # Page → LibraryPage → PracticePage: bulk_create refuses multi-table models, so the
        # three tables are written in turn, the children with the parents' ids.
        fields = [f.attname for f in Page._meta.local_concrete_fields if not f.primary_key]
        rows = Page.objects.bulk_create(
            [Page(**{name: getattr(p, name) for name in fields}) for p in pages],
            batch_size=LIBRARY_BATCH,
        )
        for page, row in zip(pages, rows, strict=True):
            page.id = page.page_ptr_id = page.librarypage_ptr_id = row.pk
        for model in (LibraryPage, PracticePage):
            fields = model._meta.local_concrete_fields
            for k in range(0, len(pages), LIBRARY_BATCH):
                model._base_manager._insert(pages[k : k + LIBRARY_BATCH], fields=fields)
        topics = LibraryPage.topics.through
        topics.objects.bulk_create(
            (topics(librarypage_id=p.pk, topic_id=t) for p in pages for t in p.bench_topics),
            batch_size=LIBRARY_BATCH * 5,
        )
        groups = LibraryPage.target_groups.through
        groups.objects.bulk_create(
            (groups(librarypage_id=p.pk, targetgroup_id=g) for p in pages for g in p.bench_groups),
            batch_size=LIBRARY_BATCH * 5,
        )
        LibraryIndexPage.objects.filter(pk=self.index.pk).update(
            numchild=F("numchild") + len(pages)
        )
        for page in pages:
            # modelsearch asks a page for its text five times (title, body, autocomplete and
            # their plain-text copies); strip_tags on each ask would be a third of this step.
            text = page.search_text()
            page.search_text = lambda text=text: text
        backend = get_search_backend()
        for k in range(0, len(pages), LIBRARY_INDEX_BATCH):
            backend.add_bulk(PracticePage, pages[k : k + LIBRARY_INDEX_BATCH])

    def _practice(self, n, path, content_type):
        rng = self.rng
        region = rng.choices(self.regions, self.region_weights)[0]
        year = rng.choices(self.years, self.year_weights)[0]
        topics = self._pick(self.topics, self.topic_weights, rng.choice([1, 1, 2, 2, 3]))
        groups = self._pick(self.groups, self.group_weights, rng.choice([1, 1, 2]))
        form, form_acc = rng.choice(FORMATS)
        name = rng.choice(NAMES)
        audience = rng.choice(AUDIENCES[groups[0]])
        if rng.random() < 0.5:
            title = f"{form} «{name}» для {audience}"
        else:
            title = f"{form} «{name}»: {rng.choice(ACTIVITIES[topics[0]])}"
        organisation = f"{rng.choice(ORGANISATIONS_KINDS)} ({region.name})"
        months = rng.randint(6, 48)
        summary = " ".join(
            [
                f"{rng.choice(ACTORS)} {rng.choice(LAUNCHED)} {form_acc} «{name}» для {audience}.",
                rng.choice(TOPIC_LINES[topics[0]]),
                f"Итоги за {months} мес.: {self._numbers(rng.choice(RESULTS))}.",
            ]
        )
        activities = [a for t in topics for a in ACTIVITIES[t]]
        activities += [a for g in groups for a in GROUP_ACTIVITIES.get(g, [])]
        done = rng.sample(activities, min(len(activities), rng.randint(3, 5)))
        results = [r for g in groups for r in GROUP_RESULTS.get(g, [])] + RESULTS
        got = rng.sample(results, rng.randint(2, 4))
        figures = rng.sample(FIGURES, rng.randint(2, 3))
        # Published in the last three years, not before the year the practice began.
        since = max(dt.datetime(year, 1, 1, tzinfo=dt.UTC), self.now - dt.timedelta(days=3 * 365))
        since = min(since, self.now - dt.timedelta(days=1))
        published = since + (self.now - since) * rng.random()
        slug = f"{LIBRARY_SLUG}{n:05d}"
        page = PracticePage(
            title=title,
            draft_title=title,
            slug=slug,
            path=path,
            depth=self.index.depth + 1,
            numchild=0,
            url_path=f"{self.index.url_path}{slug}/",
            content_type=content_type,
            locale_id=self.index.locale_id,
            live=True,
            has_unpublished_changes=False,
            first_published_at=published,
            last_published_at=published,
            kind=LibraryPage.Kind.PRACTICE,
            summary=summary,
            region=region,
            year=year,
            organisation=organisation,
            period=f"{year}–{year + months // 12}" if months >= 12 else str(year),
            what_was_done=(
                f"<p>{rng.choice(TOPIC_LINES[topics[-1]])}</p><ul>"
                + "".join(f"<li>{a[:1].upper()}{a[1:]}.</li>" for a in done)
                + "</ul>"
            ),
            results="<ul>"
            + "".join(f"<li>{self._numbers(r[:1].upper() + r[1:])}.</li>" for r in got)
            + "</ul>",
            figures=[
                ("figure", {"value": self._numbers(value), "label": label})
                for value, label in figures
            ],
            resources=(
                f"<ul><li><strong>Люди:</strong> {rng.choice(PEOPLE)}.</li>"
                f"<li><strong>Время:</strong> {months} мес.</li>"
                f"<li><strong>Деньги:</strong> {rng.choice(MONEY)}.</li></ul>"
            ),
            contacts=f"{organisation}. Контакты — через региональный орган опеки и попечительства.",
        )
        page.attachments = []  # in memory: the search index asks for documents' text
        page.bench_topics = [self.topics[t] for t in topics]
        page.bench_groups = [self.groups[g] for g in groups]
        return page

    def _numbers(self, text: str) -> str:
        rng = self.rng
        return text.format(n=rng.randint(12, 480), k=rng.randint(2, 40), p=rng.randint(5, 45))

    def _pick(self, choices: dict, weights: list, count: int) -> list[str]:
        """``count`` different keys of ``choices``, drawn by ``weights``."""
        keys = list(choices)
        picked = []
        while len(picked) < count:
            key = self.rng.choices(keys, weights)[0]
            if key not in picked:
                picked.append(key)
        return picked
