
from datetime import datetime, timedelta

from airflow.sdk import dag, task


@dag(dag_id='batch_scoring', schedule='*/30 * * * *', start_date=datetime(2025, 1, 1), catchup=False,
     default_args={"retries": 5, "retry_delay": timedelta(minutes=10)})
def scoring():
    @task
    def extract_batch():
        return "batch.csv"

    @task
    def validate_batch(batch):
        return {"rows": 1000, "missing_share": 0.0, "out_of_range": 0}

    @task.branch
    def route_batch(report):
        # broken data is quarantined whatever its size; only a clean batch may wait
        if report["missing_share"] > 0.01 or report["out_of_range"] > 0:
            return "quarantine_batch"
        if report["rows"] < 300:
            return "wait_for_more_rows"
        return "score_batch"

    @task
    def score_batch(batch):
        return "scores.csv"

    @task
    def quarantine_batch(batch):
        return None

    @task
    def wait_for_more_rows():
        return None

    @task
    def publish_scores(scores):
        return None

    batch = extract_batch()
    scores = score_batch(batch)
    route_batch(validate_batch(batch)) >> [scores, quarantine_batch(batch), wait_for_more_rows()]
    publish_scores(scores)


scoring()
