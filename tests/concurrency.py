"""Running one function in parallel threads, for the row-lock tests on PostgreSQL."""

from __future__ import annotations

import threading

from django.db import connections


def run_in_threads(function, arguments):
    """Start all threads at once (a barrier), each with its own database connection.

    Answers (results, errors): what the calls returned and what they raised.
    """
    barrier = threading.Barrier(len(arguments))
    results, errors = [], []

    def worker(argument):
        try:
            barrier.wait(timeout=30)
            results.append(function(argument))
        except Exception as error:  # noqa: BLE001 - collected and asserted by the test
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(a,)) for a in arguments]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return results, errors
