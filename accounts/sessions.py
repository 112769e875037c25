"""Database sessions that ignore malformed session cookies.

Django's session keys are 32 characters of [a-z0-9]. A forged cookie with other bytes
(a NUL byte makes PostgreSQL refuse the query) must mean "no session", not a server error.
"""

import re

from django.contrib.sessions.backends.db import SessionStore as DatabaseSessionStore

_VALID_KEY = re.compile(r"^[a-z0-9]{8,40}$")


class SessionStore(DatabaseSessionStore):
    def _validate_session_key(self, key) -> bool:
        return bool(key) and bool(_VALID_KEY.match(key))
