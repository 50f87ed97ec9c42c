"""Words for the texts people read; imports nothing, so that the Sphinx extension can use it."""


def plural(number: int, noun: str) -> str:
    """``1 test``, ``2 tests``."""
    return f"{number} {noun}" if number == 1 else f"{number} {noun}s"
