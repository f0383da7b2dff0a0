"""What every `treaty` command shares: expected errors as one `Error:` line (exit 1), and the
Container for the settings plus the command's overrides. Kept apart from cli.py so commands
that live beside their feature (eval, tune, serve) import it without importing cli.py."""
from __future__ import annotations

import functools
import sys

import click

from .config import load_settings
from .errors import EXPECTED_ERRORS


def expected_errors(fn):
    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except EXPECTED_ERRORS as exc:
            click.echo(f"Error: {exc}", err=True)
            sys.exit(1)
        except KeyboardInterrupt:
            click.echo("Interrupted: the previous index is unchanged; run the command again to finish.", err=True)
            sys.exit(130)

    return wrapper


def make_container(**overrides):
    from .wiring import Container

    return Container(load_settings(**overrides))
