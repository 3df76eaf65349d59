"""Client settings: ``ClientConfig`` and the resolution of every setting
(``settings``), the shared config and credentials files (``profiles``), the environment's
proxies (``proxies``).

Importing this package imports nothing else.
"""
