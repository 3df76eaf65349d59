"""Endpoints: the Smithy endpoint rule-set evaluator (``rules``) and the
``aws.partition`` data (``partitions``, imported on first use), URLs from a template
(``template``).

Importing this package imports nothing else.
"""
