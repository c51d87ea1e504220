"""The command line, end to end (in-process, with the real data files)."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest

from bot.cli import LIBRARY_LOGGERS, main
from bot.settings import Settings
from knowledge.base import data_path
from knowledge.scan import load_scan


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_match_json(capsys: pytest.CaptureFixture[str], reference_catalogue: Path) -> None:
    code, out, _ = run(capsys, "match", "ik wil beter leren presenteren",
                       "--catalogue", str(reference_catalogue), "--json")
    assert code == 0
    data = json.loads(out)
    assert set(data) == {"query", "confident", "matches"}
    assert data["confident"] is True
    best = data["matches"][0]
    assert set(best) == {"competency", "score", "trainings"}
    assert best["competency"] == "Presentatievaardigheden"
    assert "Presentatievaardigheden" in best["trainings"]


def test_match_reads_stdin_one_json_per_line(capsys: pytest.CaptureFixture[str],
                                             monkeypatch: pytest.MonkeyPatch,
                                             reference_catalogue: Path) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO("excel formules\n\nik wil leren vliegen\n"))
    code, out, _ = run(capsys, "match", "--catalogue", str(reference_catalogue), "--json")
    lines = [json.loads(line) for line in out.splitlines()]
    assert code == 0 and [line["query"] for line in lines] == ["excel formules",
                                                                "ik wil leren vliegen"]
    assert lines[0]["confident"] and not lines[1]["confident"]


def test_match_uses_the_imported_catalogue(capsys: pytest.CaptureFixture[str],
                                           reference_catalogue: Path) -> None:
    code, out, _ = run(capsys, "catalogue", "import", str(reference_catalogue))
    assert code == 0 and "regel 122" in out and "regel 123" in out
    code, out, _ = run(capsys, "match", "incoterms", "--json")
    assert json.loads(out)["matches"][0]["trainings"][0] == "Douane in de praktijk"
    code, out, _ = run(capsys, "catalogue", "list", "--json")
    assert json.loads(out)[0]["trainings"] == 120


def test_match_without_import_uses_the_sample(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "match", "notuleren", "--json")
    assert code == 0 and json.loads(out)["confident"]


def test_catalogue_check_reports_lines_and_exits_1(capsys: pytest.CaptureFixture[str],
                                                   reference_catalogue: Path) -> None:
    code, out, _ = run(capsys, "--lang", "en", "catalogue", "check", str(reference_catalogue),
                       "--json")
    report = json.loads(out)
    assert code == 1  # the empty-title row is an error
    assert report["trainings"] == 120 and report["catalogue_id"] is None
    assert [(p["line"], p["code"]) for p in report["problems"]] == [(122, "duplicate"),
                                                                    (123, "missing_title")]
    assert report["problems"][0]["message"].startswith("line 122")


def test_catalogue_check_of_a_bad_file(capsys: pytest.CaptureFixture[str],
                                       tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_bytes(b"\x00\x01nonsense")
    code, out, _ = run(capsys, "catalogue", "import", str(bad))
    assert code == 1 and "fout" in out


def test_paths_build_the_ebook_case(capsys: pytest.CaptureFixture[str],
                                    case_catalogue: Path) -> None:
    spec = data_path("examples", "casus-secretaresse.yaml")
    code, out, _ = run(capsys, "paths", "build", str(spec), "--catalogue",
                       str(case_catalogue), "--json")
    assert code == 0
    data = json.loads(out)
    function = data["paths"][1]
    assert [t["title"] for t in function["trainings"]] == [
        "Prioriteiten stellen", "Klantvriendelijkheid", "12 werkvormen voor vergaderingen",
        "Vergadering notuleren"]
    for path in data["paths"]:
        assert set(path) >= {"name", "trainings", "total_minutes", "uncovered", "warnings"}
        for training in path["trainings"]:
            assert set(training) >= {"title", "minutes", "competencies", "reason"}
            assert training["reason"]


def test_paths_build_rejects_a_bad_spec(capsys: pytest.CaptureFixture[str],
                                        tmp_path: Path) -> None:
    spec = tmp_path / "spec.yaml"
    spec.write_text("paths:\n  - name: x\n    level: planet\n    competencies: []\n")
    code, _, err = run(capsys, "paths", "build", str(spec))
    assert code == 1
    assert "paths.0.level" in err and "paths.0.competencies" in err
    spec.write_text("paths: [unclosed")
    code, _, err = run(capsys, "paths", "build", str(spec))
    assert code == 1 and "YAML" in err


def test_scan_questions_and_score(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, out, _ = run(capsys, "scan", "questions", "--json")
    questions = json.loads(out)
    assert code == 0 and len(questions) == len(load_scan().statements)
    assert set(questions[0]) == {"id", "text", "challenge", "reverse"}
    answers = {q["id"]: (1 if q["reverse"] else 5) if q["challenge"] == 8 else 3
               for q in questions}
    file = tmp_path / "answers.json"
    file.write_text(json.dumps({"answers": answers, "priorities": [8]}))
    code, out, _ = run(capsys, "scan", "score", str(file), "--json")
    result = json.loads(out)
    assert code == 0
    assert result["scores"]["8"] == 100 and result["profile"]["challenge"] == 8
    assert len(result["top_actions"]) == 3
    assert set(result["top_actions"][0]) >= {"id", "title", "highlight"}


def test_scan_score_names_the_bad_item(capsys: pytest.CaptureFixture[str],
                                       tmp_path: Path) -> None:
    statements = load_scan().statements
    answers = {s.id: 3 for s in statements}
    answers[statements[4].id] = 9
    file = tmp_path / "answers.json"
    file.write_text(json.dumps({"answers": answers}))
    code, _, err = run(capsys, "scan", "score", str(file))
    assert code == 1 and statements[4].id in err and "9" in err


def test_demo_runs_on_the_bundled_data(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "demo")
    assert code == 0
    assert "Secretaresses" in out


def test_runs_lists_counts_and_problems_and_retries(capsys: pytest.CaptureFixture[str],
                                                    tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    import asyncio
    from types import SimpleNamespace

    from sqlalchemy import update

    from bot.storage.db import create_engine, sessionmaker, upgrade
    from bot.storage.models import DeliveryRow
    from bot.storage.ports import Shared
    from tests.conversation import Workspace

    url = f"sqlite+aiosqlite:///{tmp_path / 'runs.db'}"
    monkeypatch.setenv("LEERBOT_DATABASE_URL", url)

    async def arrange() -> None:
        engine = create_engine(url)
        await upgrade(engine)

        class Runtime:  # what Workspace needs
            sessions = sessionmaker(engine)
            conductor = SimpleNamespace(units=SimpleNamespace(shared=Shared()))

        async with Workspace(Runtime(), "local") as ws:
            for name in ("lea", "bob"):
                await ws.join(name, name)
            team = await ws.teams.save_team("Support", "lea", ["lea", "bob"], None)
            await ws.rounds.start_run("kennisrondje", team.id,
                                      ["Waarvoor mag men jou bellen?"], "lea")
        async with Runtime.sessions.begin() as db:
            await db.execute(update(DeliveryRow).where(DeliveryRow.recipient == "bob").values(
                status="failed", last_error="slack 500"))
        await engine.dispose()

    asyncio.run(arrange())
    code, out, _ = run(capsys, "runs", "--json")
    assert code == 0
    (listed,) = json.loads(out)
    assert listed["kind"] == "kennisrondje" and listed["counts"] == {"pending": 1, "failed": 1}
    assert listed["problems"] == [{"recipient": "bob", "status": "failed", "error": "slack 500"}]
    code, out, _ = run(capsys, "runs", "--retry", str(listed["id"]))
    assert code == 0 and "1 berichten" in out and "2 wachtend" in out


def test_serve_logging_debugs_our_code_but_not_the_libraries() -> None:
    import logging

    from bot.cli import configure_logging

    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    try:
        configure_logging(Settings(LEERBOT_LOG_LEVEL="debug"))  # any case is accepted
        assert logging.getLogger("bot.workers").isEnabledFor(logging.DEBUG)
        for library in ("slack_sdk", "botbuilder", "microsoft_agents", "sqlalchemy.engine",
                        "aiohttp.access"):
            assert not logging.getLogger(library).isEnabledFor(logging.DEBUG), library
        assert not logging.getLogger("sqlalchemy.engine").isEnabledFor(logging.INFO)  # values
        configure_logging(Settings(LEERBOT_LOG_LEVEL="WARNING"))
        assert not logging.getLogger("bot.workers").isEnabledFor(logging.INFO)
        assert not logging.getLogger("slack_sdk").isEnabledFor(logging.INFO)
    finally:
        root.handlers[:] = handlers
        root.setLevel(level)
        for library in LIBRARY_LOGGERS:
            logging.getLogger(library).setLevel(logging.NOTSET)


# ------------------------------------------------------------------ unusable databases


def _as_nobody() -> None:
    """Run the child as an ordinary user: file permissions do not hold the root user back."""
    import os
    import pwd

    nobody = pwd.getpwnam("nobody")
    os.setgid(nobody.pw_gid)
    os.setuid(nobody.pw_uid)


def _no_file_may_grow() -> None:
    """A full disk, for the child: it may not write a byte to any file."""
    import resource

    resource.setrlimit(resource.RLIMIT_FSIZE, (0, resource.RLIM_INFINITY))


def _read_only_directory(base: Path) -> tuple[dict[str, str], Any]:
    import os

    base.chmod(0o755)  # reachable for the ordinary user the child may run as
    data, home = base / "data", base / "home"  # home: where libraries keep their caches
    data.mkdir()
    data.chmod(0o555)
    home.mkdir()
    home.chmod(0o777)
    return ({"LEERBOT_DATA_DIR": str(data), "HOME": str(home)},
            _as_nobody if os.geteuid() == 0 else None)


def _file_in_the_way(base: Path) -> tuple[dict[str, str], Any]:
    (base / "a-file").write_text("not a directory")
    return {"LEERBOT_DATA_DIR": str(base / "a-file" / "data")}, None


def _not_a_database(base: Path) -> tuple[dict[str, str], Any]:
    (base / "leerbot.db").write_bytes(b"these are notes, not a database" * 100)
    return {"LEERBOT_DATA_DIR": str(base)}, None


def _full_disk(base: Path) -> tuple[dict[str, str], Any]:
    return {"LEERBOT_DATA_DIR": str(base / "data")}, _no_file_may_grow


def _url(url: str) -> Any:
    return lambda base: ({"LEERBOT_DATABASE_URL": url}, None)


#: what is wrong, how to bring it about, and words the paragraph must hold (English)
UNUSABLE: list[tuple[str, Any, str]] = [
    ("read-only data directory", _read_only_directory, "may not write in"),
    ("a file where the directory should be", _file_in_the_way, "a file is in the way"),
    ("not a database", _not_a_database, "not a usable SQLite database"),
    ("full disk", _full_disk, "the disk"),
    ("unreadable URL", _url("postgres//leerbot"), "not a valid database address"),
    ("another database", _url("mysql://leerbot@localhost/leerbot"),
     "only SQLite and PostgreSQL"),
    ("unreachable server", _url("postgresql://leerbot@127.0.0.1:1/leerbot"),
     "cannot be reached"),
]
#: every command that opens the database (arguments after `leerbot --lang en`)
DATABASE_COMMANDS = [["db", "upgrade"], ["chat"], ["catalogue", "list"], ["runs"], ["demo"],
                     ["match", "notuleren"],
                     ["paths", "build", str(data_path("examples", "casus-secretaresse.yaml"))]]


def _leerbot(arguments: list[str], env: dict[str, str], preexec: Any) -> Any:
    import os
    import subprocess
    import sys

    base = {k: v for k, v in os.environ.items() if not k.startswith("LEERBOT_")}
    return subprocess.run(
        [sys.executable, "-m", "bot.cli", "--lang", "en", *arguments],
        env={**base, **env, "PYTHONDONTWRITEBYTECODE": "1"}, capture_output=True, text=True,
        stdin=subprocess.DEVNULL, timeout=120, preexec_fn=preexec,
        cwd=Path(__file__).resolve().parent.parent)


def _assert_one_paragraph(result: Any, words: str) -> None:
    """Exit code 1, nothing on stdout, one paragraph on stderr that says what is wrong."""
    assert result.returncode == 1, result.stderr[-3000:]
    assert "Traceback" not in result.stderr, result.stderr[-3000:]
    message = result.stderr.strip()
    assert result.stdout == "" and "\n" not in message and words in message, result.stderr


@pytest.mark.parametrize(("problem", "arrange", "words"), UNUSABLE,
                         ids=[case[0] for case in UNUSABLE])
def test_an_unusable_database_gets_one_paragraph(problem: str, arrange: Any, words: str,
                                                 tmp_path: Path) -> None:
    import tempfile

    with tempfile.TemporaryDirectory() as base:  # not under the test's own (private) tmp
        env, preexec = arrange(Path(base))
        _assert_one_paragraph(_leerbot(["db", "upgrade"], env, preexec), words)


def test_serve_explains_an_unusable_data_directory() -> None:
    import tempfile

    with tempfile.TemporaryDirectory() as base:
        env, preexec = _read_only_directory(Path(base))
        _assert_one_paragraph(_leerbot(["serve", "--port", "0"], env, preexec),
                              "may not write in")


@pytest.mark.parametrize("command", DATABASE_COMMANDS, ids=[c[0] for c in DATABASE_COMMANDS])
def test_every_command_explains_an_unusable_data_directory(
        command: list[str], capsys: pytest.CaptureFixture[str], tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    env, _ = _file_in_the_way(tmp_path)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setattr("sys.stdin", io.StringIO(""))
    code, out, err = run(capsys, "--lang", "en", *command)
    assert code == 1 and out == "" and err.strip().count("\n") == 0, err
    assert "a file is in the way" in err
