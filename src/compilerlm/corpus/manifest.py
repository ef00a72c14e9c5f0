"""The corpus manifest: which projects the corpus is built from and how each is built.

Why a file and not code: the corpus (other people's code and its IR) is not committed, so the manifest is
what makes it reproducible; it is data a reviewer can read and extend without touching the builder. TOML,
one `[[source]]` table per project:

    [corpus]
    seed = 0                                           # the split hash's seed
    splits = { train = 0.8, validation = 0.1, test = 0.1 }

    [[source]]
    name = "bc"                  # the project (split unit); unique
    kind = "debian"              # debian | local | target
    package = "bc"               # debian: the source package (default: name)
    version = "1.07.1-3"         # debian: pin (apt-get source bc=VERSION); default: what apt has
    configure = ["--without-readline"]   # arguments to ./configure
    make = ["-C", "lib"]         # arguments and targets for make
    cmake = ["-DX=ON"]           # arguments for cmake (a tree with CMakeLists.txt and no configure)
    build = "make -f Makefile.x" # or: the whole build command (sh), run under Bear
    split = "test"               # optional: force the project's split

    [[source]]
    name = "local-demo"
    kind = "local"
    path = "../examples/demo"    # local: a folder, relative to the manifest; copied, then built

    [[source]]
    name = "builtin"
    kind = "target"
    target = "builtin"           # target: any compilerlm TARGET (builtin, csmith:N:SEED, dir:PATH)
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from compilerlm.errors import CompilerLMError

KINDS = ("debian", "local", "target")
SPLITS = ("train", "validation", "test")
DEFAULT_FRACTIONS = {"train": 0.8, "validation": 0.1, "test": 0.1}
DEFAULT_MANIFEST = Path(__file__).with_name("manifest.toml")
SOURCE_KEYS = {"name", "kind", "package", "version", "configure", "make", "cmake", "build", "split", "path", "target"}


@dataclass(frozen=True)
class Source:
    """One project of the corpus and how to get and build it."""

    name: str
    kind: str
    package: str = ""
    version: str = ""
    path: Path | None = None
    target: str = ""
    configure: tuple[str, ...] = ()
    make: tuple[str, ...] = ()
    cmake: tuple[str, ...] = ()
    build: str = ""
    split: str = ""

    @property
    def origin(self) -> str:
        """Where the code came from, as the index records it."""
        if self.kind == "debian":
            return f"debian:{self.package}" + (f"={self.version}" if self.version else "")
        if self.kind == "local":
            return f"local:{self.path}"
        return self.target


@dataclass(frozen=True)
class Manifest:
    path: Path
    sources: tuple[Source, ...]
    seed: int = 0
    fractions: dict[str, float] = field(default_factory=lambda: dict(DEFAULT_FRACTIONS))

    def only(self, names: list[str]) -> Manifest:
        """The manifest restricted to `names` (all must exist)."""
        known = {s.name for s in self.sources}
        unknown = [n for n in names if n not in known]
        if unknown:
            raise CompilerLMError(
                f"--only: {', '.join(unknown)} not in {self.path} (its sources: {', '.join(sorted(known))})"
            )
        return Manifest(self.path, tuple(s for s in self.sources if s.name in names), self.seed, self.fractions)


def _strings(table: dict, key: str, where: str) -> tuple[str, ...]:
    value = table.get(key, [])
    if isinstance(value, str):
        value = value.split()
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise CompilerLMError(f"{where}: '{key}' must be a list of strings")
    return tuple(value)


def _text(table: dict, key: str, where: str) -> str:
    value = table.get(key, "")
    if not isinstance(value, str):
        raise CompilerLMError(f"{where}: '{key}' must be a string")
    return value


def _source(table: object, i: int, path: Path) -> Source:
    where = f"{path}: source {i + 1}"
    if not isinstance(table, dict):
        raise CompilerLMError(f"{where} is not a table; write each as [[source]] with name = ...")
    name = _text(table, "name", where)
    if not name or "/" in name or name.startswith("."):
        raise CompilerLMError(f"{where}: needs a name (no '/', not starting with '.')")
    where = f"{path}: source {name!r}"
    unknown = sorted(set(table) - SOURCE_KEYS)
    if unknown:
        raise CompilerLMError(f"{where}: unknown key(s) {', '.join(unknown)}; known: {', '.join(sorted(SOURCE_KEYS))}")
    kind = _text(table, "kind", where) or ("target" if "target" in table else "local" if "path" in table else "debian")
    if kind not in KINDS:
        raise CompilerLMError(f"{where}: kind {kind!r} is not one of {', '.join(KINDS)}")
    split = _text(table, "split", where)
    if split and split not in SPLITS:
        raise CompilerLMError(f"{where}: split {split!r} is not one of {', '.join(SPLITS)}")
    local = None
    if kind == "local":
        if not _text(table, "path", where):
            raise CompilerLMError(f"{where}: a local source needs path = FOLDER")
        local = (path.parent / table["path"]).resolve()
    if kind == "target" and not _text(table, "target", where):
        raise CompilerLMError(f"{where}: a target source needs target = TARGET (e.g. 'builtin', 'csmith:100:1')")
    return Source(
        name=name,
        kind=kind,
        package=_text(table, "package", where) or (name if kind == "debian" else ""),
        version=_text(table, "version", where),
        path=local,
        target=_text(table, "target", where),
        configure=_strings(table, "configure", where),
        make=_strings(table, "make", where),
        cmake=_strings(table, "cmake", where),
        build=_text(table, "build", where),
        split=split,
    )


def read_manifest(path: Path | str) -> Manifest:
    """The manifest at `path`; every problem is a one-line CompilerLMError naming the file and the source."""
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text())
    except FileNotFoundError:
        raise CompilerLMError(f"manifest {path} does not exist") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise CompilerLMError(f"manifest {path} cannot be read: {exc}") from None
    except tomllib.TOMLDecodeError as exc:
        raise CompilerLMError(f"manifest {path} is not valid TOML: {exc}") from None
    tables = data.get("source", [])
    if not isinstance(tables, list) or not tables:
        raise CompilerLMError(f"manifest {path} has no [[source]] tables; add one per project")
    sources = tuple(_source(t, i, path) for i, t in enumerate(tables))
    names = [s.name for s in sources]
    repeated = sorted({n for n in names if names.count(n) > 1})
    if repeated:
        raise CompilerLMError(f"manifest {path}: source names must be unique (repeated: {', '.join(repeated)})")
    corpus = data.get("corpus", {})
    if not isinstance(corpus, dict):
        raise CompilerLMError(f"manifest {path}: [corpus] must be a table")
    seed = corpus.get("seed", 0)
    fractions = corpus.get("splits", DEFAULT_FRACTIONS)
    if not isinstance(seed, int):
        raise CompilerLMError(f"manifest {path}: [corpus] seed must be an integer")
    if (
        not isinstance(fractions, dict)
        or set(fractions) != set(SPLITS)
        or not all(isinstance(v, int | float) and v >= 0 for v in fractions.values())
        or abs(sum(fractions.values()) - 1.0) > 1e-6
    ):
        raise CompilerLMError(
            f"manifest {path}: [corpus] splits must give train, validation and test fractions summing to 1"
        )
    return Manifest(path, sources, seed, {k: float(fractions[k]) for k in SPLITS})
