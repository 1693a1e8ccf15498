"""The warehouse: connecting to PostgreSQL (`connection`), the SQLAlchemy models of the registry
and of every dataset's tables (`models`), the Alembic migrations (`migrations`, and each dataset's
own branch) and the schema upgrade that runs them with Alembic (`migrate`)."""
