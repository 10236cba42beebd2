"""Names that say code exists for tests: packages (`httptest`, `testutil`, `e2e`) and the
directories that hold them (`tstest/natlab/vnet`). Plain string tests, no parsing: the parent
process uses them to key the cache before anything is parsed.
"""
from __future__ import annotations

import os

_TEST_PACKAGES = frozenset({"test", "tests", "e2e", "testutil", "testutils", "testhelper", "testhelpers",
                            "testenv"})
_WORDS_ENDING_IN_TEST = frozenset({"latest", "contest", "attest", "protest", "detest", "fastest", "greatest",
                                   "shortest", "smartest", "hottest", "softest", "strictest", "hardest"})


_WORDS_ENDING_IN_MOCK = frozenset({"hammock"})


def is_test_package(name: str) -> bool:
    """The package exists for tests by its name (`httptest`, `testutil`, `e2e`), or holds test
    doubles (`is_double_package`)."""
    lower = name.lower()
    if lower in _TEST_PACKAGES or is_double_package(lower):
        return True
    return lower.endswith("test") and lower not in _WORDS_ENDING_IN_TEST


def is_double_package(name: str) -> bool:
    """A package of test doubles by its name: `mock`, `fakes`, gomock's `mock_store`, `redismock`,
    `sqlmock`, `kubefake`."""
    lower = name.lower()
    return lower.startswith("mock_") or (lower.endswith(("mock", "mocks", "fake", "fakes"))
                                         and lower not in _WORDS_ENDING_IN_MOCK)


def in_test_directory(directory: str, module_dir: str | None) -> bool:
    """A directory between the module's root and the package (the package's own included) is
    named for tests (`tstest`, `e2e`, `test`): what lives below it serves tests, whatever the
    package is called (tailscale's `tstest/natlab/vnet`, `tempfork/sshtest/ssh`). Outside a
    module nothing is known of the root: False."""
    if module_dir is None:
        return False
    relative = os.path.relpath(directory, module_dir)
    if relative.startswith(".."):
        return False
    return any(is_test_package(part) for part in relative.split(os.sep) if part not in ("", "."))
