"""filegate as an Airflow plugin: its page in Airflow's navigation, served by the api-server.

The page is a FastAPI app (`filegate.ui.app`) mounted at /filegate, behind Airflow's own login;
the navigation entry shows it inside the Airflow UI. The library itself is imported by the DAGs
(plugins/ is on Airflow's sys.path).
"""
from typing import Any

from airflow.plugins_manager import AirflowPlugin

PREFIX = "/filegate"


class BuiltOnFirstRequest:
    """The filegate app, built when the api-server first routes a request to it: every Airflow
    process imports this plugin (scheduler, workers, DAG processor), and none of the others need
    FastAPI, the auth manager or the templates."""

    def __init__(self) -> None:
        self.app: Any = None

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if self.app is None:
            from filegate.ui.app import create_app

            self.app = create_app()
        await self.app(scope, receive, send)

    def __repr__(self) -> str:   # how Airflow's plugin list names it
        return "filegate.ui.app:create_app"


class FilegatePlugin(AirflowPlugin):
    name = "filegate"
    fastapi_apps = [{"app": BuiltOnFirstRequest(), "url_prefix": PREFIX, "name": "filegate"}]
    external_views = [{"name": "filegate", "href": f"{PREFIX}/", "url_route": "filegate", "destination": "nav"}]
