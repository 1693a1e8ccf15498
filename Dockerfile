# The image docker-compose.yaml runs: the official Airflow image plus filegate's pinned requirements.
FROM apache/airflow:3.3.2-python3.11
COPY requirements.txt /requirements.txt
RUN pip install --no-cache-dir -r /requirements.txt apache-airflow-providers-celery
