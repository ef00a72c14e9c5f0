"""SQLite store: every evaluation and every finished module result, written as they happen.

A run that is interrupted (Ctrl-C, kill -9) loses at most the evaluations in flight: rerunning it replays
the same seeded search, and every evaluation already in the store is read back instead of compiled.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Sequence
from pathlib import Path

from compilerlm.errors import CompilerLMError
from compilerlm.toolchain.evaluation import Evaluation

SCHEMA = """
CREATE TABLE IF NOT EXISTS evaluations (
    module_key TEXT NOT NULL, pipeline TEXT NOT NULL, size INTEGER, text_size INTEGER,
    error_kind TEXT, error TEXT, PRIMARY KEY (module_key, pipeline));
CREATE TABLE IF NOT EXISTS results (
    run_key TEXT NOT NULL, module TEXT NOT NULL, data TEXT NOT NULL, PRIMARY KEY (run_key, module));
CREATE TABLE IF NOT EXISTS records (
    kind TEXT NOT NULL, key TEXT NOT NULL, data TEXT NOT NULL, PRIMARY KEY (kind, key));
"""


class Store:
    """Evaluations keyed by (module content hash, pipeline); results keyed by (run settings, module name)."""

    def __init__(self, path: Path | str = ":memory:") -> None:
        self.path = str(path)
        self._lock = threading.Lock()
        try:
            self.db = sqlite3.connect(self.path, check_same_thread=False)
            self.db.executescript(SCHEMA)
            self.db.execute("PRAGMA journal_mode=WAL")
        except sqlite3.DatabaseError as exc:
            raise CompilerLMError(
                f"{self.path} is not a usable compilerlm store ({exc}); move it away or pass another --store"
            ) from exc

    def get(self, module_key: str, pipeline: str) -> Evaluation | None:
        with self._lock:
            row = self.db.execute(
                "SELECT size, text_size, error_kind, error FROM evaluations WHERE module_key=? AND pipeline=?",
                (module_key, pipeline),
            ).fetchone()
        if row is None:
            return None
        size, text, kind, error = row
        return Evaluation(pipeline=pipeline, size=size, text_size=text, error_kind=kind, error=error)

    def put(self, module_key: str, result: Evaluation) -> None:
        with self._lock, self.db:
            self.db.execute(
                "INSERT OR REPLACE INTO evaluations VALUES (?, ?, ?, ?, ?, ?)",
                (module_key, result.pipeline, result.size, result.text_size, result.error_kind, result.error),
            )

    def count(self, module_key: str | None = None) -> int:
        with self._lock:
            if module_key is None:
                return self.db.execute("SELECT COUNT(*) FROM evaluations").fetchone()[0]
            return self.db.execute("SELECT COUNT(*) FROM evaluations WHERE module_key=?", (module_key,)).fetchone()[0]

    def get_result(self, run_key: str, module: str) -> dict | None:
        with self._lock:
            row = self.db.execute("SELECT data FROM results WHERE run_key=? AND module=?", (run_key, module)).fetchone()
        return json.loads(row[0]) if row else None

    def put_result(self, run_key: str, module: str, data: dict) -> None:
        with self._lock, self.db:
            self.db.execute("INSERT OR REPLACE INTO results VALUES (?, ?, ?)", (run_key, module, json.dumps(data)))

    def results(self, run_key: str | None = None) -> list[dict]:
        query, args = "SELECT data FROM results", ()
        if run_key is not None:
            query, args = query + " WHERE run_key=?", (run_key,)
        with self._lock:
            return [json.loads(r[0]) for r in self.db.execute(query + " ORDER BY rowid", args)]

    def get_record(self, kind: str, key: str) -> dict | None:
        """A generic JSON record (e.g. one scored task item), keyed by (kind, key); None when absent."""
        with self._lock:
            row = self.db.execute("SELECT data FROM records WHERE kind=? AND key=?", (kind, key)).fetchone()
        return json.loads(row[0]) if row else None

    def put_record(self, kind: str, key: str, data: dict) -> None:
        with self._lock, self.db:
            self.db.execute("INSERT OR REPLACE INTO records VALUES (?, ?, ?)", (kind, key, json.dumps(data)))

    def records(self, kind: str) -> list[dict]:
        """Every record of one kind, in the order they were (last) written."""
        with self._lock:
            rows = self.db.execute("SELECT data FROM records WHERE kind=? ORDER BY rowid", (kind,)).fetchall()
        return [json.loads(r[0]) for r in rows]

    def export(self, module_keys: Sequence[str]) -> dict[str, list]:
        """Everything known about these modules, to ship to a remote worker (see `merge`)."""
        marks = ",".join("?" * len(module_keys))
        with self._lock:
            evaluations = self.db.execute(
                f"SELECT * FROM evaluations WHERE module_key IN ({marks})", tuple(module_keys)
            ).fetchall()
            results = [
                row
                for row in self.db.execute("SELECT * FROM results ORDER BY rowid").fetchall()
                if row[1].rpartition("@")[2] in module_keys
            ]
        return {"evaluations": [list(r) for r in evaluations], "results": [list(r) for r in results]}

    def merge(self, data: dict[str, list]) -> None:
        """Add what `export` gave (possibly from another store); existing rows are replaced by the same facts."""
        with self._lock, self.db:
            self.db.executemany("INSERT OR REPLACE INTO evaluations VALUES (?, ?, ?, ?, ?, ?)", data["evaluations"])
            self.db.executemany("INSERT OR REPLACE INTO results VALUES (?, ?, ?)", data["results"])

    def close(self) -> None:
        self.db.close()
