import zoneinfo

import pytest

from lms.models import Region

pytestmark = pytest.mark.django_db

BRIEF_ZONES = {
    "Республика Башкортостан": "Asia/Yekaterinburg",
    "Челябинская область": "Asia/Yekaterinburg",
    "Курганская область": "Asia/Yekaterinburg",
    "Омская область": "Asia/Omsk",
    "Новосибирская область": "Asia/Novosibirsk",
    "Томская область": "Asia/Tomsk",
    "Московская область": "Europe/Moscow",
}


def test_all_89_federal_subjects_are_loaded_with_codes_and_real_zones():
    regions = list(Region.objects.all())
    assert len(regions) == 89
    assert len({r.code for r in regions}) == 89
    for r in regions:
        zoneinfo.ZoneInfo(r.timezone)  # raises for an unknown zone


def test_the_programme_regions_are_the_seven_of_the_brief_in_their_zones():
    programme = {r.name: r.timezone for r in Region.objects.filter(in_programme=True)}
    assert programme == BRIEF_ZONES
