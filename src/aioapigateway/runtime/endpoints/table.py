"""Endpoint resolution: from the generated package's table when it has the answer, else by
evaluating the rule set.

The generator evaluates each rule set ahead of time for every known region and
``UseFIPS``/``UseDualStack`` combination (``codegen/endpoint_table.py``) and writes the
answers into the package's ``_spec.py`` (which a client's first call imports anyway), next to
the rule set's ``_endpoint_rules.py``: per region, URL templates shared by the regions whose
URLs differ only by the region's name, and whether the rule set takes a custom endpoint URL as
it is for any region. Looking an answer up there spares a client's
first call importing the evaluator and compiling the rule set. The evaluator
(:mod:`aioapigateway.runtime.endpoints.rules`) answers everything else: unknown regions,
operation endpoint parameters, combinations the rule set rejects (its error message is the
one to show), a custom endpoint URL with FIPS or dual-stack set or a rule set that does not
use such a URL as it is, and packages generated without a table.
"""

from __future__ import annotations

import importlib
import types
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Final

if TYPE_CHECKING:
    from aioapigateway.runtime.endpoints.rules import EndpointResolver

__all__ = ["ResolvedEndpoint", "resolve_endpoint", "table_module_name"]

#: ``(url, headers, properties)``; the mappings are read-only.
ResolvedEndpoint = tuple[str, Mapping[str, Any], Mapping[str, Any]]

_EMPTY: Final[Mapping[str, Any]] = types.MappingProxyType({})
#: The parameters a client passes when no operation binds any: what the table is keyed by.
_TABLE_PARAMS: Final = frozenset({"Region", "UseFIPS", "UseDualStack", "Endpoint"})

#: Stands for the region's name in the table's URL templates.
_PLACEHOLDER: Final = "{region}"

# Per rule-set module: its table (None: the package has none), and its compiled resolver.
_Key = tuple[str, bool, bool]
_Table = tuple[
    Mapping[str, int],
    tuple[tuple[str | None, ...], ...],
    Mapping[_Key, tuple[Any, Any]],
    bool,
]
_TABLES: dict[str, _Table | None] = {}
_RESOLVERS: dict[str, EndpointResolver] = {}


def table_module_name(rules_module: str) -> str:
    """The table's module: ``_spec`` in the rule set's package."""
    return rules_module.rpartition(".")[0] + "._spec"


def resolve_endpoint(rules_module: str, params: Mapping[str, Any]) -> ResolvedEndpoint:
    """The endpoint for ``params`` under the rule set in module ``rules_module``.

    Raises :class:`~aioapigateway.runtime.errors.ConfigError` as the evaluator does.
    """
    found = _from_table(rules_module, params)
    if found is not None:
        return found
    endpoint = _resolver(rules_module).resolve(params)
    return endpoint.url, endpoint.headers, endpoint.properties


def _from_table(rules_module: str, params: Mapping[str, Any]) -> ResolvedEndpoint | None:
    if params.keys() != _TABLE_PARAMS:
        return None
    table = _table(rules_module)
    if table is None:
        return None
    regions, templates, extras, custom_as_is = table
    region, use_fips, use_dualstack = params["Region"], params["UseFIPS"], params["UseDualStack"]
    if not isinstance(region, str) or use_fips.__class__ is not bool:
        return None  # the evaluator's checks and messages
    if use_dualstack.__class__ is not bool:
        return None
    url = params["Endpoint"]
    if url is not None:
        # Proved by the generator for any region string.
        if custom_as_is and not use_fips and not use_dualstack and isinstance(url, str):
            return url, _EMPTY, _EMPTY
        return None
    entry = regions.get(region)
    if entry is None:
        return None
    template = templates[entry][2 * use_fips + use_dualstack]
    if template is None:
        return None
    url = template.replace(_PLACEHOLDER, region)
    extra = extras.get((region, use_fips, use_dualstack))
    if extra is None:
        return url, _EMPTY, _EMPTY
    headers, properties = extra
    # The evaluator's forms: header values are lists; properties hold tuples, not lists.
    frozen_headers = (
        types.MappingProxyType({name: list(values) for name, values in headers.items()})
        if headers
        else _EMPTY
    )
    return url, frozen_headers, _frozen(properties)


def _table(rules_module: str) -> _Table | None:
    if rules_module in _TABLES:
        return _TABLES[rules_module]
    name = table_module_name(rules_module)
    try:
        module = importlib.import_module(name)
    except ModuleNotFoundError as exc:
        if exc.name != name:
            raise
        table = None  # generated before tables existed: the evaluator answers
    else:
        table = _read_table(module)
    _TABLES[rules_module] = table
    return table


def _read_table(module: types.ModuleType) -> _Table | None:
    regions = getattr(module, "ENDPOINT_REGIONS", None)
    if regions is None:
        return None  # generated without a table: the evaluator answers
    return (
        regions,
        module.ENDPOINT_TEMPLATES,
        module.ENDPOINT_EXTRAS,
        bool(module.CUSTOM_ENDPOINT_AS_IS),
    )


def _resolver(rules_module: str) -> EndpointResolver:
    resolver = _RESOLVERS.get(rules_module)
    if resolver is None:
        from aioapigateway.runtime.endpoints.rules import EndpointResolver

        rules = importlib.import_module(rules_module).RULES
        resolver = _RESOLVERS[rules_module] = EndpointResolver(rules)
    return resolver


def _frozen(value: Any) -> Any:
    """The evaluator's read-only forms: mappings as read-only views, lists as tuples."""
    if isinstance(value, Mapping):
        if not value:
            return _EMPTY
        return types.MappingProxyType({key: _frozen(item) for key, item in value.items()})
    if isinstance(value, list):
        return tuple(_frozen(item) for item in value)
    return value
