"""Demo content of the home page: the programme's targets (seed 000) as figures."""

from .models import HomePage

TARGETS = [
    {"value": "175", "label": "специалистов из 7 регионов — цель обучения программы"},
    {"value": "7", "label": "регионов с командами трансляторов"},
    {"value": "80", "label": "управленцев из 30 регионов — читатели лучших практик"},
]


def load(stdout):
    home = HomePage.objects.first()
    if home is None or home.body:
        return
    home.body = [
        ("heading", "Цели программы"),
        ("figures", TARGETS),
        (
            "paragraph",
            "<p>Семинары-тренинги и система супервизий помогают специалистам органов опеки "
            "работать с кровными и замещающими семьями в семейно-ориентированном подходе. "
            "Выпускники объединяются в команды трансляторов и передают опыт коллегам в своих "
            "регионах.</p>",
        ),
    ]
    home.save_revision().publish()
