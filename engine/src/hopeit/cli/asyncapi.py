r"""``hopeit_asyncapi create | diff``: the AsyncAPI 3.0 document of the streams apps write and read.

Examples::

    hopeit_asyncapi create --config-files server.json,app.json --output-file api/asyncapi.json \
        --api-version 1.0 --title "My streams"
    hopeit_asyncapi diff --config-files server.json,app.json --input-file api/asyncapi.json

``diff`` exits 1 when the file and the apps differ (``info.version`` aside), so it can guard a CI
job. A running server with ``--api-auto`` or ``--api-file`` serves the same document at
``<api.docs_path>/asyncapi.json``.
"""

import json
import sys
from pathlib import Path
from typing import Any, Dict, List, Optional, Sequence, Tuple

import click
from hopeit.server import doc_differences
from hopeit.server.asyncapi import asyncapi_document
from hopeit.server.config_files import load_config_files, split_config_files

__all__ = ["asyncapi", "create", "diff", "document_differences"]


def _document(config_files: Tuple[str, ...], enabled_groups: Tuple[str, ...], **info: Optional[str]) -> Dict[str, Any]:
    files = split_config_files(config_files)
    if not files:
        raise click.UsageError("--config-files needs at least the server config file")
    try:
        server_config, apps = load_config_files(files)
        return asyncapi_document(server_config, apps, enabled_groups=split_config_files(enabled_groups), **info)
    except (ValueError, ImportError, OSError) as exc:
        raise click.ClickException(str(exc)) from None


def document_differences(expected: Dict[str, Any], actual: Dict[str, Any]) -> List[str]:
    """Where two documents differ: ``channels.<id>``, ``operations.<id>``, ``components.schemas.<name>``...

    ``info.version`` belongs to the file and is not compared.
    """
    return doc_differences.document_differences(expected, actual, {"channels": 1, "operations": 1, "components": 2})


_GROUPS_HELP = "Only events of these groups (and DEFAULT), as hopeit_server run --enabled-groups."


@click.group()
def asyncapi() -> None:
    """Create and compare AsyncAPI documents of the streams of hopeit.engine apps."""


@asyncapi.command()
@click.option("--config-files", multiple=True, required=True, help="Server config, then plugin and app configs.")
@click.option("--output-file", required=True, help="Document to write (JSON).")
@click.option("--api-version", default=None, help="Version of the document (info.version, default 1.0).")
@click.option("--title", default=None, help="Title of the document.")
@click.option("--description", default=None, help="Description of the document.")
@click.option("--enabled-groups", multiple=True, help=_GROUPS_HELP)
def create(config_files: Tuple[str, ...], output_file: str, api_version: Optional[str], title: Optional[str],
           description: Optional[str], enabled_groups: Tuple[str, ...]) -> None:
    """Write the AsyncAPI document of the apps' streams."""
    document = _document(config_files, enabled_groups, title=title, version=api_version, description=description)
    try:
        Path(output_file).write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")
    except OSError as exc:
        raise click.ClickException(f"Cannot write {output_file}: {exc}") from None
    click.echo(f"AsyncAPI document saved to {output_file}: {len(document['channels'])} channel(s), "
               f"{len(document['operations'])} operation(s)")


def _load(path: str) -> Dict[str, Any]:
    try:
        loaded = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise click.ClickException(f"Cannot load AsyncAPI document {path}: {exc}") from None
    if not isinstance(loaded, dict):
        raise click.ClickException(f"Cannot load AsyncAPI document {path}: not a JSON object")
    return loaded


def _info_of(document: Dict[str, Any]) -> Dict[str, Optional[str]]:
    info = document.get("info", {})
    return {key: info.get(key) if isinstance(info, dict) else None for key in ("title", "description")}


@asyncapi.command()
@click.option("--config-files", multiple=True, required=True, help="Server config, then plugin and app configs.")
@click.option("--input-file", required=True, help="Document to compare.")
@click.option("--enabled-groups", multiple=True, help=_GROUPS_HELP)
def diff(config_files: Tuple[str, ...], input_file: str, enabled_groups: Tuple[str, ...]) -> None:
    """Compare a document with the apps' streams; exits 1 when they differ."""
    expected = _load(input_file)
    actual = _document(config_files, enabled_groups, **_info_of(expected))
    differences: Sequence[str] = document_differences(expected, actual)
    if not differences:
        click.echo("OK: AsyncAPI document and apps match.")
        return
    values = doc_differences.value_differences(expected, actual)
    title = f"AsyncAPI document {input_file} differs from the apps at:"
    click.echo("\n".join(doc_differences.difference_report(title, list(differences), values)))
    click.echo("Run `hopeit_asyncapi create` to write it again.")
    sys.exit(1)


if __name__ == "__main__":  # pragma: no cover
    asyncapi()
