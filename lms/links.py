"""Addresses that leave the site: links in e-mails, PDFs, calendar files and QR codes.

They always start with ``settings.SITE_URL``, the site's public address, never with the host a
request happened to use (a worker has no request, a proxy may rewrite the host, and a link
printed on a certificate must outlive both).
"""

from django.conf import settings


def absolute(path: str) -> str:
    """``path`` (``/certificates/verify/…``) on the public site; an address that already has
    a scheme and host is returned as it is."""
    if path.startswith("/") and not path.startswith("//"):
        return settings.SITE_URL + path
    return path


def page_url(page) -> str:
    """A Wagtail page's public address, from its path inside its site (``page.full_url``
    would use the Wagtail Site's own hostname and port instead of the public address)."""
    parts = page.get_url_parts()
    return absolute(parts[2]) if parts else ""
