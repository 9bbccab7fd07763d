"""The library: methodological recommendations and good practices, their managed lists (topics,
target groups), the documents attached to them and who read them.

``LibraryPage`` holds what every library page has and is filtered on (region, year, topics,
target groups, kind); ``RecommendationPage`` and ``PracticePage`` add their own fields. One
concrete parent table lets the index filter, count and page through both kinds in one query.
"""

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.html import strip_tags
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey, ParentalManyToManyField
from wagtail import blocks
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel, MultiFieldPanel
from wagtail.documents.models import AbstractDocument
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Orderable, Page
from wagtail.search import index

from cms.search import NormalisedSearchField
from lms.models import Region
from lms.storage import private_storage

SIMPLE_TEXT = ["bold", "italic", "link", "ol", "ul"]


class ManagedList(models.Model):
    """A list editors keep in the admin (Snippets), so pages pick from it, not type."""

    name = models.CharField(_("название"), max_length=120, unique=True)
    slug = models.SlugField(_("адрес"), max_length=60, unique=True)
    order = models.PositiveSmallIntegerField(_("порядок"), default=0)

    panels = [FieldPanel("name"), FieldPanel("slug"), FieldPanel("order")]

    class Meta:
        abstract = True
        ordering = ["order", "name"]

    def __str__(self):
        return self.name


class Topic(ManagedList):
    class Meta(ManagedList.Meta):
        verbose_name = _("тема")
        verbose_name_plural = _("темы")


class TargetGroup(ManagedList):
    class Meta(ManagedList.Meta):
        verbose_name = _("целевая группа")
        verbose_name_plural = _("целевые группы")


class LibraryDocument(AbstractDocument):
    """Every document of the site (library attachments, module handouts).

    Kept in private storage: there is no media URL to guess, and Wagtail's serving view, with
    the ``before_serve_document`` hook in cms/wagtail_hooks.py, decides who gets the file.
    ``text`` is the document's own text, extracted after upload, so the library's search finds
    what is inside a PDF or DOCX.
    """

    file = models.FileField(storage=private_storage, upload_to="documents", verbose_name=_("файл"))
    text = models.TextField(_("текст документа"), blank=True, editable=False)
    # When reading the text was last handed to Celery, and when it was read (None: not yet, or
    # the file was replaced since): cms.tasks.documents_text_sweep hands over what was lost.
    text_queued_at = models.DateTimeField(default=timezone.now, editable=False)
    text_read_at = models.DateTimeField(null=True, blank=True, editable=False)

    admin_form_fields = ("title", "file", "collection", "tags")
    search_fields = AbstractDocument.search_fields + [index.SearchField("text")]

    class Meta(AbstractDocument.Meta):
        verbose_name = _("документ")
        verbose_name_plural = _("документы")
        permissions = [("choose_document", "Can choose document")]


class LibraryIndexPage(Page):
    """The library's front: filters, search and the list of recommendations and practices."""

    intro = RichTextField(_("вступление"), blank=True, features=SIMPLE_TEXT)

    content_panels = Page.content_panels + [FieldPanel("intro")]
    parent_page_types = ["cms.HomePage"]
    subpage_types = ["cms.RecommendationPage", "cms.PracticePage"]
    max_count = 1
    template = "cms/library_index_page.html"

    class Meta:
        verbose_name = _("библиотека")

    def serve(self, request, *args, **kwargs):
        from cms.library import index_response

        return index_response(self, request)


class LibraryPage(Page):
    """What recommendations and practices share. Not created on its own."""

    class Kind(models.TextChoices):
        RECOMMENDATION = "recommendation", _("Методическая рекомендация")
        PRACTICE = "practice", _("Практика")

    kind = models.CharField(_("вид"), max_length=20, choices=Kind.choices, editable=False)
    summary = models.TextField(
        _("кратко"), max_length=600, help_text=_("Два-три предложения: видно в списке и в поиске.")
    )
    region = models.ForeignKey(
        Region, on_delete=models.PROTECT, related_name="+", verbose_name=_("регион")
    )
    year = models.PositiveSmallIntegerField(_("год"))
    topics = ParentalManyToManyField(Topic, related_name="pages", verbose_name=_("темы"))
    target_groups = ParentalManyToManyField(
        TargetGroup, related_name="pages", verbose_name=_("целевые группы")
    )

    # Every text is indexed as search terms (cms/search.py), the title too: Page's own
    # SearchField("title") gives way to ours (get_search_fields), its autocomplete and filters
    # are kept.
    search_fields = Page.search_fields + [
        NormalisedSearchField("title", boost=2),
        NormalisedSearchField("summary", boost=2),
        NormalisedSearchField("search_text"),
        NormalisedSearchField("documents_text"),
        index.FilterField("kind"),
        index.FilterField("region"),
        index.FilterField("year"),
    ]
    parent_page_types = ["cms.LibraryIndexPage"]
    subpage_types: list = []
    is_creatable = False
    library_kind = ""  # each kind sets its own
    filter_panels = [
        FieldRowPanel([FieldPanel("region"), FieldPanel("year")]),
        FieldPanel("topics", widget=forms.CheckboxSelectMultiple),
        FieldPanel("target_groups", widget=forms.CheckboxSelectMultiple),
    ]

    class Meta:
        verbose_name = _("страница библиотеки")
        indexes = [models.Index(fields=["kind", "year"])]

    @classmethod
    def get_search_fields(cls):
        """The search fields the backend indexes and searches: a plain SearchField gives way to
        a NormalisedSearchField of the same name, so the raw title is not indexed beside its
        terms. ``search_fields`` itself keeps Page's, as Wagtail's check wants."""
        fields = super().get_search_fields()
        normalised = {f.field_name for f in fields if isinstance(f, NormalisedSearchField)}
        return [
            field
            for field in fields
            if type(field) is not index.SearchField or field.field_name not in normalised
        ]

    def save(self, *args, **kwargs):
        self.kind = self.library_kind
        super().save(*args, **kwargs)

    def search_text(self) -> str:
        """The page's own text for the search index; each kind says what it is."""
        return ""

    def documents_text(self) -> str:
        return "\n".join(a.document.text for a in self.attachments.all() if a.document_id)

    def related(self, limit: int = 4):
        from cms.library import related_pages

        return related_pages(self, limit)

    def get_context(self, request, *args, **kwargs):
        from cms.library import reading_totals

        context = super().get_context(request, *args, **kwargs)
        context["reading"] = reading_totals([self])
        return context

    def serve(self, request, *args, **kwargs):
        from cms.library import reading_record

        reading_record(self, request.user)
        return super().serve(request, *args, **kwargs)


class LibraryAttachment(Orderable):
    """A document attached to a library page (PDF or DOCX, checked by content)."""

    page = ParentalKey(LibraryPage, on_delete=models.CASCADE, related_name="attachments")
    document = models.ForeignKey(
        settings.WAGTAILDOCS_DOCUMENT_MODEL,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("документ"),
    )
    note = models.CharField(_("пояснение"), max_length=200, blank=True)

    panels = [FieldPanel("document"), FieldPanel("note")]


class LibraryPhoto(Orderable):
    page = ParentalKey(LibraryPage, on_delete=models.CASCADE, related_name="photos")
    image = models.ForeignKey(
        "wagtailimages.Image", on_delete=models.CASCADE, related_name="+", verbose_name=_("фото")
    )
    caption = models.CharField(_("подпись"), max_length=200, blank=True)

    panels = [FieldPanel("image"), FieldPanel("caption")]


class RecommendationBody(blocks.StreamBlock):
    heading = blocks.CharBlock(
        label=_("Заголовок"), form_classname="title", template="cms/blocks/heading.html"
    )
    paragraph = blocks.RichTextBlock(label=_("Текст"), features=SIMPLE_TEXT + ["h3"])
    quote = blocks.BlockQuoteBlock(label=_("Цитата"))


class RecommendationPage(LibraryPage):
    """A methodological recommendation, and whether the regional ministry has adopted it."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Проект")
        ADOPTED = "adopted", _("Утверждена региональным министерством")

    authors = models.CharField(_("авторы"), max_length=300)
    body = StreamField(RecommendationBody(), verbose_name=_("текст"))
    status = models.CharField(
        _("статус в регионе"), max_length=20, choices=Status.choices, default=Status.DRAFT
    )
    act_number = models.CharField(_("номер акта"), max_length=60, blank=True)
    act_date = models.DateField(_("дата акта"), null=True, blank=True)

    content_panels = Page.content_panels + [
        FieldPanel("summary"),
        FieldPanel("authors"),
        MultiFieldPanel(LibraryPage.filter_panels, heading=_("Для поиска и фильтров")),
        FieldPanel("body"),
        MultiFieldPanel(
            [
                FieldPanel("status"),
                FieldRowPanel([FieldPanel("act_number"), FieldPanel("act_date")]),
            ],
            heading=_("Статус в регионе"),
        ),
        InlinePanel("attachments", label=_("Документы")),
    ]
    library_kind = LibraryPage.Kind.RECOMMENDATION
    template = "cms/recommendation_page.html"

    class Meta:
        verbose_name = _("методическая рекомендация")
        verbose_name_plural = _("методические рекомендации")

    def clean(self):
        super().clean()
        if self.status == self.Status.ADOPTED and not (self.act_number and self.act_date):
            raise ValidationError(
                {
                    "act_number": _(
                        "Для утверждённой рекомендации укажите номер и дату акта министерства."
                    )
                }
            )

    def search_text(self) -> str:
        parts = [self.authors, *self.body.stream_block.get_searchable_content(self.body)]
        return strip_tags("\n".join(parts))


class PracticePage(LibraryPage):
    """A good practice: who did what, for whom, with what results and resources."""

    organisation = models.CharField(_("организация"), max_length=300)
    period = models.CharField(_("период"), max_length=100, help_text=_("Например: 2016–2017"))
    what_was_done = RichTextField(_("что сделано"), features=SIMPLE_TEXT)
    results = RichTextField(_("результаты"), features=SIMPLE_TEXT)
    figures = StreamField(
        [
            (
                "figure",
                blocks.StructBlock(
                    [
                        ("value", blocks.CharBlock(label=_("Число"), max_length=20)),
                        ("label", blocks.CharBlock(label=_("Что это"), max_length=200)),
                    ],
                    label=_("Показатель"),
                ),
            )
        ],
        blank=True,
        verbose_name=_("результаты в цифрах"),
    )
    resources = RichTextField(_("какие ресурсы нужны"), features=SIMPLE_TEXT, blank=True)
    contacts = models.TextField(_("контакты"), blank=True)

    content_panels = Page.content_panels + [
        FieldPanel("summary"),
        FieldRowPanel([FieldPanel("organisation"), FieldPanel("period")]),
        MultiFieldPanel(LibraryPage.filter_panels, heading=_("Для поиска и фильтров")),
        FieldPanel("what_was_done"),
        FieldPanel("results"),
        FieldPanel("figures"),
        FieldPanel("resources"),
        FieldPanel("contacts"),
        InlinePanel("attachments", label=_("Документы")),
        InlinePanel("photos", label=_("Фотографии")),
    ]
    library_kind = LibraryPage.Kind.PRACTICE
    template = "cms/practice_page.html"

    class Meta:
        verbose_name = _("практика")
        verbose_name_plural = _("практики")

    def search_text(self) -> str:
        parts = [self.organisation, self.what_was_done, self.results, self.resources]
        parts += [f"{f.value['value']} {f.value['label']}" for f in self.figures]
        return strip_tags("\n".join(parts))


class Reading(models.Model):
    """A registered reader opened a library page: one row per reader and page, with the
    reader's region at the time, so the programme can say how many managers from how many
    regions read the library. Counted on the server; no cookie, nothing for visitors."""

    page = models.ForeignKey(LibraryPage, on_delete=models.CASCADE, related_name="readings")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="library_readings"
    )
    region = models.ForeignKey(
        Region, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    first_read_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["page", "user"], name="reading_once_per_reader")
        ]

    def __str__(self):
        return f"{self.user_id} → {self.page_id}"


class Proposal(models.Model):
    """A practice a coordinator or a manager proposed from the site: a draft ``PracticePage``
    in the moderation workflow, and what became of it, so the proposer can be told.

    The page is the proposal's content (editors can polish it in the admin); this row keeps who
    proposed it for which region, and the outcome. ``title`` is kept for when the draft is
    deleted."""

    class Status(models.TextChoices):
        PENDING = "pending", _("На рассмотрении")
        RETURNED = "returned", _("Возвращено на доработку")
        PUBLISHED = "published", _("Опубликовано")
        DECLINED = "declined", _("Отклонено")

    OPEN = (Status.PENDING, Status.RETURNED)

    page = models.OneToOneField(
        LibraryPage, on_delete=models.SET_NULL, null=True, blank=True, related_name="proposal"
    )
    title = models.CharField(_("название"), max_length=255)
    proposer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="library_proposals",
        verbose_name=_("кто предложил"),
    )
    region = models.ForeignKey(
        Region, on_delete=models.PROTECT, related_name="+", verbose_name=_("регион")
    )
    status = models.CharField(
        _("статус"), max_length=20, choices=Status.choices, default=Status.PENDING
    )
    comment = models.TextField(_("комментарий редакции"), blank=True)
    created_at = models.DateTimeField(_("предложено"), auto_now_add=True)
    decided_at = models.DateTimeField(_("решение"), null=True, blank=True)

    class Meta:
        verbose_name = _("предложенная практика")
        verbose_name_plural = _("предложенные практики")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["proposer", "-created_at"])]

    def __str__(self):
        return self.title

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN
