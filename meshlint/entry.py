"""The ``meshlint`` program: its console script and ``python -m meshlint``."""

from meshlint.gc_pause import gc_paused


def main() -> None:
    """Import the command line with the collector paused (the import builds thousands of
    long-lived objects: collecting among them is wasted work), then run it."""
    with gc_paused():
        from meshlint.cli import program

    program()
