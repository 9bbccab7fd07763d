from django.core.files.storage import FileSystemStorage


class PrivateFileSystemStorage(FileSystemStorage):
    """Files that must never have a public URL (supervision case attachments, documents): they
    are kept outside MEDIA_ROOT and served only by views that check who asks. ``url()`` raises
    NotImplementedError, Django's way of saying a storage has no URLs, which Wagtail's document
    view understands."""

    def url(self, name):
        raise NotImplementedError("Private files have no URL; serve them through a checked view.")


def private_storage():
    """The "private" storage of STORAGES (a callable, so models don't bind it at import)."""
    from django.core.files.storage import storages

    return storages["private"]
