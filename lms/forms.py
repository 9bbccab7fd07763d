"""Forms about people: sign-up (on top of allauth's) and the profile."""

import functools
import zoneinfo

from allauth.account.forms import SignupForm as AllauthSignupForm
from django import forms
from django.db import transaction
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from . import services
from .models import SELF_SERVICE_ROLES, Organisation, Region, Role, User
from .names import Gender, NameFormField, gender_from_patronymic

NAME_MAX = 100


def _russian_zones():
    return sorted(set(Region.objects.values_list("timezone", flat=True)))


@functools.cache
def _world_zones() -> tuple[str, ...]:
    """Every named zone on the system. Read once: listing them walks the zoneinfo folders."""
    return tuple(
        sorted(
            z
            for z in zoneinfo.available_timezones()
            if "/" in z and not z.startswith(("Etc/", "SystemV/", "posix/", "right/"))
        )
    )


def time_zone_choices():
    """Russian zones first, then the rest of the world; empty means "my region's"."""
    russian = _russian_zones()
    others = [z for z in _world_zones() if z not in russian]
    return [
        ("", _("Как в моём регионе")),
        (_("Россия"), [(z, z) for z in russian]),
        (_("Другие"), [(z, z) for z in others]),
    ]


def limit_regions(form, regions, field: str = "region") -> None:
    """Offer only ``regions`` in ``form``'s region field, chosen already when there is one
    (a manager's own region, a coordinator of a single region)."""
    form.fields[field].queryset = regions
    only = list(regions[:2])
    if len(only) == 1:
        form.initial.setdefault(field, only[0].pk)


class OrganisationChoiceMixin:
    """Region plus organisation: pick one of the region's, or type the name of another.

    The form must declare ``region`` and call ``_setup_organisation_fields`` in ``__init__``.
    """

    def _setup_organisation_fields(self):
        groups = {}
        organisations = (
            Organisation.objects.select_related("region")
            .annotate(region_title=Region.title_expression())
            .order_by("region_title", "name")
        )
        for org in organisations:
            groups.setdefault(org.region.title, []).append((str(org.pk), org.name))
        self.fields["organisation"] = forms.ChoiceField(
            label=_("Организация"),
            required=False,
            choices=[("", _("— выберите из списка —"))] + list(groups.items()),
            help_text=_("Если вашей организации нет в списке, впишите её название ниже."),
        )
        self.fields["organisation_name"] = NameFormField(
            label=_("Другая организация"), required=False, max_length=300
        )

    def clean_organisation_fields(self, cleaned):
        region = cleaned.get("region")
        org_id = cleaned.get("organisation")
        name = (cleaned.get("organisation_name") or "").strip()
        if not org_id and not name:
            self.add_error("organisation", _("Выберите организацию или впишите её название."))
            return
        if region is None:
            return
        if org_id:
            org = Organisation.objects.filter(pk=org_id).first()
            if org is None:
                self.add_error("organisation", _("Такой организации нет в списке."))
            elif org.region_id != region.pk:
                self.add_error(
                    "organisation",
                    _("Организация «%(org)s» находится в другом регионе: %(region)s.")
                    % {"org": org.name, "region": org.region.title},
                )
            else:
                cleaned["organisation_obj"] = org
        else:
            cleaned["organisation_obj"] = Organisation(
                name=name, region=region, kind=Organisation.Kind.OTHER
            )

    def save_organisation(self):
        org = self.cleaned_data["organisation_obj"]
        if org.pk is None:
            org, _created = Organisation.objects.get_or_create(
                region=org.region, name=org.name, defaults={"kind": org.kind}
            )
        return org


class SignupForm(OrganisationChoiceMixin, AllauthSignupForm):
    """Sign-up with ФИО, region, organisation, position, role and consent, saved atomically:
    an account never exists without its consent record."""

    last_name = NameFormField(label=_("Фамилия"), max_length=NAME_MAX)
    first_name = NameFormField(label=_("Имя"), max_length=NAME_MAX)
    middle_name = NameFormField(label=_("Отчество"), max_length=NAME_MAX, required=False)
    region = forms.ModelChoiceField(
        label=_("Регион"), queryset=Region.objects.all(), empty_label=_("— выберите регион —")
    )
    position = forms.CharField(label=_("Должность"), max_length=200)
    role = forms.ChoiceField(
        label=_("Я регистрируюсь как"),
        choices=[(r.value, r.label) for r in SELF_SERVICE_ROLES],
        initial=Role.SPECIALIST,
        widget=forms.RadioSelect,
        help_text=_(
            "Специалист проходит обучение; управленец читает библиотеку практик. "
            "Остальные роли назначает администратор программы."
        ),
    )
    consent_version = forms.CharField(widget=forms.HiddenInput)
    consent = forms.BooleanField(
        label=_("Я даю согласие на обработку моих персональных данных"),
        error_messages={
            "required": _(
                "Без согласия на обработку персональных данных зарегистрироваться нельзя."
            )
        },
    )

    field_order = [
        "email",
        "last_name",
        "first_name",
        "middle_name",
        "region",
        "organisation",
        "organisation_name",
        "position",
        "role",
        "password1",
        "password2",
        "consent_version",
        "consent",
    ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._setup_organisation_fields()
        self.consent_text = services.consent_text_current()
        self.fields["consent_version"].initial = self.consent_text.version
        self.fields["consent"].help_text = format_html(
            _(
                'Прочитайте <a href="{url}" target="_blank" rel="noopener">текст согласия</a> '
                "(редакция {version}): в нём сказано, какие данные и зачем обрабатываются."
            ),
            url=reverse("consent_text", args=[self.consent_text.version]),
            version=self.consent_text.version,
        )
        self.order_fields(self.field_order)

    def clean(self):
        cleaned = super().clean()
        self.clean_organisation_fields(cleaned)
        if cleaned.get("consent_version") != self.consent_text.version:
            # The text changed while the form was open: show the new version, ask again.
            self.add_error(
                "consent",
                _("Текст согласия обновился. Прочитайте новую редакцию и подтвердите согласие."),
            )
            self.data = self.data.copy()
            self.data["consent_version"] = self.consent_text.version
            self.data.pop("consent", None)
        return cleaned

    @transaction.atomic
    def save(self, request):
        user = super().save(request)
        data = self.cleaned_data
        user.last_name = data["last_name"].strip()
        user.first_name = data["first_name"].strip()
        user.middle_name = data["middle_name"].strip()
        user.region = data["region"]
        user.organisation = self.save_organisation()
        user.position = data["position"].strip()
        user.language = getattr(request, "LANGUAGE_CODE", None) or user.language
        user.save()
        services.consent_record(user=user, text=self.consent_text, request=request)
        services.role_grant(user=user, role=data["role"], request=request)
        return user


class ProfileForm(OrganisationChoiceMixin, forms.ModelForm):
    region = forms.ModelChoiceField(
        label=_("Регион"), queryset=Region.objects.all(), empty_label=_("— выберите регион —")
    )

    class Meta:
        model = User
        fields = [
            "last_name",
            "first_name",
            "middle_name",
            "gender",
            "position",
            "region",
            "phone",
            "timezone",
            "language",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._setup_organisation_fields()
        self.fields["timezone"] = forms.ChoiceField(
            label=_("Часовой пояс"),
            required=False,
            choices=time_zone_choices(),
            help_text=_("Все даты и время на сайте, в письмах и календаре показываются в нём."),
        )
        self.fields["language"].label = _("Язык интерфейса")
        proposed = Gender(gender_from_patronymic(self.instance.middle_name)).label
        self.fields["gender"].choices = [
            ("", _("по отчеству (сейчас: %(form)s)") % {"form": proposed}),
            *Gender.choices,
        ]
        if self.instance.organisation_id:
            self.initial["organisation"] = str(self.instance.organisation_id)
        self.order_fields(
            [
                "last_name",
                "first_name",
                "middle_name",
                "gender",
                "region",
                "organisation",
                "organisation_name",
                "position",
                "phone",
                "timezone",
                "language",
            ]
        )

    def clean(self):
        cleaned = super().clean()
        self.clean_organisation_fields(cleaned)
        return cleaned

    @transaction.atomic
    def save(self, commit=True):
        user = super().save(commit=False)
        user.organisation = self.save_organisation()
        user.save()
        return user
