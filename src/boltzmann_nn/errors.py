"""Errors raised for bad user input.

The CLI turns :class:`InputError` into one line on stderr and exit code 2.
"""

from __future__ import annotations


class InputError(ValueError):
    """User input that cannot be used (bad file, bad value, bad range).

    Args:
        message: What is wrong, with expected and actual values.
        source: The file or argument the problem comes from, if any.
    """

    def __init__(self, message: str, source: str | None = None):
        self.source = source
        self.message = " ".join(str(message).split())  # always one line
        super().__init__(f"{source}: {self.message}" if source else self.message)


class ConvergenceError(RuntimeError):
    """An iterative solver did not converge; the message says how far it got."""
