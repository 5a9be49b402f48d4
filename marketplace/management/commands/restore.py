"""`manage.py restore ARCHIVE`: a backup of `manage.py backup` into this settings' database and file folders.

The target must be empty (a fresh database, empty folders) unless --force. See docs/operations.md.
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import connections

from marketplace.backup import BackupError, default_target, read_manifest, restore_backup


class Command(BaseCommand):
    help = "Restore a backup archive into an empty database and empty private and media folders."

    def add_arguments(self, parser):
        parser.add_argument("archive")
        parser.add_argument("--force", action="store_true",
                            help="overwrite a database and folders that are not empty (their content is lost)")
        parser.add_argument("--check", action="store_true",
                            help="only verify the archive against its manifest, restore nothing")

    def handle(self, *args, archive, force, check, **options):
        path = Path(archive)
        if not path.exists():
            raise CommandError(f"{path} does not exist")
        try:
            if check:
                import tempfile

                from marketplace.backup import verify_archive

                with tempfile.TemporaryDirectory() as folder:
                    manifest = verify_archive(path, Path(folder))
                self.stdout.write(f"{path}: every member matches manifest.json ({manifest['database']}, "
                                  f"taken {manifest['taken_at']})")
                return
            read_manifest(path)
            connections.close_all()
            manifest = restore_backup(path, default_target(), force=force)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        connections.close_all()
        self.stdout.write(f"restored {path} ({manifest['database']}, taken {manifest['taken_at']}); "
                          "run `manage.py migrate` if this code is newer than the backup")
