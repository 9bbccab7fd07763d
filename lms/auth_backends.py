from allauth.account.auth_backends import AuthenticationBackend as AllauthBackend
from django.contrib.auth import get_user_model


class AuthenticationBackend(AllauthBackend):
    """allauth's backend, loading the user of each request with region and organisation:
    every page needs the region's time zone, and this saves a query per request."""

    def get_user(self, user_id):
        user = (
            get_user_model()
            ._default_manager.select_related("region", "organisation")
            .filter(pk=user_id)
            .first()
        )
        return user if user and self.user_can_authenticate(user) else None
