"""An app using the plugin by name, run through the hopeit.engine test kit."""

import json
from datetime import datetime, timezone
from pathlib import Path

import notes_app
from acme_kvstore import SqliteStorage
from hopeit.app.config import AppConfig
from hopeit.testing.apps import config, execute_event
from notes_app import Note

CONFIG = Path(__file__).parent / "notes_app" / "config.json"


def notes_config(tmp_path: Path) -> AppConfig:
    data = json.loads(CONFIG.read_text())
    data["env"]["data"]["path"] = str(tmp_path)
    path = tmp_path / "config.json"
    path.write_text(json.dumps(data))
    return config(path)


async def test_app_stores_through_the_plugin(tmp_path: Path) -> None:
    app_config = notes_config(tmp_path)
    try:
        first = Note(id="n1", text="hi", created=datetime(2024, 3, 5, 10, tzinfo=timezone.utc))
        where = await execute_event(app_config, "save_note", first)
        assert where == "2024/03/n1"
        second = Note(id="n2", text="yo", created=datetime(2024, 4, 1, tzinfo=timezone.utc))
        await execute_event(app_config, "save_note", second)
        notes = await execute_event(app_config, "list_notes", None)
        assert [note.id for note in notes] == ["n1", "n2"]
        assert isinstance(notes_app.notes_storage_instance(app_config.app_key()), SqliteStorage)
        assert (tmp_path / "notes.db").is_file()
    finally:
        await notes_app.close_storages()
