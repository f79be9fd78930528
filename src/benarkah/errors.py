"""Typed errors. Each carries a message a newsroom engineer can act on."""


class BenarkahError(Exception):
    """Base class for errors benarkah reports to its user."""


class ConfigError(BenarkahError):
    """The configuration (env or CLI flags) is unusable."""


class StorageError(BenarkahError):
    """The database cannot be opened, migrated or written."""


class InvalidArticle(BenarkahError):
    """An input row cannot become an article; the message says which field and why."""


class InputFormatError(BenarkahError):
    """An input file is not in a format benarkah can read."""


class ChannelError(BenarkahError):
    """A messaging channel (WhatsApp, Telegram) is misconfigured or its API refused a request."""


class FetchError(BenarkahError):
    """A page, feed or sitemap could not be fetched (network, robots.txt, size or status)."""


class AuthError(BenarkahError):
    """A staff login or session is invalid."""


class MediaError(BenarkahError):
    """A picture, video or audio file cannot be read. ``problem`` says which way, so a channel can tell
    the person in their language; the message says it for an engineer."""

    def __init__(self, problem: str, message: str) -> None:
        super().__init__(message)
        self.problem = problem


class OcrUnavailable(BenarkahError):
    """No OCR engine (or its Indonesian language data) is installed; the message says how to add one."""


class InvalidParameter(BenarkahError):
    """A request parameter (of the public read API) is missing, malformed or out of bounds."""

    def __init__(self, parameter: str, message: str) -> None:
        super().__init__(message)
        self.parameter = parameter
