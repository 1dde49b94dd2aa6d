"""``kuemmerer`` — run the bot, check its configuration, migrate, read the audit log, import and
export the contact network, demo."""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import sys
from pathlib import Path

from bot.config import Config, ConfigError, load_config
from storage.database import Database
from storage.repositories import Store


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="kuemmerer",
        description="Kümmerer – Matrix bot for the coordination office of a Bildungsbüro.",
    )
    parser.add_argument("--log-level", default="INFO", help="DEBUG, INFO, WARNING (default INFO)")
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

    with_config("run", "Run the bot until SIGTERM or SIGINT.")
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
        "export", "Export persons, organisations or offers as CSV, XLSX, vCard or JSON."
    )
    exporting.add_argument("--kind", required=True, choices=kinds, help="what to export")
    exporting.add_argument(
        "--format",
        dest="file_format",
        required=True,
        choices=["csv", "xlsx", "vcf", "json"],
        help="vcf (vCard 4.0) is for persons only",
    )
    exporting.add_argument(
        "--output",
        type=Path,
        help="file to write, - for standard output (default: e.g. kontakte-2027-03-08.csv)",
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
    demo.add_argument("--fresh", action="store_true", help="delete earlier demo data first")
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``kuemmerer`` console script."""
    arguments = _parser().parse_args(argv)
    logging.basicConfig(
        level=getattr(logging, str(arguments.log_level).upper(), logging.INFO),
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    # nio logs whole events at INFO/DEBUG; message contents do not belong in our logs.
    logging.getLogger("nio").setLevel(logging.WARNING)
    if arguments.command == "demo":
        from bot.demo import run_demo

        return asyncio.run(run_demo(arguments.dir, arguments.script, fresh=arguments.fresh))
    try:
        config = load_config(arguments.config)
    except ConfigError as error:
        print(f"Configuration error: {error}", file=sys.stderr)
        return 2
    if arguments.command == "check-config":
        print(describe(config))
        return 0
    if arguments.command == "migrate":
        return asyncio.run(_migrate(config))
    if arguments.command == "audit":
        return asyncio.run(_print_audit(config, arguments.limit))
    if arguments.command in ("import", "export"):
        from bot import transfer

        kind = transfer.Kind(arguments.kind)
        if arguments.command == "import":
            return asyncio.run(
                transfer.cli_import(config, arguments.file, kind, arguments.dry_run)
            )
        file_format = transfer.Format(arguments.file_format)
        return asyncio.run(transfer.cli_export(config, kind, file_format, arguments.output))
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


if __name__ == "__main__":
    sys.exit(main())
