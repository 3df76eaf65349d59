"""``SigV4Auth``: an aiohttp client middleware that signs requests to your own AWS APIs.

An API Gateway API (or a Lambda function URL, an OpenSearch domain...) with ``AWS_IAM``
authorization accepts only requests signed with AWS Signature Version 4::

    auth = SigV4Auth(region="eu-west-1")  # service="execute-api" by default
    async with aiohttp.ClientSession(middlewares=[auth]) as session:
        async with session.get(f"{invoke_url}/pets", params={"limit": "10"}) as response:
            pets = await response.json()

The middleware signs each request at the last moment, after aiohttp has built it, so the
signature covers exactly what goes out: the path as sent, the Host header (with a
non-default port), Content-Type and Content-Length, cookies, every header the caller
added (except the few that proxies may rewrite, which SigV4 leaves out). Credentials
come from the same default chain as the API Gateway client, or from ``credentials=``,
and expiring ones are refreshed ahead of time.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from aiohttp.payload import BytesPayload, Payload
from yarl import URL

from aioapigateway.runtime.config.profiles import ProfileLoader, is_region_name
from aioapigateway.runtime.credentials.base import CredentialProvider, Credentials, StaticProvider
from aioapigateway.runtime.credentials.chain import as_provider
from aioapigateway.runtime.errors import ConfigError, ParamValidationError
from aioapigateway.runtime.signing import SigV4Signer, _encode

if TYPE_CHECKING:
    from aiohttp import ClientHandlerType, ClientRequest, ClientResponse

__all__ = ["SigV4Auth"]

#: The methods aiohttp labels ``application/octet-stream`` when they carry no Content-Type.
_LABELLED_METHODS = frozenset({"PATCH", "POST", "PUT"})
_DEFAULT_CONTENT_TYPE = "application/octet-stream"


class SigV4Auth:
    """Signs every request of an :class:`aiohttp.ClientSession` with AWS Signature Version 4.

    ``aiohttp.ClientSession(middlewares=[SigV4Auth(region="us-east-1")])`` (aiohttp 3.12+)
    or ``session.get(url, middlewares=[auth])`` for single requests.

    - ``region``: the region the API is in (required; part of the signature).
    - ``service``: the signing name, ``"execute-api"`` for API Gateway APIs (``"lambda"``
      for function URLs, ``"es"`` for OpenSearch...).
    - ``credentials``: a :class:`~aioapigateway.Credentials`, or any object with
      ``async def resolve() -> Credentials`` (called for every request: cache inside it);
      else the default AWS credential chain, as :class:`~aioapigateway.ApiGatewayClient`
      uses it (environment, ``profile``, SSO, assume role, containers, EC2...), resolved
      at the first request and refreshed ahead of expiry.
    - ``profile``: the profile of the default chain (else ``AWS_PROFILE``, else
      ``"default"``).

    Bodies given as ``bytes``, ``str``, ``json=`` or a form dict are hashed into the
    signature. A streaming body (a file, an async iterator, multipart) and a body aiohttp
    would compress while sending (``compress=``) raise
    :class:`~aioapigateway.errors.ParamValidationError` before anything is sent: read the
    data into ``bytes`` first. The query string goes out in SigV4's canonical encoding
    (``%20`` for a space, ``%2F`` for ``/``...), which carries the same values as aiohttp's
    own encoding but leaves the server no room to canonicalise it differently.

    Each redirect aiohttp follows is signed again for its new URL, session token included:
    give this middleware to sessions (or requests) that talk to your AWS APIs only.

    Constructing it does no I/O. The secret key and the session token never appear in its
    ``repr``, in its errors or in logs.
    """

    __slots__ = ("_provider", "_region", "_service", "_signer", "_static")

    def __init__(
        self,
        *,
        region: str,
        service: str = "execute-api",
        credentials: Credentials | CredentialProvider | None = None,
        profile: str | None = None,
    ) -> None:
        self._region = _check_region(region)
        self._service = _check_service(service)
        # No session_factory: the chain's HTTP sources (STS, SSO, IMDS...) open their own
        # short-lived sessions, since borrowing the caller's would send them through this
        # very middleware.
        provider = as_provider(credentials, profile=profile, loader=ProfileLoader(), region=region)
        self._provider = provider
        #: Credentials that never change (given explicitly): no await per request.
        self._static = provider.credentials if isinstance(provider, StaticProvider) else None
        self._signer = SigV4Signer(self._service, self._region)

    def __repr__(self) -> str:
        return f"SigV4Auth(region={self._region!r}, service={self._service!r})"

    async def __call__(self, request: ClientRequest, handler: ClientHandlerType) -> ClientResponse:
        """Sign ``request`` in place, then pass it on."""
        body = await _body_bytes(request)
        credentials = self._static or await self._provider.resolve()
        headers = request.headers
        if (
            request.method in _LABELLED_METHODS
            and "Content-Type" not in headers
            and "Content-Type" not in request.skip_auto_headers
        ):
            # aiohttp adds this label only while sending, after the middlewares: add it
            # now so that it is signed.
            headers["Content-Type"] = _DEFAULT_CONTENT_TYPE
        try:
            query = _canonicalize_query(request)
            url = request.url
            self._signer.sign(
                method=request.method,
                url_host=url.raw_authority,
                scheme=url.scheme,
                path=url.raw_path,
                query=query,
                headers=headers,
                body=body,
                credentials=credentials,
            )
            failed = False
        except UnicodeEncodeError:
            failed = True
        if failed:
            # Raised outside the except block: the UnicodeEncodeError holds the text it
            # failed on, which may contain the session token.
            raise ParamValidationError(
                "SigV4Auth cannot sign the request: a header, the URL or the credentials "
                "hold text that UTF-8 cannot encode (a lone surrogate); nothing was sent"
            )
        return await handler(request)


def _check_region(region: object) -> str:
    if not isinstance(region, str):
        raise ConfigError(f"SigV4Auth region must be a string, not {type(region).__name__}")
    if not is_region_name(region):
        raise ConfigError(f"SigV4Auth region is not a valid region name: {region!r}")
    return region


def _check_service(service: object) -> str:
    if (
        not isinstance(service, str)
        or not service
        or not service.isascii()
        or not service.isprintable()
        or any(c in service for c in " /")
    ):
        shown = repr(service) if isinstance(service, str) else type(service).__name__
        raise ConfigError(
            f"SigV4Auth service must be a signing name such as 'execute-api': {shown}"
        )
    return service


async def _body_bytes(request: ClientRequest) -> bytes:
    """The body aiohttp will send, as bytes; ParamValidationError when it cannot be known."""
    body = request.body
    if not isinstance(body, Payload):
        return b""  # aiohttp's empty body
    if not isinstance(body, BytesPayload):
        # Files, async iterators, multipart writers: the bytes exist only while sending,
        # after the signature must be in the headers.
        raise ParamValidationError(
            f"SigV4Auth cannot sign a streaming request body ({type(body).__name__}): "
            "SigV4 hashes the whole body into the signature before sending; read it into "
            "bytes first (data=await stream.read()); nothing was sent"
        )
    data = await body.as_bytes()
    if data and request.compress:
        raise ParamValidationError(
            "SigV4Auth cannot sign a body that aiohttp compresses while sending (compress=): "
            "compress it into bytes yourself and set the Content-Encoding header; "
            "nothing was sent"
        )
    length = request.headers.get("Content-Length")
    if length is not None and length.isdigit() and int(length) < len(data):
        # aiohttp sends no more than a caller-given Content-Length.
        data = data[: int(length)]
    return data


def _canonicalize_query(request: ClientRequest) -> list[tuple[str, str]]:
    """The decoded query pairs; the URL's query is re-encoded the way SigV4 signs it.

    aiohttp (yarl) leaves ``/``, ``?`` and more unencoded in a query and writes a space as
    ``+``; servers canonicalise such a query in different ways, so it is sent in the
    encoding the signature uses (the same values, in the same order).
    """
    url = request.url
    raw = url.raw_query_string
    if not raw:
        return []
    pairs = list(url.query.items())
    wire = "&".join([f"{_encode(key)}={_encode(value)}" for key, value in pairs])
    if wire != raw:
        request.url = URL.build(
            scheme=url.scheme,
            authority=url.raw_authority,
            path=url.raw_path,
            query_string=wire,
            encoded=True,
        )
    return pairs
