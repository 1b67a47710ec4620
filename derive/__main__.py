"""``python -m derive`` is the ``derive`` command."""

from derive.cli import main

raise SystemExit(main())
