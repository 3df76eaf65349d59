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

The answers are written compactly, since importing the table is part of a cold start: each
region's four URLs become templates (the region's name replaced by a placeholder) and the
regions whose templates are the same share one entry. Expanding a region's templates gives
back exactly the URLs the evaluator returned for it (checked here, for every region).

A custom endpoint URL is in the table too, as one fact: whether the rule set returns it as
it is (no headers, no properties) for *any* region string when neither flag is set. That is
proved from the rules (:func:`custom_endpoint_passes_through`: the path taken for a set
``Endpoint`` and both flags false tests nothing but those parameters and ends in an
endpoint whose URL is ``Endpoint`` itself) and cross-checked by evaluating known, unknown
and odd region names with several kinds of URL. Anything else about a custom endpoint goes
to the evaluator.
"""

from __future__ import annotations

import ast
import pprint
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from aioapigateway.runtime.endpoints.rules import EndpointResolver

#: URLs a custom endpoint is checked with: schemes, ports, paths, IP and local hosts.
SAMPLE_ENDPOINT_URLS = (
    "https://example.com",
    "http://localhost:4566",
    "http://127.0.0.1:8080/base/path",
    "https://vpce-0123.execute-api.eu-west-1.vpce.amazonaws.com/",
    "http://[::1]:9000",
)

#: Region names no partition lists, evaluated with a custom endpoint besides the known ones:
#: unknown but well-formed, other partitions' shapes, not host labels, empty, odd characters.
SAMPLE_ODD_REGIONS = (
    "mars-north-1",
    "us-gov-mars-1",
    "cn-mars-1",
    "local",
    "",
    "a.b",
    "-x-",
    "UPPER-CASE-1",
    "with space",
    "x" * 100,
    "r\u00e9gion",
    "{region}",
)

#: Stands for the region's name in a URL template (regions never contain braces).
REGION_PLACEHOLDER = "{region}"

#: The order of a region's four URLs in its templates: ``(use_fips, use_dualstack)``.
FLAG_ORDER = ((False, False), (False, True), (True, False), (True, True))

# The parameters whose values the custom-endpoint proof knows: a set Endpoint, both flags
# false. The region is any string, so a rule that tests it cannot be decided.
_KNOWN_VALUES: dict[str, Any] = {"UseFIPS": False, "UseDualStack": False}

#: One region's endpoints: ``(use_fips, use_dualstack)`` -> ``(url, headers, properties)``.
_RegionEndpoints = dict[tuple[bool, bool], tuple[str, Any, Any]]


def known_regions() -> list[str]:
    """Every region any partition lists, sorted."""
    from aioapigateway.runtime.endpoints.partitions import PARTITIONS

    return sorted({region for p in PARTITIONS["partitions"] for region in p["regions"]})


def build_table(rules: Mapping[str, Any]) -> tuple[dict[tuple[str, bool, bool], Any], bool]:
    """``(endpoints, custom_endpoint_as_is)``: ``endpoints`` maps ``(region, use_fips,
    use_dualstack)`` to ``(url, headers, properties)`` (plain dicts, lists) wherever the
    rule set resolves without an endpoint URL; combinations it rejects are left out."""
    from aioapigateway.runtime.endpoints.rules import EndpointResolver

    resolver = EndpointResolver(rules)
    endpoints: dict[tuple[str, bool, bool], Any] = {}
    for region in known_regions():
        for (use_fips, use_dualstack), found in _region_endpoints(resolver, region).items():
            endpoints[(region, use_fips, use_dualstack)] = found
    return endpoints, _custom_endpoint_as_is(rules, resolver)


def _region_endpoints(resolver: EndpointResolver, region: str) -> _RegionEndpoints:
    from aioapigateway.runtime.errors import ConfigError

    found: _RegionEndpoints = {}
    for use_fips, use_dualstack in FLAG_ORDER:
        params = {"Region": region, "UseFIPS": use_fips, "UseDualStack": use_dualstack}
        try:
            endpoint = resolver.resolve({**params, "Endpoint": None})
        except ConfigError:
            continue
        found[(use_fips, use_dualstack)] = (
            endpoint.url,
            _thaw(endpoint.headers),
            _thaw(endpoint.properties),
        )
    return found


def _custom_endpoint_as_is(rules: Mapping[str, Any], resolver: EndpointResolver) -> bool:
    """Proved from the rules, and every sample evaluation agrees."""
    from aioapigateway.runtime.errors import ConfigError

    if not custom_endpoint_passes_through(rules):
        return False
    for region in [*known_regions(), *SAMPLE_ODD_REGIONS]:
        for url in SAMPLE_ENDPOINT_URLS:
            params = {"Region": region, "UseFIPS": False, "UseDualStack": False, "Endpoint": url}
            try:
                found = resolver.resolve(params)
            except ConfigError:
                return False
            if found.url != url or found.headers or found.properties:
                return False
    return True


def custom_endpoint_passes_through(rules: Mapping[str, Any]) -> bool:
    """Whether the rule set returns a set ``Endpoint`` as the URL itself, with no headers
    or properties, whatever the region, when ``UseFIPS`` and ``UseDualStack`` are false.

    A proof by walking the rules as the evaluator would, knowing only those three values:
    every condition met on the way must be decidable from them (``isSet``,
    ``booleanEquals``, ``not``), and the rule reached must be an endpoint whose URL is
    ``{"ref": "Endpoint"}``. Anything else (a condition on the region, a parsed or rewritten
    URL, an error) is not proved.
    """
    if not _parameters_allow_any_region(rules.get("parameters") or {}):
        return False
    return _first_match(rules.get("rules")) is True


def _parameters_allow_any_region(parameters: Mapping[str, Any]) -> bool:
    """The declared parameters accept a client's four values and nothing else is needed."""
    types = {"Region": "string", "Endpoint": "string", "UseFIPS": "boolean"}
    types["UseDualStack"] = "boolean"
    if "Endpoint" not in parameters:
        return False
    for name, spec in parameters.items():
        kind = str(spec.get("type", "")).lower()
        if name in types:
            if kind != types[name]:
                return False
        elif spec.get("required") and spec.get("default") is None:
            return False  # the evaluator would reject the parameters
    return True


def _first_match(rules: Any) -> bool | None:
    """``True``: the rules end in the Endpoint passed through; ``False``: in anything else
    or undecided; ``None``: no rule matched (the caller decides what that means)."""
    if not isinstance(rules, list):
        return False
    for rule in rules:
        met = _conditions_met(rule.get("conditions", []))
        if met is None:
            return False  # depends on something the proof does not know
        if not met:
            continue
        kind = rule.get("type")
        if kind == "endpoint":
            return _passes_endpoint_through(rule.get("endpoint"))
        if kind == "tree":
            # A tree whose conditions matched is terminal: exhausting it is an error.
            return _first_match(rule.get("rules")) is True
        return False  # an error rule, or an unknown type
    return None


def _passes_endpoint_through(endpoint: Any) -> bool:
    return (
        isinstance(endpoint, Mapping)
        and endpoint.get("url") == {"ref": "Endpoint"}
        and not endpoint.get("headers")
        and not endpoint.get("properties")
    )


def _conditions_met(conditions: Any) -> bool | None:
    """All conditions hold (True), one fails (False), or undecidable (None)."""
    if not isinstance(conditions, list):
        return None
    for condition in conditions:
        if not isinstance(condition, Mapping) or "assign" in condition:
            return None
        value = _value(condition)
        if value is _UNKNOWN:
            return None
        if value is None or value is False:
            return False
    return True


_UNKNOWN: Any = object()


def _value(node: Any) -> Any:
    """A condition's or argument's value from the known parameters, or ``_UNKNOWN``."""
    if isinstance(node, bool):
        return node
    if not isinstance(node, Mapping):
        return _UNKNOWN
    if "ref" in node:
        name = node["ref"]
        if name == "Endpoint":
            return _SET_ENDPOINT
        return _KNOWN_VALUES.get(name, _UNKNOWN)
    argv = node.get("argv")
    if not isinstance(argv, list):
        return _UNKNOWN
    args = [_value(arg) for arg in argv]
    if any(arg is _UNKNOWN for arg in args):
        return _UNKNOWN
    return _apply(node.get("fn"), args)


# The Endpoint's value: known to be set, its text unknown (only isSet may look at it).
_SET_ENDPOINT: Any = object()


def _apply(fn: Any, args: Sequence[Any]) -> Any:
    if fn == "isSet" and len(args) == 1:
        return args[0] is not None
    if _SET_ENDPOINT in args:
        return _UNKNOWN
    if fn == "booleanEquals" and len(args) == 2 and all(isinstance(a, bool) for a in args):
        return args[0] is args[1]
    if fn == "not" and len(args) == 1 and isinstance(args[0], bool):
        return not args[0]
    return _UNKNOWN


def compact_table(
    endpoints: Mapping[tuple[str, bool, bool], Any],
) -> tuple[dict[str, int], list[tuple[str | None, ...]]]:
    """``(regions, templates)``: each region's index into ``templates``, whose entries hold
    one URL template per :data:`FLAG_ORDER` combination (``None``: the rule set rejects it).
    Raises ``ValueError`` if a template would not give back the evaluator's URL."""
    per_region: dict[str, list[str | None]] = {}
    for (region, use_fips, use_dualstack), (url, _, _) in endpoints.items():
        per_region.setdefault(region, [None] * len(FLAG_ORDER))
        per_region[region][FLAG_ORDER.index((use_fips, use_dualstack))] = _template(url, region)
    templates: list[tuple[str | None, ...]] = []
    regions: dict[str, int] = {}
    for region in sorted(per_region):
        entry = tuple(per_region[region])
        if entry not in templates:
            templates.append(entry)
        regions[region] = templates.index(entry)
    return regions, templates


def _template(url: str, region: str) -> str:
    if REGION_PLACEHOLDER in url or "{" in region or not region:
        raise ValueError(f"cannot make a URL template of {url!r} for region {region!r}")
    template = url.replace(region, REGION_PLACEHOLDER)
    if template.replace(REGION_PLACEHOLDER, region) != url:
        raise ValueError(f"the template {template!r} does not give back {url!r}")
    return template


def render_table(rules_literal: str) -> tuple[str, str, str, str]:
    """The table as Python literals, from the IR's rule-set literal: ``(regions,
    templates, extras, custom_endpoint_as_is)``; deterministic (sorted keys).

    ``extras`` holds ``(headers, properties)`` only for the keys that have any: a literal
    of constants only is loaded from the bytecode in one piece, while one with a dict per
    entry is built entry by entry.
    """
    rules = ast.literal_eval(rules_literal)
    endpoints, as_is = build_table(rules)
    regions, templates = compact_table(endpoints)
    extras = {
        key: (headers, properties)
        for key, (_, headers, properties) in endpoints.items()
        if headers or properties
    }
    return (
        pprint.pformat(regions, width=100, sort_dicts=True),
        pprint.pformat(tuple(templates), width=100),
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
