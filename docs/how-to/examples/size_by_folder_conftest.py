"""Give every test that has no size the size of the folder it is in."""

import pytest

SIZES = ("small", "medium", "large", "xlarge")

FOLDER_SIZES = {
    "unit": pytest.mark.small,
    "integration": pytest.mark.medium,
    "e2e": pytest.mark.large,
}


def pytest_collection_modifyitems(config, items):
    for item in items:
        if any(item.get_closest_marker(size) for size in SIZES):
            continue  # a size written on the test, its class or its module wins
        folders = item.path.relative_to(config.rootpath).parts[:-1]
        for folder in folders:
            if folder in FOLDER_SIZES:
                item.add_marker(FOLDER_SIZES[folder])
                break
