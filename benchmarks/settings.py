"""Settings of the benchmark's gunicorn: the site's own settings plus the benchmark's URLs.

The benchmark owns its denominator (a trivial view) and its peer (the feed built with
icalendar's objects), so other work on the site's views never moves the baseline.
"""

from kohtaamo.settings import *  # noqa: F403 - the site's settings, unchanged

ROOT_URLCONF = "benchmarks.urls"
