"""The API's pagination: DRF's limit/offset, with a largest page.

Without `max_limit` a `?limit=` beyond PostgreSQL's bigint reached the database and answered
500; a larger limit than this is served as this many rows, as DRF does with `max_limit`.
"""

from rest_framework.pagination import LimitOffsetPagination

MAX_LIMIT = 500


class BoundedLimitOffsetPagination(LimitOffsetPagination):
    max_limit = MAX_LIMIT
