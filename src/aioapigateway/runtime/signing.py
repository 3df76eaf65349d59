"""AWS Signature Version 4 signing for JSON/REST requests.

The canonical form follows what ``botocore.auth.SigV4Auth`` produces for a non-S3 service,
so a request signed here carries the same ``Authorization`` header botocore would send.
The signing key is derived here too (kDate -> kRegion -> kService -> kSigning), with
HMAC-SHA256 built on :mod:`hashlib`, and cached per secret and day: nothing on this path
imports a third-party package.
"""

from __future__ import annotations

import datetime
import hashlib
import time
from collections.abc import MutableMapping, Sequence
from functools import lru_cache
from urllib.parse import quote

from aioapigateway.runtime.credentials.base import Credentials
from aioapigateway.runtime.errors import CredentialsError
from aioapigateway.runtime.timestamps import MONTHS, WEEKDAYS

__all__ = ["EMPTY_PAYLOAD_SHA256", "SigV4Signer", "derive_signing_key", "payload_sha256"]

#: Hex SHA-256 of an empty body, the most common payload (every GET and DELETE).
EMPTY_PAYLOAD_SHA256 = hashlib.sha256(b"").hexdigest()

_ALGORITHM = "AWS4-HMAC-SHA256"
# Only the unreserved characters of RFC 3986 stay literal in query keys and values.
_QUERY_SAFE = "-_.~"
# Headers that proxies and HTTP clients may add, drop or rewrite in transit; signing them
# would break the signature, so botocore leaves them out and so must we.
_UNSIGNED_HEADERS = frozenset(
    {
        "baggage",
        "connection",
        "expect",
        "keep-alive",
        "proxy-authenticate",
        "proxy-authorization",
        "te",
        "traceparent",
        "tracestate",
        "trailer",
        "transfer-encoding",
        "upgrade",
        "user-agent",
        "x-amzn-trace-id",
    }
)
# Left over from a previous attempt (a retry re-signs the same header mapping).
_ALWAYS_REPLACED = frozenset({"authorization", "x-amz-date"})
_DEFAULT_PORTS = {"https": 443, "http": 80}
_KEY_CACHE_SIZE = 8
# RFC 2104's inner and outer pads as byte translation tables: XOR-ing a 64-byte key block
# with 0x36 or 0x5C is then one C-level bytes.translate().
_IPAD = bytes(b ^ 0x36 for b in range(256))
_OPAD = bytes(b ^ 0x5C for b in range(256))


def payload_sha256(body: bytes) -> str:
    """Return the lower-case hex SHA-256 of ``body``, as SigV4 puts it in the canonical request."""
    if not body:
        return EMPTY_PAYLOAD_SHA256
    return hashlib.sha256(body).hexdigest()


def _encode(text: str) -> str:
    # Most keys and values ("limit", "25", resource ids) are plain ASCII letters and digits,
    # which quote() would return unchanged at several times the cost of this check.
    if text.isascii() and text.isalnum():
        return text
    return quote(text, safe=_QUERY_SAFE)


def _remove_dot_segments(path: str) -> str:
    # RFC 3986 section 5.2.4, plus dropping empty segments: AWS expects "a//b" to sign as
    # "a/b". A trailing slash survives only if something is left before it.
    kept: list[str] = []
    for segment in path.split("/"):
        if not segment or segment == ".":
            continue
        if segment == "..":
            if kept:
                kept.pop()
        else:
            kept.append(segment)
    lead = "/" if path[0] == "/" else ""
    trail = "/" if path[-1] == "/" and kept else ""
    return lead + "/".join(kept) + trail


@lru_cache(maxsize=512)
def _canonical_uri(path: str) -> str:
    # Non-S3 services sign the normalized path percent-encoded a second time: the wire path
    # "/restapis/a%2Fb" signs as "/restapis/a%252Fb". Paths repeat across calls, hence the cache.
    return quote(_remove_dot_segments(path) if path else "/", safe="/~")


@lru_cache(maxsize=64)
def _host_header(scheme: str, url_host: str) -> str:
    # The value an HTTP client would send: lower case, no userinfo, and no port when it is
    # the scheme's default one.
    host = url_host.rpartition("@")[2]
    if host.startswith("["):
        end = host.find("]") + 1
        name, port_text = host[:end], host[end + 1 :]
    else:
        name, _, port_text = host.partition(":")
    name = name.lower()
    if port_text:
        port = int(port_text)
        if port != _DEFAULT_PORTS.get(scheme.lower()):
            return f"{name}:{port}"
    return name


def _http_date(now: datetime.datetime) -> str:
    # RFC 2822 with "-0000", built by hand so it does not depend on the C locale.
    return (
        f"{WEEKDAYS[now.weekday()]}, {now.day:02d} {MONTHS[now.month - 1]} {now.year:04d} "
        f"{now.hour:02d}:{now.minute:02d}:{now.second:02d} -0000"
    )


def _amz_date(now: datetime.datetime) -> str:
    # Formatted by hand: cheaper than strftime, and the same for years >= 1000.
    return (
        f"{now.year:04d}{now.month:02d}{now.day:02d}"
        f"T{now.hour:02d}{now.minute:02d}{now.second:02d}Z"
    )


_from_epoch = datetime.datetime.fromtimestamp


def derive_signing_key(secret: str, date_stamp: str, region: str, service: str) -> bytes:
    """The SigV4 signing key of ``secret`` for one day (``YYYYMMDD``), region and service.

    kSigning = HMAC(HMAC(HMAC(HMAC("AWS4" + secret, date), region), service), "aws4_request"),
    every HMAC being HMAC-SHA256 over the UTF-8 text. Raises :class:`CredentialsError`
    (without the secret, even in the exception chain) when the secret is not a string that
    UTF-8 can encode.
    """
    # The original exception may carry the secret (a UnicodeEncodeError keeps the whole
    # string in `.object`), so it is dropped rather than chained: the raise sits outside
    # the except block so not even `__context__` holds it.
    key: bytes | None
    try:
        key = ("AWS4" + secret).encode()
        for part in (date_stamp, region, service, "aws4_request"):
            key = _KeyedSha256(key).digest(part.encode())
    except Exception:
        key = None
    if key is None:
        raise CredentialsError("cannot derive a SigV4 signing key from the secret access key")
    return key


class _KeyedSha256:
    """HMAC-SHA256 (RFC 2104) under one fixed key, with the padded-key states hashed once.

    A signing key signs every request of its day; starting each HMAC from copies of the two
    precomputed SHA-256 states costs about a third of ``hmac.digest`` (which sets the key
    up again on every call). The key derivation uses it too, which spares the cold start
    the import of :mod:`hmac`.
    """

    __slots__ = ("_inner", "_outer")

    def __init__(self, key: bytes) -> None:
        if len(key) > 64:  # longer than SHA-256's block: RFC 2104 hashes it first
            key = hashlib.sha256(key).digest()
        block = key.ljust(64, b"\0")
        self._inner = hashlib.sha256(block.translate(_IPAD))
        self._outer = hashlib.sha256(block.translate(_OPAD))

    def __repr__(self) -> str:
        return "_KeyedSha256(<key hidden>)"

    def digest(self, message: bytes) -> bytes:
        """HMAC-SHA256 of ``message``, as bytes."""
        inner = self._inner.copy()
        inner.update(message)
        outer = self._outer.copy()
        outer.update(inner.digest())
        return outer.digest()

    def hexdigest(self, message: bytes) -> str:
        """HMAC-SHA256 of ``message``, as lower-case hex (once per signed request)."""
        inner = self._inner.copy()
        inner.update(message)
        outer = self._outer.copy()
        outer.update(inner.digest())
        return outer.hexdigest()


#: (Host header to add or None, canonical headers before the X-Amz-Date value, after it (up
#: to the token's value, with a token), after the token's value, signed header names, the
#: trusted payload hash or None).
_Template = tuple[str | None, str, str, str, str, str | None]
_TEMPLATE_CACHE_SIZE = 8


#: What :func:`_collect_headers` finds.
_Collected = tuple[dict[str, str], list[str], bool, bool, str | None]


def _collect_headers(headers: MutableMapping[str, str], token: bool) -> _Collected:
    """One pass over ``headers``: the signed ones by lower-case name (trimmed, repeated names
    joined by ","), the stale ones to drop, whether Host and Date are there, and the
    ``X-Amz-Content-SHA256`` value (``None`` if absent)."""
    signed: dict[str, str] = {}
    stale: list[str] = []
    has_host = has_date = False
    content_sha256: str | None = None
    for name, value in headers.items():
        lname = name.lower()
        if lname in _ALWAYS_REPLACED or (token and lname == "x-amz-security-token"):
            stale.append(name)
            continue
        if lname == "date":
            has_date = True
            stale.append(name)
            continue
        if lname in _UNSIGNED_HEADERS:
            continue
        if lname == "host":
            has_host = True
        elif lname == "x-amz-content-sha256" and content_sha256 is None:
            content_sha256 = value
        value = " ".join(value.split())
        previous = signed.get(lname)
        signed[lname] = value if previous is None else f"{previous},{value}"
    return signed, stale, has_host, has_date, content_sha256


def _header_template(
    collected: _Collected, scheme: str, url_host: str, token: bool
) -> _Template | None:
    """The canonical headers of the headers ``collected`` with holes for the date and the
    token, or ``None`` when the headers need fixing up first (stale signing headers, a
    Date): those are signed by :meth:`SigV4Signer._fix_headers`, never from a template."""
    signed, stale, has_host, has_date, content_sha256 = collected
    if stale or has_date:
        return None
    host = None if has_host else _host_header(scheme, url_host)
    if host is not None:
        signed["host"] = host
    signed["x-amz-date"] = ""
    if token:
        signed["x-amz-security-token"] = ""
    names = sorted(signed)
    # "x-amz-date" sorts before "x-amz-security-token": the holes come in that order.
    parts: list[str] = []
    current: list[str] = []
    for name in names:
        current.append(f"{name}:{signed[name]}")
        if name == "x-amz-date" or (token and name == "x-amz-security-token"):
            parts.append("".join(current))
            current = []
        current.append("\n")
    parts.append("".join(current))
    if not token:
        parts.append("")
    before_date, after_date, after_token = parts
    return host, before_date, after_date, after_token, ";".join(names), content_sha256


class SigV4Signer:
    """Signs requests for one service in one region with AWS Signature Version 4.

    Derived signing keys are cached per secret key and day, so a signer should live as long
    as the client that uses it.
    """

    __slots__ = ("_keys", "_region", "_scope_tail", "_service", "_stamp", "_templates")

    def __init__(self, service: str, region: str) -> None:
        self._service = service
        self._region = region
        self._scope_tail = f"/{region}/{service}/aws4_request"
        self._keys: dict[tuple[str, str], _KeyedSha256] = {}
        # (epoch second, its X-Amz-Date): calls within one second share the formatting.
        self._stamp: tuple[int, str] = (-1, "")
        # (scheme, host, no token, header items) -> the canonical headers around the date.
        self._templates: dict[tuple[object, ...], _Template] = {}

    def __repr__(self) -> str:
        return f"SigV4Signer(service={self._service!r}, region={self._region!r})"

    def _signing_key(self, secret: str, date_stamp: str) -> _KeyedSha256:
        cache_key = (secret, date_stamp)
        key = self._keys.get(cache_key)
        if key is None:
            key = _KeyedSha256(derive_signing_key(secret, date_stamp, self._region, self._service))
            if len(self._keys) >= _KEY_CACHE_SIZE:
                # Oldest first: yesterday's key, or a rotated-out secret.
                self._keys.pop(next(iter(self._keys), cache_key), None)
            self._keys[cache_key] = key
        return key

    @staticmethod
    def _fix_headers(
        headers: MutableMapping[str, str],
        collected: _Collected,
        scheme: str,
        url_host: str,
        token: str | None,
        amz_date: str,
        when: datetime.datetime | None,
        second: int,
    ) -> tuple[str, str, str | None]:
        """The general case (stale signing headers, a ``Date`` header): fixes ``headers``
        up; returns the canonical headers, the signed header names and the trusted payload
        hash (``None``: hash the body)."""
        signed, stale, has_host, has_date, content_sha256 = collected
        for name in stale:
            # `del` rather than `pop`: on a multidict it removes every value under the name;
            # the KeyError covers a name listed twice.
            try:
                del headers[name]
            except KeyError:
                pass
        if has_date:
            if when is None:
                when = _from_epoch(second, datetime.UTC)
            headers["Date"] = signed["date"] = _http_date(when)
        else:
            headers["X-Amz-Date"] = signed["x-amz-date"] = amz_date
        if token:
            headers["X-Amz-Security-Token"] = signed["x-amz-security-token"] = token
        if not has_host:
            headers["Host"] = signed["host"] = _host_header(scheme, url_host)
        names = sorted(signed)
        canonical_headers = "".join([f"{n}:{signed[n]}\n" for n in names])
        return canonical_headers, ";".join(names), content_sha256

    def sign(
        self,
        *,
        method: str,
        url_host: str,
        scheme: str,
        path: str,
        query: Sequence[tuple[str, str]],
        headers: MutableMapping[str, str],
        body: bytes,
        credentials: Credentials,
        now: datetime.datetime | None = None,
    ) -> None:
        """Adds Host (if absent), X-Amz-Date, X-Amz-Security-Token (if a token) and Authorization to `headers` in place.

        ``path`` is the path as sent on the wire (percent-encoded once); ``query`` holds the
        decoded (key, value) pairs; ``url_host`` is the host, with the port when it is not
        the default. A naive ``now`` is taken as UTC.

        As botocore does: an existing ``Authorization``/``X-Amz-Date`` (and, with a token,
        ``X-Amz-Security-Token``) header is replaced; if the request already has a ``Date``
        header, it is rewritten to the signing time and no ``X-Amz-Date`` is added; an
        ``X-Amz-Content-SHA256`` header is trusted as the payload hash.
        """
        if now is None:
            second = int(time.time())
            stamp = self._stamp
            if stamp[0] != second:
                stamp = self._stamp = (second, _amz_date(_from_epoch(second, datetime.UTC)))
            amz_date = stamp[1]
            when: datetime.datetime | None = None
        else:
            if now.tzinfo is not None:
                now = now.astimezone(datetime.UTC)
            amz_date = _amz_date(now)
            when = now
            second = 0  # unused: `when` is set
        date_stamp = amz_date[:8]
        token = credentials.session_token

        # A client sends the same header set on every call of an operation: its canonical
        # form is built once and only the date (and token) are filled in per request.
        memo_key = (scheme, url_host, not token, tuple(headers.items()))
        template = self._templates.get(memo_key)
        if template is None:
            collected = _collect_headers(headers, bool(token))
            template = _header_template(collected, scheme, url_host, bool(token))
            if template is None:
                canonical_headers, signed_headers, content_sha256 = self._fix_headers(
                    headers, collected, scheme, url_host, token, amz_date, when, second
                )
            else:
                if len(self._templates) >= _TEMPLATE_CACHE_SIZE:
                    self._templates.clear()
                self._templates[memo_key] = template
        if template is not None:
            host, before_date, after_date, after_token, signed_headers, content_sha256 = template
            headers["X-Amz-Date"] = amz_date
            if token:
                headers["X-Amz-Security-Token"] = token
                canonical_headers = before_date + amz_date + after_date + token + after_token
            else:
                canonical_headers = before_date + amz_date + after_date
            if host is not None:
                headers["Host"] = host

        if query:
            canonical_query = "&".join(
                [f"{k}={v}" for k, v in sorted([(_encode(k), _encode(v)) for k, v in query])]
            )
        else:
            canonical_query = ""
        canonical_request = (
            f"{method.upper()}\n{_canonical_uri(path)}\n{canonical_query}\n"
            f"{canonical_headers}\n{signed_headers}\n"
            f"{content_sha256 if content_sha256 is not None else payload_sha256(body)}"
        )

        scope = date_stamp + self._scope_tail
        string_to_sign = (
            f"{_ALGORITHM}\n{amz_date}\n{scope}\n"
            f"{hashlib.sha256(canonical_request.encode()).hexdigest()}"
        )
        key = self._signing_key(credentials.secret_access_key, date_stamp)
        signature = key.hexdigest(string_to_sign.encode())
        headers["Authorization"] = (
            f"{_ALGORITHM} Credential={credentials.access_key_id}/{scope}, "
            f"SignedHeaders={signed_headers}, Signature={signature}"
        )
