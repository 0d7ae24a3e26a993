"""The forecast's own tables, written only by the worker's nightly fit (server.forecast.services.refresh).

Task and unit ids are plain integers, as in the dashboard's kept counts: the scores are a cache rebuilt each
night, and a task deleted meanwhile must not block anything.
"""

from piccolo.columns import Boolean, Float, Integer, Text, Timestamptz, Varchar
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


class RoutingModel(Table, tablename="forecast_routing_models"):
    """One row per jurisdiction: the learned routing's last fit (server.forecast.learned_routing), or why none."""

    jurisdiction = Integer(unique=True)
    # "ready", or "not_enough_history" (fewer accepted reports, or fewer units among them, than it needs).
    status = Varchar(length=32)
    examples = Integer(default=0)
    units = Integer(default=0)
    # The model as data (learned_routing.Model.as_json): the IDF and the past reports it votes with.
    params = Text(default="")
    fitted_at = Timestamptz()


class RoutingSetting(Table, tablename="forecast_routing_settings"):
    """Per report category: whether the admin turned the learned suggestion on (pre-selected when confident).
    No row: off, the rules decide. The category is a plain id, as the forecast's other references."""

    category = Integer(unique=True)
    learned = Boolean(default=False)
    updated_at = Timestamptz()
