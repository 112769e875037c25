"""Exit 0 when the PostgreSQL server in the given URL answers, 1 otherwise."""

import sys
import time

import psycopg


def main(url: str) -> int:
    # Connect to the maintenance database: the test database does not exist yet.
    base, _, _name = url.rpartition("/")
    for _attempt in range(5):
        try:
            with psycopg.connect(f"{base}/postgres", connect_timeout=3) as conn:
                conn.execute("SELECT 1")
        except psycopg.OperationalError as exc:
            error = exc
            time.sleep(1)
        else:
            return 0
    print(f"PostgreSQL: {error}", file=sys.stderr)  # noqa: T201 - the script's message to make
    return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
