"""
### raw_data_reports

The music-store questions as daily report CSVs (Airflow DAG), `reports/raw_data/<report>/<YYYY-MM-DD>.csv`:
customer_count, longest_track, shortest_genre, top_playlist_artist, top_album. Ties are listed
in a fixed order.
"""
from pathlib import Path

from filegate.dags import reports_dag

dag = reports_dag(Path(__file__).stem, __doc__)
