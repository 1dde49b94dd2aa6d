"""A throwaway Synapse homeserver on loopback, for ``kuemmerer demo`` and the test suite.

Synapse runs as a subprocess of the current interpreter (so it is the venv's Synapse) in its own
process group. This module never imports Synapse: the test process stays free of its import-time
warnings, and the bot does not depend on it at runtime.

Everything lives in one directory: the generated config, the SQLite database, the media store,
the signing key, Synapse's log (``homeserver.log``, warnings and worse) and its stdout/stderr
(``homeserver.out``, where start-up errors such as config problems end up). The port and the
registration secret are persisted there too, so a directory can be stopped, restarted and reused
by a later process, with the same URL and the same users.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import json
import logging
import secrets
import signal
import subprocess
import sys
import time
import weakref
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any, Final
from urllib.parse import quote

import aiohttp

from bot.devtools.child_process import (
    LOOPBACK,
    file_size,
    free_loopback_port,
    log_tail,
    port_is_free,
    signal_group,
    terminate_blocking,
    wait_for_exit,
    write_atomically,
)

log = logging.getLogger(__name__)

SERVER_NAME: Final = "localhost"

_STATE_FILE: Final = "harness.json"
_CONFIG_FILE: Final = "homeserver.yaml"
_LOG_CONFIG_FILE: Final = "log_config.yaml"
_LOG_FILE: Final = "homeserver.log"
_OUTPUT_FILE: Final = "homeserver.out"
_DATABASE_FILE: Final = "homeserver.db"
_MEDIA_DIR: Final = "media_store"
_SIGNING_KEY_FILE: Final = f"{SERVER_NAME}.signing.key"

_STOP_GRACE_SECONDS: Final = 15.0
_POLL_SECONDS: Final = 0.1
_HTTP_TIMEOUT_SECONDS: Final = 30.0

# Every rate limiter Synapse 1.163 reads (synapse/config/ratelimiting.py) except rc_federation,
# which has a different shape and is moot with federation off. Synapse ignores unknown keys, so
# this list was checked against the parsed config, not against start-up errors.
_RATE_LIMITED: Final = (
    "rc_message",
    "rc_registration",
    "rc_registration_token_validity",
    "rc_login.address",
    "rc_login.account",
    "rc_login.failed_attempts",
    "rc_admin_redaction",
    "rc_joins.local",
    "rc_joins.remote",
    "rc_joins_per_room",
    "rc_key_requests",
    "rc_3pid_validation",
    "rc_invites.per_room",
    "rc_invites.per_user",
    "rc_invites.per_issuer",
    "rc_third_party_invite",
    "rc_media_create",
    "rc_presence.per_user",
    "rc_delayed_event_mgmt",
    "rc_room_creation",
    "rc_reports",
    "rc_user_directory",
    "rc_profile",
)
_UNLIMITED_PER_SECOND: Final = 10_000
_UNLIMITED_BURST: Final = 100_000


class HomeserverError(Exception):
    """The local homeserver could not be prepared, started or used as asked."""

    def __init__(self, message: str, errcode: str | None = None) -> None:
        super().__init__(message)
        self.errcode = errcode


@dataclass(frozen=True)
class RegisteredUser:
    """A user on the local homeserver, logged in with one device."""

    user_id: str
    password: str
    access_token: str
    device_id: str


@dataclass(frozen=True)
class _State:
    """What must survive restarts and new harness instances on the same directory."""

    port: int
    registration_shared_secret: str


class LocalSynapse:
    """A Synapse homeserver for ``localhost``, listening only on 127.0.0.1.

    Use it as an async context manager (prepare, start, stop) or call the methods directly.
    A second instance on an existing directory reuses its port and registration secret, so it
    can register users on a server that another instance started.
    """

    server_name: Final = SERVER_NAME

    def __init__(
        self,
        directory: Path,
        port: int | None = None,
        rate_limits: Mapping[str, tuple[float, int]] | None = None,
    ) -> None:
        """Bind the harness to ``directory``; ``port=None`` reuses the stored or a free port.

        Every rate limiter is lifted, except those in ``rate_limits``: (per second, burst) by
        dotted name, e.g. ``{"rc_joins.local": (0.05, 1)}`` for a test of rate-limited joins.
        """
        self.directory = directory.resolve()
        self._rate_limits = dict(rate_limits or {})
        unknown = sorted(set(self._rate_limits) - set(_RATE_LIMITED))
        if unknown:
            raise HomeserverError(f"no such rate limiter: {', '.join(unknown)}")
        stored = self._load_state()
        if stored is None:
            self._state = _State(
                port=port if port is not None else free_loopback_port(),
                registration_shared_secret=secrets.token_urlsafe(32),
            )
        elif port is not None and port != stored.port:
            self._state = _State(port, stored.registration_shared_secret)
        else:
            self._state = stored
        self._process: subprocess.Popen[bytes] | None = None
        self._reaper: weakref.finalize[Any, LocalSynapse] | None = None

    # -- where things are ------------------------------------------------------------------

    @property
    def port(self) -> int:
        """The loopback TCP port of the client API (stable across restarts)."""
        return self._state.port

    @property
    def url(self) -> str:
        """Base URL of the client API, e.g. ``http://127.0.0.1:8008``."""
        return f"http://{LOOPBACK}:{self._state.port}"

    @property
    def log_path(self) -> Path:
        """Synapse's own log (warnings and worse)."""
        return self.directory / _LOG_FILE

    @property
    def output_path(self) -> Path:
        """The subprocess's stdout and stderr (start-up failures show up here)."""
        return self.directory / _OUTPUT_FILE

    @property
    def pid(self) -> int | None:
        """Process (and process group) id of the Synapse this instance started, if any."""
        return None if self._process is None else self._process.pid

    @property
    def is_running(self) -> bool:
        """Whether the Synapse process started by this instance is alive."""
        return self._process is not None and self._process.poll() is None

    # -- lifecycle --------------------------------------------------------------------------

    def prepare(self) -> None:
        """Write the config and a signing key if missing; safe to call again at any time.

        The config is regenerated from the persisted state each time, so it is identical for
        an existing directory; the signing key and the database are never replaced.
        """
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
            (self.directory / _MEDIA_DIR).mkdir(exist_ok=True)
            write_atomically(
                self.directory / _STATE_FILE,
                json.dumps(
                    {
                        "port": self._state.port,
                        "registration_shared_secret": self._state.registration_shared_secret,
                    },
                    indent=2,
                ),
                private=True,
            )
            # JSON is valid YAML, and needs no YAML library here.
            write_atomically(
                self.directory / _LOG_CONFIG_FILE, json.dumps(self._log_config(), indent=2)
            )
            write_atomically(
                self.directory / _CONFIG_FILE, json.dumps(self._config(), indent=2), private=True
            )
            key_path = self.directory / _SIGNING_KEY_FILE
            if not key_path.exists():
                write_atomically(key_path, _new_signing_key(), private=True)
        except OSError as exc:
            raise HomeserverError(f"cannot prepare {self.directory}: {exc}") from exc

    async def start(self, timeout: float = 60) -> None:
        """Prepare if needed, spawn Synapse and wait until its client API answers.

        Does nothing if this instance's Synapse is already running. Raises
        :class:`HomeserverError` (with the tail of the logs) if the port is taken, the process
        dies, or it does not answer within ``timeout`` seconds; the process is then gone.
        """
        if self.is_running:
            return
        await self.stop()  # forget a process that died since the last start
        self.prepare()
        if not port_is_free(self._state.port):
            raise HomeserverError(
                f"port {self._state.port} on {LOOPBACK} is in use "
                f"(is another Synapse running on {self.directory}?)"
            )
        offsets = (file_size(self.log_path), file_size(self.output_path))
        process = self._spawn()
        self._process = process
        self._reaper = weakref.finalize(self, terminate_blocking, process, 5.0)
        started = time.monotonic()
        try:
            async with asyncio.timeout(timeout):
                await self._wait_until_ready(process, offsets)
        except BaseException as exc:
            tails = self._tails(offsets)
            await self.stop()
            if isinstance(exc, TimeoutError):
                raise HomeserverError(
                    f"Synapse did not answer on {self.url} within {timeout:g} s\n{tails}"
                ) from None
            raise
        log.info("Synapse answers on %s after %.1f s", self.url, time.monotonic() - started)

    async def stop(self) -> None:
        """Stop Synapse: SIGTERM to its process group, SIGKILL after 15 s. Idempotent."""
        process = self._process
        if process is None:
            return
        if process.poll() is None:
            signal_group(process, signal.SIGTERM)
            if not await wait_for_exit(process, _STOP_GRACE_SECONDS):
                log.warning("Synapse ignored SIGTERM for %.0f s; killing it", _STOP_GRACE_SECONDS)
                signal_group(process, signal.SIGKILL)
                if not await wait_for_exit(process, _STOP_GRACE_SECONDS):
                    raise HomeserverError(f"Synapse (pid {process.pid}) survived SIGKILL")
        # Only forget the process once it is gone: a cancelled stop() can be retried, and the
        # reaper still covers interpreter exit.
        self._process = None
        if self._reaper is not None:
            self._reaper.detach()
            self._reaper = None

    async def restart(self, timeout: float = 60) -> None:
        """Stop and start again, on the same port and with the same database."""
        await self.stop()
        await self.start(timeout)

    async def __aenter__(self) -> LocalSynapse:
        """Prepare and start; the server is stopped again on leaving the block."""
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.stop()

    # -- users ------------------------------------------------------------------------------

    async def register(
        self, localpart: str, password: str | None = None, admin: bool = False
    ) -> RegisteredUser:
        """Create a user via shared-secret registration and return its first login.

        If the localpart is taken, log in with ``password`` instead (the existing account keeps
        its admin flag). Without a password, one is derived from the directory's secret and the
        localpart: random-looking, but the same on every call, so re-registering logs in.
        """
        if password is None:
            password = self._default_password(localpart)
        _, nonce_body = await self._request("GET", "/_synapse/admin/v1/register", expect=200)
        nonce = _field(nonce_body, "nonce")
        mac = hmac.new(self._state.registration_shared_secret.encode(), digestmod=hashlib.sha1)
        for part in (nonce, localpart, password):
            mac.update(part.encode())
            mac.update(b"\x00")
        mac.update(b"admin" if admin else b"notadmin")
        status, body = await self._request(
            "POST",
            "/_synapse/admin/v1/register",
            json_body={
                "nonce": nonce,
                "username": localpart,
                "password": password,
                "admin": admin,
                "mac": mac.hexdigest(),
            },
        )
        if status == 200:
            return _registered(body, password)
        if body.get("errcode") == "M_USER_IN_USE":
            return await self.login(localpart, password)
        raise _http_error("registering " + repr(localpart), status, body)

    async def login(self, localpart: str, password: str | None = None) -> RegisteredUser:
        """Log an existing user in with a new device (password defaults as in register)."""
        if password is None:
            password = self._default_password(localpart)
        _, body = await self._request(
            "POST",
            "/_matrix/client/v3/login",
            json_body={
                "type": "m.login.password",
                "identifier": {"type": "m.id.user", "user": localpart},
                "password": password,
            },
            expect=200,
        )
        return _registered(body, password)

    async def override_ratelimit(
        self, admin: RegisteredUser, user_id: str, messages_per_second: int, burst_count: int
    ) -> None:
        """Give one user its own message rate limit (0/0 means unlimited for Synapse)."""
        await self._request(
            "POST",
            f"/_synapse/admin/v1/users/{quote(user_id, safe='')}/override_ratelimit",
            token=admin.access_token,
            json_body={"messages_per_second": messages_per_second, "burst_count": burst_count},
            expect=200,
        )

    # -- internals --------------------------------------------------------------------------

    def _load_state(self) -> _State | None:
        path = self.directory / _STATE_FILE
        try:
            raw = json.loads(path.read_text(encoding="utf-8"))
            return _State(int(raw["port"]), str(raw["registration_shared_secret"]))
        except FileNotFoundError:
            return None
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise HomeserverError(f"{path} is unreadable; delete the directory: {exc}") from exc

    def _default_password(self, localpart: str) -> str:
        key = self._state.registration_shared_secret.encode()
        return hmac.new(key, b"password\x00" + localpart.encode(), hashlib.sha256).hexdigest()

    def _config(self) -> dict[str, Any]:
        directory = self.directory
        config: dict[str, Any] = {
            "server_name": SERVER_NAME,
            "listeners": [
                {
                    "port": self._state.port,
                    "bind_addresses": [LOOPBACK],
                    "type": "http",
                    "tls": False,
                    "x_forwarded": False,
                    "resources": [{"names": ["client"], "compress": False}],
                }
            ],
            "database": {
                "name": "sqlite3",
                "args": {"database": str(directory / _DATABASE_FILE)},
            },
            "media_store_path": str(directory / _MEDIA_DIR),
            "signing_key_path": str(directory / _SIGNING_KEY_FILE),
            "log_config": str(directory / _LOG_CONFIG_FILE),
            "registration_shared_secret": self._state.registration_shared_secret,
            "enable_registration": False,
            "report_stats": False,
            "trusted_key_servers": [],
            "suppress_key_server_warning": True,
            "allow_public_rooms_over_federation": False,
            "presence": {"enabled": False},
            # bcrypt's minimum cost: each registration and login is ~250 ms faster than at 12.
            "bcrypt_rounds": 4,
        }
        for dotted in _RATE_LIMITED:
            *parents, leaf = dotted.split(".")
            section = config
            for parent in parents:
                section = section.setdefault(parent, {})
            per_second, burst = self._rate_limits.get(
                dotted, (_UNLIMITED_PER_SECOND, _UNLIMITED_BURST)
            )
            section[leaf] = {"per_second": per_second, "burst_count": burst}
        return config

    def _log_config(self) -> dict[str, Any]:
        return {
            "version": 1,
            "disable_existing_loggers": False,
            "formatters": {
                "plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"},
            },
            "handlers": {
                "file": {
                    "class": "logging.FileHandler",
                    "filename": str(self.log_path),
                    "encoding": "utf-8",
                    "formatter": "plain",
                },
            },
            "root": {"level": "WARNING", "handlers": ["file"]},
        }

    def _spawn(self) -> subprocess.Popen[bytes]:
        command = [
            sys.executable,
            "-m",
            "synapse.app.homeserver",
            "--config-path",
            str(self.directory / _CONFIG_FILE),
        ]
        try:
            with self.output_path.open("ab") as output:
                output.write(f"--- {time.strftime('%Y-%m-%d %H:%M:%S')} start\n".encode())
                output.flush()
                return subprocess.Popen(
                    command,
                    cwd=self.directory,
                    stdin=subprocess.DEVNULL,
                    stdout=output,
                    stderr=subprocess.STDOUT,
                    start_new_session=True,
                )
        except OSError as exc:
            raise HomeserverError(f"cannot run {sys.executable}: {exc}") from exc

    async def _wait_until_ready(
        self, process: subprocess.Popen[bytes], offsets: tuple[int, int]
    ) -> None:
        """Poll the client API until it answers; raise if the process dies first."""
        probe = aiohttp.ClientTimeout(total=2)
        async with aiohttp.ClientSession(timeout=probe) as session:
            while True:
                code = process.poll()
                if code is not None:
                    raise HomeserverError(
                        f"Synapse exited with code {code} while starting\n" + self._tails(offsets)
                    )
                try:
                    async with session.get(f"{self.url}/_matrix/client/versions") as response:
                        if response.status == 200 and process.poll() is None:
                            return
                except (aiohttp.ClientError, TimeoutError):
                    pass
                await asyncio.sleep(_POLL_SECONDS)

    def _tails(self, offsets: tuple[int, int]) -> str:
        """What Synapse wrote to its log and its output since the spawn, last lines only."""
        parts = []
        for path, offset in zip((self.log_path, self.output_path), offsets, strict=True):
            tail = log_tail(path, offset)
            if tail:
                parts.append(f"--- {path}:\n{tail}")
        return "\n".join(parts) or f"(nothing in {self.log_path.name} or {self.output_path.name})"

    async def _request(
        self,
        method: str,
        path: str,
        *,
        token: str | None = None,
        json_body: dict[str, Any] | None = None,
        expect: int | None = None,
    ) -> tuple[int, dict[str, Any]]:
        """One HTTP call; returns status and JSON object, raising unless ``expect`` matches."""
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        timeout = aiohttp.ClientTimeout(total=_HTTP_TIMEOUT_SECONDS)
        try:
            async with (
                aiohttp.ClientSession(timeout=timeout) as session,
                session.request(
                    method, self.url + path, json=json_body, headers=headers
                ) as response,
            ):
                status = response.status
                try:
                    data = await response.json(content_type=None)
                except ValueError:
                    data = None
        except (aiohttp.ClientError, TimeoutError) as exc:
            raise HomeserverError(f"{method} {path} failed: {exc!r}") from exc
        body = data if isinstance(data, dict) else {}
        if expect is not None and status != expect:
            raise _http_error(f"{method} {path}", status, body)
        return status, body


def _registered(body: dict[str, Any], password: str) -> RegisteredUser:
    return RegisteredUser(
        user_id=_field(body, "user_id"),
        password=password,
        access_token=_field(body, "access_token"),
        device_id=_field(body, "device_id"),
    )


def _field(body: dict[str, Any], key: str) -> str:
    value = body.get(key)
    if not isinstance(value, str):
        raise HomeserverError(f"homeserver response lacks {key!r}: {body!r}")
    return value


def _http_error(what: str, status: int, body: dict[str, Any]) -> HomeserverError:
    errcode = body.get("errcode")
    errcode = errcode if isinstance(errcode, str) else None
    return HomeserverError(
        f"{what}: HTTP {status} {errcode or ''} {body.get('error', '')}".rstrip(), errcode
    )


def _new_signing_key() -> str:
    """An ed25519 signing key in Synapse's file format: ``ed25519 <version> <unpadded seed>``.

    Written directly instead of running ``synapse.app.homeserver --generate-keys``, which costs
    another interpreter start with Synapse imports (about 1.7 s).
    """
    seed = base64.b64encode(secrets.token_bytes(32)).decode().rstrip("=")
    return f"ed25519 a_{secrets.token_hex(2)} {seed}\n"
