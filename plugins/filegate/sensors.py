"""FileSensor that only fires for files that are complete.

FileSensor alone fires as soon as a matching name exists, even mid-transfer. This one also asks
`filegate.landing` whether any match has settled (no temp suffix, unmodified for the minimum age).
"""
from __future__ import annotations

from pathlib import Path

from airflow.providers.standard.sensors.filesystem import FileSensor


class LandingSensor(FileSensor):
    template_fields = (*FileSensor.template_fields, "landing_dir", "pattern")

    def __init__(self, *, landing_dir: str, pattern: str, min_file_age: float, **kwargs):
        super().__init__(filepath=f"{landing_dir}/**/{pattern}", recursive=True, **kwargs)
        self.landing_dir = landing_dir
        self.pattern = pattern
        self.min_file_age = min_file_age

    def poke(self, context) -> bool:
        if not super().poke(context):
            return False
        from filegate.landing import complete_files

        ready = complete_files(Path(self.landing_dir), self.pattern, self.min_file_age)
        self.log.info("%d complete file(s) matching %s in %s", len(ready), self.pattern, self.landing_dir)
        return bool(ready)
