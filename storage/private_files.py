"""Files with personal data and keys are the service account's alone, whatever the umask says."""

from __future__ import annotations

import logging
import os
import stat
from pathlib import Path

log = logging.getLogger(__name__)

PRIVATE_DIRECTORY = 0o700
PRIVATE_FILE = 0o600


def make_private_directory(path: Path) -> None:
    """Create ``path`` and its missing parents as 0700; an existing directory is left as it is
    (it may be a shared place such as ``/var/lib``, chosen by the administrator)."""
    missing = []
    for directory in (path, *path.parents):
        if directory.exists():
            break
        missing.append(directory)
    for directory in reversed(missing):
        # mkdir's mode is filtered by the umask and chmod is not: the second call makes it exact.
        directory.mkdir(mode=PRIVATE_DIRECTORY, exist_ok=True)
        os.chmod(directory, PRIVATE_DIRECTORY)


def create_private_file(path: Path) -> None:
    """Create ``path`` empty as 0600 if it does not exist yet, else make it private."""
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE)
    except FileExistsError:
        make_private(path)
        return
    os.close(descriptor)
    os.chmod(path, PRIVATE_FILE)


def make_private(path: Path) -> None:
    """Take away what group and others may do with an existing ``path``; the owner keeps its
    rights. Files written before this rule (or restored from elsewhere) are tightened at start."""
    try:
        mode = stat.S_IMODE(path.stat().st_mode)
    except FileNotFoundError:
        return
    if mode & 0o077:
        os.chmod(path, mode & ~0o077)
        log.warning("%s was readable by others (mode %o); now %o", path, mode, mode & ~0o077)
