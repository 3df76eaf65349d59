"""Credentials and their providers.

``base``: ``Credentials``, the provider protocol, the refreshing base class (imports no
provider); ``local``: environment, shared files, ``credential_process``; ``sts``, ``sso``,
``container``, ``imds``: the providers that call a service, over ``http``; ``chain``: the
default chain, the one module that imports them all.

Importing this package imports nothing else.
"""
