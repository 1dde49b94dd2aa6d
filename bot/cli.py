"""``kuemmerer`` — run the bot, check its configuration, migrate, read the audit log, import and
export the contact network and the meeting calendar, demo."""

from __future__ import annotations

import argparse
import asyncio
import importlib.util
import os
import sys
from pathlib import Path

from bot.config import Config, ConfigError, load_config
from bot.logs import configure_logging
from commands.framework.clock import Clock, SystemClock
from storage.database import Database
from storage.repositories import Store

CLI_EXPORT_ACTOR = "cli:export"  # the audit log's actor for exports from the command line
# What the demo needs of the optional extra "demo" (a local Synapse, the writer of its TOML
# configuration); the running bot imports none of it, so a plain install lacks it.
DEMO_MODULES = ("synapse", "tomli_w")
DEMO_EXTRA_MISSING = (
    'The demo needs the optional extra "demo": install it with '
    "pip install 'kuemmerer[demo]' (in a checkout, make demo does that)."
)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="kuemmerer",
        description="Kümmerer – Matrix bot for the coordination office of a Bildungsbüro.",
    )
    log_levels = ["DEBUG", "INFO", "WARNING", "ERROR"]
    log_level_help = "DEBUG, INFO, WARNING or ERROR (default: [logging] level, else INFO)"
    parser.add_argument(
        "--log-level", type=str.upper, choices=log_levels, default=None, help=log_level_help
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def with_config(name: str, help_text: str) -> argparse.ArgumentParser:
        sub = commands.add_parser(name, help=help_text, description=help_text)
        sub.add_argument(
            "--config",
            default=os.environ.get("KUEMMERER_CONFIG", "config.toml"),
            type=Path,
            help="TOML configuration file (default: $KUEMMERER_CONFIG or config.toml)",
        )
        return sub

    run = with_config("run", "Run the bot until SIGTERM or SIGINT.")
    # SUPPRESS: without the option here, the global --log-level (if any) stays in effect.
    run.add_argument(
        "--log-level",
        type=str.upper,
        choices=log_levels,
        default=argparse.SUPPRESS,
        help=log_level_help,
    )
    with_config("check-config", "Validate the configuration without connecting anywhere.")
    with_config("migrate", "Bring the database schema up to date.")
    audit = with_config("audit", "Print the audit log (who changed what, and when).")
    audit.add_argument("--limit", type=int, default=100, help="number of newest entries (100)")
    kinds = ["persons", "organisations", "offers"]
    importing = with_config(
        "import",
        "Import persons, organisations or offers from a CSV or XLSX file "
        "(exit status 1 if some rows were refused).",
    )
    importing.add_argument("file", type=Path, metavar="FILE", help="CSV (; or ,) or XLSX file")
    importing.add_argument("--kind", required=True, choices=kinds, help="what the file holds")
    importing.add_argument(
        "--dry-run", action="store_true", help="show what would change and write nothing"
    )
    exporting = with_config(
        "export",
        "Export persons, organisations or offers as CSV, XLSX, vCard or JSON, "
        "or the upcoming meetings as iCalendar (--kind meetings --format ics).",
    )
    exporting.add_argument(
        "--kind", required=True, choices=[*kinds, "meetings"], help="what to export"
    )
    exporting.add_argument(
        "--format",
        dest="file_format",
        required=True,
        choices=["csv", "xlsx", "vcf", "json", "ics"],
        help="vcf (vCard 4.0) is for persons only, ics (iCalendar) for meetings only",
    )
    exporting.add_argument(
        "--output",
        type=Path,
        help="file to write, - for standard output (default: e.g. kontakte-2027-03-08.csv)",
    )
    exporting.add_argument(
        "--committee",
        metavar="NAME",
        help="meetings only: just this committee (name or short name; default: all)",
    )
    backup = with_config(
        "backup",
        "Write database, E2EE store and configuration (secrets removed) into one tar.gz "
        "archive (mode 0600). Safe while the bot runs. PostgreSQL needs pg_dump.",
    )
    backup.add_argument("file", type=Path, metavar="FILE", help="archive to write (.tar.gz)")
    backup.add_argument(
        "--pg-bin", type=Path, metavar="DIR", help="directory of pg_dump (default: PATH)"
    )
    restore = with_config(
        "restore",
        "Restore database and E2EE store from a backup to where --config keeps them "
        "(storage.url, matrix.store_path). Stop the bot first. The archive's config with "
        "secrets removed is config/config.toml inside it (tar -xzf FILE config/config.toml). "
        "PostgreSQL needs pg_restore; the target database must exist.",
    )
    restore.add_argument("file", type=Path, metavar="FILE", help="archive from kuemmerer backup")
    restore.add_argument(
        "--force", action="store_true", help="replace an existing database and store"
    )
    restore.add_argument(
        "--pg-bin", type=Path, metavar="DIR", help="directory of pg_restore (default: PATH)"
    )
    demo = commands.add_parser(
        "demo",
        help="Start a throwaway local homeserver with sample data and chat with the bot.",
        description="Start a throwaway local homeserver with sample data and chat with the bot.",
    )
    demo.add_argument(
        "--script", type=Path, help="send the lines of FILE and print the transcript"
    )
    demo.add_argument("--dir", type=Path, default=Path(".demo"), help="data directory (.demo)")
    demo.add_argument(
        "--keep",
        action="store_true",
        help="reuse the data of the last run (by default each run starts from scratch)",
    )
    return parser


def _demo(arguments: argparse.Namespace) -> int:
    """``kuemmerer demo``, or one sentence on how to install it when the extra is missing."""
    if any(importlib.util.find_spec(module) is None for module in DEMO_MODULES):
        print(DEMO_EXTRA_MISSING, file=sys.stderr)
        return 2
    # Imported only here: bot/devtools is not part of the running bot's import path.
    from bot.devtools.demo.run import run_demo

    return asyncio.run(run_demo(arguments.dir, arguments.script, keep=arguments.keep))


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``kuemmerer`` console script."""
    arguments = _parser().parse_args(argv)
    # Until the configuration is read, log as asked on the command line (or at INFO).
    configure_logging(arguments.log_level or "INFO")
    if arguments.command == "demo":
        return _demo(arguments)
    try:
        config = load_config(arguments.config)
    except ConfigError as error:
        print(f"Configuration error: {error}", file=sys.stderr)
        return 2
    configure_logging(arguments.log_level or config.logging.level, config.logging.format)
    if arguments.command == "check-config":
        print(describe(config))
        return 0
    if arguments.command == "migrate":
        return asyncio.run(_migrate(config))
    if arguments.command == "audit":
        return asyncio.run(_print_audit(config, arguments.limit))
    if arguments.command in ("backup", "restore"):
        return asyncio.run(_backup_or_restore(arguments, config))
    if arguments.command == "export" and (
        arguments.kind == "meetings" or arguments.file_format == "ics"
    ):
        if arguments.kind != "meetings" or arguments.file_format != "ics":
            print("Meetings are exported as ics, and ics holds meetings only.", file=sys.stderr)
            return 2
        return asyncio.run(_export_calendar(config, arguments.output, arguments.committee))
    if arguments.command == "export" and arguments.committee is not None:
        print("--committee goes with --kind meetings only.", file=sys.stderr)
        return 2
    if arguments.command in ("import", "export"):
        from bot.transfer_cli import cli_export, cli_import
        from commands.contacts.files.columns import Format, Kind

        kind = Kind(arguments.kind)
        if arguments.command == "import":
            return asyncio.run(cli_import(config, arguments.file, kind, arguments.dry_run))
        file_format = Format(arguments.file_format)
        return asyncio.run(cli_export(config, kind, file_format, arguments.output))
    from bot.app import serve

    return asyncio.run(serve(config))


def describe(config: Config) -> str:
    """A summary of the configuration without secrets."""
    login = "access token" if config.matrix.access_token else "password"
    inviters = ", ".join(config.bot.allowed_servers) or config.matrix.server_name
    return "\n".join(
        [
            "Configuration is valid.",
            f"  homeserver:  {config.matrix.homeserver} as {config.matrix.user_id} ({login})",
            f"  store:       {config.matrix.store_path}",
            f"  team room:   {config.bot.team_room}",
            f"  language:    {config.bot.language}, time zone {config.bot.timezone}",
            f"  admins:      {', '.join(config.bot.admins) or '(none)'}",
            f"  invites:     from {inviters}",
            f"  database:    {config.storage.url.split('@')[-1]}",
        ]
    )


async def _migrate(config: Config) -> int:
    database = Database(config.storage.url)
    try:
        await database.migrate()
    finally:
        await database.dispose()
    print("Database is up to date.")
    return 0


async def _backup_or_restore(arguments: argparse.Namespace, config: Config) -> int:
    from bot import backup

    try:
        if arguments.command == "backup":
            manifest = await backup.create_backup(
                config, arguments.file, config_file=arguments.config, pg_bin=arguments.pg_bin
            )
            print(f"Backup written to {arguments.file}: {backup.describe_manifest(manifest)}.")
            print("It holds the bot's E2EE keys and login: keep it as safe as the server.")
        else:
            manifest = await backup.restore_backup(
                arguments.file, config, force=arguments.force, pg_bin=arguments.pg_bin
            )
            print(f"Restored {backup.describe_manifest(manifest)}.")
            print("`kuemmerer migrate` (or the next start) brings the schema up to date.")
    except backup.BackupError as error:
        print(f"{arguments.command.capitalize()} failed: {error}", file=sys.stderr)
        return 2
    return 0


async def _print_audit(config: Config, limit: int) -> int:
    database = Database(config.storage.url)
    try:
        await database.migrate()
        async with database.session() as session:
            entries = await Store(session).audit.latest(limit)
    finally:
        await database.dispose()
    for entry in entries:
        when = entry.at.isoformat(timespec="seconds")
        target = f"{entry.object_type}:{entry.object_id}"
        print(f"{when}  {entry.actor}  {entry.action}  {target}  {entry.detail}".rstrip())
    if not entries:
        print("The audit log is empty.")
    return 0


async def _export_calendar(
    config: Config, output: Path | None, committee: str | None, clock: Clock | None = None
) -> int:
    """``kuemmerer export --kind meetings --format ics``: the upcoming meetings of all
    committees (or of one) as the file ``!kalender`` sends, audited like every export."""
    from commands.framework.i18n import Translator
    from commands.meetings.feed import calendar_file
    from commands.meetings.ics import calendar_filename, calendar_name

    now = (clock or SystemClock()).now()
    t = Translator(config.bot.language, config.bot.zone)
    to_stdout = output is not None and str(output) == "-"
    database = Database(config.storage.url)
    try:
        await database.migrate()
        async with database.session() as session:
            store = Store(session)
            everything = committee is None
            if committee is None:
                committees = await store.committees.all()
            else:
                committees = await store.committees.matching(committee)
            if not committees and not everything:
                known = ", ".join(c.name for c in await store.committees.all())
                print(
                    f"No committee is called {committee!r}. Known: {known or '(none)'}.",
                    file=sys.stderr,
                )
                return 2
            rows = await store.calendar.rows(committees, since=now)
            name = calendar_name(committees, everything, t.gettext)
            data = calendar_file(t, name, rows, now=now, since=now)
            local_day = now.astimezone(config.bot.zone).date()
            target = output or Path(
                calendar_filename(committees, everything, config.bot.language, local_day)
            )
            count = len(rows.upcoming(now))
            await Store(session).audit.record(
                now,
                CLI_EXPORT_ACTOR,
                "export",
                "committee",
                "*" if everything else ",".join(str(c.id) for c in committees),
                f"count={count} format=ics",
            )
            # Written inside the transaction: if writing fails, no export is audited.
            try:
                if to_stdout:
                    sys.stdout.buffer.write(data)
                    sys.stdout.flush()
                else:
                    target.write_bytes(data)
            except OSError as error:
                print(f"Cannot write {target}: {error.strerror or error}", file=sys.stderr)
                raise _WriteFailed from error
    except _WriteFailed:
        return 2
    finally:
        await database.dispose()
    done = f"Exported {count} upcoming meetings" + ("." if to_stdout else f" to {target}.")
    print(done, file=sys.stderr if to_stdout else sys.stdout)
    return 0


class _WriteFailed(Exception):
    """The export file could not be written; the transaction (and its audit entry) rolls back."""


if __name__ == "__main__":
    sys.exit(main())
