"""Error mapping and input validation, against a small aiohttp.web server on 127.0.0.1:0.

The stub server answers every request with whatever the test configured and counts what it
received, so the validation tests can check that *nothing* was sent.
"""

from __future__ import annotations

import json
import pickle
from collections.abc import AsyncIterator
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from aiohttp import web

import aioapigateway
from aioapigateway import ClientConfig, Credentials, errors, models
from aioapigateway._spec import SERVICE

# The developer's AWS_* variables and ~/.aws files must not change the results.
pytestmark = pytest.mark.usefixtures("isolated_aws_env")

REQUEST_ID = "4b1f6a7e-0d4e-4c52-9bd2-1f0c2c9ef001"
SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
TOKEN = "FwoGZXIvYXdzEXAMPLESESSIONTOKEN"


class Stub:
    """A loopback HTTP server answering with ``status``/``headers``/``body``."""

    def __init__(self) -> None:
        self.status = 200
        self.headers: dict[str, str] = {"Content-Type": "application/json"}
        self.body = b"{}"
        self.requests: list[tuple[str, str, dict[str, str], bytes]] = []
        self.url = ""
        self._runner: web.AppRunner | None = None

    def reply(self, status: int, body: bytes | str | dict[str, Any], **headers: str) -> None:
        if isinstance(body, dict):
            body = json.dumps(body)
        if isinstance(body, str):
            body = body.encode()
        self.status = status
        self.body = body
        self.headers = {"Content-Type": "application/json"}
        self.headers.update({name.replace("_", "-"): value for name, value in headers.items()})

    async def _handle(self, request: web.Request) -> web.Response:
        self.requests.append(
            (request.method, request.path_qs, dict(request.headers), await request.read())
        )
        return web.Response(status=self.status, body=self.body, headers=self.headers)

    async def start(self) -> None:
        app = web.Application()
        app.router.add_route("*", "/{tail:.*}", self._handle)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        host, port = self._runner.addresses[0][:2]
        self.url = f"http://{host}:{port}"

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()


@pytest.fixture
async def stub() -> AsyncIterator[Stub]:
    server = Stub()
    await server.start()
    try:
        yield server
    finally:
        await server.stop()


@pytest.fixture
async def api(stub: Stub) -> AsyncIterator[aioapigateway.ApiGatewayClient]:
    """A client of the stub server that never retries."""
    async with aioapigateway.ApiGatewayClient(
        region="us-east-1",
        endpoint_url=stub.url,
        credentials=Credentials("AKIDEXAMPLE", SECRET),
        config=ClientConfig(max_attempts=1),
    ) as client:
        yield client


# -- modeled errors ---------------------------------------------------------------------------

MODELED = [
    (errors.BadRequestException, 400),
    (errors.ConflictException, 409),
    (errors.LimitExceededException, 429),
    (errors.NotFoundException, 404),
    (errors.ServiceUnavailableException, 503),
    (errors.TooManyRequestsException, 429),
    (errors.UnauthorizedException, 401),
]


def test_modeled_errors_are_the_model_error_shapes() -> None:
    shapes = {name for name, shape in SERVICE.shapes.items() if shape.error_code}
    assert {cls.__name__ for cls, _ in MODELED} == shapes
    for cls, _ in MODELED:
        assert issubclass(cls, errors.ServiceError)
        assert issubclass(cls, errors.AioApiGatewayError)
        assert cls.__name__ in errors.__all__


@pytest.mark.parametrize(("cls", "status"), MODELED, ids=[c.__name__ for c, _ in MODELED])
async def test_modeled_error(
    api: aioapigateway.ApiGatewayClient, stub: Stub, cls: type[errors.ServiceError], status: int
) -> None:
    stub.reply(
        status,
        {"message": f"{cls.__name__} happened"},
        x_amzn_ErrorType=cls.__name__,
        x_amzn_RequestId=REQUEST_ID,
    )
    with pytest.raises(errors.ServiceError) as caught:
        await api.get_rest_api(rest_api_id="abc")
    error = caught.value
    assert type(error) is cls
    assert error.code == cls.__name__
    assert error.message == f"{cls.__name__} happened"
    assert error.status_code == status
    assert error.request_id == REQUEST_ID
    assert error.body == json.dumps({"message": f"{cls.__name__} happened"}).encode()
    assert error.headers["x-amzn-ErrorType"] == cls.__name__
    for member in cls.MEMBERS:
        assert getattr(error, member) is None  # no Retry-After header was sent
    assert len(stub.requests) == 1
    method, path, _, _ = stub.requests[0]
    assert (method, path) == ("GET", "/restapis/abc")


@pytest.mark.parametrize(
    "cls",
    [
        errors.TooManyRequestsException,
        errors.LimitExceededException,
        errors.ServiceUnavailableException,
    ],
)
async def test_retry_after_seconds_from_the_header(
    api: aioapigateway.ApiGatewayClient, stub: Stub, cls: type[errors.ServiceError]
) -> None:
    stub.reply(
        429 if cls is not errors.ServiceUnavailableException else 503,
        {"message": "slow down"},
        x_amzn_ErrorType=cls.__name__,
        Retry_After="7",
    )
    with pytest.raises(cls) as caught:
        await api.get_rest_apis()
    assert caught.value.retry_after_seconds == "7"  # type: ignore[attr-defined]
    assert caught.value.request_id is None  # no x-amzn-RequestId header


@pytest.mark.parametrize(
    ("headers", "body"),
    [
        pytest.param(
            {"x_amzn_ErrorType": "NotFoundException:http://internal.amazon.com/coral/com.amazon/"},
            {"message": "m"},
            id="header-with-uri-suffix",
        ),
        pytest.param(
            {"x_amzn_ErrorType": "com.amazonaws.apigateway#NotFoundException"},
            {"message": "m"},
            id="header-with-namespace",
        ),
        pytest.param(
            {"x_amzn_ErrorType": "aws.apigateway#NotFoundException:http://internal.amazon.com/"},
            {"message": "m"},
            id="header-with-namespace-and-uri",
        ),
        pytest.param({}, {"code": "NotFoundException", "message": "m"}, id="body-code"),
        pytest.param({}, {"__type": "NotFoundException", "message": "m"}, id="body-__type"),
        pytest.param(
            {}, {"__type": "com.amazon.coral#NotFoundException", "Message": "m"}, id="body-ns-type"
        ),
        pytest.param({}, {"Code": "NotFoundException", "Message": "m"}, id="body-Code-Message"),
        pytest.param(
            {"x_amzn_ErrorType": "NotFoundException"},
            {"__type": "ConflictException", "message": "m"},
            id="header-wins-over-body",
        ),
    ],
)
async def test_error_code_sources(
    api: aioapigateway.ApiGatewayClient,
    stub: Stub,
    headers: dict[str, str],
    body: dict[str, str],
) -> None:
    stub.reply(404, body, **headers)
    with pytest.raises(errors.NotFoundException) as caught:
        await api.get_rest_api(rest_api_id="abc")
    assert caught.value.code == "NotFoundException"
    assert caught.value.message == "m"
    assert caught.value.status_code == 404


@pytest.mark.parametrize("key", ["message", "Message"])
async def test_message_key(api: aioapigateway.ApiGatewayClient, stub: Stub, key: str) -> None:
    stub.reply(400, {key: "bad input"}, x_amzn_ErrorType="BadRequestException")
    with pytest.raises(errors.BadRequestException) as caught:
        await api.get_rest_apis()
    assert caught.value.message == "bad input"


async def test_unknown_code_is_a_plain_service_error(
    api: aioapigateway.ApiGatewayClient, stub: Stub
) -> None:
    stub.reply(
        400,
        {"message": "nope"},
        x_amzn_ErrorType="ValidationException",
        x_amzn_RequestId=REQUEST_ID,
    )
    with pytest.raises(errors.ServiceError) as caught:
        await api.get_rest_apis()
    error = caught.value
    assert type(error) is errors.ServiceError
    assert error.code == "ValidationException"
    assert error.message == "nope"
    assert (error.status_code, error.request_id) == (400, REQUEST_ID)


async def test_null_message(api: aioapigateway.ApiGatewayClient, stub: Stub) -> None:
    stub.reply(404, b'{"message": null}', x_amzn_ErrorType="NotFoundException")
    with pytest.raises(errors.NotFoundException) as caught:
        await api.get_rest_api(rest_api_id="abc")
    assert caught.value.message == ""
    assert str(caught.value) == "NotFoundException (HTTP 404)"


async def test_error_without_code_or_body(api: aioapigateway.ApiGatewayClient, stub: Stub) -> None:
    stub.reply(404, b"")
    with pytest.raises(errors.ServiceError) as caught:
        await api.get_rest_api(rest_api_id="abc")
    assert type(caught.value) is errors.ServiceError
    assert (caught.value.code, caught.value.message, caught.value.status_code) == ("404", "", 404)


async def test_invalid_json_in_a_2xx_body(api: aioapigateway.ApiGatewayClient, stub: Stub) -> None:
    stub.reply(200, b'{"id": "abc", "name": ', x_amzn_RequestId=REQUEST_ID)
    with pytest.raises(errors.ResponseParseError) as caught:
        await api.get_rest_api(rest_api_id="abc")
    error = caught.value
    assert isinstance(error, errors.AioApiGatewayError)
    assert error.status_code == 200
    assert error.body == b'{"id": "abc", "name": '
    assert "GetRestApi" in str(error)
    assert isinstance(error.__cause__, ValueError)  # the json error, chained


async def test_wrong_json_type_in_a_2xx_body(
    api: aioapigateway.ApiGatewayClient, stub: Stub
) -> None:
    stub.reply(200, {"id": "abc", "createdDate": "yesterday-ish", "tags": ["x"]})
    with pytest.raises(errors.ResponseParseError) as caught:
        await api.get_rest_api(rest_api_id="abc")
    assert caught.value.status_code == 200


async def test_a_repeated_page_token_is_a_parse_error(
    api: aioapigateway.ApiGatewayClient, stub: Stub
) -> None:
    stub.reply(200, {"position": "same", "item": [{"id": "a"}]})
    pages = []
    with pytest.raises(errors.ResponseParseError):
        async for page in api.paginate_get_rest_apis(limit=1):
            pages.append(page)
    assert len(pages) == 2
    queries = [parse_qs(urlsplit(request[1]).query) for request in stub.requests]
    assert queries == [{"limit": ["1"]}, {"limit": ["1"], "position": ["same"]}]


async def test_html_502_page(api: aioapigateway.ApiGatewayClient, stub: Stub) -> None:
    page = "<html><head><title>502 Bad Gateway</title></head><body>Bad Gateway</body></html>"
    stub.reply(502, page, Content_Type="text/html")
    with pytest.raises(errors.ServiceError) as caught:
        await api.get_rest_apis()
    error = caught.value
    assert type(error) is errors.ServiceError
    assert error.code == "502"
    assert error.status_code == 502
    assert error.body == page.encode()
    assert "Bad Gateway" in error.message
    assert error.request_id is None
    assert len(stub.requests) == 1  # max_attempts=1: not retried


async def test_str_of_errors(api: aioapigateway.ApiGatewayClient, stub: Stub) -> None:
    stub.reply(
        404,
        {"message": "Invalid API identifier specified"},
        x_amzn_ErrorType="NotFoundException",
        x_amzn_RequestId=REQUEST_ID,
    )
    with pytest.raises(errors.NotFoundException) as caught:
        await api.get_rest_api(rest_api_id="abc")
    assert str(caught.value) == (
        f"NotFoundException (HTTP 404): Invalid API identifier specified [request id {REQUEST_ID}]"
    )
    assert repr(caught.value) == "NotFoundException('Invalid API identifier specified')"

    bare = errors.ServiceError(code="Oops", status_code=500)
    assert str(bare) == "Oops (HTTP 500)"
    parse_error = errors.ResponseParseError("GetRestApi: bad", status_code=200, body=b"x")
    assert str(parse_error) == "GetRestApi: bad"
    with pytest.raises(errors.ParamValidationError) as invalid:
        await api.get_rest_api(rest_api_id=None)  # type: ignore[arg-type]
    assert "rest_api_id" in str(invalid.value)


async def test_pickling_round_trip(api: aioapigateway.ApiGatewayClient, stub: Stub) -> None:
    stub.reply(
        429,
        {"message": "slow down"},
        x_amzn_ErrorType="TooManyRequestsException",
        x_amzn_RequestId=REQUEST_ID,
        Retry_After="3",
    )
    with pytest.raises(errors.TooManyRequestsException) as caught:
        await api.get_rest_apis()
    original = caught.value
    copy = pickle.loads(pickle.dumps(original))
    assert type(copy) is errors.TooManyRequestsException
    for attribute in ("code", "message", "status_code", "request_id", "body", "args"):
        assert getattr(copy, attribute) == getattr(original, attribute)
    assert copy.retry_after_seconds == "3"
    assert dict(copy.headers) == dict(original.headers)
    assert str(copy) == str(original)

    parse_error = errors.ResponseParseError("bad", status_code=200, body=b"{")
    parse_copy = pickle.loads(pickle.dumps(parse_error))
    assert type(parse_copy) is errors.ResponseParseError
    assert (parse_copy.status_code, parse_copy.body, str(parse_copy)) == (200, b"{", "bad")


# -- bad input: ParamValidationError, and nothing sent ----------------------------------------

ENDPOINT = models.EndpointConfiguration(types=[models.EndpointType.REGIONAL])

BAD_CALLS: list[Any] = [
    pytest.param("get_rest_api", {"rest_api_id": None}, id="required-None"),
    pytest.param("get_rest_api", {"rest_api_id": ""}, id="empty-uri-label"),
    pytest.param("create_rest_api", {"name": 1}, id="int-for-str"),
    pytest.param("get_rest_api", {"rest_api_id": b"abc"}, id="bytes-for-str-label"),
    pytest.param("get_rest_apis", {"limit": "5"}, id="str-for-int"),
    pytest.param("get_rest_apis", {"limit": True}, id="bool-for-int"),
    pytest.param("get_rest_apis", {"limit": 2.5}, id="float-for-int"),
    pytest.param("get_api_key", {"api_key": "k", "include_value": "yes"}, id="str-for-bool"),
    pytest.param(
        "create_rest_api",
        {"name": "x", "endpoint_configuration": {"types": ["REGIONAL"]}},
        id="dict-for-model",
    ),
    pytest.param(
        "create_rest_api",
        {"name": "x", "endpoint_configuration": models.ThrottleSettings(burst_limit=1)},
        id="wrong-model-class",
    ),
    pytest.param(
        "create_rest_api",
        {"name": "x", "endpoint_configuration": models.EndpointConfiguration(types="REGIONAL")},
        id="str-for-list-in-model",
    ),
    pytest.param("create_rest_api", {"name": "x", "binary_media_types": [1]}, id="list-element"),
    pytest.param("create_rest_api", {"name": "x", "tags": {"a": 1}}, id="map-value"),
    pytest.param("create_rest_api", {"name": "x", "tags": ["a"]}, id="list-for-map"),
    pytest.param(
        "get_export",
        {"rest_api_id": "a", "stage_name": "s", "export_type": "oas30", "accepts": "a\r\nb"},
        id="header-CRLF",
    ),
    pytest.param(
        "get_export",
        {"rest_api_id": "a", "stage_name": "s", "export_type": "oas30", "accepts": "a\nb"},
        id="header-LF",
    ),
    # (a str blob is accepted and UTF-8 encoded, as botocore does; an int is not)
    pytest.param("import_rest_api", {"body": 123}, id="int-for-blob"),
    pytest.param(
        "get_usage",
        {"usage_plan_id": "p", "start_date": 20240101, "end_date": "2024-01-31"},
        id="int-for-str-query",
    ),
    pytest.param(
        "update_stage",
        {"rest_api_id": "a", "stage_name": "s", "patch_operations": [None]},
        id="None-in-list",
    ),
    pytest.param(
        "create_usage_plan",
        {"name": "p", "api_stages": [models.ApiStage(api_id=1, stage="s")]},
        id="nested-model-member",
    ),
]


@pytest.mark.parametrize(("operation", "kwargs"), BAD_CALLS)
async def test_bad_input_sends_nothing(
    api: aioapigateway.ApiGatewayClient, stub: Stub, operation: str, kwargs: dict[str, Any]
) -> None:
    with pytest.raises(errors.ParamValidationError) as caught:
        await getattr(api, operation)(**kwargs)
    assert isinstance(caught.value, errors.AioApiGatewayError)
    assert isinstance(caught.value, ValueError)
    assert stub.requests == []
    # the client is still usable afterwards
    stub.reply(200, {"item": []})
    assert await api.get_rest_apis() == models.RestApis(items=[])
    assert len(stub.requests) == 1


async def test_missing_required_argument_is_a_type_error(
    api: aioapigateway.ApiGatewayClient, stub: Stub
) -> None:
    with pytest.raises(TypeError):
        await api.get_rest_api()  # type: ignore[call-arg]
    with pytest.raises(TypeError):
        await api.create_usage_plan_key(usage_plan_id="p", key_id="k")  # type: ignore[call-arg]
    with pytest.raises(TypeError):  # keyword-only
        await api.get_rest_api("abc")  # type: ignore[misc]
    assert stub.requests == []


def test_the_model_has_no_min_constraints() -> None:
    """Nothing to check for ``min``: the API Gateway model sets no min/max on any shape.

    (If a model update adds one, write the below-the-minimum ParamValidationError test.)
    """
    assert [name for name, shape in SERVICE.shapes.items() if shape.min is not None] == []


def test_credentials_repr_hides_the_secret_and_token() -> None:
    credentials = Credentials("AKIDEXAMPLE", SECRET, TOKEN)
    for text in (repr(credentials), str(credentials), f"{credentials!r}", f"{credentials}"):
        assert "AKIDEXAMPLE" in text
        assert SECRET not in text
        assert TOKEN not in text
    assert SECRET not in repr(Credentials("AKIDEXAMPLE", SECRET))


async def test_secret_not_sent_or_logged(
    api: aioapigateway.ApiGatewayClient, stub: Stub, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level("DEBUG", logger="aioapigateway")
    stub.reply(200, {"item": []})
    await api.get_rest_apis()
    _, _, headers, _ = stub.requests[0]
    assert headers["Authorization"].startswith("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/")
    assert SECRET not in json.dumps(headers)
    assert SECRET not in caplog.text
