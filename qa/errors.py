"""Errors a user can cause and fix; the CLI prints them as one line and exits non-zero."""


class QAError(Exception):
    """Base for every error that is the user's to fix; the message is the whole story."""

    exit_code = 1


class InputError(QAError):
    """A path, question or option that cannot be used."""

    exit_code = 2


class IndexStateError(QAError):
    """A missing, foreign or locked index."""

    exit_code = 3


class ModelError(QAError):
    """A model that is missing, unreachable or misconfigured."""

    exit_code = 4
