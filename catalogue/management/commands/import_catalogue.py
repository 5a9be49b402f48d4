"""`import_catalogue <file>`: import service categories and items from a CSV or XLSX spreadsheet.

The column layout is described in catalogue/importing.py and shown in docs/examples/catalogue-import.csv.
Either every row is imported or, if any row is bad, none is and each error is listed.
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from tqdm import tqdm

from catalogue.importing import catalogue_import
from marketplace.models import User


class Command(BaseCommand):
    help = "Import service categories and items from a CSV or XLSX file (all rows or none)."

    def add_arguments(self, parser):
        parser.add_argument("file", help="path to a .csv or .xlsx file")
        parser.add_argument("--actor", metavar="EMAIL", help="the user the import is recorded under (audit log)")
        parser.add_argument("--dry-run", action="store_true", help="check the file without writing anything")

    def handle(self, *args, file, actor=None, dry_run=False, **options):
        path = Path(file)
        if not path.is_file():
            raise CommandError(_("No such file: %(path)s") % {"path": path})
        user = None
        if actor:
            user = User.objects.filter(email=actor).first()
            if user is None:
                raise CommandError(_("No user with the email %(email)s.") % {"email": actor})
        stream = getattr(self.stderr, "_out", self.stderr)
        bar = None

        def progress(done: int, total: int) -> None:
            nonlocal bar
            if bar is None:
                # Only a terminal gets a progress bar; logs and pipes get the summary alone.
                bar = tqdm(total=total, unit=_("row"), file=stream, disable=not stream.isatty())
            bar.update(1)

        with path.open("rb") as handle:
            try:
                result = catalogue_import(actor=user, file=handle, filename=path.name, dry_run=dry_run,
                                          progress=progress)
            finally:
                if bar is not None:
                    bar.close()
        if not result.ok:
            for error in result.errors:
                self.stderr.write(str(error))
            raise CommandError(_("Nothing was imported: %(n)s errors.") % {"n": len(result.errors)})
        summary = _("%(rows)s rows: %(created)s items created, %(updated)s updated, %(categories)s new categories.") % {
            "rows": result.rows, "created": len(result.created), "updated": len(result.updated),
            "categories": len(result.categories_created),
        }
        if dry_run:
            summary = _("Checked, nothing written.") + " " + summary
        self.stdout.write(self.style.SUCCESS(summary))
