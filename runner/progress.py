"""A rich progress bar for long work, shown only on a terminal."""

from __future__ import annotations

import contextlib
from typing import TYPE_CHECKING, Callable, Iterator

if TYPE_CHECKING:
    from rich.console import Console


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
    # imported here: a command writing to a file or a pipe does not pay for rich.progress (~10 ms)
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, ProgressColumn, TextColumn, TimeRemainingColumn
    from rich.text import Text

    class _StatusColumn(ProgressColumn):
        def render(self, task: object) -> Text:
            return Text(status())

    columns: tuple[ProgressColumn, ...] = (TextColumn(label), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn())
    if status is not None:
        columns += (_StatusColumn(),)
    with Progress(*columns, console=console, transient=True) as progress:
        task = progress.add_task(label, total=total, completed=completed)
        yield lambda: progress.advance(task)

