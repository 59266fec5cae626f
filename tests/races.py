"""The one race harness: callables run at once, each in its own thread and so on its own database
connection (Django's connections are per thread), so PostgreSQL sees two (or more) real sessions
competing — row locks, unique constraints and transaction isolation are exercised for real, which a
single test connection cannot do. Use it from ``django_db(transaction=True)`` tests: the other
connections do not see rows inside the test's wrapping transaction.

    race(a, b)                  # a and b start together behind a barrier; returns [a's result, b's result]

A callable's exception is its result (the loser of a race usually raises), so the caller asserts who
won and how the other lost; ``split`` sorts them. Each thread closes its connections when done, and
a thread still running at the deadline fails the test instead of hanging it.

For staged races, where the test itself must act while the threads are in flight (hold a transaction
open, check that the other session is blocked), start them and collect later:

    r = Race(first, second).start()
    ...                         # e.g. assert r.running(1, wait=1.0)
    r.results()
"""

import threading
import time

from django.db import connections

__all__ = ["Race", "race", "split"]


class Race:
    def __init__(self, *callables, timeout=30.0):
        if not callables:
            raise ValueError("race needs at least one callable")
        self.timeout = timeout
        self._barrier = threading.Barrier(len(callables), timeout=timeout)
        self._results = [None] * len(callables)
        self._threads = [
            threading.Thread(target=self._run, args=(i, call), name=f"race-{i}", daemon=True)
            for i, call in enumerate(callables)
        ]

    def _run(self, i, call):
        try:
            self._barrier.wait()  # all start together
            self._results[i] = call()
        except Exception as exc:  # noqa: BLE001 - the exception is this callable's result
            self._results[i] = exc
        finally:
            connections.close_all()  # this thread's own connections; otherwise they outlive the test

    def start(self):
        for t in self._threads:
            t.start()
        return self

    def running(self, index, wait=0.0):
        """Whether callable ``index`` is still in flight after waiting up to ``wait`` seconds for it."""
        self._threads[index].join(wait)
        return self._threads[index].is_alive()

    def results(self):
        """Wait for every thread (up to ``timeout`` in all); the results in the order of the callables."""
        deadline = time.monotonic() + self.timeout
        for t in self._threads:
            t.join(max(0.0, deadline - time.monotonic()))
        stuck = [t.name for t in self._threads if t.is_alive()]
        if stuck:
            raise AssertionError(f"{', '.join(stuck)} still running after {self.timeout}s")
        return list(self._results)


def race(*callables, timeout=30.0):
    """Run the callables at once, each on its own connection; their results (or exceptions), in order."""
    return Race(*callables, timeout=timeout).start().results()


def split(results):
    """(values, exceptions) of a race's results."""
    values = [r for r in results if not isinstance(r, Exception)]
    errors = [r for r in results if isinstance(r, Exception)]
    return values, errors
