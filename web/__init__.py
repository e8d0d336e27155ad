"""regwatch over HTTP: a JSON API for other tools and a web workspace for analysts.

Both are thin layers over ``corpus.workspace.Workspace`` (the calls the CLI makes)::

    from web import create_app
    app = create_app(Path("~/.regwatch"))   # uvicorn.run(app) / regwatch serve
"""

from web.app import create_app

__all__ = ["create_app"]
