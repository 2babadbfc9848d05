"""One SQLite database file as the embedded stores use it (the sessions and the turn log).

:class:`SqliteFile` uses the process's one connection to its file, on one thread of its own
(the sessions and the turn log share it). :meth:`SqliteFile.run` hands
a plain function the connection inside ``BEGIN`` … ``COMMIT`` and runs it whole on that thread:
one thread hop per transaction, and a caller that gives up (a deadline) never leaves a
transaction half done, because the thread finishes it (commit or rollback) by itself.

Deadlines: the connection's ``busy_timeout`` is the store's deadline, so a file locked by
another process fails fast instead of holding the thread; the stores gather their calls into
batches (one transaction each), so only a few ever wait for the thread. Database errors are
raised as :class:`~bot.storage.errors.StoreUnavailable`.

Faults: a file found corrupt while running is moved aside (``<name>.corrupt-<time>``) and a
new one created; a file deleted (or replaced) while running is noticed before the next call
and created again; both are logged. At start-up a corrupt or unreadable file is not touched:
:class:`StoreUnavailable` names the file and the fix (see :func:`diagnose`).

The database runs in WAL mode with ``synchronous=NORMAL``: a transaction that has committed
survives the process being killed (only a power cut or OS crash may lose the last moments).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import sqlite3
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TypeVar

from bot.storage.errors import StoreUnavailable

log = logging.getLogger(__name__)

T = TypeVar("T")
OnOpen = Callable[[sqlite3.Connection], None]

#: SQLite's result codes for a damaged file: SQLITE_CORRUPT, SQLITE_NOTADB.
_CORRUPT_CODES = frozenset({11, 26})
#: The deadline of one call when the owner gives none (seconds).
DEFAULT_TIMEOUT = 5.0


def _prepare_file(path: Path) -> None:
    """Create the parent directory and, when missing, an empty database file readable by this
    user only.

    An existing file is never opened here: closing a descriptor of a database drops every
    POSIX lock this process holds on it (SQLite's own included), so another connection's
    reader could then checkpoint and delete the WAL under it. A missing file has no connection
    in this process (the shared one is dropped before the file is made again)."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    if path.exists():
        return
    # Sessions and turn texts hold personal data: create the file 0600 (SQLite gives -wal/-shm
    # the same mode).
    try:
        fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_RDWR, 0o600)
    except FileExistsError:
        return  # made meanwhile (by another process): leave it alone
    os.close(fd)


class _Shared:
    """The one connection (and its thread) of one database file in this process."""

    def __init__(self, key: str) -> None:
        self.key = key
        self.db: sqlite3.Connection | None = None  # used on the thread only
        self.inode: tuple[int, int] | None = None
        self.generation = 0  # bumped at each (re)connect: every user sets its schema again
        self.users = 0
        self.thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="sqlite")


#: path → its shared connection; sessions, the turn log (and the console, in its own file)
#: each hold one use of their file's entry.
_SHARED: dict[str, _Shared] = {}
_SHARED_LOCK = threading.Lock()


def _acquire(path: Path) -> _Shared:
    key = os.path.realpath(path)
    with _SHARED_LOCK:
        shared = _SHARED.get(key)
        if shared is None:
            shared = _SHARED[key] = _Shared(key)
        shared.users += 1
        return shared


def _release(shared: _Shared) -> bool:
    """Give up one use; True when it was the last (the caller closes the connection)."""
    with _SHARED_LOCK:
        shared.users -= 1
        if shared.users > 0:
            return False
        if _SHARED.get(shared.key) is shared:
            del _SHARED[shared.key]
        return True


def is_corrupt(exc: BaseException) -> bool:
    """True when ``exc`` says the file is damaged or not a database at all."""
    if not isinstance(exc, sqlite3.DatabaseError):
        return False
    code = getattr(exc, "sqlite_errorcode", None)
    if code is not None and (code & 0xFF) in _CORRUPT_CODES:
        return True
    text = str(exc)
    return "malformed" in text or "not a database" in text


def fix_hint(path: Path | str) -> str:
    """The one-line fix for a file the bot cannot use."""
    return (
        f"move it aside (mv '{path}' '{path}.bad'; the bot then starts with an empty "
        f"one) and check it with `python -m bot check --store`"
    )


class SqliteFile:
    """A use of the SQLite file at ``path`` (or ``":memory:"``), opened on first use.

    Every :class:`SqliteFile` of one file in a process shares one connection and its thread
    (the sessions and the turn log live in one file): SQLite's POSIX locks belong to the
    process, so a second connection of our own is never needed and only risks them.

    Opening creates the file (and its parent directory) if missing, sets the pragmas, runs
    ``schema`` (which must be idempotent: ``CREATE … IF NOT EXISTS``) and then ``on_open``, if
    given, with the connection (on the connection's thread); each user runs its own schema
    once per connection. ``label`` names the database in messages (``"<label> <path>:
    <error>"``). ``timeout`` (seconds) is the deadline of each call and the busy timeout.
    """

    def __init__(
        self,
        path: str | Path,
        *,
        schema: str,
        label: str,
        timeout: float = DEFAULT_TIMEOUT,
        on_open: OnOpen | None = None,
    ) -> None:
        self.path = path if str(path) == ":memory:" else Path(path).expanduser()
        self.schema = schema
        self.label = label
        self.timeout = timeout
        self._on_open = on_open
        self._shared: _Shared | None = None
        self._generation = 0  # the shared connection's generation our schema was set in
        self._has_run = False  # opened once: past start-up, faults are recovered from
        self.recoveries = 0  # how often the file was recreated while running

    def _use(self) -> _Shared:
        if self._shared is None:
            if isinstance(self.path, Path):
                self._shared = _acquire(self.path)
            else:  # ":memory:": a database of its own
                self._shared = _Shared(":memory:")
                self._shared.users = 1
        return self._shared

    @property
    def _thread(self) -> ThreadPoolExecutor:
        return self._use().thread

    # -- on the connection's thread ---------------------------------------------------------

    def _connect(self, shared: _Shared) -> sqlite3.Connection:
        if isinstance(self.path, Path):
            _prepare_file(self.path)
        db = sqlite3.connect(
            self.path, timeout=self.timeout, isolation_level=None, check_same_thread=False
        )
        try:
            db.execute(f"PRAGMA busy_timeout={int(self.timeout * 1000)}")
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=NORMAL")
            # Deleted rows hold personal details (sessions, the text of unanswered turns):
            # overwrite them, do not just unlink them.
            db.execute("PRAGMA secure_delete=ON")
        except BaseException:
            db.close()
            raise
        if isinstance(self.path, Path):
            stat = os.stat(self.path)
            shared.inode = (stat.st_dev, stat.st_ino)
        shared.generation += 1
        return db

    def _set_schema(self, db: sqlite3.Connection) -> None:
        db.executescript(self.schema)
        if self._on_open is not None:
            db.execute("BEGIN IMMEDIATE")
            try:
                self._on_open(db)
            except BaseException:
                db.rollback()
                raise
            db.commit()

    def _db(self) -> sqlite3.Connection:
        """The shared connection, opened if needed, with this user's schema set."""
        shared = self._use()
        if shared.db is None:
            shared.db = self._connect(shared)
        if self._generation != shared.generation:
            self._set_schema(shared.db)
            self._generation = shared.generation
        self._has_run = True
        return shared.db

    def _drop_connection(self) -> None:
        shared = self._shared
        if shared is not None and shared.db is not None:
            db, shared.db = shared.db, None
            with contextlib.suppress(sqlite3.Error):
                db.close()

    def _file_replaced(self) -> bool:
        """True when the open file was deleted or replaced under us."""
        shared = self._shared
        if shared is None or shared.db is None or not isinstance(self.path, Path):
            return False
        if shared.inode is None:
            return False
        try:
            stat = os.stat(self.path)
        except FileNotFoundError:
            return True
        return (stat.st_dev, stat.st_ino) != shared.inode

    def _move_aside(self) -> Path:
        assert isinstance(self.path, Path)
        stamp = time.strftime("%Y%m%d-%H%M%S")
        aside = self.path.with_name(f"{self.path.name}.corrupt-{stamp}")
        for suffix in ("", "-wal", "-shm"):
            source = Path(f"{self.path}{suffix}")
            if source.exists():
                os.replace(source, Path(f"{aside}{suffix}"))
        return aside

    def _call(self, fn: Callable[[sqlite3.Connection], T], write: bool) -> T:
        if self._file_replaced():
            log.warning(
                "%s %s was deleted or replaced while the bot ran: creating it again "
                "(what it held is lost)",
                self.label,
                self.path,
            )
            self._drop_connection()
            self.recoveries += 1
        try:
            return self._transaction(fn, write)
        except sqlite3.DatabaseError as exc:
            if not is_corrupt(exc) or not isinstance(self.path, Path) or not self._has_run:
                raise
            # Corrupt while running: keep the bad file for a look, start a new one, go on.
            self._drop_connection()
            aside = self._move_aside()
            self.recoveries += 1
            log.error(
                "%s %s is corrupt (%s): moved it aside to %s and started a new one",
                self.label,
                self.path,
                exc,
                aside,
            )
            return self._transaction(fn, write)

    def _transaction(self, fn: Callable[[sqlite3.Connection], T], write: bool) -> T:
        db = self._db()
        db.execute("BEGIN IMMEDIATE" if write else "BEGIN")
        try:
            result = fn(db)
        except BaseException:
            if db.in_transaction:
                db.rollback()
            raise
        db.commit()
        return result

    # -- from the event loop ----------------------------------------------------------------

    async def run(self, fn: Callable[[sqlite3.Connection], T], *, write: bool = True) -> T:
        """``fn(connection)`` inside one transaction (``BEGIN IMMEDIATE`` when ``write``), on
        the connection's thread; its result. Fails with :class:`StoreUnavailable` when the
        database cannot be used; a file another process holds locked fails within the busy
        timeout (the deadline). Callers gather their reads and writes into batches, so few
        calls ever wait for the thread."""
        loop = asyncio.get_running_loop()
        try:
            return await loop.run_in_executor(self._thread, self._call, fn, write)
        except (sqlite3.Error, OSError) as exc:
            raise StoreUnavailable(self._describe(exc)) from exc

    def _describe(self, exc: BaseException) -> str:
        if is_corrupt(exc):
            return f"{self.label} {self.path} is corrupt ({exc}): {fix_hint(self.path)}"
        text = str(exc)
        if "unable to open" in text or "readonly" in text or isinstance(exc, PermissionError):
            return (
                f"{self.label} {self.path} cannot be opened for writing ({exc}): check "
                f"its owner and permissions, or {fix_hint(self.path)}"
            )
        return f"{self.label} {self.path}: {exc}"

    async def open(self) -> None:
        """Open the database now (in an empty transaction), so a bad file fails at start-up
        with one line naming it and the fix. A corrupt file is left as it is (the operator
        decides), unlike one found corrupt while running."""

        def opening(_: sqlite3.Connection) -> None:
            return None

        loop = asyncio.get_running_loop()
        try:
            await loop.run_in_executor(self._thread, self._transaction, opening, True)
        except (sqlite3.Error, OSError) as exc:
            await self.close()
            raise StoreUnavailable(self._describe(exc)) from exc

    async def checkpoint(self) -> None:
        """Copy the WAL into the database and empty it (``wal_checkpoint(TRUNCATE)``), so the
        earlier versions of deleted rows it still holds are gone from the disk too.

        Does nothing when the database is not open. A :class:`sqlite3.Error` is raised as it
        is, not as :class:`StoreUnavailable`: the caller's change is already committed.
        """

        def checkpoint() -> None:
            shared = self._shared
            if shared is not None and shared.db is not None:
                shared.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")

        await asyncio.get_running_loop().run_in_executor(self._thread, checkpoint)

    async def close(self) -> None:
        """Give up this use of the file; the last use closes the connection and lets its
        thread end. The next call opens both again."""
        shared, self._shared = self._shared, None
        self._generation = 0
        if shared is None or not _release(shared):
            return

        def drop() -> None:
            if shared.db is not None:
                db, shared.db = shared.db, None
                with contextlib.suppress(sqlite3.Error):
                    db.close()

        await asyncio.get_running_loop().run_in_executor(shared.thread, drop)
        shared.thread.shutdown(wait=False)


def diagnose(path: Path) -> str | None:
    """What is wrong with the SQLite file at ``path`` (None: nothing; a missing file is fine,
    the bot creates it). Opens it read-only and runs ``PRAGMA quick_check``."""
    if not path.exists():
        return None
    if not os.access(path, os.R_OK | os.W_OK):
        return f"{path} is not readable and writable by this user: check its owner and mode"
    try:
        db = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=2.0)
        try:
            rows = db.execute("PRAGMA quick_check").fetchall()
        finally:
            db.close()
    except sqlite3.Error as exc:
        if is_corrupt(exc):
            return f"{path} is corrupt ({exc}): {fix_hint(path)}"
        return f"{path} cannot be read ({exc})"
    problems = [str(row[0]) for row in rows if row and row[0] != "ok"]
    if problems:
        return f"{path} is damaged ({'; '.join(problems[:3])}): {fix_hint(path)}"
    return None


class ServerLock:
    """The claim of one bot server (``run``) on a SQLite file: an exclusive ``flock`` on
    ``<file>.lock`` beside it, held until :meth:`release` (or the process ends, however it
    ends). A second server on the same file is refused with a sentence saying what to do;
    ``report``, ``check`` and ``chat`` never take it (SQLite lets them read and write safely
    beside the server). The lock is on a file of its own, so it never touches SQLite's locks."""

    def __init__(self, path: Path) -> None:
        self.path = Path(f"{path}.lock")
        self._fd: int | None = None

    def acquire(self) -> None:
        """Take the lock, or raise :class:`StoreUnavailable` when another server holds it."""
        import fcntl

        self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd = os.open(self.path, os.O_CREAT | os.O_RDWR, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            os.close(fd)
            holder = ""
            with contextlib.suppress(OSError, ValueError):
                holder = f" (process {int(self.path.read_text().strip())})"
            raise StoreUnavailable(
                f"another bot server{holder} already runs on {str(self.path)[:-5]}: one "
                "SQLite file serves one bot server. Stop it first, or run several servers "
                "with sessions.store: redis (see README, 'Running more than one server'); "
                "report, check and chat may still use the file"
            ) from None
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n".encode())
        self._fd = fd

    def release(self) -> None:
        """Let the lock go."""
        fd, self._fd = self._fd, None
        if fd is not None:
            os.close(fd)


def backup(source: Path, destination: Path) -> int:
    """Copy the database at ``source`` to ``destination`` with SQLite's online backup (a
    consistent copy, also while a bot writes to it); the number of pages copied. The copy is
    created 0600; an existing ``destination`` is refused (FileExistsError)."""
    if not source.exists():
        raise FileNotFoundError(f"{source} does not exist")
    fd = os.open(destination, os.O_CREAT | os.O_EXCL | os.O_RDWR, 0o600)
    os.close(fd)  # a new file: no connection has it open
    src = sqlite3.connect(source, timeout=10.0)
    try:
        dst = sqlite3.connect(destination)
        try:
            src.backup(dst, pages=256)
            pages = int(dst.execute("PRAGMA page_count").fetchone()[0])
            dst.execute("PRAGMA journal_mode=DELETE")
        finally:
            dst.close()
    finally:
        src.close()
    return pages
