"""Errors the CLI turns into one clear line: bad input exits 2, anything else 1."""


class InputError(ValueError):
    """The user's input or options are wrong; the message names the problem and the fix."""
