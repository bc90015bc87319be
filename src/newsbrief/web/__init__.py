"""The service: JSON API, article pages and the embeddable widget (needs the ``web`` extra)."""

from newsbrief.web.app import create_app

__all__ = ["create_app"]
