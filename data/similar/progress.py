"""How the similarity's long jobs report progress, without importing what they run."""

from collections.abc import Callable

# (stage, done, total) as a job goes; total None when unknown.
Progress = Callable[[str, int, int | None], None]
