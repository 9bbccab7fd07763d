from django.core.files.storage import FileSystemStorage


class PrivateFileSystemStorage(FileSystemStorage):
    """Files that must never have a public URL (supervision case attachments): they are kept
    outside MEDIA_ROOT and served only by views that check who asks."""

    def url(self, name):
        raise ValueError("Private files have no URL; serve them through a checked view.")


def private_storage():
    """The "private" storage of STORAGES (a callable, so models don't bind it at import)."""
    from django.core.files.storage import storages

    return storages["private"]
