"""Print the PII findings of text files as JSON lines, before material enters the system."""

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from coproduction.pii import ScanFailed, scan


class Command(BaseCommand):
    help = "Scan text files for personal information; print one JSON line per finding (type, start, end, text)."

    def add_arguments(self, parser):
        parser.add_argument("files", nargs="+", metavar="FILE")
        parser.add_argument("--deny", action="append", default=[], metavar="TERM", help="A name or place to look for.")
        parser.add_argument(
            "--allow", action="append", default=[], metavar="TERM", help="A public place, service or helpline to leave alone."
        )

    def handle(self, *args, files, deny, allow, **options):
        texts = []
        for name in files:
            path = Path(name)
            try:
                texts.append((name, path.read_text(encoding="utf-8")))
            except FileNotFoundError:
                raise CommandError(f"{name}: no such file.")
            except IsADirectoryError:
                raise CommandError(f"{name}: is a directory, not a text file.")
            except UnicodeDecodeError:
                raise CommandError(f"{name}: is not UTF-8 text.")
        for name, text in texts:
            try:
                findings = scan(text, deny, allow)
            except ScanFailed as failure:
                raise CommandError(f"{name}: {failure} Nothing was printed for this file; the check is incomplete.")
            for finding in findings:
                line = finding.as_dict()
                if len(files) > 1:
                    line = {"file": name, **line}
                self.stdout.write(json.dumps(line, ensure_ascii=False))
