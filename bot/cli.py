"""The ``leerbot`` command line.

    leerbot chat                          talk to Leerbot here (console channel)
    leerbot serve [--host H --port P]     web chat on 127.0.0.1, Slack and Microsoft Teams
    leerbot demo                          the engine at work on the bundled data
    leerbot catalogue check|import FILE   read an LMS export (CSV/XLSX) and report problems
    leerbot catalogue list                imported catalogues of the workspace
    leerbot match [TEXT] [--json]         competencies for a learning wish (stdin: one per line)
    leerbot paths build SPEC.yaml         compose learning paths (leerlijnen)
    leerbot scan questions|score|team     the diagnostic scan (team: one round, --previous)
    leerbot manifest slack|teams --url U  the Slack manifest, or the Microsoft Teams app package
    leerbot db upgrade                    create or update the database schema
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import sys
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from bot.catalogues import prepare, read_file
from bot.settings import Settings, get_settings
from bot.storage.catalogues import list_catalogues, save_catalogue, workspace_catalogue
from bot.storage.db import (
    DatabaseError,
    create_engine,
    database_error,
    sessionmaker,
    upgrade,
)
from engine.matching import CompetencyMatcher, MatchResult
from engine.notes import Note
from engine.paths import BuildResult, PathRequest, build_paths
from engine.scan import (
    RankedAction,
    ScanInputError,
    ScanResult,
    barrier_scores,
    check_answers,
    score_scan,
)
from engine.scan_chart import number_text, result_chart, texts, trend_chart
from engine.scan_team import TeamRound, TeamTrend, aggregate_round, compare_rounds
from knowledge.actions import load_action_library
from knowledge.base import KnowledgeError, Text, data_path
from knowledge.catalogue import Catalogue
from knowledge.catalogue_import import ImportReport
from knowledge.messages import normalise_lang, t
from knowledge.scan import load_scan
from knowledge.taxonomy import load_taxonomy

EXIT_OK, EXIT_INPUT, EXIT_USAGE = 0, 1, 2


class CliError(Exception):
    """A problem with what the user gave us; printed without a traceback."""


def _print_json(data: Any) -> None:
    print(json.dumps(data, ensure_ascii=False))


# ------------------------------------------------------------------ database


async def _with_database(settings: Settings, work: Callable[..., Any]) -> Any:
    """Open the database (creating or updating its schema) for ``work``; a database that
    cannot be used raises DatabaseError, which ``main`` turns into one paragraph."""
    engine = None
    try:
        engine = create_engine(settings.effective_database_url)
        await upgrade(engine)
        return await work(sessionmaker(engine))
    except Exception as exc:
        problem = database_error(exc, engine.url if engine is not None else None)
        if problem is None:
            raise
        raise problem from None
    finally:
        if engine is not None:
            await engine.dispose()


def database_message(error: DatabaseError, settings: Settings, lang: str) -> str:
    """One paragraph: what is wrong with the database and what to do about it."""
    place = error.where
    if not place and settings.database_url is None:
        place = str(settings.data_dir)
    return t(lang, f"cli.database.{error.problem}", where=place or "-",
             reason=str(error) or error.problem)


async def _active_catalogue(settings: Settings) -> Catalogue:
    async def work(sessions: Any) -> Catalogue:
        return await workspace_catalogue(sessions, settings.workspace)

    return await _with_database(settings, work)


def _catalogue(args: argparse.Namespace, settings: Settings) -> Catalogue:
    if args.catalogue:
        report = read_file(Path(args.catalogue))
        for problem in report.problems:
            print(problem.render(args.lang), file=sys.stderr)
        if report.fatal:
            raise CliError(t(args.lang, "cli.catalogue_unusable", file=args.catalogue))
        return report.catalogue
    return prepare(asyncio.run(_active_catalogue(settings)))


# ------------------------------------------------------------------ catalogue


def _report_json(report: ImportReport, lang: str, imported_id: int | None) -> dict[str, Any]:
    return {
        "file": report.source,
        "rows": report.rows,
        "trainings": len(report.catalogue.trainings),
        "own_competencies": report.catalogue.own_competencies,
        "problems": [{"line": p.line, "severity": p.severity, "code": p.code,
                      "message": p.render(lang)} for p in report.problems],
        "catalogue_id": imported_id,
    }


def _print_report(report: ImportReport, lang: str) -> None:
    for problem in report.problems:
        label = t(lang, f"cli.severity.{problem.severity}")
        print(f"{label}: {problem.render(lang)}")
    print(t(lang, "cli.catalogue_summary", file=report.source, rows=report.rows,
            trainings=len(report.catalogue.trainings), errors=len(report.errors),
            warnings=len(report.problems) - len(report.errors)))


def cmd_catalogue(args: argparse.Namespace, settings: Settings) -> int:
    if args.action == "list":
        async def work(sessions: Any) -> Any:
            async with sessions() as session:
                return await list_catalogues(session, settings.workspace)

        stored = asyncio.run(_with_database(settings, work))
        if args.json:
            _print_json([s.model_dump() for s in stored])
        elif not stored:
            print(t(args.lang, "cli.no_catalogues"))
        for item in [] if args.json else stored:
            mark = "*" if item.active else " "
            print(f"{mark} {item.id:>4}  {item.imported_at}  {item.trainings:>6}  {item.name}")
        return EXIT_OK
    if not args.file:
        raise CliError(t(args.lang, "cli.file_required"))
    report = read_file(Path(args.file))
    imported_id: int | None = None
    if args.action == "import" and not report.fatal:
        async def save(sessions: Any) -> int:
            async with sessions.begin() as session:
                return await save_catalogue(session, settings.workspace, report.catalogue)

        imported_id = asyncio.run(_with_database(settings, save))
    if args.json:
        _print_json(_report_json(report, args.lang, imported_id))
    else:
        _print_report(report, args.lang)
        if imported_id is not None:
            print(t(args.lang, "cli.catalogue_imported", id=imported_id,
                    workspace=settings.workspace))
    if report.fatal:
        return EXIT_INPUT
    return EXIT_INPUT if args.action == "check" and report.errors else EXIT_OK


# ------------------------------------------------------------------ matching


def _match_json(result: MatchResult) -> dict[str, Any]:
    return {
        "query": result.query,
        "confident": result.confident,
        "matches": [m.model_dump() for m in result.matches],
    }


def _print_match(result: MatchResult, lang: str) -> None:
    print(t(lang, "cli.match_header", query=result.query))
    if not result.confident:
        print("  " + t(lang, "cli.match_not_confident"))
    for match in result.matches:
        print(f"  {match.score:5.1f}  {match.competency}")
        for title in match.trainings[:3]:
            print(f"         - {title}")


def _queries(args: argparse.Namespace) -> Iterable[str]:
    if args.text:
        yield " ".join(args.text)
        return
    for line in sys.stdin:
        if line.strip():
            yield line.rstrip("\n")


def cmd_match(args: argparse.Namespace, settings: Settings) -> int:
    matcher = CompetencyMatcher(_catalogue(args, settings), load_taxonomy())
    for query in _queries(args):
        result = matcher.match(query, k=args.top)
        if args.json:
            _print_json(_match_json(result))
            sys.stdout.flush()
        else:
            _print_match(result, args.lang)
    return EXIT_OK


# ------------------------------------------------------------------ paths


def _read_structured(path: Path, lang: str) -> Any:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise CliError(t(lang, "cli.cannot_read", file=str(path),
                         reason=exc.strerror or str(exc))) from None
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise CliError(t(lang, "cli.not_yaml", file=str(path), reason=str(exc))) from None


def _validation_message(exc: ValidationError, lang: str, file: str) -> str:
    lines = [t(lang, "cli.invalid_input", file=file)]
    for error in exc.errors():
        where = ".".join(str(p) for p in error["loc"]) or "-"
        lines.append(f"  {where}: {error['msg']}")
    return "\n".join(lines)


def paths_json(result: BuildResult, lang: str) -> dict[str, Any]:
    return {
        "optimal": result.optimal,
        "paths": [
            {
                "name": path.name,
                "level": path.level,
                "trainings": [
                    {"id": item.id, "title": item.title, "minutes": item.minutes,
                     "format": item.format, "level": item.level,
                     "competencies": item.competencies,
                     "reason": " ".join(n.text(lang) for n in item.reason)}
                    for item in path.trainings
                ],
                "total_minutes": path.total_minutes,
                "uncovered": path.uncovered,
                "warnings": [w.text(lang) for w in path.warnings],
                "warning_codes": [w.code for w in path.warnings],
                "overlaps": [{"id": o.training_id, "title": o.title, "path": o.path_name}
                             for o in path.overlaps],
            }
            for path in result.paths
        ],
    }


def print_paths(result: BuildResult, lang: str) -> None:
    for path in result.paths:
        print(t(lang, "cli.path_header", name=path.name, level=path.level,
                count=len(path.trainings), minutes=path.total_minutes))
        for item in path.trainings:
            print(f"  - {item.title} ({item.minutes} min, {item.format}, {item.level or '?'})")
            print(f"      {' '.join(n.text(lang) for n in item.reason)}")
        for text in path.uncovered:
            print("  " + t(lang, "cli.path_uncovered", competency=text))
        for overlap in path.overlaps:
            print("  ~ " + t(lang, "paths.cli.overlap", title=overlap.title,
                             path=overlap.path_name))
        for warning in path.warnings:
            print("  ! " + warning.text(lang))
        print()


def cmd_paths(args: argparse.Namespace, settings: Settings) -> int:
    raw = _read_structured(Path(args.spec), args.lang)
    try:
        request = PathRequest.model_validate(raw)
    except ValidationError as exc:
        raise CliError(_validation_message(exc, args.lang, args.spec)) from None
    matcher = CompetencyMatcher(_catalogue(args, settings), load_taxonomy())
    result = build_paths(request, matcher)
    if args.json:
        _print_json(paths_json(result, args.lang))
    else:
        print_paths(result, args.lang)
    return EXIT_OK


# ------------------------------------------------------------------ scan


def cmd_scan(args: argparse.Namespace, settings: Settings) -> int:
    if args.action == "questions":
        return _scan_questions(args)
    if not args.file:
        raise CliError(t(args.lang, "cli.file_required"))
    if args.action == "team":
        return _scan_team(args)
    return _scan_score(args)


def _scan_questions(args: argparse.Namespace) -> int:
    questions = [{"id": s.id, "text": s.text.get(args.lang), "challenge": s.challenge,
                  "reverse": s.reverse} for s in load_scan().statements]
    if args.json:
        _print_json(questions)
    else:
        for number, item in enumerate(questions, start=1):
            print(f"{number:>2}. [{item['id']}] {item['text']}")
    return EXIT_OK


def _scan_errors(lang: str, file: str, exc: ScanInputError) -> CliError:
    lines = [t(lang, "cli.scan_invalid", file=file)]
    lines += [f"  {n.text(lang)}" for n in exc.notes]
    return CliError("\n".join(lines))


def _notes_json(notes: Iterable[Note], lang: str) -> list[dict[str, str]]:
    return [{"code": n.code, "text": n.text(lang)} for n in notes]


def scan_json(result: ScanResult, lang: str) -> dict[str, Any]:
    """``leerbot scan score --json``: profile is null on a tie or a flat result."""
    scan, library = load_scan(), load_action_library()
    profile = None
    if result.profile is not None:
        profile = {"challenge": result.profile, "title": result.profile_title,
                   "description": scan.profile(result.profile).description.get(lang)}
    return {
        "scores": {str(k): v for k, v in sorted(result.scores.items())},
        "profile": profile,
        "tied": result.tied,
        "flat": result.flat,
        "high_barriers": result.high_barriers,
        "priorities": result.priorities,
        "top_actions": [{"id": a.id, "title": a.title, "highlight": a.highlight,
                         "overlap": a.overlap, "challenges": a.challenges}
                        for a in result.top_actions],
        "notes": _notes_json(result.notes, lang),
        "chart": result_chart(result, library).model_dump(mode="json"),
    }


def _action_labels(action: RankedAction, lang: str) -> str:
    labels = [t(lang, "scan.label.highlight")] if action.highlight else []
    if action.overlap:
        labels.append(t(lang, "scan.label.overlap",
                        challenges=", ".join(map(str, action.challenges))))
    return "".join(f"  [{label}]" for label in labels)


def print_scan(result: ScanResult, lang: str) -> None:
    scan, library = load_scan(), load_action_library()
    for number, value in sorted(result.scores.items()):
        title = library.challenge(number).title.get(lang)
        print(f"{number}. {value:>3}  {'#' * (value // 5):<20}  {title}")
    print()
    if result.profile is not None:
        print(t(lang, "cli.scan_profile", title=result.profile_title))
        print(scan.profile(result.profile).description.get(lang))
    for item in result.notes:
        print(f"- {item.text(lang)}")
    print()
    for action in result.top_actions:
        print(f"  {action.id}  {action.title}{_action_labels(action, lang)}")


def _scan_score(args: argparse.Namespace) -> int:
    raw = _read_structured(Path(args.file), args.lang)
    if not isinstance(raw, dict) or not isinstance(raw.get("answers"), dict):
        raise CliError(t(args.lang, "cli.scan_shape", file=args.file))
    priorities = raw.get("priorities") or []
    if not isinstance(priorities, list):
        raise CliError(t(args.lang, "cli.scan_shape", file=args.file))
    try:
        result = score_scan(load_action_library(), load_scan(), raw["answers"], priorities,
                            lang=args.lang)
    except ScanInputError as exc:
        raise _scan_errors(args.lang, args.file, exc) from None
    if args.json:
        _print_json(scan_json(result, args.lang))
    else:
        print_scan(result, args.lang)
    return EXIT_OK


def _respondent_scores(entry: object, number: int, lang: str, file: str) -> dict[int, Any]:
    """One respondent of a team file: barrier scores {"1": 50, ...} or answers {"s1a": 4}."""
    if not isinstance(entry, dict) or not entry:
        raise CliError(t(lang, "scan.cli.team_shape", file=file))
    if all(str(key).isdigit() for key in entry):
        return {int(key): value for key, value in entry.items()}
    scan = load_scan()
    try:
        check_answers(scan, entry)
    except ScanInputError as exc:
        prefix = t(lang, "scan.error.team_prefix", number=number)
        raise CliError("\n".join([t(lang, "cli.scan_invalid", file=file)]
                                 + [f"  {prefix} {n.text(lang)}" for n in exc.notes])) from None
    return dict(barrier_scores(scan, {str(k): int(v) for k, v in entry.items()}))


def read_team_round(file: str, lang: str) -> TeamRound:
    raw = _read_structured(Path(file), lang)
    if not isinstance(raw, dict) or not isinstance(raw.get("respondents"), list):
        raise CliError(t(lang, "scan.cli.team_shape", file=file))
    scores = [_respondent_scores(entry, number, lang, file)
              for number, entry in enumerate(raw["respondents"], start=1)]
    try:
        return aggregate_round(scores)
    except ScanInputError as exc:
        raise _scan_errors(lang, file, exc) from None


def _with_notes(model: TeamRound | TeamTrend, lang: str) -> dict[str, Any]:
    return {**model.model_dump(mode="json", exclude={"notes"}),
            "notes": _notes_json(model.notes, lang)}


def print_team(current: TeamRound, trend: TeamTrend | None, lang: str) -> None:
    print(t(lang, "scan.team.respondents", respondents=current.respondents))
    for item in current.notes:
        print(f"- {item.text(lang)}")
    for summary in current.challenges:
        print(t(lang, "scan.team.line", challenge=summary.challenge,
                mean=number_text(summary.mean, lang), low=summary.low, high=summary.high,
                stdev=number_text(summary.stdev, lang)))
    if trend is None:
        return
    print()
    for item in trend.notes:
        print(f"- {item.text(lang)}")
    for change in trend.changes:
        delta = ("+" if change.delta > 0 else "") + number_text(change.delta, lang)
        print(t(lang, "scan.team.change", challenge=change.challenge,
                previous=number_text(change.previous, lang),
                current=number_text(change.current, lang), delta=delta))


def _scan_team(args: argparse.Namespace) -> int:
    current = read_team_round(args.file, args.lang)
    rounds: list[tuple[str | Text, TeamRound]] = [(texts("scan.chart.round_now"), current)]
    trend = None
    if args.previous:
        previous = read_team_round(args.previous, args.lang)
        trend = compare_rounds(previous, current)
        rounds.insert(0, (texts("scan.chart.round_previous"), previous))
    if not args.json:
        print_team(current, trend, args.lang)
        return EXIT_OK
    chart = trend_chart(rounds, load_action_library())
    _print_json({"round": _with_notes(current, args.lang),
                 "trend": _with_notes(trend, args.lang) if trend else None,
                 "chart": chart.model_dump(mode="json")})
    return EXIT_OK


# ------------------------------------------------------------------ chat, demo, db


def cmd_chat(args: argparse.Namespace, settings: Settings) -> int:
    from bot.channels.console import chat
    from bot.runtime import LocalDelivery, Runtime

    if args.clock:
        from bot.clock import moment

        try:
            settings = settings.model_copy(update={"clock": moment(args.clock)})
        except ValueError:
            raise CliError(t(args.lang, "cli.runs_bad_moment", value=args.clock)) from None

    async def run() -> None:
        runtime = await Runtime.start(settings)
        # scheduled messages (check-ins, kennisrondjes, ...) for console users are planned and
        # put in their mailbox by this process too; they show at the next message
        local = LocalDelivery(runtime)
        await local.tick()  # what waits is in the mailbox before the first screen
        local.start()
        try:
            await chat(runtime.conductor, settings.data_dir / "exports", args.lang,
                       clock=runtime.clock, moved=local.tick)
        finally:
            await local.stop()
            await runtime.close()

    asyncio.run(run())
    return EXIT_OK



#: our own code, which logs at LEERBOT_LOG_LEVEL (and never what people wrote)
OWN_LOGGERS = ("bot", "dialogs", "engine", "knowledge")
#: Libraries, and the least level they log at whatever LEERBOT_LOG_LEVEL says: below it each
#: can print what people wrote, tokens or statement values (found by reading them).
LIBRARY_LOGGERS = {
    "aiosqlite": logging.INFO,  # DEBUG: every call with its statement and values
    "asyncpg": logging.INFO,  # a database driver: held back like aiosqlite
    # sqlalchemy.engine INFO: every statement with its values, DEBUG: the rows;
    # sqlalchemy.pool DEBUG: every connection; sqlalchemy.dialects INFO: server details
    "sqlalchemy": logging.WARNING,
    "alembic": logging.INFO,  # INFO: the migrations run
    "slack_sdk": logging.INFO,  # DEBUG: every Web API request and answer, with its body
    "slack_bolt": logging.INFO,  # DEBUG: request bodies, listener arguments
    "botbuilder": logging.INFO,
    "botframework": logging.INFO,  # the connector client (through msrest)
    # the Microsoft 365 Agents SDK: INFO logs every send with its conversation id, and the
    # user-token client's request bodies
    "microsoft_agents": logging.WARNING,
    "msrest": logging.INFO,  # msrest.http_logger DEBUG: request and answer bodies, headers
    "msal": logging.INFO,  # DEBUG: token requests
    "azure": logging.WARNING,  # azure.core's http_logging_policy INFO: URLs and headers
    "aiohttp": logging.INFO,  # client and server DEBUG; the access log: see PathAccessLogger
    "urllib3": logging.INFO,  # DEBUG: every URL with its query
    "requests_oauthlib": logging.INFO,  # DEBUG: tokens
    "oauthlib": logging.INFO,  # DEBUG: tokens
    "asyncio": logging.INFO,
    "matplotlib": logging.WARNING,  # DEBUG and INFO: font lookups (noise)
    "PIL": logging.INFO,
}


def configure_logging(settings: Settings) -> None:
    """Log lines with time, level and source to standard error. Only our own code logs below
    INFO: the root logger stays at INFO or above, so a library's DEBUG lines never show,
    including those of loggers not listed here (Bolt names the app's loggers after the file
    that created it, and gives them the root's level); LIBRARY_LOGGERS holds some back more."""
    wanted = logging.getLevelName(settings.log_level)
    logging.basicConfig(level=max(wanted, logging.INFO), force=True,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    for name in OWN_LOGGERS:
        logging.getLogger(name).setLevel(wanted)
    for name, least in LIBRARY_LOGGERS.items():
        logging.getLogger(name).setLevel(max(least, wanted))


def cmd_serve(args: argparse.Namespace, settings: Settings) -> int:
    from aiohttp import web

    from bot.memory import settle
    from bot.runtime import Runtime
    from bot.server import CHANNELS, PathAccessLogger, build_app, is_loopback

    async def make_app() -> web.Application:
        runtime = await Runtime.start(settings)
        local = is_loopback(args.host)
        app = build_app(runtime, webchat_enabled=local, workers=not args.no_workers)

        async def close(_app: web.Application) -> None:
            await runtime.close()

        app.on_cleanup.append(close)

        async def settled(_app: web.Application) -> None:  # after the workers started
            settle()

        app.on_startup.append(settled)
        channels = app[CHANNELS]
        logging.getLogger("bot.serve").info(
            "serving on %s:%s; database %s; Slack %s, Microsoft Teams %s; workers %s", args.host,
            args.port, runtime.engine.url.get_backend_name(),
            "on" if channels.slack else "off",
            "authenticated" if settings.microsoft_app_id else "local Emulator only",
            "off" if args.no_workers else "on")
        if local:
            print(t(args.lang, "cli.serve_webchat", url=f"http://{args.host}:{args.port}/chat"))
        else:
            print(t(args.lang, "cli.serve_no_webchat", host=args.host))
        return app

    configure_logging(settings)
    web.run_app(make_app(), host=args.host, port=args.port, print=None,
                access_log=logging.getLogger("aiohttp.access") if settings.access_log else None,
                access_log_class=PathAccessLogger)
    return EXIT_OK


def cmd_demo(args: argparse.Namespace, settings: Settings) -> int:
    lang = args.lang
    catalogue = prepare(asyncio.run(_active_catalogue(settings)))
    matcher = CompetencyMatcher(catalogue, load_taxonomy())
    print(t(lang, "cli.demo_intro", trainings=len(catalogue.trainings), name=catalogue.name))
    print()
    for query in t(lang, "cli.demo_queries").split("|"):
        _print_match(matcher.match(query, k=3), lang)
    print()
    spec = data_path("examples", "casus-secretaresse.yaml")
    print(t(lang, "cli.demo_case", file=str(spec)))
    request = PathRequest.model_validate(yaml.safe_load(spec.read_text(encoding="utf-8")))
    print_paths(build_paths(request, matcher), lang)
    print(t(lang, "cli.demo_next"))
    return EXIT_OK


def cmd_manifest(args: argparse.Namespace, settings: Settings) -> int:
    from bot.manifests import ManifestError, msteams_package, slack_manifest

    try:
        if args.platform == "slack":
            manifest = slack_manifest(args.url, token_rotation=args.token_rotation,
                                      org_wide=args.org_wide)
            print(yaml.safe_dump(manifest, sort_keys=False, allow_unicode=True), end="")
            return EXIT_OK
        if not args.app_id:
            raise CliError(t(args.lang, "cli.app_id_required"))
        package = msteams_package(args.app_id, args.url, args.schema)
    except ManifestError as exc:
        raise CliError(str(exc)) from None
    output = Path(args.output)
    output.write_bytes(package)
    print(t(args.lang, "cli.msteams_package", file=str(output)))
    return EXIT_OK


def cmd_db(args: argparse.Namespace, settings: Settings) -> int:
    async def nothing(_sessions: Any) -> None:
        return None

    asyncio.run(_with_database(settings, nothing))
    print(t(args.lang, "cli.db_ready"))
    return EXIT_OK


def cmd_runs_due(args: argparse.Namespace, settings: Settings) -> int:
    """Time travel: run what is due at ``--at`` now (the follow-ups of the days from
    ``--since``, default now, each once); console and web chat messages go to the mailbox
    (they show at the person's next message), Slack and Teams ones to a running
    ``leerbot serve``."""
    import dialogs.registry  # noqa: F401  (the texts of the messages)
    from bot.channels.mailbox import SENDER, MailboxSender
    from bot.clock import moment
    from bot.scheduler import run_due
    from bot.workers import DeliveryWorker

    try:
        at = moment(args.at) if args.at else datetime.now(UTC)
        since = moment(args.since) if args.since else min(datetime.now(UTC), at)
    except ValueError:
        raise CliError(t(args.lang, "cli.runs_bad_moment",
                         value=f"{args.at or ''} {args.since or ''}".strip())) from None

    async def work(sessions: Any) -> tuple[int, int]:
        planned, moved = await run_due(sessions, at, since)
        worker = DeliveryWorker(sessions, {SENDER: MailboxSender(sessions)})
        await worker.drain()
        await worker.marks.close()
        return planned, moved

    planned, moved = asyncio.run(_with_database(settings, work))
    print(t(args.lang, "cli.runs_due", moment=at.strftime("%Y-%m-%d %H:%M"),
            planned=planned, moved=moved))
    return EXIT_OK


def cmd_runs(args: argparse.Namespace, settings: Settings) -> int:
    """Scheduled and fan-out runs of the workspace: sent, waiting, failed, unknown."""
    if args.action == "due":
        return cmd_runs_due(args, settings)
    from bot.storage.ports import Shared, Store
    from bot.storage.runs import SqlRuns

    async def work(sessions: Any) -> list[dict[str, Any]]:
        async with sessions() as db:
            runs = SqlRuns(Store(db, settings.workspace, Shared()))
            if args.retry is not None:
                count = await runs.retry(args.retry)
                await db.commit()
                print(t(args.lang, "cli.runs_retried", count=count, run=args.retry))
            found = []
            for run in await runs.recent(limit=args.limit):
                problems = await runs.problems(run.id)
                found.append({"id": run.id, "kind": run.kind,
                              "team": run.details.get("team", ""),
                              "date": (run.occurrence or run.created_at.date()).isoformat(),
                              "total": run.total, "counts": run.counts,
                              "problems": [p.model_dump() for p in problems]})
            return found

    runs = asyncio.run(_with_database(settings, work))
    if args.json:
        _print_json(runs)
        return EXIT_OK
    if not runs:
        print(t(args.lang, "cli.runs_none"))
    for run in runs:
        counts = run["counts"]
        print(t(args.lang, "cli.runs_line", id=run["id"], kind=run["kind"], team=run["team"],
                date=run["date"], sent=counts.get("sent", 0),
                waiting=counts.get("pending", 0) + counts.get("processing", 0),
                failed=counts.get("failed", 0), unknown=counts.get("unknown", 0)))
        for problem in run["problems"][:10]:
            print(f"    {problem['status']}: {problem['recipient']}: {problem['error']}")
    return EXIT_OK


# ------------------------------------------------------------------ wiring


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="leerbot", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--lang", choices=["nl", "en"], help="language of the output")
    commands = parser.add_subparsers(dest="command", required=True)
    _runtime_commands(commands)
    _data_commands(commands)
    return parser


def _runtime_commands(commands: Any) -> None:
    """Running Leerbot: chat, serve, runs, db."""
    chat = commands.add_parser("chat", help="talk to Leerbot in this terminal")
    chat.add_argument("--clock", metavar="MOMENT",
                      help="try things at another moment, e.g. 2027-06-01 (LEERBOT_CLOCK)")
    chat.set_defaults(handler=cmd_chat)

    serve = commands.add_parser("serve", help="run the HTTP server (web chat, Slack, Teams)")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=3978)
    serve.add_argument("--no-workers", action="store_true",
                       help="only receive; leave queued turns and messages to other replicas")
    serve.set_defaults(handler=cmd_serve)

    runs = commands.add_parser("runs", help="scheduled messages: sent, waiting, failed; "
                                            "'runs due --at 2027-06-01' runs what is due then")
    runs.add_argument("action", nargs="?", choices=["list", "due"], default="list")
    runs.add_argument("--at", metavar="MOMENT",
                      help="with 'due': the moment, e.g. 2027-06-01 or 2027-06-01T09:00")
    runs.add_argument("--since", metavar="MOMENT",
                      help="with 'due': the follow-ups of the days since then (default: now)")
    runs.add_argument("--limit", type=int, default=10)
    runs.add_argument("--retry", type=int, metavar="RUN", help="send failed/unknown again")
    runs.add_argument("--json", action="store_true")
    runs.set_defaults(handler=cmd_runs)

    db = commands.add_parser("db", help="database schema")
    db.add_argument("action", choices=["upgrade"])
    db.set_defaults(handler=cmd_db)


def _data_commands(commands: Any) -> None:
    """The engine on data: demo, catalogue, match, paths, scan, manifest."""
    demo = commands.add_parser("demo", help="show the engine on the bundled data")
    demo.set_defaults(handler=cmd_demo)

    catalogue = commands.add_parser("catalogue", help="check, import or list catalogues")
    catalogue.add_argument("action", choices=["check", "import", "list"])
    catalogue.add_argument("file", nargs="?", help="CSV or XLSX export")
    catalogue.add_argument("--json", action="store_true")
    catalogue.set_defaults(handler=cmd_catalogue)

    match = commands.add_parser("match", help="competencies for a learning wish")
    match.add_argument("text", nargs="*", help="the wish; without it, one per line on stdin")
    match.add_argument("--catalogue", help="use this CSV/XLSX instead of the active catalogue")
    match.add_argument("--json", action="store_true")
    match.add_argument("--top", type=int, default=5, help="number of competencies (default 5)")
    match.set_defaults(handler=cmd_match)

    paths = commands.add_parser("paths", help="compose learning paths")
    paths.add_argument("action", choices=["build"])
    paths.add_argument("spec", help="YAML (or JSON) file with the paths to build")
    paths.add_argument("--catalogue", help="use this CSV/XLSX instead of the active catalogue")
    paths.add_argument("--json", action="store_true")
    paths.set_defaults(handler=cmd_paths)

    scan = commands.add_parser("scan", help="the diagnostic scan")
    scan.add_argument("action", choices=["questions", "score", "team"])
    scan.add_argument("file", nargs="?",
                      help="`score`: answers (JSON); `team`: one round's respondents (JSON)")
    scan.add_argument("--previous", help="`team`: the previous round, for the trend")
    scan.add_argument("--json", action="store_true")
    scan.set_defaults(handler=cmd_scan)

    manifest = commands.add_parser("manifest",
                                   help="Slack manifest or Microsoft Teams app package")
    # "teams" is what people type; "msteams" is the channel's name in the code
    manifest.add_argument("platform", choices=["slack", "teams", "msteams"])
    manifest.add_argument("--url", required=True, help="public https base URL of the bot")
    manifest.add_argument("--app-id", help="Teams: the Microsoft app id (GUID)")
    manifest.add_argument("--schema", default="1.29", choices=["1.17", "1.29"],
                          help="Teams manifest schema version (default 1.29)")
    manifest.add_argument("--output", default="leerbot-teams.zip", help="Teams: zip to write")
    manifest.add_argument("--token-rotation", action="store_true",
                          help="Slack, installed through OAuth: bot tokens that expire and are "
                               "refreshed")
    manifest.add_argument("--org-wide", action="store_true",
                          help="Slack Enterprise Grid: install once for the whole organisation")
    manifest.set_defaults(handler=cmd_manifest)


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        settings = get_settings()
    except ValidationError as exc:
        print(_validation_message(exc, "en", "environment"), file=sys.stderr)
        return EXIT_USAGE
    args.lang = normalise_lang(args.lang or settings.lang)
    try:
        return int(args.handler(args, settings))
    except CliError as exc:
        print(str(exc), file=sys.stderr)
        return EXIT_INPUT
    except DatabaseError as exc:  # a database that cannot be used: one paragraph
        print(database_message(exc, settings, args.lang), file=sys.stderr)
        return EXIT_INPUT
    except KnowledgeError as exc:
        print(t(args.lang, "cli.knowledge_broken", reason=str(exc)), file=sys.stderr)
        return EXIT_INPUT
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
