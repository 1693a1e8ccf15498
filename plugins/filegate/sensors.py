"""The landing sensor: fires when complete files are waiting, and hands their names to claim.

It is filegate's own sensor, not a FileSensor: FileSensor fires as soon as a matching name
exists (even mid-transfer) and, with `[operators] default_deferrable` on, defers to a trigger
that knows nothing of file completeness. This one asks `filegate.ingest.landing` on every poke (no temp
suffix, not hidden, unmodified for the minimum age) and runs in reschedule mode whatever that
setting says, so a waiting sensor holds no worker slot.

A scheduled run waits for files (up to its timeout, then it is skipped); a manual run finding
nothing at all in landing is skipped at once, unless triggered with `wait_for_files`. One finding
files still being written waits for them.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

from airflow.sdk import BaseSensorOperator, PokeReturnValue


class LandingSensor(BaseSensorOperator):
    template_fields = ("landing_dir", "pattern")

    def __init__(self, *, landing_dir: str, pattern: str, min_file_age: float, **kwargs: Any) -> None:
        kwargs.setdefault("mode", "reschedule")
        super().__init__(**kwargs)
        self.landing_dir = landing_dir
        self.pattern = pattern
        self.min_file_age = min_file_age

    def poke(self, context: Any) -> PokeReturnValue:
        from filegate.ingest.landing import legible, scan, settled

        folder = Path(self.landing_dir)
        arrivals = scan(folder, self.pattern)
        ready = [p.relative_to(folder).as_posix() for p in settled(arrivals.regular, self.min_file_age)]
        # links and other strangers are arrivals too: claim refuses them (unread), nothing waits forever
        strange = [legible(p.relative_to(folder).as_posix()) for p in arrivals.strangers]
        self.log.info("%d complete file(s) matching %s in %s%s", len(ready), self.pattern, folder,
                      f", and {len(strange)} that are not regular files (to refuse)" if strange else "")
        if not (arrivals.regular or strange) and manual(context) and not asked_to_wait(context):
            # someone asked for a run now: with nothing there, waiting hours for files is not what they asked
            from airflow.sdk.exceptions import AirflowSkipException

            raise AirflowSkipException(f"nothing matching {self.pattern} in {folder}: a manual run does not wait "
                                       "for files (a scheduled run does, up to FILEGATE_SENSOR_TIMEOUT)")
        return PokeReturnValue(is_done=bool(ready or strange), xcom_value=ready + strange)


def manual(context: Any) -> bool:
    """Whether the DAG run was triggered by hand (the UI, the API, `airflow dags trigger` or `test`)."""
    run_type = getattr(context.get("dag_run"), "run_type", None)
    return getattr(run_type, "value", run_type) == "manual"


def asked_to_wait(context: Any) -> bool:
    """Whether the run was triggered with the ingest DAG's `wait_for_files` param ticked."""
    return bool((context.get("params") or {}).get("wait_for_files"))
