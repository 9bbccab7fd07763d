from allauth.account.auth_backends import AuthenticationBackend as AllauthBackend
from django.contrib.auth import get_user_model


class AuthenticationBackend(AllauthBackend):
    """allauth's backend, loading the user of each request with region, organisation and roles.

    Every page needs the region's time zone and the roles (menu, MFA gate), so the person is
    read with both: two queries. Nothing of it is kept between requests, because what it holds
    decides who may do what: a deactivation, a new password or a removed role, however written
    (a form, ``update()``, a script, another process), counts from the next request.
    """

    def get_user(self, user_id):
        user = (
            get_user_model()
            ._default_manager.select_related("region", "organisation")
            .filter(pk=user_id)
            .first()
        )
        if user is None or not self.user_can_authenticate(user):
            return None
        user.role_rows()  # read once here, so every check of the request shares them
        return user
