"""`manage.py backup ARCHIVE`: the database and the private and public files, together, in one archive.

See docs/operations.md and marketplace/backup.py. Works on SQLite (online backup API) and PostgreSQL (pg_dump).
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from marketplace.backup import BackupError, create_backup


class Command(BaseCommand):
    help = "Back up the database and the private and public files into one archive (.tar.gz) with a manifest."

    def add_arguments(self, parser):
        parser.add_argument("archive", help="the archive to write, e.g. backups/platform-2026-12-02.tar.gz")

    def handle(self, *args, archive, **options):
        path = Path(archive)
        if path.exists():
            raise CommandError(f"{path} exists already: choose a new name")
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            manifest = create_backup(path)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        files = ", ".join(f"{k}: {v['files']} files ({v['referenced']} referenced)"
                          for k, v in manifest["files"].items())
        self.stdout.write(f"{path}: {manifest['database']} database, {files}; "
                          f"{len(manifest['members'])} members, each with its SHA-256 in manifest.json")
