r"""``hopeit_openapi create | diff | update``: keep an OpenAPI spec file in step with the apps.

Examples::

    hopeit_openapi create --api-version 1.0 --title "My API" --description "Things" \
        --config-files server.json,app.json --output-file api/openapi.json
    hopeit_openapi diff --config-files server.json,app.json --input-file api/openapi.json
    hopeit_openapi update --api-version 1.1 --config-files server.json,app.json --input-file api/openapi.json

``diff`` exits 1 when the file and the apps differ, so it can guard a CI job.
"""

import sys
from typing import List, Optional, Tuple

import click
from hopeit.server.config_files import load_config_files, split_config_files
from hopeit.server.doc_differences import difference_report
from hopeit.web import openapi as api

__all__ = ["create", "diff", "openapi", "update"]


def _register(config_files: Tuple[str, ...], generate: bool) -> None:
    files = split_config_files(config_files)
    if not files:
        raise click.UsageError("--config-files needs at least the server config file")
    server_config, apps = load_config_files(files)
    api.setup(generate_mode=generate)
    api.register_server_config(server_config)
    api.register_apps(apps)


def _check(generate: bool) -> None:
    from hopeit.web.swagger import validate_spec

    problems: List[str] = validate_spec(api.spec or {})
    if problems and not generate:
        click.echo(f"Warning: the spec is not valid OpenAPI 3.0: {problems[0]}", err=True)


@click.group()
def openapi() -> None:
    """Create, compare and update OpenAPI spec files of hopeit.engine apps."""


@openapi.command()
@click.option("--api-version", prompt=True, help="Version of the API (info.version).")
@click.option("--title", prompt=True, help="Title of the API.")
@click.option("--description", prompt=True, help="Description of the API.")
@click.option("--config-files", multiple=True, required=True, help="Server config, then plugin and app configs.")
@click.option("--output-file", required=True, help="Spec file to write.")
@click.option("--generate", is_flag=True, default=False, help="Add placeholders for undocumented events.")
def create(api_version: str, title: str, description: str, config_files: Tuple[str, ...], output_file: str,
           generate: bool) -> None:
    """Write a new spec built from the apps."""
    try:
        api.clear()
        api.init_empty_spec(api_version, title, description)
        _register(config_files, generate)
        _check(generate)
        api.save_api_file(output_file, api_version)
    except (ValueError, ImportError, OSError, api.APIError) as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"API spec saved to {output_file}")


@openapi.command()
@click.option("--config-files", multiple=True, required=True, help="Server config, then plugin and app configs.")
@click.option("--input-file", required=True, help="Spec file to compare.")
@click.option("--generate", is_flag=True, default=False, help="Add placeholders for undocumented events.")
def diff(config_files: Tuple[str, ...], input_file: str, generate: bool) -> None:
    """Compare a spec file with the apps; exits 1 when they differ."""
    try:
        api.clear()
        api.load_api_file(input_file)
        _register(config_files, generate)
    except (ValueError, ImportError, OSError, api.APIError) as exc:
        raise click.ClickException(str(exc)) from None
    differences = api.file_differences()
    if not differences:
        click.echo("OK: API spec and running configuration match.")
        return
    title = f"API spec {input_file} differs from the apps at:"
    click.echo("\n".join(difference_report(title, differences, api.file_value_differences())))
    click.echo("Run `hopeit_openapi update` with a new --api-version to refresh it.")
    sys.exit(1)


@openapi.command()
@click.option("--api-version", default=None, help="New version of the API (required when the spec changed).")
@click.option("--config-files", multiple=True, required=True, help="Server config, then plugin and app configs.")
@click.option("--input-file", required=True, help="Spec file to update.")
@click.option("--output-file", default=None, help="Where to write (default: the input file).")
@click.option("--generate", is_flag=True, default=False, help="Add placeholders for undocumented events.")
def update(api_version: Optional[str], config_files: Tuple[str, ...], input_file: str, output_file: Optional[str],
           generate: bool) -> None:
    """Recompute a spec file from the apps, keeping what the apps do not define."""
    try:
        api.clear()
        api.load_api_file(input_file)
        assert api.spec is not None
        version = api_version or str(api.spec.get("info", {}).get("version", "1.0"))
        _register(config_files, generate)
        _check(generate)
        api.save_api_file(output_file or input_file, version)
    except (ValueError, ImportError, OSError, api.APIError) as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"API spec saved to {output_file or input_file}")


if __name__ == "__main__":  # pragma: no cover
    openapi()
