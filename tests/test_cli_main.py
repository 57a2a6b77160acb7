"""The ``matcher`` command: ``--version`` and ``--help`` load no subcommand (so neither the solver nor OR-Tools),
a command loads only its own module, and the listing's summaries are the modules' own."""

from __future__ import annotations

import argparse
import json
import subprocess
import sys

import pytest

from matcher import __version__
from matcher.cli.main import COMMANDS, build_parser, main

HEAVY = ("ortools", "matcher.solver", "matcher.api", "fastapi", "ray", "highspy", "openpyxl")


def modules_loaded_by(*argv: str) -> tuple[str, list[str]]:
    """What ``matcher ARGV`` prints and which of the heavy modules it imported, in a fresh interpreter."""
    code = ("import json, sys\n"
            "from matcher.cli.main import main\n"
            "try:\n"
            f"    main({list(argv)!r})\n"
            "except SystemExit:\n"
            "    pass\n"
            f"heavy = [m for m in {HEAVY!r} if m in sys.modules]\n"
            "print(json.dumps(heavy), file=sys.stderr)\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True)
    return done.stdout, json.loads(done.stderr.strip().splitlines()[-1])


@pytest.mark.parametrize("option", ["--version", "--help"])
def test_version_and_help_import_no_subcommand(option: str) -> None:
    out, heavy = modules_loaded_by(option)
    assert heavy == []
    if option == "--version":
        assert out.strip() == f"matcher {__version__}"
    else:
        assert all(name in out for name in COMMANDS) and COMMANDS["solve"].summary in out


def test_a_command_imports_only_its_own_module() -> None:
    out, heavy = modules_loaded_by("check", "--help")  # the checker shares nothing with the solver
    assert heavy == [] and "usage: matcher check" in out


def test_the_listing_shows_each_module_s_own_summary() -> None:
    parser = build_parser()  # every module, with its real arguments
    subparsers = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    helps = {action.dest: action.help for action in subparsers._choices_actions}
    assert helps == {name: command.summary for name, command in COMMANDS.items()}


def test_an_unknown_command_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as stopped:
        main(["solv"])
    assert stopped.value.code == 2 and "invalid choice: 'solv'" in capsys.readouterr().err


def test_a_question_ends_its_process_without_waiting_for_a_search_left_behind() -> None:
    """`matcher why-not` and `recommend` count their time limit to the process's exit: a thread the solver left
    behind (here one that would never end) must not keep it waiting once the answer is written. Only the program
    itself ends so; a caller in Python (``main(argv)``) keeps its process."""
    code = ("import sys, threading\n"
            "from matcher.cli.main import exit_without_waiting\n"
            "threading.Thread(target=threading.Event().wait, daemon=False).start()  # never ends\n"
            "print('the answer')\n"
            "exit_without_waiting(0)\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0 and done.stdout == "the answer\n"
    for command in ("why-not", "recommend"):
        args = build_parser({command}).parse_args([command, "i.json", "p.json", "--household", "h", "--dwelling", "d"]
                                                  if command == "why-not" else [command, "i", "p", "--household", "h"])
        assert args.exit_at_answer
    assert not getattr(build_parser({"solve"}).parse_args(["solve", "i.json"]), "exit_at_answer", False)
