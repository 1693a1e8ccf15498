# The image docker-compose.yaml runs: the official Airflow image (the version and Python of
# requirements.txt) plus filegate's pinned requirements, the Celery provider and Redis client among them.
FROM apache/airflow:3.3.2-python3.11
COPY requirements.txt /requirements.txt
RUN pip install --no-cache-dir -r /requirements.txt
