"""Names from outside — a dataset row's program and test names, a test folder's files, program.toml's tests and
file names, a program folder's name — become file names on the host and are printed on a terminal. One rule
says which names are plain enough for both (`check_name`, refused in one line otherwise); `printable` shows
any text so that it cannot drive the terminal (a name holding ``\\x1b[2J`` once cleared the screen and printed
a fake "all tests passed"); `file_name` makes a plain file name of a name that was never checked.
"""

from __future__ import annotations

from compilerlm.errors import CompilerLMError

MAX_NAME_BYTES = 120  # a test's name and its output file's name together stay under NAME_MAX (255 bytes)
RULE = f"printable characters, no '/', not starting with '.' or '-', at most {MAX_NAME_BYTES} bytes"
_ESCAPES = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def name_problem(name: object) -> str | None:
    """Why ``name`` is not a plain name (None when it is): a plain name is one file in its folder (no '/', not
    '.' or '..', not hidden), never an option (no leading '-'), and shows as itself when printed."""
    if not isinstance(name, str):
        return f"is a {type(name).__name__}, not a string"
    if not name:
        return "is empty"
    if "/" in name:
        return "holds a '/'"
    if not name.isprintable():  # C0/C1 controls, DEL, format and separator characters, lone surrogates
        return "holds a control or other non-printable character"
    if name[0] in ".-":
        return f"starts with {name[0]!r}"
    if len(name.encode()) > MAX_NAME_BYTES:
        return f"is longer than {MAX_NAME_BYTES} bytes"
    return None


def check_name(name: object, what: str, where: str = "") -> str:
    """``name`` when it is plain; else a one-line CompilerLMError naming it (escaped) and what is allowed."""
    problem = name_problem(name)
    if problem is None and isinstance(name, str):  # name_problem says None only of a str
        return name
    shown = printable(name if isinstance(name, str) else repr(name), limit=60)
    prefix = f"{where}: " if where else ""
    raise CompilerLMError(f"{prefix}{what} '{shown}' must be a plain file name ({RULE}): it {problem}")


def printable(text: str, limit: int | None = None) -> str:
    """``text`` with every non-printable character (C0/C1 controls, ESC, DEL, bidi overrides, lone surrogates)
    as a backslash escape, cut to ``limit`` characters: what a terminal shows of a name, never what it obeys.
    Backslashes stay as they are, so escaping twice changes nothing."""
    shown = "".join(c if c.isprintable() else _escape(c) for c in text)
    return shown if limit is None or len(shown) <= limit else shown[:limit] + "…"


def _escape(char: str) -> str:
    code = ord(char)
    if char in _ESCAPES:
        return _ESCAPES[char]
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}"


def file_name(name: str) -> str:
    """``name`` as one plain file name, for files named after names no rule checked (module names such as
    ``prog/file.c``, a compile database's program name): each character the rule refuses becomes '_'."""
    plain = "".join(c if c.isprintable() and c != "/" else "_" for c in name)
    if not plain or plain[0] in ".-":
        plain = "_" + plain
    return plain.encode()[:MAX_NAME_BYTES].decode(errors="ignore")
