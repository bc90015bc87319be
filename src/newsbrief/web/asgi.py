"""The ASGI entry point for servers (`uvicorn newsbrief.web.asgi:app`): settings from the environment."""

from newsbrief.web.app import create_app

app = create_app()
