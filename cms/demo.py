"""Demo content: the programme's targets (seed 000) on the home page, the pages of the demo
course's seminar modules, and the library (practices and recommendations retold from the
programme documents in library_content.py), each with a document to download."""

import datetime as dt
import io
import zipfile
from xml.sax.saxutils import escape

from django.core.files.base import ContentFile
from django.utils.html import strip_tags
from wagtail.documents import get_document_model

from courses.models import CourseModule
from lms.models import Region

from . import library_content
from .models import (
    HomePage,
    LibraryAttachment,
    LibraryIndexPage,
    ModuleIndexPage,
    PracticePage,
    RecommendationPage,
    SeminarModulePage,
    TargetGroup,
    Topic,
)

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
    _library(home)
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


def _library(home):
    if LibraryIndexPage.objects.exists():
        return
    for model, rows in (
        (Topic, library_content.TOPICS),
        (TargetGroup, library_content.TARGET_GROUPS),
    ):
        for order, (slug, name) in enumerate(rows):
            model.objects.get_or_create(slug=slug, defaults={"name": name, "order": order})
    index = home.add_child(
        instance=LibraryIndexPage(
            title="Библиотека практик и рекомендаций",
            slug="library",
            intro="<p>Методические рекомендации и лучшие практики регионов: что работает в "
            "профилактике социального сиротства и помощи семьям. Ищите по словам, выбирайте "
            "регион, тему и целевую группу.</p>",
            search_description="Методические рекомендации и лучшие практики органов опеки "
            "и попечительства из регионов России.",
        )
    )
    regions = {r.code: r for r in Region.objects.all()}
    for item in library_content.PRACTICES:
        page = PracticePage(
            title=item["title"],
            slug=item["slug"],
            summary=item["summary"],
            region=regions[item["region_code"]],
            year=item["year"],
            organisation=item["organisation"],
            period=item["period"],
            what_was_done=item["what_was_done"],
            results=item["results"],
            figures=[("figure", {"value": v, "label": label}) for v, label in item["figures"]],
            resources=item["resources"],
            contacts=item["contacts"],
        )
        _add(index, page, item, [item["summary"], item["what_was_done"], item["results"]])
    for item in library_content.RECOMMENDATIONS:
        page = RecommendationPage(
            title=item["title"],
            slug=item["slug"],
            summary=item["summary"],
            region=regions[item["region_code"]],
            year=item["year"],
            authors=item["authors"],
            body=list(item["body"]),
            status=item["status"],
            act_number=item["act_number"],
            act_date=dt.date.fromisoformat(item["act_date"]) if item["act_date"] else None,
        )
        texts = [item["summary"]] + [value for kind, value in item["body"]]
        _add(index, page, item, texts)
    _proposal_and_readers()


def _add(index, page, item, texts):
    page.topics = list(Topic.objects.filter(slug__in=item["topics"]))
    page.target_groups = list(TargetGroup.objects.filter(slug__in=item["target_groups"]))
    document = get_document_model()(title=f"{item['title']} — описание")
    document.file.save(f"{item['slug']}.docx", ContentFile(_docx(item["title"], texts)), save=False)
    document._set_document_file_metadata()  # size, hash and type, as the admin's upload sets
    document.save()
    page.attachments = [LibraryAttachment(document=document, note="Подробное описание, DOCX")]
    index.add_child(instance=page)
    page.save_revision().publish()


DEMO_PROPOSAL = {
    "title": "Клуб замещающих семей «Вместе»",
    "organisation": "Управление социальной защиты населения",
    "period": "2024–2025",
    "year": 2025,
    "summary": "Ежемесячные встречи замещающих родителей с психологом и специалистом опеки: "
    "обмен опытом, разбор трудных ситуаций, поддержка в первые годы после приёма ребёнка.",
    "what_was_done": "Раз в месяц в районных центрах собирали замещающих родителей.\n\n"
    "Встречи вели психолог и специалист органа опеки, темы выбирали сами семьи.",
    "results": "За год в клубе участвовали 46 семей; ни один ребёнок из них не возвращён "
    "в организацию.",
    "resources": "Помещение, психолог на 8 часов в месяц.",
    "contacts": "",
}


def _proposal_and_readers():
    """A practice the demo manager proposed, waiting in moderation, and a few readers from the
    programme's regions, so the editors' queue and the reading figures are not empty."""
    from lms.models import User

    from .models import LibraryPage, Reading
    from .services import practice_propose

    people = {
        u.email.split("@")[0]: u for u in User.objects.filter(email__endswith="@demo.opeka.local")
    }
    manager = people.get("manager")
    if manager is None:
        return
    practice_propose(
        proposer=manager,
        content={
            **DEMO_PROPOSAL,
            "region": manager.region,
            "topics": Topic.objects.filter(slug__in=["substitute-families", "family-support"]),
            "target_groups": TargetGroup.objects.filter(slug="substitute-families"),
        },
        files=[],
    )
    pages = list(LibraryPage.objects.live().order_by("pk"))
    Reading.objects.bulk_create(
        [
            Reading(page=page, user=user, region_id=user.region_id)
            for n, user in enumerate(people.values())
            for page in pages[n % 3 :: 2]
        ],
        ignore_conflicts=True,
    )


def _docx(title: str, texts: list[str]) -> bytes:
    """A minimal Word document: the title and the texts as paragraphs."""
    paragraphs = [title] + [
        line
        for text in texts
        for line in strip_tags(text.replace("</p>", "\n").replace("</li>", "\n")).splitlines()
        if line.strip()
    ]
    body = "".join(
        f"<w:p><w:r><w:t>{escape(line.strip())}</w:t></w:r></w:p>" for line in paragraphs
    )
    parts = {
        "[Content_Types].xml": (
            '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/'
            'package/2006/content-types"><Default Extension="rels" ContentType="application/'
            'vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" '
            'ContentType="application/xml"/><Override PartName="/word/document.xml" ContentType='
            '"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>'
            "</Types>"
        ),
        "_rels/.rels": (
            '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.'
            'openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://'
            'schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
            'Target="word/document.xml"/></Relationships>'
        ),
        "word/document.xml": (
            '<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="http://schemas.'
            'openxmlformats.org/wordprocessingml/2006/main"><w:body>'
            + body
            + "</w:body></w:document>"
        ),
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, xml in parts.items():
            archive.writestr(name, xml)
    return buffer.getvalue()
