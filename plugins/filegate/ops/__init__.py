"""Operating an environment, touching no data: the `make` commands (`cli`), the embedded
PostgreSQL (`embedded`), the Celery cluster (`cluster`), child processes and their output
(`processes`, `tasklog`), handing a run to a live scheduler (`handoff`), ending runs a kill left
behind (`interrupted`), the first run's samples (`samples`) and the run's summary (`summary`)."""
