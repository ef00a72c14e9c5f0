"""SQLite store: every evaluation and every finished module result, written as they happen, and the records of
the other long runs (task evaluations, speed outcomes). Top-level because the tuner, the evaluations and the
datasets all read and write it.

A run that is interrupted (Ctrl-C, kill -9) loses at most the evaluations in flight: rerunning it replays
the same seeded search, and every evaluation already in the store is read back instead of compiled.

The file records its schema version (`PRAGMA user_version`); a store of another version, or an SQLite
database of another program, is refused with a one-line error rather than changed. A full disk stops the
run with an error that says so; everything committed before stays in the store.

Nothing read back is used before it is checked: the file may have been damaged or edited, and its rows decide
what a run reports without being recomputed. Every column of an evaluation, and every JSON record against the
shape its reader gives (`compilerlm.shapes`, with pydantic: the dataclass or TypedDict the reader builds from it;
at least a JSON object), is checked as it is read; a row that is not what compilerlm writes is refused with one
line naming the store, the row and what is wrong, never used.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from compilerlm.errors import CompilerLMError, Interrupted
from compilerlm.shapes import JSON_OBJECT, problem
from compilerlm.toolchain.evaluation import Evaluation

SCHEMA_VERSION = 1  # PRAGMA user_version of the stores this code writes; bump it when SCHEMA changes
COLUMNS = {
    "evaluations": ("module_key", "pipeline", "size", "text_size", "error_kind", "error"),
    "results": ("run_key", "module", "data"),
    "records": ("kind", "key", "data"),
}
SCHEMA = """
CREATE TABLE IF NOT EXISTS evaluations (
    module_key TEXT NOT NULL, pipeline TEXT NOT NULL, size INTEGER, text_size INTEGER,
    error_kind TEXT, error TEXT, PRIMARY KEY (module_key, pipeline));
CREATE TABLE IF NOT EXISTS results (
    run_key TEXT NOT NULL, module TEXT NOT NULL, data TEXT NOT NULL, PRIMARY KEY (run_key, module));
CREATE TABLE IF NOT EXISTS records (
    kind TEXT NOT NULL, key TEXT NOT NULL, data TEXT NOT NULL, PRIMARY KEY (kind, key));
"""
NEW_STORE_HINT = "pass a new --store path (or move this file away)"
REFUSED_HINT = "the store was damaged or edited and is not used: delete it or pass another --store"


def _key(value: object) -> str:
    """A row's key as a message shows it: quoted, escaped, and cut when long (a forged one may be any size)."""
    text = repr(value)
    return text if len(text) <= 300 else text[:297] + "..."


def _is_full(exc: sqlite3.Error) -> bool:
    return getattr(exc, "sqlite_errorcode", None) == sqlite3.SQLITE_FULL or "disk is full" in str(exc)


class Store:
    """Evaluations keyed by (module content hash, pipeline); results keyed by (run settings, module name)."""

    def __init__(self, path: Path | str = ":memory:") -> None:
        self.path = str(path)
        self._lock = threading.Lock()
        if self.path != ":memory:":
            where = Path(self.path)
            if where.is_dir():
                raise CompilerLMError(f"--store {where} is a folder; give a file, e.g. --store {where / 'runs.sqlite'}")
            if not where.absolute().parent.is_dir():
                raise CompilerLMError(
                    f"--store {where}: folder {where.absolute().parent} does not exist; create it or pick another path"
                )
        try:
            self.db = sqlite3.connect(self.path, check_same_thread=False)
            self._open()
        except CompilerLMError:
            self.db.close()
            raise
        except sqlite3.DatabaseError as exc:
            if _is_full(exc):
                raise self._full_error(exc) from exc
            raise CompilerLMError(
                f"{self.path} is not a usable compilerlm store ({exc}); move it away or pass another --store"
            ) from exc

    def _open(self) -> None:
        """Create the schema in an empty file; accept a store of this schema version; refuse anything else."""
        tables = [
            r[0]
            for r in self.db.execute("SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%'")
        ]
        version = self.db.execute("PRAGMA user_version").fetchone()[0]
        foreign = sorted(set(tables) - set(COLUMNS))
        if foreign:
            raise CompilerLMError(
                f"{self.path} is an SQLite database of something else (tables: {', '.join(foreign)}), not a "
                f"compilerlm store; it is left unchanged: {NEW_STORE_HINT}"
            )
        if version not in (0, SCHEMA_VERSION) or (tables and version == 0 and not self._current_columns(tables)):
            raise CompilerLMError(
                f"{self.path} is a compilerlm store of schema version {version}, this compilerlm reads version "
                f"{SCHEMA_VERSION}; it is left unchanged: {NEW_STORE_HINT}, or use the compilerlm that wrote it"
            )
        if version != SCHEMA_VERSION or len(tables) < len(COLUMNS):
            # a new store (or one of this schema written before stores recorded their version)
            self.db.executescript(SCHEMA + f"PRAGMA user_version = {SCHEMA_VERSION};")
        self.db.execute("PRAGMA journal_mode=WAL")

    def _current_columns(self, tables: list[str]) -> bool:
        for table in tables:
            columns = tuple(r[1] for r in self.db.execute(f"PRAGMA table_info({table})"))
            if columns != COLUMNS[table]:
                return False
        return True

    def _full_error(self, exc: sqlite3.Error) -> CompilerLMError:
        try:
            kept = f"the {sum(self.kept().values())} results written before are kept"
        except sqlite3.Error:
            kept = "what was written before is kept"
        return CompilerLMError(
            f"the disk holding the store {self.path} is full ({exc}); {kept}: free some space (or move the "
            f"store to a disk with room) and run the same command again to resume"
        )

    @contextmanager
    def _writing(self) -> Iterator[sqlite3.Connection]:
        """One transaction under the lock; a full disk becomes a one-line error (earlier commits are kept)."""
        try:
            with self._lock, self.db:
                yield self.db
        except sqlite3.OperationalError as exc:
            if _is_full(exc):
                raise self._full_error(exc) from exc
            raise CompilerLMError(f"cannot write the store {self.path}: {exc}") from exc

    def kept(self) -> dict[str, int]:
        """How many rows of each kind the store holds (for the message of an interrupted run)."""
        with self._lock:
            counts = {
                "evaluations": self.db.execute("SELECT COUNT(*) FROM evaluations").fetchone()[0],
                "module results": self.db.execute("SELECT COUNT(*) FROM results").fetchone()[0],
            }
            for kind, n in self.db.execute("SELECT kind, COUNT(*) FROM records GROUP BY kind ORDER BY kind"):
                counts[f"{kind} records"] = n
        return counts

    def _refused(self, row: str, wrong: str) -> CompilerLMError:
        return CompilerLMError(f"{self.path}: {row} is not what compilerlm writes: {wrong}; {REFUSED_HINT}")

    def _evaluation(self, row: Sequence[Any]) -> Evaluation:
        """An `evaluations` row as an Evaluation, once every column has the type the Evaluation gives it and the row
        has a size or an error."""
        module_key, pipeline, *_ = row
        columns = dict(zip(COLUMNS["evaluations"][1:], row[1:], strict=True))
        blob = next((name for name, value in columns.items() if isinstance(value, bytes)), None)
        wrong = f"{blob} is a blob of {len(columns[blob])} bytes" if blob else problem(columns, Evaluation, "")
        if wrong is None and columns["error"] is None and columns["size"] is None:
            wrong = "it has neither a size nor an error"
        if wrong is not None:
            raise self._refused(f"evaluations row (module key {_key(module_key)}, pipeline {_key(pipeline)})", wrong)
        return Evaluation(**columns)

    def _data(self, text: object, shape: Any, row: str) -> Any:
        """A row's JSON data, parsed and checked against `shape`."""
        if not isinstance(text, str):
            raise self._refused(row, f"its data is {type(text).__name__}, not JSON text")
        try:
            value = json.loads(text)
        except (ValueError, RecursionError) as exc:  # not JSON, invalid UTF-16 escapes, nesting
            raise self._refused(row, f"its data is not JSON ({str(exc)[:120]})") from None
        wrong = problem(value, shape, "data")
        if wrong is not None:
            raise self._refused(row, wrong)
        return value

    def _result(self, row: Sequence[Any], shape: Any) -> Any:
        run_key, module, data = row
        return self._data(data, shape, f"results row (run key {_key(run_key)}, module {_key(module)})")

    def _record(self, row: Sequence[Any], shape: Any) -> Any:
        kind, key, data = row
        return self._data(data, shape, f"records row (kind {_key(kind)}, key {_key(key)})")

    def get(self, module_key: str, pipeline: str) -> Evaluation | None:
        with self._lock:
            row = self.db.execute(
                "SELECT * FROM evaluations WHERE module_key=? AND pipeline=?", (module_key, pipeline)
            ).fetchone()
        return None if row is None else self._evaluation(row)

    def put(self, module_key: str, result: Evaluation) -> None:
        with self._writing():
            self.db.execute(
                "INSERT OR REPLACE INTO evaluations VALUES (?, ?, ?, ?, ?, ?)",
                (module_key, result.pipeline, result.size, result.text_size, result.error_kind, result.error),
            )

    def count(self, module_key: str | None = None) -> int:
        with self._lock:
            if module_key is None:
                return self.db.execute("SELECT COUNT(*) FROM evaluations").fetchone()[0]
            return self.db.execute("SELECT COUNT(*) FROM evaluations WHERE module_key=?", (module_key,)).fetchone()[0]

    def get_result(self, run_key: str, module: str, shape: Any = JSON_OBJECT) -> Any:
        """The finished result of `module` under `run_key`, checked against `shape`; None when absent."""
        with self._lock:
            row = self.db.execute("SELECT * FROM results WHERE run_key=? AND module=?", (run_key, module)).fetchone()
        return None if row is None else self._result(row, shape)

    def put_result(self, run_key: str, module: str, data: dict) -> None:
        with self._writing():
            self.db.execute("INSERT OR REPLACE INTO results VALUES (?, ?, ?)", (run_key, module, json.dumps(data)))

    def results(self, run_key: str | None = None, shape: Any = JSON_OBJECT) -> list[Any]:
        """Every finished result (of one run key), in the order written, each checked against `shape`."""
        query = "SELECT * FROM results"
        args: tuple[str, ...] = ()
        if run_key is not None:
            query, args = query + " WHERE run_key=?", (run_key,)
        with self._lock:
            rows = self.db.execute(query + " ORDER BY rowid", args).fetchall()
        return [self._result(r, shape) for r in rows]

    def get_record(self, kind: str, key: str, shape: Any = JSON_OBJECT) -> Any:
        """A generic JSON record (e.g. one scored task item), keyed by (kind, key), checked against `shape`; None
        when absent."""
        with self._lock:
            row = self.db.execute("SELECT * FROM records WHERE kind=? AND key=?", (kind, key)).fetchone()
        return None if row is None else self._record(row, shape)

    def put_record(self, kind: str, key: str, data: dict) -> None:
        with self._writing():
            self.db.execute("INSERT OR REPLACE INTO records VALUES (?, ?, ?)", (kind, key, json.dumps(data)))

    def records(self, kind: str, shape: Any = JSON_OBJECT) -> list[Any]:
        """Every record of one kind, in the order they were (last) written, each checked against `shape`."""
        with self._lock:
            rows = self.db.execute("SELECT * FROM records WHERE kind=? ORDER BY rowid", (kind,)).fetchall()
        return [self._record(r, shape) for r in rows]

    def export(self, module_keys: Sequence[str], result_shape: Any = JSON_OBJECT) -> dict[str, list]:
        """Everything known about these modules, to ship to a remote worker (see `merge`), checked as `get` and
        `results` check it (results against `result_shape`), so a worker never gets what this store refuses."""
        marks = ",".join("?" * len(module_keys))
        with self._lock:
            evaluations = self.db.execute(
                f"SELECT * FROM evaluations WHERE module_key IN ({marks})", tuple(module_keys)
            ).fetchall()
            results = self.db.execute("SELECT * FROM results ORDER BY rowid").fetchall()
        for row in evaluations:
            self._evaluation(row)
        results = [r for r in results if isinstance(r[1], str) and r[1].rpartition("@")[2] in module_keys]
        for row in results:
            self._result(row, result_shape)
        return {"evaluations": [list(r) for r in evaluations], "results": [list(r) for r in results]}

    def merge(self, data: dict[str, list]) -> None:
        """Add what `export` gave (possibly from another store); existing rows are replaced by the same facts."""
        with self._writing():
            self.db.executemany("INSERT OR REPLACE INTO evaluations VALUES (?, ?, ?, ?, ?, ?)", data["evaluations"])
            self.db.executemany("INSERT OR REPLACE INTO results VALUES (?, ?, ?)", data["results"])

    def close(self) -> None:
        self.db.close()


def interrupted_message(store_path: Path | str | None, db: Store | None) -> str:
    """One line: what the store kept and how to resume (or that nothing was kept without --store)."""
    if store_path is None or db is None:
        return "interrupted: nothing was kept (no --store); pass --store FILE to make a run resumable"
    try:
        kept = db.kept()
    except Exception:  # a store that cannot be read now (disk gone): still say how to resume
        kept = {}
    parts = [f"{n} {what}" for what, n in kept.items() if n]
    total = sum(kept.values())
    return (
        f"interrupted: {total} results kept in {store_path} ({', '.join(parts) or 'none yet'}); "
        f"run the same command again with --store {store_path} to resume"
    )


@contextmanager
def resumable(store_path: Path | str | None, db: Store | None) -> Iterator[None]:
    """Turn Ctrl-C (KeyboardInterrupt) or SIGTERM during a run writing to `db` into `Interrupted`: one line
    saying what was kept and how to resume, exit code 130 (143 for SIGTERM). Cleanup (`with` blocks, worker
    pools) has run by the time the message is printed."""
    try:
        yield
    except KeyboardInterrupt as exc:
        raise Interrupted(interrupted_message(store_path, db), getattr(exc, "exit_code", 130)) from None
