"""Demo content: the programme's targets (seed 000) on the home page, and the pages of the
demo course's seminar modules."""

from courses.models import CourseModule

from .models import HomePage, ModuleIndexPage, SeminarModulePage

TARGETS = [
    {"value": "175", "label": "специалистов из 7 регионов — цель обучения программы"},
    {"value": "7", "label": "регионов с командами трансляторов"},
    {"value": "80", "label": "управленцев из 30 регионов — читатели лучших практик"},
]


def load(stdout):
    home = HomePage.objects.first()
    if home is None:
        return
    _module_pages(home)
    if home.body:
        return
    home.body = [
        ("heading", "Цели программы"),
        ("figures", TARGETS),
        (
            "paragraph",
            "<p>Семинары-тренинги и система супервизий помогают специалистам органов опеки "
            "работать с кровными и замещающими семьями в семейно-ориентированном подходе. "
            "Выпускники объединяются в команды трансляторов и передают опыт коллегам в своих "
            "регионах.</p>",
        ),
    ]
    home.save_revision().publish()


MODULE_TEXT = {
    1: (
        "Как меняется роль органов опеки: от контроля к организации помощи семье.",
        "Органы опеки и попечительства всё чаще управляют региональной системой профилактики "
        "социального сиротства: организуют раннее выявление неблагополучия и помощь семьям на "
        "разных этапах кризиса. В модуле разбираем, какие функции это добавляет специалисту.",
        [
            "Какие из ваших ежедневных задач относятся к контролю, а какие — к помощи семье?",
            "Что мешает вашему отделу раньше узнавать о семьях в трудной ситуации?",
        ],
    ),
    2: (
        "Принципы семейно-ориентированного подхода и инструменты, которые из них следуют.",
        "Семья — главный ресурс ребёнка. Специалист опирается на сильные стороны семьи, "
        "вовлекает её в планирование помощи и сохраняет ребёнка в семье, когда это безопасно.",
        [
            "Вспомните случай, где удалось опереться на ресурсы семьи. Что помогло?",
            "Как вы объясняете родителям цель вашей работы при первой встрече?",
        ],
    ),
}


def _module_pages(home):
    """A page for every module of the demo course, linked to its CourseModule."""
    modules = CourseModule.objects.filter(page__isnull=True).select_related("course")
    if not modules:
        return
    index = ModuleIndexPage.objects.first()
    if index is None:
        index = home.add_child(
            instance=ModuleIndexPage(
                title="Модули семинаров",
                slug="modules",
                intro="<p>Материалы семинаров-тренингов программы. Полные тексты доступны "
                "слушателям курсов.</p>",
            )
        )
    for module in modules:
        summary, text, questions = MODULE_TEXT.get(
            module.order,
            (
                f"Модуль курса «{module.course.title}».",
                "Материалы модуля: теория, разбор случаев и упражнения для семинара-тренинга.",
                ["Что из материала модуля вы примените в работе на следующей неделе?"],
            ),
        )
        page = index.add_child(
            instance=SeminarModulePage(
                title=module.title,
                slug=f"module-{module.pk}",
                summary=summary,
                body=[
                    ("paragraph", f"<p>{text}</p>"),
                    (
                        "exercise",
                        {
                            "title": "Разбор случая в малых группах",
                            "instructions": "<p>Разделитесь на группы по 3–4 человека. "
                            "Обсудите случай из практики одного участника по "
                            "схеме: ситуация — ресурсы семьи — риски — шаги "
                            "помощи.</p>",
                        },
                    ),
                    ("reflection", questions),
                ],
            )
        )
        module.page = page
        module.save(update_fields=["page"])
