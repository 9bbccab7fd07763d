from django import forms
from django.conf import settings
from django.core.validators import MaxValueValidator
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail.documents.forms import BaseDocumentForm

from lms.forms import limit_regions
from lms.models import Region
from lms.uploads import CheckedFilesField, UploadKind, check_upload

from .models import TargetGroup, Topic

MAX_PROPOSAL_FILES = 5
TEXT_MAX = 20_000


class DocumentForm(BaseDocumentForm):
    """Documents uploaded in the Wagtail admin: PDF or DOCX by their content, not their name,
    and no bigger than WAGTAILDOCS_MAX_UPLOAD_SIZE."""

    def clean_file(self):
        uploaded = self.cleaned_data.get("file")
        if uploaded and "file" in self.changed_data:
            check_upload(
                uploaded,
                allowed=(UploadKind.PDF, UploadKind.DOCX),
                max_bytes=settings.WAGTAILDOCS_MAX_UPLOAD_SIZE,
            )
        return uploaded


class PracticeProposalForm(forms.Form):
    """A good practice proposed by a coordinator or a manager of its region. Texts are plain:
    paragraphs are kept, and the editors format the page in the admin."""

    title = forms.CharField(label=_("Название практики"), max_length=255)
    region = forms.ModelChoiceField(label=_("Регион"), queryset=Region.objects.none())
    organisation = forms.CharField(
        label=_("Организация"),
        max_length=300,
        help_text=_("Кто реализовал практику: учреждение, орган опеки, НКО."),
    )
    period = forms.CharField(label=_("Период"), max_length=100, help_text=_("Например: 2016–2017"))
    year = forms.IntegerField(
        label=_("Год"), help_text=_("Год, к которому относятся результаты."), min_value=1990
    )
    summary = forms.CharField(
        label=_("Кратко"),
        max_length=600,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Два-три предложения: их видно в списке библиотеки и в поиске."),
    )
    topics = forms.ModelMultipleChoiceField(
        label=_("Темы"), queryset=Topic.objects.all(), widget=forms.CheckboxSelectMultiple
    )
    target_groups = forms.ModelMultipleChoiceField(
        label=_("Целевые группы"),
        queryset=TargetGroup.objects.all(),
        widget=forms.CheckboxSelectMultiple,
    )
    what_was_done = forms.CharField(
        label=_("Что сделано"), max_length=TEXT_MAX, widget=forms.Textarea(attrs={"rows": 8})
    )
    results = forms.CharField(
        label=_("Результаты"),
        max_length=TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("С цифрами, если они есть: сколько семей, детей, специалистов."),
    )
    resources = forms.CharField(
        label=_("Какие ресурсы нужны"),
        max_length=TEXT_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    contacts = forms.CharField(
        label=_("Контакты"),
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Кому писать или звонить коллегам из других регионов."),
    )
    documents = CheckedFilesField(
        label=_("Документы (PDF или DOCX)"),
        allowed=(UploadKind.PDF, UploadKind.DOCX),
        max_bytes=settings.WAGTAILDOCS_MAX_UPLOAD_SIZE,
        max_files=MAX_PROPOSAL_FILES,
        required=False,
        help_text=_(
            "Положение, методика, отчёт. Без персональных данных детей и семей: документы "
            "будут открыты читателям библиотеки."
        ),
    )

    def __init__(self, *args, regions, **kwargs):
        super().__init__(*args, **kwargs)
        limit_regions(self, regions)
        self.fields["year"].max_value = timezone.localdate().year + 1
        self.fields["year"].validators.append(MaxValueValidator(self.fields["year"].max_value))
        self.fields["year"].widget.attrs["max"] = self.fields["year"].max_value
