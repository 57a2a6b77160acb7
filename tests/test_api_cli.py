"""``matcher keys`` and ``matcher serve``'s settings: keys printed once and stored hashed, usage errors named."""

from __future__ import annotations

from pathlib import Path

import pytest

from matcher.api.settings import DEFAULT_CONCURRENT_SOLVES
from matcher.cli.main import build_parser, main
from matcher.cli.serve import settings_from
from matcher.storage import Database, database_url
from matcher.storage import repository as repo


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.delenv("MATCHER_DATABASE_URL", raising=False)
    return tmp_path


def test_keys_create_prints_the_key_once_and_stores_its_hash(data_dir: Path,
                                                              capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["keys", "create", "--role", "municipality", "--municipality", "GM0356", "--label", "Utrecht",
                 "--data-dir", str(data_dir)]) == 0
    out, err = capsys.readouterr()
    token = out.strip()
    assert token.startswith("mk_") and "GM0356" in err and token not in err
    database = Database.open(database_url(data_dir))
    with database.session() as session:
        key = repo.key_for_token(session, token)
        assert (key.role, key.municipality, key.label, key.key_hash) == (
            "municipality", "GM0356", "Utrecht", repo.hash_token(token))
    database.close()

    assert main(["keys", "list", "--data-dir", str(data_dir)]) == 0
    listing = capsys.readouterr().out
    assert key.id in listing and "GM0356" in listing and token not in listing
    assert main(["keys", "revoke", key.id, "--data-dir", str(data_dir)]) == 0
    assert main(["keys", "revoke", key.id, "--data-dir", str(data_dir)]) == 1
    assert "revoked" in capsys.readouterr().err


@pytest.mark.parametrize(("arguments", "message"), [
    (["--role", "municipality"], "needs --municipality"),
    (["--role", "coordinator", "--municipality", "GM0356"], "drop --municipality"),
    (["--role", "municipality", "--municipality", "Utrecht"], "CBS code"),
])
def test_keys_create_names_the_usage_error(data_dir: Path, capsys: pytest.CaptureFixture[str],
                                           arguments: list[str], message: str) -> None:
    assert main(["keys", "create", *arguments, "--data-dir", str(data_dir)]) == 2
    assert message in capsys.readouterr().err
    assert not (data_dir / "matcher.sqlite3").exists()


def test_serve_flags_override_the_environment(data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MATCHER_SOLVE_MEMORY_MB", "2048")
    monkeypatch.setenv("MATCHER_MAX_BODY_BYTES", "5000")
    args = build_parser().parse_args(["serve", "--data-dir", str(data_dir), "--max-body-bytes", "7000"])
    settings = settings_from(args)
    assert (settings.data_dir, settings.solve_memory_mb, settings.max_body_bytes) == (data_dir, 2048, 7000)
    assert settings.concurrent_solves == DEFAULT_CONCURRENT_SOLVES
    assert (args.host, args.port) == ("127.0.0.1", 8000)


def test_serve_refuses_nonsense_limits(data_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["serve", "--data-dir", str(data_dir), "--concurrent-solves", "-1"]) == 2
    assert "concurrent_solves" in capsys.readouterr().err


def test_a_worker_needs_a_solve_slot(data_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["worker", "--data-dir", str(data_dir), "--concurrent-solves", "0"]) == 2
    assert "--concurrent-solves" in capsys.readouterr().err


def test_a_bad_environment_variable_is_named(data_dir: Path, monkeypatch: pytest.MonkeyPatch,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("MATCHER_CONCURRENT_SOLVES", "two")
    assert main(["serve", "--data-dir", str(data_dir)]) == 2
    assert "concurrent_solves" in capsys.readouterr().err
