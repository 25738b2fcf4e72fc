"""Ids from a URL or a form, typed by whoever sent them: a database id or nothing.

ASCII digits only (int() would take "²" or "١"), no sign, at most 9 digits: PostgreSQL's integer ends at 2**31, and a
larger number must be a 404, not a database error."""

from __future__ import annotations

import re

from multidict import MultiDictProxy

from adapters.dashboard.errors import bad_request, not_found

_ID = re.compile(r"[1-9][0-9]{0,8}")


def int_or_404(raw: object) -> int:
    """An id from the URL: anything that is not one is the same 404 as a row of another workspace."""
    if not isinstance(raw, str) or _ID.fullmatch(raw) is None:
        raise not_found()
    return int(raw)


def int_or_400(form: MultiDictProxy[str], name: str) -> int:
    """An id a form field chose (a select's value): typed by whoever sent the form, so checked like one."""
    raw = form.get(name)
    if not isinstance(raw, str) or _ID.fullmatch(raw) is None:
        raise bad_request()
    return int(raw)
