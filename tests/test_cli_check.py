"""``matcher check``: exit 0 when the proposal holds, 1 on violations, 2 when a file cannot be read."""

from __future__ import annotations

import argparse
import io
import json
from pathlib import Path
from typing import Any

import pytest

from conftest import EXAMPLES
from matcher.cli import check, main

INSTANCE = EXAMPLES / "tiny-s1.json"
PROPOSAL = EXAMPLES / "tiny-s1.proposal.json"


def run_check(*argv: str) -> int:
    """Run the subcommand through its own parser, as ``matcher check ...`` does."""
    parser = argparse.ArgumentParser(prog="matcher")
    check.add_parser(parser.add_subparsers())
    args = parser.parse_args(["check", *argv])
    return int(args.func(args))


def write_proposal(tmp_path: Path, edit: Any) -> Path:
    data = json.loads(PROPOSAL.read_text(encoding="utf-8"))
    edit(data)
    path = tmp_path / "edited.proposal.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def test_a_reference_proposal_is_ok(capsys: pytest.CaptureFixture[str]) -> None:
    assert run_check(str(INSTANCE), str(PROPOSAL)) == 0
    out = capsys.readouterr().out
    assert "OK, every rule holds" in out
    assert "max_shortfall_permille" in out and "250" in out


def test_violations_exit_1_and_are_listed(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    def share_dwelling(data: dict[str, Any]) -> None:
        data["assignments"][0]["dwelling"] = data["assignments"][2]["dwelling"]

    assert run_check(str(INSTANCE), str(write_proposal(tmp_path, share_dwelling))) == 1
    out = capsys.readouterr().out
    assert "[capacity] dwelling d00000: holds 2 households" in out
    assert "[compatibility] assignments[0] h00002 -> d00000" in out


def test_json_report(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    def wrong_quality(data: dict[str, Any]) -> None:
        data["objectives"][3]["value"] = data["objectives"][3]["bound"] = 51

    assert run_check(str(INSTANCE), str(write_proposal(tmp_path, wrong_quality)), "--json") == 1
    report = json.loads(capsys.readouterr().out)
    assert report["ok"] is False
    assert [v["rule"] for v in report["violations"]] == ["objective_mismatch"]
    assert {"name": "quality", "recomputed": 50, "value": 51, "bound": 51} in report["objectives"]
    assert {"id": "GM0321", "placed": 3} in report["municipalities"]


def test_proposal_from_stdin(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    stdin = io.TextIOWrapper(io.BytesIO(PROPOSAL.read_bytes()))
    monkeypatch.setattr("sys.stdin", stdin)
    assert run_check(str(INSTANCE), "-", "--json") == 0
    assert json.loads(capsys.readouterr().out)["ok"] is True


def test_malformed_proposal_exits_2_naming_the_field(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    def text_value(data: dict[str, Any]) -> None:
        data["objectives"][0]["value"] = "three"

    assert run_check(str(INSTANCE), str(write_proposal(tmp_path, text_value))) == 2
    captured = capsys.readouterr()
    assert 'objectives[0] (id "overdue_housed").value: input should be a valid integer' in captured.err
    assert "Traceback" not in captured.err


def test_proposal_that_is_not_json_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "broken.json"
    path.write_text("{not json", encoding="utf-8")
    assert run_check(str(INSTANCE), str(path)) == 2
    assert "is not valid JSON" in capsys.readouterr().err


def test_unreadable_instance_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = json.loads(INSTANCE.read_text(encoding="utf-8"))
    data["households"][0]["members"] = []
    path = tmp_path / "instance.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    assert run_check(str(path), str(PROPOSAL)) == 2
    assert "members" in capsys.readouterr().err


def test_both_from_stdin_is_refused(capsys: pytest.CaptureFixture[str]) -> None:
    assert run_check("-", "-") == 2
    assert "standard input" in capsys.readouterr().err


def test_dispatched_by_the_matcher_command(capsys: pytest.CaptureFixture[str]) -> None:
    assert main.main(["check", str(INSTANCE), str(PROPOSAL), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["ok"] is True
