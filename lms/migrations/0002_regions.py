"""All 89 federal subjects of Russia with their codes and IANA time zones.

The seven regions of the programme are flagged ``in_programme``.
"""

from django.db import migrations

REGIONS = [
    ("01", "Республика Адыгея", "Europe/Moscow"),
    ("02", "Республика Башкортостан", "Asia/Yekaterinburg"),
    ("03", "Республика Бурятия", "Asia/Irkutsk"),
    ("04", "Республика Алтай", "Asia/Barnaul"),
    ("05", "Республика Дагестан", "Europe/Moscow"),
    ("06", "Республика Ингушетия", "Europe/Moscow"),
    ("07", "Кабардино-Балкарская Республика", "Europe/Moscow"),
    ("08", "Республика Калмыкия", "Europe/Moscow"),
    ("09", "Карачаево-Черкесская Республика", "Europe/Moscow"),
    ("10", "Республика Карелия", "Europe/Moscow"),
    ("11", "Республика Коми", "Europe/Moscow"),
    ("12", "Республика Марий Эл", "Europe/Moscow"),
    ("13", "Республика Мордовия", "Europe/Moscow"),
    ("14", "Республика Саха (Якутия)", "Asia/Yakutsk"),
    ("15", "Республика Северная Осетия — Алания", "Europe/Moscow"),
    ("16", "Республика Татарстан", "Europe/Moscow"),
    ("17", "Республика Тыва", "Asia/Krasnoyarsk"),
    ("18", "Удмуртская Республика", "Europe/Samara"),
    ("19", "Республика Хакасия", "Asia/Krasnoyarsk"),
    ("20", "Чеченская Республика", "Europe/Moscow"),
    ("21", "Чувашская Республика", "Europe/Moscow"),
    ("22", "Алтайский край", "Asia/Barnaul"),
    ("23", "Краснодарский край", "Europe/Moscow"),
    ("24", "Красноярский край", "Asia/Krasnoyarsk"),
    ("25", "Приморский край", "Asia/Vladivostok"),
    ("26", "Ставропольский край", "Europe/Moscow"),
    ("27", "Хабаровский край", "Asia/Vladivostok"),
    ("28", "Амурская область", "Asia/Yakutsk"),
    ("29", "Архангельская область", "Europe/Moscow"),
    ("30", "Астраханская область", "Europe/Astrakhan"),
    ("31", "Белгородская область", "Europe/Moscow"),
    ("32", "Брянская область", "Europe/Moscow"),
    ("33", "Владимирская область", "Europe/Moscow"),
    ("34", "Волгоградская область", "Europe/Volgograd"),
    ("35", "Вологодская область", "Europe/Moscow"),
    ("36", "Воронежская область", "Europe/Moscow"),
    ("37", "Ивановская область", "Europe/Moscow"),
    ("38", "Иркутская область", "Asia/Irkutsk"),
    ("39", "Калининградская область", "Europe/Kaliningrad"),
    ("40", "Калужская область", "Europe/Moscow"),
    ("41", "Камчатский край", "Asia/Kamchatka"),
    ("42", "Кемеровская область — Кузбасс", "Asia/Novokuznetsk"),
    ("43", "Кировская область", "Europe/Kirov"),
    ("44", "Костромская область", "Europe/Moscow"),
    ("45", "Курганская область", "Asia/Yekaterinburg"),
    ("46", "Курская область", "Europe/Moscow"),
    ("47", "Ленинградская область", "Europe/Moscow"),
    ("48", "Липецкая область", "Europe/Moscow"),
    ("49", "Магаданская область", "Asia/Magadan"),
    ("50", "Московская область", "Europe/Moscow"),
    ("51", "Мурманская область", "Europe/Moscow"),
    ("52", "Нижегородская область", "Europe/Moscow"),
    ("53", "Новгородская область", "Europe/Moscow"),
    ("54", "Новосибирская область", "Asia/Novosibirsk"),
    ("55", "Омская область", "Asia/Omsk"),
    ("56", "Оренбургская область", "Asia/Yekaterinburg"),
    ("57", "Орловская область", "Europe/Moscow"),
    ("58", "Пензенская область", "Europe/Moscow"),
    ("59", "Пермский край", "Asia/Yekaterinburg"),
    ("60", "Псковская область", "Europe/Moscow"),
    ("61", "Ростовская область", "Europe/Moscow"),
    ("62", "Рязанская область", "Europe/Moscow"),
    ("63", "Самарская область", "Europe/Samara"),
    ("64", "Саратовская область", "Europe/Saratov"),
    ("65", "Сахалинская область", "Asia/Sakhalin"),
    ("66", "Свердловская область", "Asia/Yekaterinburg"),
    ("67", "Смоленская область", "Europe/Moscow"),
    ("68", "Тамбовская область", "Europe/Moscow"),
    ("69", "Тверская область", "Europe/Moscow"),
    ("70", "Томская область", "Asia/Tomsk"),
    ("71", "Тульская область", "Europe/Moscow"),
    ("72", "Тюменская область", "Asia/Yekaterinburg"),
    ("73", "Ульяновская область", "Europe/Ulyanovsk"),
    ("74", "Челябинская область", "Asia/Yekaterinburg"),
    ("75", "Забайкальский край", "Asia/Chita"),
    ("76", "Ярославская область", "Europe/Moscow"),
    ("77", "Москва", "Europe/Moscow"),
    ("78", "Санкт-Петербург", "Europe/Moscow"),
    ("79", "Еврейская автономная область", "Asia/Vladivostok"),
    ("80", "Донецкая Народная Республика", "Europe/Moscow"),
    ("81", "Луганская Народная Республика", "Europe/Moscow"),
    ("83", "Ненецкий автономный округ", "Europe/Moscow"),
    ("84", "Херсонская область", "Europe/Moscow"),
    ("85", "Запорожская область", "Europe/Moscow"),
    ("86", "Ханты-Мансийский автономный округ — Югра", "Asia/Yekaterinburg"),
    ("87", "Чукотский автономный округ", "Asia/Anadyr"),
    ("89", "Ямало-Ненецкий автономный округ", "Asia/Yekaterinburg"),
    ("91", "Республика Крым", "Europe/Simferopol"),
    ("92", "Севастополь", "Europe/Simferopol"),
]

PROGRAMME_REGION_CODES = {"02", "74", "45", "55", "54", "70", "50"}


def load_regions(apps, schema_editor):
    Region = apps.get_model("lms", "Region")
    for code, name, tz in REGIONS:
        Region.objects.update_or_create(
            code=code,
            defaults={"name": name, "timezone": tz, "in_programme": code in PROGRAMME_REGION_CODES},
        )


class Migration(migrations.Migration):
    dependencies = [("lms", "0001_initial")]

    operations = [migrations.RunPython(load_regions, migrations.RunPython.noop)]
