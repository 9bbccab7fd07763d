import datetime as dt
import zoneinfo

from django import forms
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from courses.models import CourseModule
from courses.roster_file import limits_text_lazy
from lms.forms import limit_regions
from lms.models import Region, User
from lms.uploads import CheckedFilesField, UploadKind

from .models import Event, Team

MAX_EVENT_FILES = 10


class UserByEmailField(forms.EmailField):
    """A registered person, given by their e-mail."""

    def clean(self, value):
        email = super().clean(value)
        if not email:
            return None
        user = User.objects.filter(email__iexact=email, is_active=True).first()
        if user is None:
            raise forms.ValidationError(
                _("Пользователя с адресом %(email)s нет: сначала его нужно зарегистрировать.")
                % {"email": email}
            )
        return user


class TeamForm(forms.Form):
    name = forms.CharField(label=_("Название команды"), max_length=200)
    region = forms.ModelChoiceField(label=_("Регион"), queryset=Region.objects.none())
    lead = UserByEmailField(
        label=_("E-mail руководителя команды"),
        help_text=_("Выпускник программы; остальных участников добавите на странице команды."),
    )
    modules = forms.ModelMultipleChoiceField(
        label=_("Модули, которые команда готова вести"),
        queryset=CourseModule.objects.select_related("course"),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )

    def __init__(self, *args, regions, **kwargs):
        super().__init__(*args, **kwargs)
        limit_regions(self, regions)


class TeamEditForm(forms.Form):
    name = forms.CharField(label=_("Название команды"), max_length=200)
    lead = forms.ModelChoiceField(
        label=_("Руководитель команды"),
        queryset=User.objects.none(),
        help_text=_("Из тех, кто сейчас в команде."),
    )
    status = forms.ChoiceField(label=_("Статус"), choices=Team.Status.choices)
    modules = TeamForm.base_fields["modules"]

    def __init__(self, *args, team: Team, **kwargs):
        kwargs.setdefault(
            "initial",
            {
                "name": team.name,
                "lead": team.lead_id,
                "status": team.status,
                "modules": list(team.modules.values_list("pk", flat=True)),
            },
        )
        super().__init__(*args, **kwargs)
        self.fields["lead"].queryset = current_members(team)


def current_members(team: Team):
    return User.objects.filter(
        team_memberships__team=team, team_memberships__left_on__isnull=True
    ).order_by("last_name", "first_name")


class MemberForm(forms.Form):
    user = UserByEmailField(label=_("E-mail участника"))
    reason = forms.CharField(
        label=_("Почему в команде, если не окончил(а) программу"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Только для экспертов, которые не окончили программу и не обучены в каскаде."),
    )


class EventForm(forms.Form):
    """An event entered in the team's region's time zone, which the form names."""

    title = forms.CharField(label=_("Название"), max_length=300)
    modules = forms.ModelMultipleChoiceField(
        label=_("Модули программы"),
        queryset=CourseModule.objects.none(),
        widget=forms.CheckboxSelectMultiple,
    )
    format = forms.ChoiceField(label=_("Формат"), choices=Event.Format.choices)
    start_date = forms.DateField(label=_("Дата начала"), widget=forms.DateInput({"type": "date"}))
    start_time = forms.TimeField(label=_("Время начала"), widget=forms.TimeInput({"type": "time"}))
    end_date = forms.DateField(label=_("Дата окончания"), widget=forms.DateInput({"type": "date"}))
    end_time = forms.TimeField(label=_("Время окончания"), widget=forms.TimeInput({"type": "time"}))
    municipality = forms.CharField(label=_("Муниципальное образование"), max_length=200)
    venue = forms.CharField(label=_("Место проведения"), max_length=300, required=False)
    link = forms.URLField(label=_("Ссылка на трансляцию"), required=False, assume_scheme="https")
    expected_participants = forms.IntegerField(
        label=_("Ожидается участников"), min_value=1, max_value=10000
    )
    hours = forms.IntegerField(
        label=_("Академических часов"),
        min_value=1,
        max_value=200,
        help_text=_("Войдут в сертификаты участников."),
    )
    trainers = forms.ModelMultipleChoiceField(
        label=_("Ведущие"), queryset=User.objects.none(), widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, team: Team, **kwargs):
        super().__init__(*args, **kwargs)
        self.team = team
        self.zone = zoneinfo.ZoneInfo(team.region.timezone)
        modules = team.modules.all()
        self.fields["modules"].queryset = (
            modules if modules.exists() else CourseModule.objects.all()
        ).select_related("course")
        self.fields["trainers"].queryset = current_members(team)
        for name in ("start_time", "end_time"):
            self.fields[name].help_text = _("Время региона: %(zone)s") % {
                "zone": team.region.timezone
            }

    @staticmethod
    def initial_for(event: Event) -> dict:
        """The form filled with ``event`` as it is, times in the region's zone."""
        zone = zoneinfo.ZoneInfo(event.team.region.timezone)
        starts, ends = event.starts_at.astimezone(zone), event.ends_at.astimezone(zone)
        names = ("title", "format", "municipality", "venue", "link", "expected_participants")
        return {
            **{name: getattr(event, name) for name in names},
            "hours": event.hours,
            "start_date": starts.date(),
            "start_time": starts.time(),
            "end_date": ends.date(),
            "end_time": ends.time(),
            "modules": list(event.modules.values_list("pk", flat=True)),
            "trainers": list(event.trainers.values_list("pk", flat=True)),
        }

    def clean(self):
        cleaned = super().clean()
        parts = [cleaned.get(k) for k in ("start_date", "start_time", "end_date", "end_time")]
        if all(part is not None for part in parts):
            starts = dt.datetime.combine(parts[0], parts[1], tzinfo=self.zone)
            ends = dt.datetime.combine(parts[2], parts[3], tzinfo=self.zone)
            if ends <= starts:
                self.add_error(
                    "end_time", _("Мероприятие должно заканчиваться позже, чем начинается.")
                )
            cleaned["starts_at"], cleaned["ends_at"] = starts, ends
        fmt = cleaned.get("format")
        if fmt in (Event.Format.IN_PERSON, Event.Format.MIXED) and not cleaned.get("venue"):
            self.add_error("venue", _("Укажите место проведения."))
        if fmt in (Event.Format.ONLINE, Event.Format.MIXED) and not cleaned.get("link"):
            self.add_error("link", _("Укажите ссылку на трансляцию."))
        return cleaned

    def event_fields(self) -> dict:
        data = self.cleaned_data
        names = ("title", "format", "municipality", "venue", "link", "expected_participants")
        return {
            **{name: data[name] for name in names},
            "hours": data["hours"],
            "starts_at": data["starts_at"],
            "ends_at": data["ends_at"],
            "trainers": list(data["trainers"]),
            "modules": data["modules"],
        }


class ParticipantListForm(forms.Form):
    file = forms.FileField(
        label=_("Список участников (CSV или XLSX)"),
        help_text=format_lazy(
            "{} {}",
            _(
                "Столбцы: ФИО, Организация, Должность, E-mail (необязательно). Если в списке "
                "есть ошибки, не сохранится ничего, и мы покажем, какие строки исправить."
            ),
            limits_text_lazy(),
        ),
    )


class ReportForm(forms.Form):
    outcome = forms.CharField(
        label=_("Итоги"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("Что получилось, что участники унесли с собой, что изменить в следующий раз."),
    )
    files = CheckedFilesField(
        label=_("Материалы, фотографии, документы (PDF, DOCX, PNG, JPEG, до 10 МБ каждый)"),
        allowed=(UploadKind.PDF, UploadKind.DOCX, UploadKind.IMAGE),
        max_files=MAX_EVENT_FILES,
        required=False,
    )


class ReviewForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Решение"),
        choices=[("accept", _("Принять отчёт")), ("return", _("Вернуть на доработку"))],
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(
        label=_("Комментарий команде"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Обязателен, если отчёт возвращается."),
    )


class JoinForm(forms.Form):
    code = forms.CharField(
        label=_("Код мероприятия"),
        max_length=12,
        help_text=_("Его называют ведущие: восемь букв и цифр."),
    )
