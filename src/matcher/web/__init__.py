"""The web pages: what coordinators and municipalities see in a browser, served by ``matcher serve`` next to
``/v1`` (under ``/app``, kept out of the OpenAPI schema).

The pages are a second face of the same service, not a second path to the data: they call the same
repository and access functions as ``/v1`` and apply the same visibility rules (a municipality sees only its
own data; anything else answers 404). Sign-in turns an API key into a signed session cookie; every form
carries a CSRF token. Dutch first, English as a choice.
"""

from matcher.web.app import install_web

__all__ = ["install_web"]
