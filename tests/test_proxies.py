"""HTTP(S)_PROXY and NO_PROXY (aioapigateway.runtime.config.proxies), with urllib and botocore as oracles.

botocore asks urllib: ``getproxies()`` for the proxies and ``proxy_bypass(netloc)`` for
NO_PROXY, which on Linux read the environment only. The API client and the credential
providers (STS, SSO) must both agree with it on every combination.
"""

from __future__ import annotations

import itertools
import os
import traceback
import urllib.request

import pytest
from _servers import recording_server
from botocore.httpsession import ProxyConfiguration
from botocore.utils import get_environ_proxies

from aioapigateway import ApiGatewayClient, ClientConfig, Credentials
from aioapigateway.errors import ConfigError
from aioapigateway.runtime.client import _Endpoint
from aioapigateway.runtime.config import proxies as _proxies
from aioapigateway.runtime.config.proxies import bypasses_proxy, environment_proxies, proxy_for
from aioapigateway.runtime.credentials import http as _credential_http

NETLOCS = [
    "apigateway.us-east-1.amazonaws.com",
    "APIGateway.US-East-1.AmazonAWS.com",
    "amazonaws.com",
    "amazonaws.com:8443",
    "sts.amazonaws.com:8443",
    "sts.amazonaws.com:443",
    "notamazonaws.com",
    "localhost",
    "localhost:8080",
    "127.0.0.1",
    "127.0.0.1:8443",
    "10.1.2.3",
    "[::1]",
    "[::1]:8443",
    "example.com.",
    "host:",
    "a.b.internal",
    "internal",
    "user:pw@internal:80",
    "",
]

NO_PROXIES = [
    "",
    "*",
    " *",
    "*,localhost",
    "amazonaws.com",
    ".amazonaws.com",
    "*.amazonaws.com",
    "AMAZONAWS.COM",
    "amazonaws.com:8443",
    ".amazonaws.com:8443",
    "amazonaws.com:443",
    "notamazonaws.com",
    "localhost, 127.0.0.1",
    "127.0.0.1:8443",
    "10.0.0.0/8",
    "10.1.2.3",
    "::1",
    "[::1]",
    "[::1]:8443",
    ".",
    ",",
    " internal , example.com ",
    "example.com.",
    "host:",
    "host",
    "internal:80",
]

PROXY_VARIABLES = [
    "HTTP_PROXY",
    "HTTPS_PROXY",
    "NO_PROXY",
    "ALL_PROXY",
    "Https_Proxy",
    "HTTPS_proxy",
    "http_proxy",
    "https_proxy",
    "no_proxy",
    "REQUEST_METHOD",
]


def set_environment(monkeypatch: pytest.MonkeyPatch, values: dict[str, str]) -> None:
    """Exactly ``values`` as the proxy variables of os.environ, in this order."""
    for name in list(os.environ):
        if name.lower().endswith("_proxy") or name == "REQUEST_METHOD":
            monkeypatch.delenv(name)
    for name, value in values.items():
        monkeypatch.setenv(name, value)


def test_no_proxy_matching_is_urllibs() -> None:
    outcomes = []
    for netloc, no_proxy in itertools.product(NETLOCS, NO_PROXIES):
        expected = bool(urllib.request.proxy_bypass_environment(netloc, {"no": no_proxy}))
        assert bypasses_proxy(netloc, no_proxy) is expected, (netloc, no_proxy)
        outcomes.append(expected)
    # Both answers occur often: the table is not degenerate.
    assert 50 < sum(outcomes) < len(outcomes) - 50


@pytest.mark.parametrize(
    "values",
    [
        {},
        {"HTTPS_PROXY": "http://upper:1"},
        {"HTTPS_PROXY": "http://upper:1", "https_proxy": "http://lower:2"},
        {"https_proxy": "http://lower:2", "HTTPS_PROXY": "http://upper:1"},
        {"HTTPS_PROXY": "http://upper:1", "https_proxy": ""},
        {"Https_Proxy": "http://mixed:3", "HTTPS_proxy": "http://suffix:4"},
        {"HTTP_PROXY": "http://upper:1", "REQUEST_METHOD": "GET"},
        {"http_proxy": "http://lower:2", "REQUEST_METHOD": "GET"},
        {"NO_PROXY": "a.example", "no_proxy": "b.example", "ALL_PROXY": "socks5://s:5"},
        {"NO_PROXY": "", "HTTP_PROXY": ""},
    ],
)
def test_environment_variables_are_read_as_urllib_reads_them(
    monkeypatch: pytest.MonkeyPatch, values: dict[str, str]
) -> None:
    set_environment(monkeypatch, values)
    assert environment_proxies(os.environ) == urllib.request.getproxies_environment()


@pytest.mark.parametrize(
    "values",
    [
        {"HTTPS_PROXY": "proxy.internal:3128", "HTTP_PROXY": "//plain:3128"},
        {"HTTPS_PROXY": "https://tls-proxy:3129", "NO_PROXY": "amazonaws.com:8443"},
        {"HTTPS_PROXY": "http://p:1", "NO_PROXY": "amazonaws.com"},
        {"HTTPS_PROXY": "http://p:1", "NO_PROXY": ".amazonaws.com:443,localhost"},
        {"HTTPS_PROXY": "http://p:1", "no_proxy": "*"},
        {"https_proxy": "http://p:1", "NO_PROXY": "*", "no_proxy": "internal"},
        {"HTTP_PROXY": "http://p:1", "NO_PROXY": "127.0.0.1:8443"},
    ],
)
def test_the_client_and_the_credential_providers_choose_botocores_proxy(
    monkeypatch: pytest.MonkeyPatch, values: dict[str, str]
) -> None:
    set_environment(monkeypatch, values)
    urls = [
        "https://apigateway.us-east-1.amazonaws.com",
        "https://sts.us-east-1.amazonaws.com/",
        "https://sts.amazonaws.com:8443/",
        "https://portal.sso.eu-west-1.amazonaws.com/federation/credentials?role_name=r",
        "http://127.0.0.1:8443/",
        "http://127.0.0.1:9000/",
        "https://api.internal/",
    ]
    for url in urls:
        expected = ProxyConfiguration(proxies=get_environ_proxies(url)).proxy_url_for(url)
        assert proxy_for(url) == expected, url
        assert _Endpoint(url, {}, "apigateway", "us-east-1").proxy == expected, url
        assert _credential_http.proxy_for(url, dict(os.environ)) == expected, url


def test_a_port_in_no_proxy_exempts_only_that_port(monkeypatch: pytest.MonkeyPatch) -> None:
    # The case: the API call bypassed the proxy and the STS call did not.
    env = {"HTTPS_PROXY": "http://proxy:3128", "NO_PROXY": "amazonaws.com:8443"}
    set_environment(monkeypatch, env)
    api = _Endpoint("https://apigateway.us-east-1.amazonaws.com", {}, "apigateway", "us-east-1")
    assert api.proxy == "http://proxy:3128"
    assert _credential_http.proxy_for("https://sts.us-east-1.amazonaws.com", env) == (
        "http://proxy:3128"
    )
    assert proxy_for("https://sts.us-east-1.amazonaws.com:8443") is None
    # One implementation: the credential providers import the client's.
    assert _credential_http.proxy_for is _proxies.proxy_for


async def test_a_request_to_another_port_goes_through_the_proxy(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    async with recording_server() as proxy:
        set_environment(monkeypatch, {"HTTP_PROXY": proxy.url, "NO_PROXY": "invalid:8443"})
        client = ApiGatewayClient(
            region="us-east-1",
            endpoint_url="http://apigateway.invalid",
            credentials=Credentials("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"),
            config=ClientConfig(max_attempts=1),
        )
        async with client:
            await client.get_rest_apis()
    assert [r.headers["Host"] for r in proxy.requests] == ["apigateway.invalid"]


PROXY_PASSWORD = "s3cr3t-pw"

#: Proxy URLs whose password is not percent-encoded, and what the check says about each.
BAD_PROXIES = [
    (f"http://user:ab/{PROXY_PASSWORD}@127.0.0.1:9", "not a valid URL"),
    (f"http://user:12/{PROXY_PASSWORD}@127.0.0.1:9", "an '@' after its host"),
    (f"http://user:ab?{PROXY_PASSWORD}@127.0.0.1:9", "not a valid URL"),
    (f"http://user:12?{PROXY_PASSWORD}@127.0.0.1:9", "an '@' after its host"),
    (f"http://user:ab#{PROXY_PASSWORD}@127.0.0.1:9", "not a valid URL"),
    (f"http://user:12#{PROXY_PASSWORD}@127.0.0.1:9", "an '@' after its host"),
    (f"user:ab/{PROXY_PASSWORD}@127.0.0.1:9", "not a valid URL"),
    (f"//user:12/{PROXY_PASSWORD}@127.0.0.1:9", "an '@' after its host"),
    (f"http://user:a {PROXY_PASSWORD}@127.0.0.1:9", "whitespace"),
    (f"socks5://user:{PROXY_PASSWORD}@127.0.0.1:9", "must be an http:// or https:// URL"),
    ("http://:9", "no host"),
]


def _secret_parts(text: str) -> list[str]:
    return [part for part in (PROXY_PASSWORD, "ab/", "12/", "ab?", "12?") if part in text]


@pytest.mark.parametrize(("proxy", "reason"), BAD_PROXIES)
async def test_a_bad_proxy_is_a_config_error_that_hides_its_password(
    monkeypatch: pytest.MonkeyPatch, proxy: str, reason: str
) -> None:
    async with recording_server() as server:
        set_environment(monkeypatch, {"HTTP_PROXY": proxy})
        client = ApiGatewayClient(
            region="us-east-1",
            endpoint_url=server.url,
            credentials=Credentials("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"),
            config=ClientConfig(max_attempts=1),
        )
        async with client:
            with pytest.raises(ConfigError) as info:
                await client.get_rest_apis()
        assert server.requests == []
    message = str(info.value)
    assert reason in message and "HTTP_PROXY or http_proxy" in message, message
    # Nowhere in the message, nor in the whole traceback with its causes.
    shown = "".join(traceback.format_exception(info.value))
    assert _secret_parts(shown) == [], shown
    # The credential providers choose their proxy with the same check.
    with pytest.raises(ConfigError) as from_providers:
        _credential_http.proxy_for("http://sts.invalid/", {"HTTP_PROXY": proxy})
    assert str(from_providers.value) == message


def test_a_percent_encoded_password_is_a_good_proxy(monkeypatch: pytest.MonkeyPatch) -> None:
    for proxy in (
        "http://user:ab%2Fcd%3Fef%23gh%40ij@127.0.0.1:9",
        "https://proxy.internal:3128/",
        "proxy.internal:3128",
    ):
        set_environment(monkeypatch, {"HTTPS_PROXY": proxy})
        expected = proxy if "://" in proxy else "http://" + proxy
        assert proxy_for("https://apigateway.us-east-1.amazonaws.com") == expected
