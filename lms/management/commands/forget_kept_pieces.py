"""After writing to the database outside Django (SQL in psql, a restored table), make every
kept piece of a page, library listing and remembered route stale: the next reader builds them
from the database (lms.versions)."""

from django.core.management.base import BaseCommand

from lms.versions import BULK, bump


class Command(BaseCommand):
    help = "Make everything kept in the cache stale after writes made outside Django."

    def handle(self, *args, **options):
        bump([BULK])
        self.stdout.write("Everything kept is stale: pages are built anew from the database.")
