"""``python -m derive`` is the ``derive`` command."""

from derive.cli import run

run()
