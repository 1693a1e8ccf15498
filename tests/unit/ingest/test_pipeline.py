"""The steps' own logic that needs no server: how claimed files are grouped into convert tasks."""
from hypothesis import given
from hypothesis import strategies as st

from filegate.ingest.pipeline import groups


def test_issue25_a_drop_of_thousands_of_files_makes_tens_of_tasks():
    """Issue 25, defect 2: 3,000 files in groups of 1 exceeded Airflow's max_map_length (1,024) and
    the run failed at claim, leaving every file claimed."""
    made = groups(list(range(3000)), files_per_task=1, max_tasks=64)
    assert [len(g) for g in made] == [47] * 63 + [39]
    assert [len(g) for g in groups(list(range(5000)), 1, 64)] == [79] * 63 + [23]
    assert groups(list(range(5)), 1, 64) == [[0], [1], [2], [3], [4]]   # a few files: a task each
    assert groups(list(range(5)), 2, 64) == [[0, 1], [2, 3], [4]]
    assert groups([], 1, 64) == []


@given(st.integers(0, 20_000), st.integers(1, 50), st.integers(1, 1024))
def test_groups_keep_every_file_once_in_order_within_the_task_limit(n, per_task, max_tasks):
    made = groups(list(range(n)), per_task, max_tasks)
    assert [f for g in made for f in g] == list(range(n))
    assert len(made) <= max_tasks
    assert all(len(g) >= per_task for g in made[:-1])
