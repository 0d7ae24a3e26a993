"""The list's sort keys carried on task_assignees and task_coordinating_units, kept by the database (decision 0004).

An officer's list probed each of their tasks (191 for a typical officer, 1,489 for the busiest) for its sort keys
before a top-N sort; a department head's coordinated branch walked ~4,000 tasks in the list's order to find the
51 their subtree coordinates. With (closed, no deadline, deadline) on the link rows, each is a range read of an
index in the list's order that stops after a page: `task_assignees_urgency (person, keys…, task DESC) WHERE
removed_at IS NULL` and `task_coordinating_units_urgency (unit, keys…, task DESC)`.

The keys are the task's, so the database keeps them rather than every writer: a trigger copies them into a new
link row, and another moves them when a task's state or deadline changes. Runs forwards on both engines
(PostgreSQL: plpgsql triggers; SQLite: its own triggers); existing rows are filled here.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine.sqlite import SQLiteEngine

ID = "2026-12-07T00:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "the list's sort keys on task_assignees and task_coordinating_units"

CLOSED = "CASE WHEN {t}.state IN ('done', 'cancelled') THEN 1 ELSE 0 END"
NODL = "CASE WHEN {t}.deadline IS NULL THEN 1 ELSE 0 END"
LINKS = ("task_assignees", "task_coordinating_units")
INDEXES = (
    "CREATE INDEX IF NOT EXISTS task_assignees_urgency ON task_assignees"
    " (person, list_closed, list_nodl, list_deadline, task DESC) WHERE removed_at IS NULL",
    "CREATE INDEX IF NOT EXISTS task_coordinating_units_urgency ON task_coordinating_units"
    " (unit, list_closed, list_nodl, list_deadline, task DESC)",
)


def _postgres() -> list[str]:
    sql: list[str] = []
    for link in LINKS:
        sql += [
            f"ALTER TABLE {link} ADD COLUMN IF NOT EXISTS list_closed smallint NOT NULL DEFAULT 0",
            f"ALTER TABLE {link} ADD COLUMN IF NOT EXISTS list_nodl smallint NOT NULL DEFAULT 1",
            f"ALTER TABLE {link} ADD COLUMN IF NOT EXISTS list_deadline date",
            f"UPDATE {link} l SET list_closed = {CLOSED.format(t='t')}, list_nodl = {NODL.format(t='t')},"
            f" list_deadline = t.deadline FROM tasks t WHERE t.id = l.task",
        ]
    sql += [
        "CREATE OR REPLACE FUNCTION link_list_keys() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN"
        f" SELECT {CLOSED.format(t='t')}, {NODL.format(t='t')}, t.deadline"
        " INTO NEW.list_closed, NEW.list_nodl, NEW.list_deadline FROM tasks t WHERE t.id = NEW.task;"
        " RETURN NEW; END $$",
        "CREATE OR REPLACE FUNCTION task_list_keys() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN"
        + "".join(
            f" UPDATE {link} SET list_closed = {CLOSED.format(t='NEW')}, list_nodl = {NODL.format(t='NEW')},"
            f" list_deadline = NEW.deadline WHERE task = NEW.id;"
            for link in LINKS
        )
        + " RETURN NULL; END $$",
        "DROP TRIGGER IF EXISTS tasks_list_keys ON tasks",
        "CREATE TRIGGER tasks_list_keys AFTER UPDATE OF state, deadline ON tasks FOR EACH ROW"
        " WHEN (OLD.state IS DISTINCT FROM NEW.state OR OLD.deadline IS DISTINCT FROM NEW.deadline)"
        " EXECUTE FUNCTION task_list_keys()",
    ]
    for link in LINKS:
        sql += [
            f"DROP TRIGGER IF EXISTS {link}_list_keys ON {link}",
            f"CREATE TRIGGER {link}_list_keys BEFORE INSERT OR UPDATE OF task ON {link} FOR EACH ROW"
            " EXECUTE FUNCTION link_list_keys()",
        ]
    return sql + list(INDEXES)


def _sqlite() -> list[str]:
    sql: list[str] = []
    keys = (f"(SELECT {CLOSED.format(t='t')} FROM tasks t WHERE t.id = {{row}}.task),"
            f" (SELECT {NODL.format(t='t')} FROM tasks t WHERE t.id = {{row}}.task),"
            " (SELECT t.deadline FROM tasks t WHERE t.id = {row}.task)")
    for link in LINKS:
        sql += [
            f"ALTER TABLE {link} ADD COLUMN list_closed INTEGER NOT NULL DEFAULT 0",
            f"ALTER TABLE {link} ADD COLUMN list_nodl INTEGER NOT NULL DEFAULT 1",
            f"ALTER TABLE {link} ADD COLUMN list_deadline DATE",
            f"UPDATE {link} SET (list_closed, list_nodl, list_deadline) = ({keys.format(row=link)})",
            f"CREATE TRIGGER IF NOT EXISTS {link}_list_keys AFTER INSERT ON {link} BEGIN"
            f" UPDATE {link} SET (list_closed, list_nodl, list_deadline) = ({keys.format(row='NEW')})"
            " WHERE id = NEW.id; END",
        ]
    sql.append(
        "CREATE TRIGGER IF NOT EXISTS tasks_list_keys AFTER UPDATE OF state, deadline ON tasks"
        " WHEN OLD.state IS NOT NEW.state OR OLD.deadline IS NOT NEW.deadline BEGIN"
        + "".join(
            f" UPDATE {link} SET list_closed = {CLOSED.format(t='NEW')}, list_nodl = {NODL.format(t='NEW')},"
            f" list_deadline = NEW.deadline WHERE task = NEW.id;"
            for link in LINKS
        )
        + " END"
    )
    return sql + list(INDEXES)


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="tasks", description=DESCRIPTION)

    async def run() -> None:
        from server.tasks.tables import Task

        engine = Task._meta.db
        for statement in _sqlite() if isinstance(engine, SQLiteEngine) else _postgres():
            await engine.run_ddl(statement)

    manager.add_raw(run)
    return manager
