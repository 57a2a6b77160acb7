"""One solve process: the job it is handed, the process, and the thread that watches it.

The runner (``runner.py``) claims a job and hands it here. ``SolveJob`` is what the process reads on its
stdin (the stored instance text passed through unparsed, the options; for a question, what was asked and the
proposal it is about). ``SolveProcess`` starts the process (a warm spare where there is one), turns its
messages into stored progress, proposals and a final status under the job's lease, asks it to stop and kills
it after the grace period, and words how it ended when it crashed, ran out of memory or was killed.
"""

from __future__ import annotations

import json
import logging
import os
import signal
import subprocess
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from sqlalchemy.orm import Session

from matcher.api.jobs.worker import EXIT_ORPHANED, EXIT_OUT_OF_MEMORY, STOP
from matcher.api.settings import ServiceSettings
from matcher.exceptions import ProposalInvalid
from matcher.proposal_reader import load_proposal
from matcher.storage import repository as repo
from matcher.storage.models import SolveRecord

if TYPE_CHECKING:  # the runner imports this module
    from matcher.api.jobs.runner import SolveRunner

log = logging.getLogger("matcher.api.jobs")

LOG_TAIL_BYTES = 2000
FINAL_WRITE_ATTEMPTS = 5  # with 1, 2, 4, 8, 8 s pauses: rides out a database restart


class SolveJob:
    """What a solve process needs: the stored instance text (passed through unparsed) and the options; for a
    question, also what was asked and the proposal it is about."""

    def __init__(self, solve_id: str, instance_document: str, options: dict[str, Any], attempt: int,
                 kind: str = repo.SOLVE_JOB, question: dict[str, Any] | None = None,
                 proposal_document: str | None = None) -> None:
        self.solve_id = solve_id
        self.instance_document = instance_document
        self.options = options
        self.attempt = attempt
        self.kind = kind
        self.question = question
        self.proposal_document = proposal_document

    @classmethod
    def of(cls, session: Session, job: SolveRecord) -> SolveJob:
        """The claimed job with the documents it needs, read in the claiming transaction."""
        instance = repo.get_instance(session, job.instance_id)
        assert instance is not None
        if job.kind == repo.SOLVE_JOB:
            return cls(job.id, instance.document, json.loads(job.options), job.attempts)
        proposal = repo.proposal_of(session, str(job.parent_solve_id))
        assert proposal is not None and job.question is not None  # questions are queued on final proposals
        return cls(job.id, instance.document, json.loads(job.options), job.attempts, job.kind,
                   json.loads(job.question), proposal.document)

    def line(self, settings: ServiceSettings) -> str:
        head: dict[str, Any] = {"kind": self.kind, "options": self.options}
        if self.kind == repo.SOLVE_JOB:
            head["solve_function"] = settings.solve_function
        else:
            head["question"] = self.question
        text = json.dumps(head)[:-1] + ',"instance":' + self.instance_document
        if self.proposal_document is not None:
            text += ',"proposal":' + self.proposal_document
        return text + "}\n"


class SolveProcess:
    """One solve process and the thread that watches it."""

    def __init__(self, job: SolveJob, lease: repo.Lease, runner: SolveRunner) -> None:
        self.job = job
        self.lease = lease
        self._runner = runner
        self._settings = runner.settings
        self._database = runner.database
        self._popen: subprocess.Popen[str] | None = None
        self._stdin_lock = threading.Lock()
        self._stop_requested = False
        self._killed_after_stop = False
        self._abandoned = False
        self._concluded = False  # the outcome is stored: the job is no longer this worker's to hold
        self._monitor: threading.Thread | None = None
        self._progress = Progress()
        self._versions = repo.SoftwareVersions("unknown", "unknown")
        self._final: dict[str, Any] | None = None
        self._answer: dict[str, Any] | None = None  # a question's
        self._reported_error: str | None = None
        self._lease_extended_at = time.monotonic()  # claimed just now

    def lease_age(self) -> float:
        """Seconds since this worker last extended the job's lease."""
        return time.monotonic() - self._lease_extended_at

    def lease_extended(self) -> None:
        self._lease_extended_at = time.monotonic()

    @property
    def log_path(self) -> Path:
        return self._settings.log_dir / f"{self.job.solve_id}-attempt{self.job.attempt}.log"

    @property
    def pid(self) -> int | None:
        return None if self._popen is None else self._popen.pid

    def start(self) -> None:
        self._monitor = threading.Thread(target=self._watch, name=f"solve-{self.job.solve_id}", daemon=True)
        self._monitor.start()

    def join(self) -> None:
        if self._monitor is not None:
            self._monitor.join()

    def request_stop(self) -> None:
        with self._stdin_lock:
            if self._stop_requested:
                return
            self._stop_requested = True
            self._write(STOP + "\n")
        timer = threading.Timer(self._settings.stop_grace_seconds, self._kill_after_stop)
        timer.daemon = True
        timer.start()

    def lose_lease(self) -> None:
        """Another worker holds the job now (this one stalled past its lease): store nothing, end the process."""
        if self._concluded:
            return  # the renewal after the job's own finish finds no lease: nothing was lost
        if not self._abandoned:
            log.warning("solve %s: lease lost; ending this attempt without storing anything", self.job.solve_id)
        self.abandon()

    def abandon(self) -> None:
        """Shutdown or a lost lease: end the process without judging the job (its lease decides who runs it)."""
        with self._stdin_lock:
            self._abandoned = True
            if self._popen is not None and self._popen.poll() is None:
                self._popen.kill()

    # --- the monitor thread --------------------------------------------------------------------------------

    def _watch(self) -> None:
        try:
            cancelled_already = self._cancel_requested_before_start()
            spare = self._runner.processes.take()
            os.replace(spare.log_path, self.log_path)
            with self._stdin_lock:
                self._popen = spare.popen
                if self._abandoned:  # the server began shutting down while the process was handed over
                    self._popen.kill()
                else:
                    self._write(self.job.line(self._settings))
                if self._stop_requested:  # asked before the process had its job
                    self._write(STOP + "\n")
            if cancelled_already:
                self.request_stop()
            self._read_messages(self._popen.stdout)
            self._popen.wait()
            if not self._abandoned and not self._runner.closing:
                self._conclude(self._popen.returncode)
        except repo.LeaseLost:
            self.lose_lease()
        except Exception as error:  # noqa: BLE001 - the job must end in a status, whatever broke here
            log.exception("solve %s: the server could not run its process", self.job.solve_id)
            if not self._runner.closing and not self._abandoned:
                try:
                    self._fail(f"the server could not run the solve process: {type(error).__name__}: {error}")
                except repo.LeaseLost:
                    self.lose_lease()
        finally:
            if self._popen is not None and self._popen.poll() is None:
                self._popen.kill()
                self._popen.wait()
            if self._popen is not None:
                for stream in (self._popen.stdin, self._popen.stdout):
                    try:
                        if stream is not None:
                            stream.close()
                    except OSError:
                        pass
            self._runner.finished(self.job.solve_id)

    def _cancel_requested_before_start(self) -> bool:
        """A DELETE that came between the claim and this process being registered could not reach it."""
        with self._database.session() as session:
            solve = repo.get_job(session, self.job.solve_id)
            return solve is not None and solve.cancel_requested_at is not None

    def _write(self, text: str) -> None:
        """Caller holds the stdin lock. A process that already ended cannot be told anything: ignore it."""
        if self._popen is None or self._popen.stdin is None:
            return
        try:
            self._popen.stdin.write(text)
            self._popen.stdin.flush()
        except (BrokenPipeError, ValueError, OSError):
            pass

    def _read_messages(self, stream: IO[str] | None) -> None:
        assert stream is not None
        for line in stream:
            try:
                message = json.loads(line)
            except ValueError:
                continue  # the protocol channel carries only our JSON lines; anything else is noise
            if isinstance(message, dict):
                self._handle(message)

    def _handle(self, message: dict[str, Any]) -> None:
        kind = message.get("type")
        if kind == "started":
            self._versions = repo.SoftwareVersions(str(message.get("matcher")), str(message.get("ortools")))
        elif kind == "progress" and not self._abandoned:
            self._progress.update(message)
            self._best_effort(self._store_progress)
        elif kind == "proposal" and not self._abandoned:
            self._progress.objectives_from(message["proposal"])
            self._best_effort(lambda: self._store_proposal(message["proposal"]))
        elif kind == "done":
            self._final, self._answer = message.get("proposal"), message.get("answer")
        elif kind == "error":
            self._reported_error = str(message.get("message"))

    def _best_effort(self, write: Callable[[], None]) -> None:
        """Progress and interim proposals: a failed write loses a snapshot that the next one replaces."""
        try:
            write()
        except repo.LeaseLost:
            self.lose_lease()
        except Exception:  # noqa: BLE001
            log.warning("solve %s: could not store its progress", self.job.solve_id, exc_info=True)

    def _persistently(self, write: Callable[[], None]) -> None:
        """The outcome must be stored: retry through a short database outage. Should it last longer, the job
        stays ``running`` in the database until its lease expires, and then another worker runs it again."""
        for attempt in range(FINAL_WRITE_ATTEMPTS):
            try:
                write()
                return
            except repo.LeaseLost:
                raise
            except Exception:  # noqa: BLE001
                log.warning("solve %s: could not store its outcome (attempt %d)", self.job.solve_id, attempt + 1,
                            exc_info=True)
                time.sleep(min(2.0**attempt, 8.0))
        log.error("solve %s: outcome lost; it runs again when its lease expires", self.job.solve_id)

    def _store_progress(self) -> None:
        with self._database.session() as session:
            repo.record_progress(session, self.lease, self._progress.as_dict())
        self.lease_extended()  # every write of the job's results extends its lease too

    def _store_proposal(self, proposal: dict[str, Any]) -> None:
        with self._database.session() as session:
            repo.save_proposal(session, self.lease, proposal, False, self._versions)
            repo.record_progress(session, self.lease, self._progress.as_dict())
        self.lease_extended()

    def _kill_after_stop(self) -> None:
        if self._popen is not None and self._popen.poll() is None:
            self._killed_after_stop = True
            self._popen.kill()

    # --- the verdict ---------------------------------------------------------------------------------------

    def _conclude(self, returncode: int) -> None:
        if self._answer is not None:
            self._finish(repo.COMPLETED, "answered", answer=self._answer)
        elif self._final is not None:
            self._conclude_with_proposal(self._final)
        elif self._stop_requested:
            how = "did not stop within the grace period and was ended" if self._killed_after_stop else "ended"
            kept = ("the best proposal reported before is kept" if self.job.kind == repo.SOLVE_JOB
                    else "it has no answer")
            self._finish(repo.CANCELLED, f"stopped on request; the solve process {how}; {kept}")
        else:
            self._fail(self._reported_error or self._exit_explanation(returncode))

    def _conclude_with_proposal(self, document: dict[str, Any]) -> None:
        try:
            proposal = load_proposal(document)
        except ProposalInvalid as error:
            self._fail(f"the solver returned a malformed proposal: {error}")
            return
        self._progress.objectives_from(document)
        if self._stop_requested:
            self._finish(repo.CANCELLED, f"stopped on request; kept the best proposal found ({proposal.status})",
                         proposal=document)
        elif proposal.status == "invalid":
            errors = "; ".join(proposal.errors or []) or "no reason given"
            self._finish(repo.FAILED, f"failed: the instance cannot be solved: {errors}",
                         f"the instance cannot be solved: {errors}", proposal=document)
        else:
            self._finish(repo.COMPLETED, f"finished: {proposal.status}, {len(proposal.assignments)} households placed",
                         proposal=document)

    def _exit_explanation(self, returncode: int) -> str:
        limit = self._settings.solve_memory_mb
        if returncode == EXIT_OUT_OF_MEMORY:
            return f"the solve ran out of memory (limit {limit} MiB)"
        if returncode == EXIT_ORPHANED:
            return "the solve process lost contact with the server"
        if returncode < 0:
            name = _signal_name(-returncode)
            if -returncode == signal.SIGKILL:
                return (f"the solve process was killed ({name}), most likely by the operating system because "
                        "the machine ran out of memory")
            return (f"the solve process crashed ({name}){self._log_hint()}; if it ran out of memory, raise the "
                    f"limit of {limit} MiB (MATCHER_SOLVE_MEMORY_MB)")
        return f"the solve process ended with exit code {returncode} without a result{self._log_hint()}"

    def _log_hint(self) -> str:
        try:
            with open(self.log_path, "rb") as log:
                log.seek(0, 2)
                log.seek(max(0, log.tell() - LOG_TAIL_BYTES))
                lines = [line for line in log.read().decode("utf-8", "replace").splitlines() if line.strip()]
        except OSError:
            return ""
        return f" (last log line: {lines[-1].strip()})" if lines else ""

    def _fail(self, error: str) -> None:
        self._finish(repo.FAILED, f"failed: {error}", error)

    def _finish(self, status: str, message: str, error: str | None = None,
                proposal: dict[str, Any] | None = None, answer: dict[str, Any] | None = None) -> None:
        """The outcome in one transaction: the final proposal (or a question's answer), the last progress and
        the status, or nothing."""
        def write() -> None:
            with self._database.session() as session:
                if proposal is not None:
                    repo.save_proposal(session, self.lease, proposal, True, self._versions)
                repo.record_progress(session, self.lease, self._progress.as_dict())
                repo.finish_solve(session, self.lease, status, message, error, answer)
            self._concluded = True

        self._persistently(write)


def _signal_name(number: int) -> str:
    try:
        return signal.Signals(number).name
    except ValueError:
        return f"signal {number}"


class Progress:
    """The best objectives and bounds so far: finished tiers from the last proposal, the current one live."""

    def __init__(self) -> None:
        self.tier: str | None = None
        self.tier_index: int | None = None
        self.tiers: int | None = None
        self.elapsed: float | None = None
        self.objectives: list[dict[str, Any]] = []

    def update(self, event: dict[str, Any]) -> None:
        self.tier, self.tier_index = event.get("tier"), event.get("tier_index")
        self.tiers, self.elapsed = event.get("tiers"), event.get("elapsed")
        entry = {"name": self.tier, "value": event.get("value"), "bound": event.get("bound"), "done": False}
        self.objectives = [o for o in self.objectives if o["name"] != self.tier] + [entry]

    def objectives_from(self, proposal: dict[str, Any]) -> None:
        done = [{"name": o.get("name"), "value": o.get("value"), "bound": o.get("bound"), "done": True}
                for o in proposal.get("objectives") or [] if isinstance(o, dict)]
        names = {o["name"] for o in done}
        self.objectives = done + [o for o in self.objectives if o["name"] not in names]

    def as_dict(self) -> dict[str, Any]:
        return {"tier": self.tier, "tier_index": self.tier_index, "tiers": self.tiers, "elapsed": self.elapsed,
                "objectives": self.objectives}
