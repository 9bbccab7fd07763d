import zoneinfo
from datetime import datetime, timedelta

from django import forms
from django.utils.translation import gettext_lazy as _

from courses.models import Cohort, Course
from lms.forms import time_zone_choices
from lms.uploads import CheckedFilesField

from .anonymity import review
from .models import SupervisionSeries, SupervisionSession

MAX_CASE_FILES = 5


class SessionForm(forms.Form):
    """A supervision session, or the first of a series, entered in the supervisor's zone."""

    title = forms.CharField(label=_("Тема"), max_length=300)
    kind = forms.ChoiceField(label=_("Вид"), choices=SupervisionSession.Kind.choices)
    cohort = forms.ModelChoiceField(
        label=_("Поток"), queryset=Cohort.objects.none(), required=False
    )
    course = forms.ModelChoiceField(
        label=_("или все слушатели курса"), queryset=Course.objects.all(), required=False
    )
    date = forms.DateField(label=_("Дата"), widget=forms.DateInput(attrs={"type": "date"}))
    start_time = forms.TimeField(label=_("Начало"), widget=forms.TimeInput(attrs={"type": "time"}))
    end_time = forms.TimeField(label=_("Окончание"), widget=forms.TimeInput(attrs={"type": "time"}))
    timezone = forms.ChoiceField(label=_("Часовой пояс, в котором указано время"))
    format = forms.ChoiceField(label=_("Формат"), choices=SupervisionSession.Format.choices)
    venue = forms.CharField(label=_("Место проведения"), max_length=300, required=False)
    online_url = forms.URLField(
        label=_("Ссылка на онлайн-встречу"), required=False, assume_scheme="https"
    )
    capacity = forms.IntegerField(
        label=_("Мест"),
        min_value=1,
        max_value=100,
        initial=8,
        help_text=_("Для индивидуальной супервизии — одно место."),
    )
    booking_opens_days = forms.IntegerField(
        label=_("Запись открывается за (дней)"), min_value=0, max_value=90, initial=14
    )
    booking_closes_hours = forms.IntegerField(
        label=_("Запись закрывается за (часов)"), min_value=0, max_value=240, initial=12
    )
    cancellation_hours = forms.IntegerField(
        label=_("Отменить запись можно не позже, чем за (часов)"),
        min_value=0,
        max_value=240,
        initial=24,
    )
    repeat = forms.ChoiceField(
        label=_("Повторять"),
        required=False,
        choices=[("", _("Не повторять"))] + list(SupervisionSeries.Frequency.choices),
    )
    occurrences = forms.IntegerField(
        label=_("Сколько встреч в серии"), min_value=2, max_value=26, required=False
    )

    def __init__(self, *args, supervisor, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["cohort"].queryset = Cohort.objects.exclude(
            status__in=[Cohort.Status.FINISHED, Cohort.Status.CANCELLED]
        ).select_related("course")
        self.fields["timezone"].choices = time_zone_choices()[1:]
        self.initial.setdefault("timezone", supervisor.effective_timezone)

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("cohort") and not cleaned.get("course"):
            self.add_error(
                "cohort", _("Выберите поток или курс, для слушателей которого эта супервизия.")
            )
        date, start, end = cleaned.get("date"), cleaned.get("start_time"), cleaned.get("end_time")
        if date and start and end and cleaned.get("timezone"):
            zone = zoneinfo.ZoneInfo(cleaned["timezone"])
            cleaned["starts_at"] = datetime.combine(date, start, tzinfo=zone)
            cleaned["ends_at"] = datetime.combine(date, end, tzinfo=zone)
            if cleaned["ends_at"] <= cleaned["starts_at"]:
                self.add_error(
                    "end_time", _("Супервизия должна заканчиваться позже, чем начинается.")
                )
        if cleaned.get("format") == "in_person" and not cleaned.get("venue"):
            self.add_error("venue", _("Для очной супервизии укажите место проведения."))
        if cleaned.get("format") == "online" and not cleaned.get("online_url"):
            self.add_error("online_url", _("Для онлайн-супервизии укажите ссылку на встречу."))
        if cleaned.get("repeat") and not cleaned.get("occurrences"):
            self.add_error("occurrences", _("Укажите, сколько встреч будет в серии."))
        if cleaned.get("kind") == SupervisionSession.Kind.INDIVIDUAL:
            cleaned["capacity"] = 1
        if "starts_at" in cleaned and None not in (
            cleaned.get("booking_opens_days"),
            cleaned.get("booking_closes_hours"),
        ):
            closes = cleaned["starts_at"] - timedelta(hours=cleaned["booking_closes_hours"])
            opens = cleaned["starts_at"] - timedelta(days=cleaned["booking_opens_days"])
            if opens >= closes:
                self.add_error(
                    "booking_opens_days", _("Запись должна открываться раньше, чем закрывается.")
                )
            cleaned["booking_opens_at"], cleaned["booking_closes_at"] = opens, closes
        return cleaned

    def session_fields(self) -> dict:
        data = self.cleaned_data
        return {
            "title": data["title"],
            "kind": data["kind"],
            "cohort": data.get("cohort"),
            "course": None if data.get("cohort") else data.get("course"),
            "starts_at": data["starts_at"],
            "ends_at": data["ends_at"],
            "timezone": data["timezone"],
            "format": data["format"],
            "venue": data.get("venue", ""),
            "online_url": data.get("online_url", ""),
            "capacity": data["capacity"],
            "booking_opens_at": data["booking_opens_at"],
            "booking_closes_at": data["booking_closes_at"],
            "cancellation_hours": data["cancellation_hours"],
        }


class MoveForm(forms.Form):
    date = forms.DateField(label=_("Новая дата"), widget=forms.DateInput(attrs={"type": "date"}))
    start_time = forms.TimeField(label=_("Начало"), widget=forms.TimeInput(attrs={"type": "time"}))
    end_time = forms.TimeField(label=_("Окончание"), widget=forms.TimeInput(attrs={"type": "time"}))

    def __init__(self, *args, session, **kwargs):
        super().__init__(*args, **kwargs)
        self.zone = zoneinfo.ZoneInfo(session.timezone)
        start = session.starts_at.astimezone(self.zone)
        self.initial.update(
            date=start.date(),
            start_time=start.time(),
            end_time=session.ends_at.astimezone(self.zone).time(),
        )

    def clean(self):
        cleaned = super().clean()
        if all(cleaned.get(k) for k in ("date", "start_time", "end_time")):
            cleaned["starts_at"] = datetime.combine(
                cleaned["date"], cleaned["start_time"], tzinfo=self.zone
            )
            cleaned["ends_at"] = datetime.combine(
                cleaned["date"], cleaned["end_time"], tzinfo=self.zone
            )
            if cleaned["ends_at"] <= cleaned["starts_at"]:
                self.add_error(
                    "end_time", _("Супервизия должна заканчиваться позже, чем начинается.")
                )
        return cleaned


class CaseForm(forms.Form):
    title = forms.CharField(label=_("Тема случая"), max_length=200)
    text = forms.CharField(
        label=_("Описание случая"),
        widget=forms.Textarea(attrs={"rows": 12}),
        max_length=20000,
        help_text=_(
            "Без персональных данных: вместо имён — роли и возраст («мама, 34 года», "
            "«сын, 7 лет»), вместо адреса — тип населённого пункта, без дат рождения, "
            "телефонов, СНИЛС и паспортов. Можно использовать простую разметку HTML: "
            "абзацы, списки, выделение."
        ),
    )
    files = CheckedFilesField(
        max_files=MAX_CASE_FILES,
        label=_("Файлы (PDF, DOCX, PNG, JPEG, до 10 МБ каждый)"),
        required=False,
        help_text=_("Документы тоже должны быть обезличены."),
    )
    anonymised = forms.BooleanField(
        label=_("Я проверил(а): в описании и файлах нет данных, по которым можно узнать семью"),
        required=False,
    )

    def clean(self):
        """The anonymity check of `supervision.anonymity.review`; the fingerprint of the findings
        shown on the page comes back in the hidden ``findings_shown`` the template renders."""
        cleaned = super().clean()
        result = review(
            title=cleaned.get("title", ""),
            text=cleaned.get("text", ""),
            confirmed=cleaned.get("anonymised", False),
            shown=self.data.get("findings_shown", ""),
        )
        self.findings, self.fingerprint = result.findings, result.fingerprint
        if result.error:
            self.add_error(*result.error)
        return cleaned


class NoteForm(forms.Form):
    shared = forms.CharField(
        label=_("Заметка для участников"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=10000,
    )
    confidential = forms.CharField(
        label=_("Конфиденциальная заметка (видят только супервизоры)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=10000,
    )
