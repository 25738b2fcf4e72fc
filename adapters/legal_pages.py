"""GET /privacy and /terms: docs/privacy.md and docs/terms.md as plain HTML, the pages the Teams app package
links to (its privacyUrl and termsOfUseUrl). Read from disk once per request; nothing is fetched from elsewhere."""

from __future__ import annotations

import html
import logging
import re
from collections.abc import Awaitable, Callable
from pathlib import Path

from aiohttp import web

log = logging.getLogger(__name__)
PAGES = {"/privacy": "privacy.md", "/terms": "terms.md"}
# A source checkout (`make run`), or a docs/ folder next to where Lingkar runs (the container's working directory).
SEARCHED = (Path(__file__).resolve().parent.parent / "docs", Path.cwd() / "docs")
_INLINE = re.compile(r"`([^`]+)`|\*\*([^*]+)\*\*|\[([^\]]+)\]\((https?://[^)\s]+|/[^)\s]*)\)")
_ORDERED = re.compile(r"^\d+\.\s+")
STYLE = ("body{font-family:system-ui,sans-serif;max-width:46rem;margin:2rem auto;padding:0 1rem;line-height:1.5}"
         "table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:.3rem .5rem;vertical-align:top}"
         "code{background:#f3f3f3;padding:0 .2rem}")


def find(name: str, folders: tuple[Path, ...] = SEARCHED) -> Path | None:
    return next((folder / name for folder in folders if (folder / name).is_file()), None)


def inline(text: str) -> str:
    """Escaped text with `code`, **bold** and [links](https://…) (only http(s) and this site's own paths)."""
    out, last = [], 0
    for match in _INLINE.finditer(text):
        out.append(html.escape(text[last:match.start()]))
        code, bold, label, url = match.groups()
        if code is not None:
            out.append(f"<code>{html.escape(code)}</code>")
        elif bold is not None:
            out.append(f"<strong>{html.escape(bold)}</strong>")
        else:
            out.append(f'<a href="{html.escape(url, quote=True)}">{html.escape(label)}</a>')
        last = match.end()
    out.append(html.escape(text[last:]))
    return "".join(out)


def _table(rows: list[str]) -> str:
    cells = [[c.strip() for c in row.strip().strip("|").split("|")] for row in rows]
    body = [r for r in cells[1:] if not all(set(c) <= set("-: ") for c in r)]  # drop the |---| line
    head = "".join(f"<th>{inline(c)}</th>" for c in cells[0])
    rest = "".join("<tr>" + "".join(f"<td>{inline(c)}</td>" for c in r) + "</tr>" for r in body)
    return f"<table><tr>{head}</tr>{rest}</table>"


def _block(lines: list[str]) -> str:
    """One block of Markdown (lines between blank lines): a heading, a list, a table or a paragraph."""
    first = lines[0]
    if first.startswith("#"):
        level = min(len(first) - len(first.lstrip("#")), 6)
        rest = _block(lines[1:]) if lines[1:] else ""
        return f"<h{level}>{inline(first.lstrip('#').strip())}</h{level}>{rest}"
    if first.startswith("|"):
        return _table(lines)
    ordered = bool(_ORDERED.match(first))
    if ordered or first.startswith(("- ", "* ")):
        items: list[str] = []
        for line in lines:
            starts = _ORDERED.match(line) if ordered else line.startswith(("- ", "* "))
            if starts or not items:
                items.append(_ORDERED.sub("", line, count=1) if ordered else line[2:])
            else:
                items[-1] += " " + line.strip()  # a list item's continuation line
        tag = "ol" if ordered else "ul"
        return f"<{tag}>" + "".join(f"<li>{inline(item)}</li>" for item in items) + f"</{tag}>"
    return f"<p>{inline(' '.join(line.strip() for line in lines))}</p>"


def render(markdown: str, *, title: str) -> str:
    blocks: list[list[str]] = [[]]
    for line in markdown.splitlines():
        if line.strip():
            blocks[-1].append(line.rstrip())
        elif blocks[-1]:
            blocks.append([])
    body = "\n".join(_block(lines) for lines in blocks if lines)
    return (f'<!doctype html><html><head><meta charset="utf-8"><title>{html.escape(title)}</title>'
            f'<meta name="viewport" content="width=device-width, initial-scale=1"><style>{STYLE}</style>'
            f"</head><body>\n{body}\n</body></html>\n")


def page(name: str, folders: tuple[Path, ...] = SEARCHED) -> Callable[[web.Request], Awaitable[web.Response]]:
    async def handler(_: web.Request) -> web.Response:
        found = find(name, folders)
        if found is None:
            return web.Response(status=404, text=f"docs/{name} is not installed next to Lingkar")
        text = found.read_text(encoding="utf-8")
        first = next((line.lstrip("#").strip() for line in text.splitlines() if line.startswith("#")), "Lingkar")
        return web.Response(text=render(text, title=first), content_type="text/html", charset="utf-8")
    return handler


def install_routes(web_app: web.Application, folders: tuple[Path, ...] = SEARCHED) -> None:
    for route, name in PAGES.items():
        if find(name, folders) is None:  # served anyway (404 with the reason): the file may be added later
            log.warning("docs/%s not found: %s answers 404 (the Teams app package links to it; copy docs/ to "
                        "the working directory, or build the package with --%s <url>)", name, route,
                        route.strip("/"))
        web_app.router.add_get(route, page(name, folders))
