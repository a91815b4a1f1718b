"""Imported texts as the third owner of notes: a text source of an imported REFI-QDA project
passes the same anonymisation gate as interview and event notes.

The coordinator who confirmed the import is the draft's author; any coordinator of the project
reviews and releases it. On release its pending codings and memos attach to the Document, in
the release's transaction (`refiqda_import.attach_pending`).
"""

from coproduction.models import Document, ImportedSource, NotesDraft
from coproduction.notes.owners import NotesOwner, register_owner

OWNER_KIND = "import"
SECTIONS = [("text", "Text")]


class ImportedNotes(NotesOwner):
    kind = OWNER_KIND
    label = "Imported text"
    review_url_name = "analysis:imported_review"

    def subject(self, draft: NotesDraft) -> ImportedSource:
        return ImportedSource.objects.select_related("project", "batch").get(notes=draft)

    def sections(self, draft: NotesDraft) -> list[tuple[str, str]]:
        return SECTIONS

    def document_fields(self, imported: ImportedSource) -> dict:
        return imported.document_fields()

    def review_subjects(self, drafts: list[NotesDraft]):
        return ImportedSource.objects.filter(notes__in=drafts).select_related("project")

    def review_label(self, imported: ImportedSource) -> str:
        return imported.label

    def after_release(self, imported: ImportedSource, document: Document) -> None:
        from coproduction.analysis.refiqda_import import attach_pending

        super().after_release(imported, document)
        attach_pending(imported, document)


NOTES_OWNER = ImportedNotes()
register_owner(NOTES_OWNER)
