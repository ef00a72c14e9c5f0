"""Every task compilerlm knows, by name: the one list that datasets (`compilerlm.data`), evaluation
(`compilerlm.eval`), training (`compilerlm.train`) and the command line iterate over.

A task is a `compilerlm.tasks.base.Task`; each built-in one lives in its own module here (`flags`,
`emulate`, `disasm`, `speed`). Adding a task means one module with a `Task` subclass and one line in
`_builtin()` — or, for a task shipped by another package, an entry point in the group `compilerlm.tasks`
naming the Task object, or `register(task)` at run time (tests do).
"""

from __future__ import annotations

from collections.abc import Callable
from importlib.metadata import entry_points

from compilerlm.errors import CompilerLMError
from compilerlm.tasks.base import Task

ENTRY_POINT_GROUP = "compilerlm.tasks"

_TASKS: dict[str, Task] = {}


def _builtin() -> list[Task]:
    from compilerlm.registry.disasm import DisasmTask
    from compilerlm.registry.emulate import EmulateTask
    from compilerlm.registry.flags import FlagsTask
    from compilerlm.registry.speed import AsmTask

    return [FlagsTask(), EmulateTask(), EmulateTask(asm=True), DisasmTask(), AsmTask()]


def _plugins() -> list[Task]:
    found = []
    for entry in entry_points(group=ENTRY_POINT_GROUP):
        try:
            task = entry.load()
        except Exception as exc:  # a broken plugin is named, not a traceback at startup
            raise CompilerLMError(f"task plugin {entry.name!r} ({entry.value}) does not load: {exc}") from exc
        found.append(task() if isinstance(task, type) else task)
    return found


def _loaded() -> dict[str, Task]:
    if not _TASKS:
        for task in _builtin() + _plugins():
            _add(task)
    return _TASKS


def _add(task: Task) -> Task:
    if not isinstance(task, Task) or not task.name:
        raise CompilerLMError(f"{task!r} is not a named compilerlm.tasks.base.Task")
    _TASKS[task.name] = task
    return task


def register(task: Task) -> Task:
    """Add (or replace) a task; every later lookup and every command built afterwards sees it."""
    _loaded()
    return _add(task)


def unregister(name: str) -> None:
    _loaded().pop(name, None)


def tasks(where: Callable[[Task], bool] | None = None) -> list[Task]:
    """The tasks in registration order (built-ins first), optionally only those `where` accepts."""
    return [t for t in _loaded().values() if where is None or where(t)]


def names(where: Callable[[Task], bool] | None = None) -> list[str]:
    return [t.name for t in tasks(where)]


def get(name: str, where: Callable[[Task], bool] | None = None, what: str = "task") -> Task:
    """The task called `name`; an unknown name (or one `where` rejects) is a one-line error listing the choices."""
    task = _loaded().get(name)
    if task is None or (where is not None and not where(task)):
        raise CompilerLMError(f"unknown {what} {name!r}: choose one of {', '.join(names(where))}")
    return task
