"""The forecast's own tables, written only by the worker's nightly fit (server.forecast.services.refresh).

Task and unit ids are plain integers, as in the dashboard's kept counts: the scores are a cache rebuilt each
night, and a task deleted meanwhile must not block anything.
"""

from piccolo.columns import Float, Integer, Text, Timestamptz, Varchar
from piccolo.table import Table


class ForecastModel(Table, tablename="forecast_models"):
    """One row per jurisdiction (its top unit): the last fit, or why there was none."""

    jurisdiction = Integer(unique=True)
    # "ready", or "not_enough_history" (fewer closed tasks with a deadline than the model needs).
    status = Varchar(length=32)
    closed_tasks = Integer(default=0)
    late_tasks = Integer(default=0)
    examples = Integer(default=0)
    # The model as numbers (server.forecast.model.Model.as_json): scaling, coefficients, calibration.
    params = Text(default="")
    fitted_at = Timestamptz()


class TaskRisk(Table, tablename="forecast_task_risks"):
    """An open task's probability of missing its deadline in force, as scored by the last fit."""

    task = Integer(unique=True)
    jurisdiction = Integer(index=True)
    unit_path = Varchar(length=512, index=True)
    probability = Float()
    # JSON list of {"code": ..., numbers}: the reasons, translated when shown.
    reasons = Text(default="[]")
    scored_at = Timestamptz()
