"""Which proxy a request goes through: ``HTTP(S)_PROXY`` and ``NO_PROXY``, as botocore reads them.

botocore takes the proxies from :func:`urllib.request.getproxies` and asks
:func:`urllib.request.proxy_bypass` whether the URL's ``host[:port]`` is exempt; on Linux both
read only the environment. These functions apply the same rules to any mapping (the API
client passes :data:`os.environ`, the credential providers the environment they were given),
so that an API call and an STS or SSO call agree on every ``NO_PROXY``:

- the variables' names are case-insensitive, a lower-case one wins over its upper-case
  twin, and an empty lower-case one unsets the proxy; under CGI (``REQUEST_METHOD`` set)
  an upper-case ``HTTP_PROXY`` is ignored, as it may come from a request header;
- ``NO_PROXY`` exactly ``*`` exempts every host; else it is a comma-separated list of names,
  each matching the host itself or any host below it (a leading ``.`` changes nothing,
  case does not matter); a name with a port (``example.com:8443``) only matches requests
  to that explicit port; there are no wildcards, IP ranges or CIDR blocks;
- a proxy without a scheme is an ``http://`` proxy.

The proxy chosen is checked as endpoint URLs are (``profiles.check_endpoint_url``) before
anything is sent through it: unchecked, a password with an unencoded ``/``, ``?`` or ``#``
would make aiohttp fail with the whole URL, password included, in its exception.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from typing import Final
from urllib.parse import urlsplit

from aioapigateway.runtime.config.profiles import check_endpoint_url, shown_url
from aioapigateway.runtime.errors import ConfigError

__all__ = ["bypasses_proxy", "environment_proxies", "proxy_for"]

# urllib's split of "host:port": the host is what comes before the last ":" followed only by
# digits (or by nothing: "host:" is the host "host").
_HOST_PORT: Final = re.compile(r"(.*):[0-9]*", re.DOTALL)


def environment_proxies(environ: Mapping[str, str]) -> dict[str, str]:
    """The proxies ``environ`` names, by scheme (``"https"``, ``"http"``, ``"no"``, ...)."""
    # One pass over the names alone: reading os.environ's values decodes each of them.
    named = [(name, environ[name]) for name in environ if name.lower().endswith("_proxy")]
    proxies: dict[str, str] = {}
    for name, value in named:
        if value:
            proxies[name[:-6].lower()] = value
    if "REQUEST_METHOD" in environ:
        proxies.pop("http", None)
    # Then the names spelled in lower case alone, which win (and unset when empty).
    for name, value in named:
        if name.endswith("_proxy"):
            scheme = name[:-6].lower()
            if value:
                proxies[scheme] = value
            else:
                proxies.pop(scheme, None)
    return proxies


def bypasses_proxy(netloc: str, no_proxy: str) -> bool:
    """Whether ``no_proxy`` exempts ``netloc`` (``host`` or ``host:port``) from the proxy."""
    if no_proxy == "*":
        return True
    netloc = netloc.lower()
    match = _HOST_PORT.fullmatch(netloc)
    host = match.group(1) if match else netloc
    for entry in no_proxy.split(","):
        entry = entry.strip()
        if not entry:
            continue
        name = entry.lstrip(".").lower()
        if name in (host, netloc):
            return True
        suffix = "." + name
        if host.endswith(suffix) or netloc.endswith(suffix):
            return True
    return False


def proxy_for(url: str, environ: Mapping[str, str] | None = None) -> str | None:
    """The proxy URL for ``url`` under ``environ`` (default: :data:`os.environ`), or ``None``."""
    proxies = environment_proxies(os.environ if environ is None else environ)
    parts = urlsplit(url)
    proxy = proxies.get(parts.scheme)
    if not proxy:
        return None
    no_proxy = proxies.get("no")
    if no_proxy is not None and bypasses_proxy(parts.netloc, no_proxy):
        return None
    return _checked_proxy(proxy, parts.scheme)


def _checked_proxy(proxy: str, scheme: str) -> str:
    """``proxy`` (with ``http://`` added if it has no scheme, as botocore does) if aiohttp
    can connect through it, else :class:`ConfigError` (whose message shows no password)."""
    variable = f"{scheme}_proxy"
    source = f"the proxy for {scheme}:// requests ({variable.upper()} or {variable})"
    if not proxy.startswith(("http:", "https:")):
        if "://" in proxy:
            raise ConfigError(
                f"{source} must be an http:// or https:// URL, got {shown_url(proxy)}"
            )
        proxy = ("http:" if proxy.startswith("//") else "http://") + proxy
    return check_endpoint_url(proxy, source)
