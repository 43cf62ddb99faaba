"""Ending a process pool at once: workers leave signals to the parent, which terminates them.

``harness run`` runs (scenario, seed) pairs in a ``ProcessPoolExecutor``. Ctrl-C must stop it
within moments with no worker left behind, and without losing the runs that finished:
:func:`leave_signals_to_parent` is the workers' set-up, :func:`end_workers` what the parent does
when an interrupt reaches it (``run_many``).
"""

from __future__ import annotations

import signal
import threading
from concurrent.futures import ProcessPoolExecutor

from harness._signals import signals_held


def leave_signals_to_parent() -> None:
    """Pool worker set-up: Ctrl-C is the parent's to handle, SIGTERM ends the worker at once.

    A terminal sends SIGINT to the whole foreground process group; a worker that raised
    KeyboardInterrupt too would print a traceback and leave the pool broken half-way. The parent
    ends its workers itself (:func:`end_workers`). SIGTERM goes back to the default action, in
    case a forked worker inherited the parent's handler.
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)


#: Real seconds a terminated worker gets to exit before it is killed.
_WORKER_EXIT_SECONDS = 1.0


def end_workers(pool: ProcessPoolExecutor) -> None:
    """Stop ``pool`` now: drop queued jobs, terminate running workers, wait until they are gone.

    ``ProcessPoolExecutor.shutdown`` waits for running jobs (minutes of runs) and never ends a
    worker; Python 3.14 adds ``terminate_workers()`` for this, done here the same way (the
    executor's ``_processes``) for 3.11. Signals are held meanwhile, so a second Ctrl-C cannot
    leave a worker behind; it is delivered once the workers are gone.
    """
    with signals_held():
        processes = list((pool._processes or {}).values())
        # shutdown(wait=False) forgets the manager thread (typeshed mistypes this attribute)
        manager: threading.Thread | None = getattr(pool, "_executor_manager_thread", None)
        pool.shutdown(wait=False, cancel_futures=True)
        for process in processes:
            if process.is_alive():
                process.terminate()
        for process in processes:
            process.join(_WORKER_EXIT_SECONDS)
            if process.is_alive():
                process.kill()
                process.join()
        # The executor's manager thread notices the dead workers and reaps them too; a worker it
        # reaped first can stay listed in multiprocessing's children (our waitpid then finds no
        # child). Waiting for that thread, then joining each exited worker again, lists none.
        if manager is not None:
            manager.join()
        for process in processes:
            process.join()
