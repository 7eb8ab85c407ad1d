"""Errors a user can cause, each with a stable reason code and a one-line message.

The CLI turns any :class:`GraderError` into exit code 2 and one line on stderr;
the web app shows ``message_id`` (Indonesian) to people. Nothing here is for
programming errors: those should stay tracebacks.
"""
from __future__ import annotations


class GraderError(Exception):
    """A problem with the user's input, not with the program.

    Parameters
    ----------
    code : str
        Stable machine-readable reason code (used in JSON, the web page, tests).
    message : str
        One-line English explanation, saying what to do.
    message_id : str, optional
        The same in Indonesian, for the web page. Defaults to ``message``.
    """

    def __init__(self, code: str, message: str, message_id: str | None = None):
        super().__init__(message)
        self.code = code
        self.message = message
        self.message_id = message_id or message

    def __str__(self) -> str:
        return self.message

    def __reduce__(self):
        # Picklable whatever a subclass's __init__ takes: results cross process boundaries in batches.
        return _rebuild, (type(self), self.args, self.__dict__)


def _rebuild(cls: type, args: tuple, state: dict) -> "GraderError":
    err = cls.__new__(cls)
    Exception.__init__(err, *args)
    err.__dict__.update(state)
    return err


class TemplateError(GraderError):
    """A template file is malformed; names the file, the key and the problem."""

    def __init__(self, source: str, key: str, problem: str):
        self.source = source
        self.key = key
        self.problem = problem
        super().__init__(
            "bad_template",
            f"{source}: {key or '<top>'}: {problem}",
            f"Templat {source} salah pada '{key or '<top>'}': {problem}",
        )


class SettingError(GraderError, ValueError):
    """A setting of the web app (a ``GRADER_*`` variable, the config file) that cannot be used: the server is not
    started, and ``grader serve`` exits 2 with this one line rather than a traceback."""

    def __init__(self, message: str):
        super().__init__("bad_setting", message)
