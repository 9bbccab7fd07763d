import zoneinfo
from datetime import datetime

from django import forms
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from lms.forms import time_zone_choices

from .models import OVER_STATUSES, Cohort, Enrollment, SeminarSession
from .roster_file import limits_text_lazy


class ApplicationForm(forms.Form):
    position = forms.CharField(label=_("Должность"), max_length=200)
    organisation_name = forms.CharField(label=_("Организация"), max_length=300)
    motivation = forms.CharField(
        label=_("Почему вы хотите пройти обучение"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("Несколько предложений о вашей работе и о том, чего вы ждёте от курса."),
    )


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(
        choices=[
            ("approve", _("Одобрить")),
            ("waitlist", _("В лист ожидания")),
            ("reject", _("Отклонить")),
        ]
    )
    reason = forms.CharField(label=_("Причина отказа"), required=False, max_length=2000)


class MoveForm(forms.Form):
    cohort = forms.ModelChoiceField(label=_("Новый поток"), queryset=Cohort.objects.none())

    def __init__(self, *args, enrollment: Enrollment, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["cohort"].queryset = (
            Cohort.objects.filter(course_id=enrollment.cohort.course_id)
            .exclude(pk=enrollment.cohort_id)
            .exclude(status__in=OVER_STATUSES)
        )


class SessionForm(forms.ModelForm):
    """Start and end are entered as local date and time in the named zone and stored in UTC."""

    date = forms.DateField(label=_("Дата"), widget=forms.DateInput(attrs={"type": "date"}))
    start_time = forms.TimeField(label=_("Начало"), widget=forms.TimeInput(attrs={"type": "time"}))
    end_time = forms.TimeField(label=_("Окончание"), widget=forms.TimeInput(attrs={"type": "time"}))
    online_url = forms.URLField(
        label=_("Ссылка на онлайн-встречу"), required=False, assume_scheme="https"
    )

    class Meta:
        model = SeminarSession
        fields = [
            "title",
            "module",
            "timezone",
            "format",
            "venue",
            "online_url",
            "trainers",
            "cancelled",
        ]
        widgets = {"trainers": forms.CheckboxSelectMultiple}

    def __init__(self, *args, cohort: Cohort, **kwargs):
        super().__init__(*args, **kwargs)
        self.cohort = cohort
        self.fields["timezone"] = forms.ChoiceField(
            label=_("Часовой пояс, в котором указано время"),
            choices=time_zone_choices()[1:],
        )
        self.fields["module"].queryset = cohort.course.modules.all()
        self.fields["module"].required = False
        self.fields["trainers"].queryset = cohort.trainers.all()
        self.fields["trainers"].required = False
        self.fields["cancelled"].help_text = _(
            "Слушатели увидят отмену в личном кабинете и в своём календаре."
        )
        self.order_fields(
            [
                "title",
                "module",
                "date",
                "start_time",
                "end_time",
                "timezone",
                "format",
                "venue",
                "online_url",
                "trainers",
            ]
        )
        if self.instance.pk:
            zone = zoneinfo.ZoneInfo(self.instance.timezone)
            start = self.instance.starts_at.astimezone(zone)
            self.initial.update(
                date=start.date(),
                start_time=start.time(),
                end_time=self.instance.ends_at.astimezone(zone).time(),
            )
        else:
            first_region = cohort.regions.first()
            if first_region:
                self.initial.setdefault("timezone", first_region.timezone)

    def clean(self):
        cleaned = super().clean()
        date, start, end = cleaned.get("date"), cleaned.get("start_time"), cleaned.get("end_time")
        zone_name = cleaned.get("timezone")
        if date and start and end and zone_name:
            zone = zoneinfo.ZoneInfo(zone_name)
            cleaned["starts_at"] = datetime.combine(date, start, tzinfo=zone)
            cleaned["ends_at"] = datetime.combine(date, end, tzinfo=zone)
            if cleaned["ends_at"] <= cleaned["starts_at"]:
                self.add_error("end_time", _("Семинар должен заканчиваться позже, чем начинается."))
        fmt = cleaned.get("format")
        if fmt == SeminarSession.Format.IN_PERSON and not cleaned.get("venue"):
            self.add_error("venue", _("Для очного семинара укажите место проведения."))
        if fmt == SeminarSession.Format.ONLINE and not cleaned.get("online_url"):
            self.add_error("online_url", _("Для онлайн-семинара укажите ссылку на встречу."))
        return cleaned

    def save(self, commit=True):
        session = super().save(commit=False)
        session.cohort = self.cohort
        session.starts_at = self.cleaned_data["starts_at"]
        session.ends_at = self.cleaned_data["ends_at"]
        if session.pk:
            session.sequence += 1
        if commit:
            session.save()
            self.save_m2m()
        return session


class RosterUploadForm(forms.Form):
    file = forms.FileField(
        label=_("Список слушателей (CSV или XLSX)"),
        help_text=format_lazy(
            "{} {}",
            _("Столбцы: ФИО, e-mail, организация, должность. Первая строка — заголовки."),
            limits_text_lazy(),
        ),
    )
