"""Replace Wagtail's welcome page with the programme's home page and point the site at it."""

from django.db import migrations

INTRO = (
    "<p>Платформа программы повышения квалификации специалистов органов опеки и попечительства: "
    "семинары-тренинги, супервизии, сертификаты, команды трансляторов в регионах и библиотека "
    "методических рекомендаций и лучших практик.</p>"
)


def create_homepage(apps, schema_editor):
    ContentType = apps.get_model("contenttypes.ContentType")
    Page = apps.get_model("wagtailcore.Page")
    Site = apps.get_model("wagtailcore.Site")
    HomePage = apps.get_model("cms.HomePage")

    Page.objects.filter(depth=2, slug="home").delete()
    homepage_type, _ = ContentType.objects.get_or_create(model="homepage", app_label="cms")
    root = Page.objects.get(depth=1)
    homepage = HomePage.objects.create(
        title="Профессиональная система защиты детства",
        draft_title="Профессиональная система защиты детства",
        slug="home",
        content_type=homepage_type,
        path=f"{root.path}0001",
        depth=2,
        numchild=0,
        url_path="/home/",
        locale_id=root.locale_id,
        lead="Обучение специалистов органов опеки и попечительства",
        intro=INTRO,
        live=True,
    )
    root.numchild = 1
    root.save(update_fields=["numchild"])
    Site.objects.update_or_create(
        is_default_site=True,
        defaults={"hostname": "localhost", "port": 80, "root_page": homepage,
                  "site_name": "Обучение ООП"},
    )


class Migration(migrations.Migration):
    dependencies = [("cms", "0001_initial")]

    operations = [migrations.RunPython(create_homepage, migrations.RunPython.noop)]
