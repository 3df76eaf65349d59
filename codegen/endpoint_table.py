"""The endpoint table: a service's endpoint rule set evaluated ahead of time.

A client's first call resolves its endpoint. Evaluating the rule set at run time means
importing the evaluator and the rule set and compiling it: a few milliseconds of a cold
start, for an answer that depends only on the region and two flags. This module evaluates
the rule set here, with the runtime's own evaluator
(:mod:`aioapigateway.runtime.endpoints.rules`), for every region the partitions list and
every combination of ``UseFIPS`` and ``UseDualStack``, and writes the answers into the
generated package's ``_endpoint_table.py``. At run time
:mod:`aioapigateway.runtime.endpoints.table` answers from it and falls back to the evaluator
for anything else (an unknown region, operation endpoint parameters, a rule set that fails
for these inputs).

A custom endpoint URL is in the table too, as one fact: whether the rule set returns it as
it is (no headers, no properties) for every listed region when neither flag is set. That
holds when the rule set only tests whether ``Endpoint`` is set and uses it as the URL
itself (never parses or rewrites it), and its answers for several kinds of URL agree.
Anything else about a custom endpoint goes to the evaluator.
"""

from __future__ import annotations

import ast
import pprint
from collections.abc import Mapping
from typing import Any

#: URLs a custom endpoint is checked with: schemes, ports, paths, IP and local hosts.
SAMPLE_ENDPOINT_URLS = (
    "https://example.com",
    "http://localhost:4566",
    "http://127.0.0.1:8080/base/path",
    "https://vpce-0123.execute-api.eu-west-1.vpce.amazonaws.com/",
    "http://[::1]:9000",
)


def known_regions() -> list[str]:
    """Every region any partition lists, sorted."""
    from aioapigateway.runtime.endpoints.partitions import PARTITIONS

    return sorted({region for p in PARTITIONS["partitions"] for region in p["regions"]})


def build_table(rules: Mapping[str, Any]) -> tuple[dict[tuple[str, bool, bool], Any], bool]:
    """``(endpoints, custom_endpoint_as_is)``: ``endpoints`` maps ``(region, use_fips,
    use_dualstack)`` to ``(url, headers, properties)`` (plain dicts, lists) wherever the
    rule set resolves without an endpoint URL; combinations it rejects are left out."""
    # (Written out as two tables by render_table: see there.)
    from aioapigateway.runtime.endpoints.rules import EndpointResolver
    from aioapigateway.runtime.errors import ConfigError

    resolver = EndpointResolver(rules)
    endpoints: dict[tuple[str, bool, bool], Any] = {}
    as_is = True
    for region in known_regions():
        for use_fips in (False, True):
            for use_dualstack in (False, True):
                params = {
                    "Region": region,
                    "UseFIPS": use_fips,
                    "UseDualStack": use_dualstack,
                    "Endpoint": None,
                }
                try:
                    found = resolver.resolve(params)
                except ConfigError:
                    continue
                endpoints[(region, use_fips, use_dualstack)] = (
                    found.url,
                    _thaw(found.headers),
                    _thaw(found.properties),
                )
        for url in SAMPLE_ENDPOINT_URLS:
            params = {"Region": region, "UseFIPS": False, "UseDualStack": False, "Endpoint": url}
            try:
                found = resolver.resolve(params)
            except ConfigError:
                as_is = False
                continue
            if found.url != url or found.headers or found.properties:
                as_is = False
    return endpoints, as_is and _endpoint_only_passed_through(rules["rules"])


def _endpoint_only_passed_through(node: Any, context: str = "") -> bool:
    """Whether every use of the ``Endpoint`` parameter in the rules is ``isSet(Endpoint)``
    or an endpoint's ``url`` that is the parameter itself."""
    if isinstance(node, Mapping):
        if node.get("ref") == "Endpoint":
            return context in ("isSet", "url")
        for key, value in node.items():
            if key == "argv" and node.get("fn") == "isSet":
                inner = "isSet"
            elif key == "url" and context == "endpoint":
                inner = "url"
            elif key == "endpoint":
                inner = "endpoint"
            else:
                inner = ""
            if not _endpoint_only_passed_through(value, inner):
                return False
        return True
    if isinstance(node, list):
        return all(_endpoint_only_passed_through(item, context) for item in node)
    return True


def render_table(rules_literal: str) -> tuple[str, str, str]:
    """The table as Python literals, from the IR's rule-set literal: ``(urls, extras,
    custom_endpoint_as_is)``; deterministic (sorted keys).

    ``urls`` maps each key to the URL alone and ``extras`` holds ``(headers, properties)``
    only for the keys that have any: a literal of constants only is loaded from the
    bytecode in one piece, while one with a dict per entry is built entry by entry.
    """
    rules = ast.literal_eval(rules_literal)
    endpoints, as_is = build_table(rules)
    urls = {key: url for key, (url, _, _) in endpoints.items()}
    extras = {
        key: (headers, properties)
        for key, (_, headers, properties) in endpoints.items()
        if headers or properties
    }
    return (
        pprint.pformat(urls, width=100, sort_dicts=True),
        pprint.pformat(extras, width=100, sort_dicts=True),
        repr(as_is),
    )


def _thaw(value: Any) -> Any:
    """Read-only mappings and tuples -> dicts and lists, for a literal."""
    if isinstance(value, Mapping):
        return {key: _thaw(item) for key, item in value.items()}
    if isinstance(value, tuple | list):
        return [_thaw(item) for item in value]
    return value
