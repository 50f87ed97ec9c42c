"""What both conftest files use: the plugin's suite (``tests/``) and the compatibility suite
(``tests/compat/``). It is a module of its own because two modules named ``conftest`` cannot
import each other."""

from __future__ import annotations

import pytest

#: Seconds a generated run may take before it is killed (failing its test); the slowest take
#: about ten.
RUN_TIMEOUT = 120


#: Hypothesis loads its "ci" profile, which keeps no example database, when one of these is set
#: (CI sets CI=true). Tests of the example database unset them, as a developer's machine has.
HYPOTHESIS_CI_VARIABLES = (
    "CI",
    "__TOX_ENVIRONMENT_VARIABLE_ORIGINAL_CI",
    "TF_BUILD",
    "bamboo.buildKey",
    "BUILDKITE",
    "CIRCLECI",
    "CIRRUS_CI",
    "CODEBUILD_BUILD_ID",
    "GITHUB_ACTIONS",
    "GITLAB_CI",
    "HEROKU_TEST_RUN_ID",
    "TEAMCITY_VERSION",
)


def outside_ci(monkeypatch: pytest.MonkeyPatch) -> None:
    """Unset what tells Hypothesis it runs on CI, so it keeps its example database."""
    for name in HYPOTHESIS_CI_VARIABLES:
        monkeypatch.delenv(name, raising=False)
