from allauth.account.auth_backends import AuthenticationBackend as AllauthBackend
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db import transaction

# How long a signed-in person's row is kept between requests. Every save of the person or of
# their roles forgets it at once (lms.signals); the limit only bounds how long a renamed region
# or organisation may still show under its old name.
USER_CACHE_SECONDS = 300


def _user_key(user_id) -> str:
    return f"lms:auth-user:{user_id}"


def forget_user(user_id) -> None:
    """Drop the kept copy of a person now and again once the transaction commits: a request
    running meanwhile may have kept the old row, which the second deletion removes."""
    key = _user_key(user_id)
    cache.delete(key)
    transaction.on_commit(lambda: cache.delete(key))


class AuthenticationBackend(AllauthBackend):
    """allauth's backend, loading the user of each request with region, organisation and roles.

    Every page needs the region's time zone and the roles (menu, MFA gate), so the person is
    read once, with both, and kept in the cache: a signed-in page then starts without a query
    for who is asking. Deactivation, a password or role change and any other save of the person
    forget the kept copy (lms.signals), so none of them waits for it to expire.
    """

    def get_user(self, user_id):
        key = _user_key(user_id)
        user = cache.get(key)
        if user is None:
            user = (
                get_user_model()
                ._default_manager.select_related("region", "organisation")
                .filter(pk=user_id)
                .first()
            )
            if user is None:
                return None
            user.role_rows()  # kept with the person
            cache.set(key, user, USER_CACHE_SECONDS)
        return user if self.user_can_authenticate(user) else None
