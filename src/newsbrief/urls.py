"""One spelling per story URL (pure, stdlib only): what the store keys articles and fetches on."""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

# Query parameters that only track the reader: the same story with or without them is one article.
_TRACKING = re.compile(r"^(utm_.*|fbclid|gclid|mc_[ce]id|ref|ref_src|cmpid|ocid|igshid|_ga)$", re.IGNORECASE)
# Hosts that serve the same stories as the bare domain: mobile and AMP editions, and "www.".
_EDITION_HOST = re.compile(r"^(www|m|mobile|amp)\.(?=[^.]+\.[^.]+)", re.IGNORECASE)
# Query parameters that only ask for the AMP rendering of a page.
_AMP_PARAMETER = re.compile(r"^(amp|outputtype|output)$", re.IGNORECASE)


def canonical_url(url: str | None) -> str | None:
    """One spelling per story: https, lower-case host without www./m./mobile./amp., no AMP path or
    parameter, no fragment, no tracking parameters, no trailing slash."""
    if not url:
        return None
    try:
        parts = urlsplit(url.strip())
        parts.port  # noqa: B018 (urlsplit checks the host and port only when they are read)
    except ValueError:  # "http://[::1/", a port over 65535: no story lives there
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return None
    query = urlencode(
        sorted(
            (k, v)
            for k, v in parse_qsl(parts.query, keep_blank_values=True)
            if not _TRACKING.match(k)
            and not (_AMP_PARAMETER.match(k) and v.lower() in ("", "1", "true", "amp"))
        )
    )
    host = _EDITION_HOST.sub("", parts.netloc.lower())
    path = parts.path
    for suffix in ("/amp", "/amp.html", ".amp"):
        if path.lower().rstrip("/").endswith(suffix):
            path = path.rstrip("/")[: -len(suffix)]
    if path.lower().startswith("/amp/"):
        path = path[4:]
    path = path.replace(".amp.html", ".html").rstrip("/") or "/"
    return urlunsplit(("https", host, path, query, ""))
