"""What a dashboard handler raises instead of building an error page: the error middleware (render.py) turns it
into the localised error page with its status, so no handler can answer a refusal with a 500 or in English only."""

from __future__ import annotations


class PageError(Exception):
    def __init__(self, status: int, key: str, *, locale: str | None = None, **params: object) -> None:
        super().__init__(key)
        self.status = status
        self.key = key  # a catalog key: the page's message
        self.params = params
        self.locale = locale  # when the page must not follow the reader's usual language choice


def not_found() -> PageError:
    """Also for a program of another workspace: 404, never 403, so a URL does not confirm that it exists."""
    return PageError(404, "dashboard.error.not_found")


def forbidden_csrf() -> PageError:
    return PageError(403, "dashboard.error.csrf")


def bad_request() -> PageError:
    return PageError(400, "dashboard.error.bad_request")
