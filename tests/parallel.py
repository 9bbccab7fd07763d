"""Real parallel requests for concurrency tests: each thread its own database connection."""

import threading

from django.db import connection


def run_in_parallel(requests):
    """Run ``requests`` (callables returning a response) at once; return their responses."""
    barrier = threading.Barrier(len(requests))
    responses = [None] * len(requests)

    def worker(index, request):
        try:
            barrier.wait()
            responses[index] = request()
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(i, r)) for i, r in enumerate(requests)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    return responses
