"""The hand-written runtime every generated package runs on: no service knowledge, no
generated file.

Generated packages (``aioapigateway`` itself, and any package ``python -m codegen`` writes)
import only from here. Layers, lowest first; a module imports only from its own layer or lower
ones, and no module-level import closes a circle (``tests/test_layering.py`` checks both):

- base: ``errors``, ``timestamps``, ``redact``, ``version``, ``shapes``, ``hooks``,
  ``retry_codes``;
- configuration: ``config/`` (settings, the shared config files, proxies);
- credential types: ``credentials/base.py``;
- signing and endpoints: ``signing``, ``endpoints/`` (the rules evaluator, partition data);
- credential providers: the rest of ``credentials/`` (``chain`` is the default chain);
- the call pipeline: ``client`` (``BaseClient``), ``serialize``, ``parse``, ``retry``,
  ``compression``, ``wire``, ``call_options``, ``paginate``, ``convert``;
- tools: ``testing`` (the ``Stubber``, public as :mod:`aioapigateway.testing`), ``sigv4_auth``
  (the ``SigV4Auth`` middleware).

Importing this package, or one of its sub-packages, imports nothing else (cold start): import
the module you need.
"""
