"""ASGI entry points for servers, with settings from the environment.

``uvicorn newsbrief.web.asgi:app``: the app, migrating the database on start-up;
``uvicorn --factory newsbrief.web.asgi:worker_app``: for the worker processes of ``newsbrief serve
--workers N``, which migrated before starting them.
"""

from fastapi import FastAPI

from newsbrief.config import Settings
from newsbrief.web.app import create_app


def worker_app() -> FastAPI:
    return create_app(Settings(), migrate=False)


def __getattr__(name: str) -> FastAPI:
    # ``app`` is built when a server asks for it, not when ``worker_app``'s import loads this module.
    if name == "app":
        return create_app()
    raise AttributeError(name)
