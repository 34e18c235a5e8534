"""A rich progress bar for long work, shown only on a terminal."""

from __future__ import annotations

import contextlib
from typing import Callable, Iterator

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, ProgressColumn, Task, TextColumn, TimeRemainingColumn
from rich.text import Text


@contextlib.contextmanager
def progress_bar(
    console: Console, total: int | None, label: str = "grading", *, completed: int = 0, status: Callable[[], str] | None = None
) -> Iterator[Callable[[], None]]:
    """Yield ``advance()``, which moves a transient bar on ``console`` one step (a no-op when it is not a terminal).

    ``status()``, when given, is shown after the bar and read again at every refresh.
    """
    if not console.is_terminal:
        yield lambda: None
        return
    columns: tuple[ProgressColumn, ...] = (TextColumn(label), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn())
    if status is not None:
        columns += (_StatusColumn(status),)
    with Progress(*columns, console=console, transient=True) as progress:
        task = progress.add_task(label, total=total, completed=completed)
        yield lambda: progress.advance(task)


class _StatusColumn(ProgressColumn):
    def __init__(self, status: Callable[[], str]) -> None:
        super().__init__()
        self.status = status

    def render(self, task: Task) -> Text:
        return Text(self.status())
