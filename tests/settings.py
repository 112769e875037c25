"""Settings for the test suite: kohtaamo.settings with a key of the run's own.

Outside the embedded mode (e.g. DATABASE_URL=postgres://…) kohtaamo.settings refuses to
load without SECRET_KEY (kohtaamo/checks.py). A test run is no deployment, so it makes a
random key for itself, unless one is set; processes the tests start inherit it.
"""

import os
import secrets

os.environ.setdefault("SECRET_KEY", "test-run-" + secrets.token_urlsafe(50))

from kohtaamo.settings import *  # noqa: F403 - the test settings are kohtaamo's, all of them
