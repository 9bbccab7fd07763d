import pytest

from cms.models import HomePage, LibraryIndexPage, TargetGroup, Topic


@pytest.fixture
def library():
    home = HomePage.objects.get()
    index = home.add_child(instance=LibraryIndexPage(title="Библиотека", slug="library"))
    topics = {
        slug: Topic.objects.create(slug=slug, name=name)
        for slug, name in (("prevention", "Профилактика"), ("training", "Обучение"))
    }
    groups = {
        slug: TargetGroup.objects.create(slug=slug, name=name)
        for slug, name in (("birth", "Кровные семьи"), ("foster", "Замещающие семьи"))
    }
    return {"index": index, "topics": topics, "groups": groups}
