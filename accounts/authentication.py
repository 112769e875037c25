"""API token authentication that refuses malformed tokens before asking the database."""

import re

from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions
from rest_framework.authentication import TokenAuthentication

_VALID_KEY = re.compile(r"^[0-9a-f]{40}$")


class StrictTokenAuthentication(TokenAuthentication):
    """DRF tokens are 40 hex characters; anything else (a NUL byte, say) is refused as 401."""

    def authenticate_credentials(self, key):
        if not _VALID_KEY.match(key or ""):
            raise exceptions.AuthenticationFailed(_("Invalid token."))
        return super().authenticate_credentials(key)
