from django.http import Http404
from wagtail import hooks
from wagtail.snippets.models import register_snippet

from .documents import may_download
from .models import TargetGroup, Topic

register_snippet(Topic)
register_snippet(TargetGroup)


@hooks.register("before_serve_document")
def document_access(document, request):
    """Documents go only to readers of a page that uses them (cms/documents.py)."""
    if not may_download(request, document):
        raise Http404
