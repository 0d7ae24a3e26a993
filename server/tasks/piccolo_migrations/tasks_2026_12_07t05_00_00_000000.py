"""Each person's list version, kept by the database: `task_list_versions (person, version)` (decision 0004, "A
page kept while nothing in it changed").

An officer's list (the tasks assigned to them) is asked for all day and changes a few times a day. The app keeps
the page it sent under the person's version and sends it again while the version is the same, so the version must
move with every write that can change what the page shows, whoever writes: a trigger, not each writer.
- a link row of `task_assignees` added, removed, or moved to another person or task: that person (both persons);
- a task's listed column changing (title, state, priority, deadline, lead unit, parent, directive, source,
  progress, version, updated_at, and the folded text the search reads), or the task deleted: each person
  currently assigned to it;
- a unit renamed, moved (its path: the list's unit filter reads it) or deleted (the list shows the lead unit's
  name): everyone, through the row of person 0.
A reader adds person 0's version to their own; both only grow, so the sum changes whenever either does.

The table is the database's bookkeeping, like an index, so it is not a Piccolo table: moving a commune into
PostgreSQL (server/backup/move.py) copies the tasks, and these triggers fill it there. Runs forwards on both
engines (PostgreSQL: plpgsql triggers; SQLite: its own triggers).
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine.sqlite import SQLiteEngine

ID = "2026-12-07T05:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "each person's task list version, kept by triggers"

# What an item shows, and what the list's filters read (the folded text `q` searches).
LISTED = ("title", "state", "priority", "deadline", "lead_unit", "parent", "directive", "source", "progress_percent",
          "version", "updated_at", "search_text")
TABLE = "CREATE TABLE IF NOT EXISTS task_list_versions (person INTEGER PRIMARY KEY, version BIGINT NOT NULL)"


def _changed(distinct: str) -> str:
    return " OR ".join(f"OLD.{column} {distinct} NEW.{column}" for column in LISTED)


def _bump_task(row: str, versions: str = "task_list_versions.version") -> str:
    """Each person currently assigned to the task `row`.id, one version up (in person order: two writers lock the
    same rows in the same order)."""
    return (f"INSERT INTO task_list_versions (person, version) SELECT DISTINCT ta.person, 1 FROM task_assignees ta"
            f" WHERE ta.task = {row}.id AND ta.removed_at IS NULL ORDER BY ta.person"
            f" ON CONFLICT (person) DO UPDATE SET version = {versions} + 1;")


def _bump(person: str, versions: str = "task_list_versions.version") -> str:
    return (f"INSERT INTO task_list_versions (person, version) VALUES ({person}, 1)"
            f" ON CONFLICT (person) DO UPDATE SET version = {versions} + 1;")


def _postgres() -> list[str]:
    return [
        TABLE,
        "CREATE OR REPLACE FUNCTION task_list_version_of_task() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
        "IF TG_OP = 'DELETE' THEN " + _bump_task("OLD") + " RETURN OLD; END IF; "
        + _bump_task("NEW") + " RETURN NULL; END $$",
        "CREATE OR REPLACE FUNCTION task_list_version_of_link() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
        "IF TG_OP <> 'INSERT' THEN " + _bump("OLD.person") + " END IF; "
        "IF TG_OP = 'INSERT' OR (TG_OP = 'UPDATE' AND NEW.person IS DISTINCT FROM OLD.person) THEN "
        + _bump("NEW.person") + " END IF; RETURN NULL; END $$",
        "CREATE OR REPLACE FUNCTION task_list_version_of_everyone() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
        + _bump("0") + " RETURN NULL; END $$",
        "DROP TRIGGER IF EXISTS tasks_list_version ON tasks",
        f"CREATE TRIGGER tasks_list_version AFTER UPDATE ON tasks FOR EACH ROW WHEN ({_changed('IS DISTINCT FROM')})"
        " EXECUTE FUNCTION task_list_version_of_task()",
        # Before the delete: afterwards the cascade has already taken the task's link rows away.
        "DROP TRIGGER IF EXISTS tasks_list_version_gone ON tasks",
        "CREATE TRIGGER tasks_list_version_gone BEFORE DELETE ON tasks FOR EACH ROW"
        " EXECUTE FUNCTION task_list_version_of_task()",
        "DROP TRIGGER IF EXISTS task_assignees_list_version ON task_assignees",
        "CREATE TRIGGER task_assignees_list_version AFTER INSERT OR DELETE OR UPDATE OF person, task, removed_at"
        " ON task_assignees FOR EACH ROW EXECUTE FUNCTION task_list_version_of_link()",
        "DROP TRIGGER IF EXISTS units_list_version ON units",
        "CREATE TRIGGER units_list_version AFTER UPDATE OF name, path ON units FOR EACH ROW"
        " WHEN (OLD.name IS DISTINCT FROM NEW.name OR OLD.path IS DISTINCT FROM NEW.path)"
        " EXECUTE FUNCTION task_list_version_of_everyone()",
        "DROP TRIGGER IF EXISTS units_list_version_gone ON units",
        "CREATE TRIGGER units_list_version_gone AFTER DELETE ON units FOR EACH ROW"
        " EXECUTE FUNCTION task_list_version_of_everyone()",
    ]


def _sqlite() -> list[str]:
    # SQLite's upsert names the existing row by the bare column (no table name in DO UPDATE's SET).
    return [
        TABLE,
        f"CREATE TRIGGER IF NOT EXISTS tasks_list_version AFTER UPDATE ON tasks WHEN {_changed('IS NOT')}"
        f" BEGIN {_bump_task('NEW', 'version')} END",
        f"CREATE TRIGGER IF NOT EXISTS tasks_list_version_gone BEFORE DELETE ON tasks"
        f" BEGIN {_bump_task('OLD', 'version')} END",
        f"CREATE TRIGGER IF NOT EXISTS task_assignees_list_version_new AFTER INSERT ON task_assignees"
        f" BEGIN {_bump('NEW.person', 'version')} END",
        f"CREATE TRIGGER IF NOT EXISTS task_assignees_list_version_gone AFTER DELETE ON task_assignees"
        f" BEGIN {_bump('OLD.person', 'version')} END",
        f"CREATE TRIGGER IF NOT EXISTS task_assignees_list_version_moved AFTER UPDATE OF person, task, removed_at"
        f" ON task_assignees BEGIN {_bump('OLD.person', 'version')} {_bump('NEW.person', 'version')} END",
        f"CREATE TRIGGER IF NOT EXISTS units_list_version_renamed AFTER UPDATE OF name, path ON units"
        f" WHEN OLD.name IS NOT NEW.name OR OLD.path IS NOT NEW.path BEGIN {_bump('0', 'version')} END",
        f"CREATE TRIGGER IF NOT EXISTS units_list_version_gone AFTER DELETE ON units BEGIN {_bump('0', 'version')} END",
    ]


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="tasks", description=DESCRIPTION)

    async def run() -> None:
        from server.tasks.tables import Task

        engine = Task._meta.db
        for statement in _sqlite() if isinstance(engine, SQLiteEngine) else _postgres():
            await engine.run_ddl(statement)

    manager.add_raw(run)
    return manager
