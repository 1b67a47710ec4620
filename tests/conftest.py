"""Shared pytest configuration for derive's tests."""

from __future__ import annotations

import pytest

from tooling import REQUIRED_TOOLS, find_tool, tools_required


def pytest_sessionstart(session: pytest.Session) -> None:
    """In CI (DERIVE_REQUIRE_TOOLS=1 or CI=true) refuse to run without every tool.

    Locally, tests that need a missing tool are skipped one by one instead.
    """
    if not tools_required():
        return
    missing = [name for name in (*REQUIRED_TOOLS, "playwright") if find_tool(name) is None]
    if missing:
        raise pytest.UsageError(
            "DERIVE_REQUIRE_TOOLS/CI is set but these tools are missing: "
            + ", ".join(missing)
            + ". Install them (see .ci/run) or unset DERIVE_REQUIRE_TOOLS to skip those tests."
        )
