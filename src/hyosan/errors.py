"""The one exception type a user sees: a clear message, never a traceback."""


class HyosanError(Exception):
    """A problem with what the user asked for (bad input, unknown name, bad value)."""
