"""Wagtail pages. Other apps never import cms; cms may import them."""

from django.db import models
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.admin.panels import FieldPanel
from wagtail.documents.blocks import DocumentChooserBlock
from wagtail.embeds.blocks import EmbedBlock
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Page

from courses.selectors import module_reader


class HomePage(Page):
    """The site's front page: what the programme is, and where each kind of reader goes next."""

    lead = models.CharField(_("подзаголовок"), max_length=300, blank=True)
    intro = RichTextField(
        _("вступление"), blank=True, features=["bold", "italic", "link", "ol", "ul"]
    )
    body = StreamField(
        [
            ("heading", blocks.CharBlock(label=_("Заголовок"), form_classname="title")),
            ("paragraph", blocks.RichTextBlock(label=_("Текст"))),
            (
                "figures",
                blocks.ListBlock(
                    blocks.StructBlock(
                        [
                            ("value", blocks.CharBlock(label=_("Число"))),
                            ("label", blocks.CharBlock(label=_("Подпись"))),
                        ],
                        label=_("Показатель"),
                    ),
                    label=_("Показатели программы"),
                ),
            ),
        ],
        blank=True,
        verbose_name=_("содержание"),
    )

    content_panels = Page.content_panels + [
        FieldPanel("lead"),
        FieldPanel("intro"),
        FieldPanel("body"),
    ]

    max_count = 1
    parent_page_types = ["wagtailcore.Page"]
    template = "cms/home_page.html"

    class Meta:
        verbose_name = _("главная страница")

    def route(self, request, path_components):
        """Every address on the site is routed from here, the root: kept between requests."""
        from cms.routing import route_remembered

        return route_remembered(self, request, path_components, super().route)


class ModuleStreamBlock(blocks.StreamBlock):
    heading = blocks.CharBlock(
        label=_("Заголовок"), form_classname="title", template="cms/blocks/heading.html"
    )
    paragraph = blocks.RichTextBlock(label=_("Текст"))
    quote = blocks.BlockQuoteBlock(label=_("Цитата"))
    video = EmbedBlock(label=_("Видео"), help_text=_("Ссылка на видео (YouTube, VK, Rutube)."))
    handout = blocks.StructBlock(
        [
            ("document", DocumentChooserBlock(label=_("Документ"))),
            ("note", blocks.CharBlock(label=_("Пояснение"), required=False)),
        ],
        label=_("Раздаточный материал"),
        template="cms/blocks/handout.html",
    )
    exercise = blocks.StructBlock(
        [
            ("title", blocks.CharBlock(label=_("Название"))),
            ("instructions", blocks.RichTextBlock(label=_("Как выполнять"))),
        ],
        label=_("Упражнение"),
        template="cms/blocks/exercise.html",
    )
    reflection = blocks.ListBlock(
        blocks.CharBlock(label=_("Вопрос")),
        label=_("Вопросы для рефлексии"),
        template="cms/blocks/reflection.html",
    )


class ModuleIndexPage(Page):
    """The section that holds seminar module pages."""

    intro = RichTextField(_("вступление"), blank=True)

    content_panels = Page.content_panels + [FieldPanel("intro")]
    parent_page_types = ["cms.HomePage"]
    subpage_types = ["cms.SeminarModulePage"]
    max_count = 1
    template = "cms/module_index_page.html"

    class Meta:
        verbose_name = _("раздел модулей")


class SeminarModulePage(Page):
    """A seminar module's content. Its full text is for people of the course (learners of
    its cohorts, their trainers and coordinators) and editors; everyone else reads the summary
    and the course's public description."""

    summary = models.TextField(_("кратко о модуле"), help_text=_("Видят все, в том числе гости."))
    body = StreamField(ModuleStreamBlock(), blank=True, verbose_name=_("содержание"))

    content_panels = Page.content_panels + [FieldPanel("summary"), FieldPanel("body")]
    parent_page_types = ["cms.ModuleIndexPage"]
    subpage_types: list = []
    template = "cms/seminar_module_page.html"
    teaser_template = "cms/seminar_module_teaser.html"

    class Meta:
        verbose_name = _("модуль семинара")
        verbose_name_plural = _("модули семинаров")

    def serve(self, request, *args, **kwargs):
        reader = module_reader(request.user, self.pk)
        context = self.get_context(request, *args, **kwargs)
        context["reader"] = reader
        template = self.template if reader.can_read else self.teaser_template
        return TemplateResponse(request, template, context)


from .library import (  # noqa: E402  (the library's pages live beside the site's own)
    LibraryAttachment,
    LibraryDocument,
    LibraryIndexPage,
    LibraryPage,
    LibraryPhoto,
    PracticePage,
    Proposal,
    Reading,
    RecommendationPage,
    TargetGroup,
    Topic,
)

__all__ = [
    "HomePage",
    "LibraryAttachment",
    "LibraryDocument",
    "LibraryIndexPage",
    "LibraryPage",
    "LibraryPhoto",
    "ModuleIndexPage",
    "ModuleStreamBlock",
    "PracticePage",
    "Proposal",
    "Reading",
    "RecommendationPage",
    "SeminarModulePage",
    "TargetGroup",
    "Topic",
]
