"""``kuemmerer import`` and ``kuemmerer export``: the terminal's side of the contact files.

Reading, importing and writing the files is ``commands.contacts.files``;
here are the progress bar, the
printed summary and the exit codes. The progress bar is drawn by rich, which comes with the
extra "demo"; without it the import runs the same, only without the bar.
"""

from __future__ import annotations

import sys
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any

from commands.contacts.files.columns import Format, Kind, TransferError
from commands.contacts.files.decoding import Table
from commands.contacts.files.importer import ImportReport, import_file
from commands.contacts.files.records import export_records
from commands.contacts.files.writers import export_filename, serialise
from commands.framework.clock import Clock, SystemClock
from storage.database import Database
from storage.repositories import AuditRepository

if TYPE_CHECKING:
    from bot.config import Config

EXPORT_ACTOR = "cli:export"


class ImportProgress:
    """The import's progress bar on a terminal; nothing where there is no terminal or rich is
    not installed."""

    def __init__(self, description: str) -> None:
        self._bar: Any = None
        try:
            from rich.console import Console
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn
        except ImportError:
            return
        console = Console(stderr=True)
        self._bar = Progress(
            "[progress.description]{task.description}",
            BarColumn(),
            MofNCompleteColumn(),
            TimeRemainingColumn(),
            console=console,
            disable=not console.is_terminal,
            transient=True,
        )
        self._task = self._bar.add_task(description, total=None)

    def __enter__(self) -> ImportProgress:
        if self._bar is not None:
            self._bar.start()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        if self._bar is not None:
            self._bar.stop()

    def start(self, table: Table) -> None:
        """The file is read: its rows are the bar's length."""
        if self._bar is not None:
            self._bar.update(self._task, total=len(table.rows))

    def advance(self, done: int) -> None:
        """``done`` more rows are imported."""
        if self._bar is not None:
            self._bar.advance(self._task, done)


def import_summary(report: ImportReport) -> str:
    """What an import did, as the terminal shows it."""
    lines = [
        f"Import of {report.kind.value} from {report.filename}"
        + (f" ({report.description})" if report.description else "")
        + f": {report.rows} rows"
        + (" – DRY RUN" if report.dry_run else ""),
        f"  created:    {report.created}",
        f"  updated:    {report.updated}",
        f"  unchanged:  {report.unchanged}",
        f"  errors:     {len(report.errors)}",
    ]
    if report.organisations_created:
        lines.append(f"  organisations created for them: {report.organisations_created}")
    if report.ignored_columns:
        ignored = ", ".join(f'"{header}"' for header in report.ignored_columns)
        lines.append(f"Ignored columns (not known): {ignored}")
    if report.errors:
        lines.append("Rows not imported:")
        lines.extend(f"  {notice}" for notice in report.errors)
    if report.notes:
        lines.append("Notes:")
        lines.extend(f"  {notice}" for notice in report.notes)
    if report.dry_run:
        lines.append("Dry run: nothing was written. Run again without --dry-run to import.")
    return "\n".join(lines)


async def cli_import(
    config: Config, path: Path, kind: Kind, dry_run: bool, clock: Clock | None = None
) -> int:
    """``kuemmerer import``: 0 when every row imported, 1 when some rows were refused."""
    try:
        data = path.read_bytes()
    except OSError as error:
        print(f"Cannot read {path}: {error.strerror or error}", file=sys.stderr)
        return 2
    clock = clock or SystemClock()
    database = Database(config.storage.url)
    try:
        await database.migrate()
        with ImportProgress(f"Importing {path.name}") as progress:
            report = await import_file(
                database,
                data,
                path.name,
                kind,
                clock.now(),
                dry_run=dry_run,
                progress=progress.advance,
                on_table=progress.start,
            )
    except TransferError as error:
        print(f"{path.name} cannot be imported: {error}.", file=sys.stderr)
        return 2
    finally:
        await database.dispose()
    print(import_summary(report))
    return 1 if report.errors else 0


async def cli_export(
    config: Config,
    kind: Kind,
    file_format: Format,
    output: Path | None,
    clock: Clock | None = None,
) -> int:
    """``kuemmerer export``: writes the file (``-`` for standard output) and audits it."""
    if file_format is Format.VCF and kind is not Kind.PERSONS:
        print("vCard files hold persons only; use csv, xlsx or json.", file=sys.stderr)
        return 2
    clock = clock or SystemClock()
    now = clock.now()
    language = config.bot.language
    to_stdout = output is not None and str(output) == "-"
    target = output or Path(
        export_filename(kind, file_format, language, now.astimezone(config.bot.zone).date())
    )
    database = Database(config.storage.url)
    try:
        await database.migrate()
        async with database.session() as session:
            records = await export_records(session, kind, language)
            data = serialise(kind, file_format, records, language, now)
            await AuditRepository(session).record(
                now,
                EXPORT_ACTOR,
                "export",
                kind.object_type,
                "*",
                f"count={len(records)} format={file_format.value}",
            )
            # Written inside the transaction: if writing fails, no export is audited.
            if to_stdout:
                sys.stdout.buffer.write(data)
                sys.stdout.flush()
            else:
                target.write_bytes(data)
    except OSError as error:
        print(f"Cannot write {target}: {error.strerror or error}", file=sys.stderr)
        return 2
    finally:
        await database.dispose()
    done = f"Exported {len(records)} {kind.value}" + ("." if to_stdout else f" to {target}.")
    print(done, file=sys.stderr if to_stdout else sys.stdout)
    if kind is Kind.PERSONS:
        print(
            "The file holds personal data: keep it safe and delete it when done.",
            file=sys.stderr if to_stdout else sys.stdout,
        )
    return 0
