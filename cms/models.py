"""Wagtail pages. Other apps never import cms; cms may import them."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.admin.panels import FieldPanel
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Page


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
