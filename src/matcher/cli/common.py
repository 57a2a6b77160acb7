"""Small helpers shared by the subcommands: reading inputs, writing outputs, reporting problems."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

from matcher.exceptions import InstanceInvalid, ProposalInvalid, ScenarioInvalid
from matcher.format import Instance, Proposal
from matcher.proposal_reader import load_proposal
from matcher.validation import load_instance

if TYPE_CHECKING:
    from matcher.simulation.scenario import Scenario

EXIT_OK = 0
EXIT_FAILED = 1  # the command ran, and its answer is "no" (invalid input, a broken proposal)
EXIT_USAGE = 2


def read_source(path: str) -> bytes | Path:
    """A file path, or ``-`` for standard input."""
    return sys.stdin.buffer.read() if path == "-" else Path(path)


def load_instance_or_report(path: str) -> Instance | None:
    """Load and validate; on failure print every problem to stderr and return None."""
    try:
        return load_instance(read_source(path))
    except InstanceInvalid as error:
        print_problems(path, error)
        return None


def load_proposal_or_report(path: str) -> Proposal | None:
    """Read a proposal (its format field must say it is one); on failure print every problem and return None."""
    try:
        return load_proposal(read_source(path))
    except ProposalInvalid as error:
        print_problems(path, error)
        return None


def load_scenario_or_report(path: str) -> Scenario | None:
    """Read and validate a scenario; on failure print every problem to stderr and return None."""
    from matcher.simulation.scenario import load_scenario  # the simulation package loads the solver: only when asked

    try:
        return load_scenario(read_source(path))
    except ScenarioInvalid as error:
        print_problems(path, error)
        return None


def print_problems(path: str, error: InstanceInvalid | ProposalInvalid) -> None:
    print(f"{path}: {len(error.problems)} problem(s)", file=sys.stderr)
    for problem in error.problems:
        print(f"  {problem}", file=sys.stderr)


def write_text(path: str | None, text: str) -> None:
    """Write to a file, or to stdout when the path is None or ``-``."""
    if path in (None, "-"):
        sys.stdout.write(text if text.endswith("\n") else text + "\n")
    else:
        Path(path).write_text(text if text.endswith("\n") else text + "\n", encoding="utf-8")
