"""The filegate page in the Airflow UI and its JSON API (docs/ui.md): `app` builds it, `access`
asks Airflow who may see what, `data` reads the registry and folders, `api` and `pages` answer.
"""
