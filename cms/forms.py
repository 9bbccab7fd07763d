from django.conf import settings
from wagtail.documents.forms import BaseDocumentForm

from lms.uploads import UploadKind, check_upload


class DocumentForm(BaseDocumentForm):
    """Documents uploaded in the Wagtail admin: PDF or DOCX by their content, not their name,
    and no bigger than WAGTAILDOCS_MAX_UPLOAD_SIZE."""

    def clean_file(self):
        uploaded = self.cleaned_data.get("file")
        if uploaded and "file" in self.changed_data:
            check_upload(
                uploaded,
                allowed=(UploadKind.PDF, UploadKind.DOCX),
                max_bytes=settings.WAGTAILDOCS_MAX_UPLOAD_SIZE,
            )
        return uploaded
