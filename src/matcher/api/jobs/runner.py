"""A worker's side of solving: a bounded pool of solve processes fed from the queue in the database.

The queue is the ``solves`` table itself, so nothing waits only in memory: a dispatcher thread claims the
oldest claimable job under a lease whenever a slot is free, starts a solve process for it
(``matcher.api.jobs.worker``) and a monitor thread that turns the process's messages into stored progress,
proposals and a final status (both in ``process.py``). A lease thread renews the leases of the jobs running
here and reads their cancel flags, so a DELETE sent to any server reaches the job wherever it runs. Every
write carries the lease: a worker that lost its lease (it stalled, and another worker took the job over)
stores nothing and ends its process. A process that crashes, runs out of memory or is killed fails only its
own job. Stopping sends ``stop`` on the process's stdin; a process that does not hand back its best proposal
within the grace period is killed, and the best proposal it reported earlier is kept.

The runner runs inside ``matcher serve`` (the embedded single-machine set-up) or alone as ``matcher worker``.
"""

from __future__ import annotations

import logging
import os
import socket
import threading

from matcher.api.jobs.process import SolveJob, SolveProcess
from matcher.api.jobs.warm import WarmProcesses
from matcher.api.settings import ServiceSettings
from matcher.storage import repository as repo
from matcher.storage.engine import Database

log = logging.getLogger("matcher.api.jobs")

DISPATCH_POLL_S = 1.0  # the dispatcher also looks at the queue this often without being woken
SHUTDOWN_NOTE = "its worker shut down while the solve was running; any worker may start it again"
# A lease is renewed once this share of it has passed: two more chances before it expires, and on SQLite (one
# writer at a time) a tenth of the writes a renewal every second would cost.
RENEW_AFTER_FRACTION = 1 / 3


def worker_name() -> str:
    """How a worker appears in a job's history: host and process id."""
    return f"{socket.gethostname()}:{os.getpid()}"


class SolveRunner:
    """Runs queued solves, at most ``settings.concurrent_solves`` at a time, each in its own process."""

    def __init__(self, database: Database, settings: ServiceSettings) -> None:
        self._database = database
        self._settings = settings
        self._wakeup = threading.Condition()
        self._active: dict[str, SolveProcess] = {}
        self._active_lock = threading.Lock()
        self._closing = threading.Event()
        self._dispatcher: threading.Thread | None = None
        self._lease_keeper: threading.Thread | None = None
        self.holder = worker_name()
        self.processes = WarmProcesses(settings)

    # --- lifecycle -----------------------------------------------------------------------------------------

    def start(self) -> None:
        """Start dispatching and renewing leases. Jobs other workers hold are theirs until their leases expire."""
        self._settings.log_dir.mkdir(parents=True, exist_ok=True)
        if self._settings.warm_at_start:
            self.processes.refill()
        self._dispatcher = threading.Thread(target=self._dispatch_forever, name="solve-dispatcher", daemon=True)
        self._dispatcher.start()
        self._lease_keeper = threading.Thread(target=self._keep_leases, name="solve-leases", daemon=True)
        self._lease_keeper.start()

    def close(self) -> None:
        """Stop dispatching, end every solve process, and give their jobs back (their leases expire now)."""
        self._closing.set()
        self.wake()
        for thread in (self._dispatcher, self._lease_keeper):
            if thread is not None:
                thread.join()
        with self._active_lock:
            running = list(self._active.values())
        for process in running:
            process.abandon()
        for process in running:
            process.join()
        self.processes.close()
        for process in running:
            try:
                with self._database.session() as session:
                    repo.release_lease(session, process.lease, SHUTDOWN_NOTE)
            except Exception:  # noqa: BLE001 - unreleased, the lease simply expires a little later
                log.warning("solve %s: could not release its lease", process.lease.solve_id, exc_info=True)

    @property
    def closing(self) -> bool:
        return self._closing.is_set()

    # --- requests from the API -----------------------------------------------------------------------------

    def wake(self) -> None:
        """A job was queued or a slot freed: look at the queue now rather than at the next poll."""
        with self._wakeup:
            self._wakeup.notify_all()

    def stop(self, solve_id: str) -> bool:
        """Ask a solve running here to stop at once and keep its best proposal; False when it does not run
        here (its own worker then sees the cancel flag at its next lease renewal)."""
        with self._active_lock:
            process = self._active.get(solve_id)
        if process is None:
            return False
        process.request_stop()
        return True

    def running(self) -> list[str]:
        with self._active_lock:
            return list(self._active)

    def worker_pid(self, solve_id: str) -> int | None:
        with self._active_lock:
            process = self._active.get(solve_id)
        return None if process is None else process.pid

    # --- dispatching ---------------------------------------------------------------------------------------

    def _dispatch_forever(self) -> None:
        while not self._closing.is_set():
            try:
                self._fill_slots()
            except Exception:  # noqa: BLE001 - a database hiccup must not stop the queue for good
                log.exception("could not start queued solves; trying again shortly")
            with self._wakeup:
                self._wakeup.wait(DISPATCH_POLL_S)

    def _fill_slots(self) -> None:
        while not self._closing.is_set():
            with self._active_lock:
                if len(self._active) >= self._settings.concurrent_solves:
                    return
            with self._database.session() as session:
                claimed = repo.claim_next(session, self.holder, self._settings.lease_seconds)
                if claimed is None:
                    return
                solve, lease = claimed
                job = SolveJob.of(session, solve)
            process = SolveProcess(job, lease, self)
            with self._active_lock:
                self._active[job.solve_id] = process
            process.start()
            self.processes.refill()  # loads while this job runs: about a second of one core, once per job

    def _keep_leases(self) -> None:
        """Look at every job running here each beat (a read): stop those someone cancelled, end those another
        worker took over. Renew a lease (a write) only once a third of it has passed since it was last
        extended, by a renewal or by a stored progress, proposal or outcome."""
        renew_after = self._settings.lease_seconds * RENEW_AFTER_FRACTION
        while not self._closing.wait(self._settings.lease_renew_seconds):
            with self._active_lock:
                running = list(self._active.values())
            for process in running:
                due = process.lease_age() >= renew_after
                try:
                    with self._database.session() as session:
                        state = repo.renew_lease(session, process.lease) if due else repo.lease_state(
                            session, process.lease)
                except Exception:  # noqa: BLE001 - a database hiccup: try again at the next beat
                    log.warning("solve %s: could not renew its lease", process.job.solve_id, exc_info=True)
                    continue
                if not state.held:
                    process.lose_lease()
                    continue
                if due:
                    process.lease_extended()
                if state.cancel_requested:
                    process.request_stop()

    def finished(self, solve_id: str) -> None:
        """A job's process has ended and its outcome is stored: its slot is free for the next job."""
        with self._active_lock:
            self._active.pop(solve_id, None)
        self.wake()

    @property
    def database(self) -> Database:
        return self._database

    @property
    def settings(self) -> ServiceSettings:
        return self._settings
