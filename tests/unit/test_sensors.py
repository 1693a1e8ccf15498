"""The landing sensor: fires only for complete files, hands them to claim, never defers."""
import os
import time


def test_it_waits_for_complete_files_and_hands_their_names_over(tmp_path, monkeypatch):
    monkeypatch.setenv("AIRFLOW__OPERATORS__DEFAULT_DEFERRABLE", "True")   # FileSensor would defer here
    from filegate.sensors import LandingSensor

    landing = tmp_path / "landing"
    (landing / "sub").mkdir(parents=True)
    sensor = LandingSensor(task_id="wait", landing_dir=str(landing), pattern="*.SMRT", min_file_age=60,
                           poke_interval=1, timeout=5)
    assert sensor.mode == "reschedule" and not hasattr(sensor, "defer_to_trigger")
    assert sensor.poke({}).is_done is False                      # nothing yet
    fresh = landing / "sub" / "B.SMRT"
    fresh.write_text("still being written")
    (landing / "C.SMRT.part").write_text("a temporary name")
    assert sensor.poke({}).is_done is False                      # too young, and a temp suffix
    settled = landing / "A.SMRT"
    settled.write_text("done")
    old = time.time() - 120
    os.utime(settled, (old, old))
    result = sensor.poke({})
    assert result.is_done is True and result.xcom_value == ["A.SMRT"]
    os.utime(fresh, (old, old))
    assert sensor.poke({}).xcom_value == ["A.SMRT", "sub/B.SMRT"]


def test_issue25_a_manual_run_with_nothing_in_landing_is_skipped_at_once(tmp_path):
    """Issue 25, defect 6: under `make up` a manually triggered ingest run waited up to 6 hours in
    the sensor when there was nothing to load."""
    from types import SimpleNamespace

    import pytest
    from airflow.sdk.exceptions import AirflowSkipException

    from filegate.sensors import LandingSensor

    landing = tmp_path / "landing"
    landing.mkdir()
    sensor = LandingSensor(task_id="wait", landing_dir=str(landing), pattern="*.SMRT", min_file_age=60,
                           poke_interval=1, timeout=5)
    by_hand, on_schedule = ({"dag_run": SimpleNamespace(run_type=kind)} for kind in ("manual", "scheduled"))
    with pytest.raises(AirflowSkipException, match="a manual run does not wait"):
        sensor.poke(by_hand)
    assert sensor.poke(on_schedule).is_done is False   # a scheduled run waits for the day's files
    (landing / "other.txt").write_text("not a match")
    with pytest.raises(AirflowSkipException):
        sensor.poke(by_hand)
    (landing / "A.SMRT").write_text("still being written")   # something is coming: a manual run waits for it
    assert sensor.poke(by_hand).is_done is False
    (landing / "A.SMRT").unlink()
    asked = {**by_hand, "params": {"wait_for_files": True}}   # triggered with the DAG's param ticked
    assert sensor.poke(asked).is_done is False
