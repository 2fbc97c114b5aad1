"""The ``goodstanding`` command: serve, migrate, worker, demo, and each domain's operator tools."""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path
from typing import Annotated

import typer

from goodstanding import __version__
from goodstanding.cases.cli import app as audit_app
from goodstanding.config import Settings
from goodstanding.detectors.cli import models_app, screen_app
from goodstanding.events.cli import app as events_app
from goodstanding.integrations.cli import app as apikeys_app
from goodstanding.kit.cli import fail, settings_or_exit
from goodstanding.kit.logging import configure_logging
from goodstanding.metrics.cli import app as metrics_app
from goodstanding.policy.cli import app as policy_app
from goodstanding.recovery.cli import app as documents_app

app = typer.Typer(
    name="goodstanding",
    help="Account access, recovery and seller good standing for online marketplaces.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"goodstanding {__version__}")
        raise typer.Exit()


app.add_typer(apikeys_app, name="apikeys")
app.add_typer(policy_app, name="policy")
app.add_typer(documents_app, name="documents")
app.add_typer(events_app, name="events")
app.add_typer(metrics_app, name="metrics")
app.add_typer(audit_app, name="audit")
app.add_typer(screen_app, name="screen")
app.add_typer(models_app, name="models")


@app.callback()
def root(
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version, is_eager=True, help="Print the version."),
    ] = False,
) -> None:
    """Account access, recovery and seller good standing for online marketplaces."""


@app.command()
def migrate() -> None:
    """Bring the database schema up to date (safe to run again: it does nothing when current)."""
    from goodstanding.migrations import upgrade_to_head

    settings = settings_or_exit()
    try:
        upgrade_to_head(settings.sqlalchemy_url)
    except Exception as error:  # a driver error must reach the operator as one line
        fail(f"cannot migrate {settings.database_url}: {type(error).__name__}: {error}")
    typer.echo("database schema is current")


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    workers: Annotated[int, typer.Option(help="Server processes (uvicorn workers).")] = 1,
    with_worker: Annotated[
        bool, typer.Option(help="Also run a background-job worker thread in this process.")
    ] = True,
) -> None:
    """Serve the web pages, the console and the JSON API (uvicorn)."""
    settings = settings_or_exit()
    run_server(settings, host=host, port=port, workers=workers, with_worker=with_worker)


def run_server(
    settings: Settings, *, host: str, port: int, workers: int, with_worker: bool
) -> None:
    import uvicorn

    from goodstanding.kit.db import Database

    database = Database(settings.sqlalchemy_url)
    try:
        with database.engine.connect():
            pass
    except Exception as error:
        fail(f"cannot reach the database {settings.database_url}: {type(error).__name__}")
    finally:
        database.dispose()
    consumer = _start_worker_thread(settings) if with_worker else None
    try:
        uvicorn.run(
            "goodstanding.app:create_app",
            factory=True,
            host=host,
            port=port,
            workers=workers,
            log_level=settings.log_level,
            access_log=False,
        )
    finally:
        if consumer is not None:
            consumer.stop(graceful=True)


def _start_worker_thread(settings: Settings):  # type: ignore[no-untyped-def]
    from goodstanding.kit.db import Database
    from goodstanding.kit.jobs import configure_jobs, huey
    from goodstanding.tasks import load_all_tasks

    load_all_tasks()
    configure_jobs(settings, Database(settings.sqlalchemy_url))
    if huey.immediate:
        return None
    consumer = huey.create_consumer(workers=2, worker_type="thread", periodic=True)
    consumer.start()
    return consumer


@app.command()
def worker(
    threads: Annotated[int, typer.Option(help="Worker threads.")] = 2,
) -> None:
    """Run the background-job worker alone (e-mails, texts, webhooks, scheduled checks)."""
    from goodstanding.kit.db import Database
    from goodstanding.kit.jobs import configure_jobs, huey
    from goodstanding.tasks import load_all_tasks

    settings = settings_or_exit()
    configure_logging(json_format=settings.log_format == "json", level=settings.log_level)
    load_all_tasks()
    configure_jobs(settings, Database(settings.sqlalchemy_url))
    huey.create_consumer(workers=threads, worker_type="thread", periodic=True).run()


@app.command()
def demo(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    directory: Annotated[
        Path, typer.Option(help="Where the demo keeps its database, mailbox and jobs.")
    ] = Path(".demo"),
    seed: Annotated[int, typer.Option(help="Seed of the demo marketplace.")] = 7,
) -> None:
    """Start a demo marketplace on a fresh SQLite database, with a mailbox for its e-mails."""
    from goodstanding.demo.loader import load_demo
    from goodstanding.kit.db import Database
    from goodstanding.kit.jobs import configure_jobs
    from goodstanding.migrations import upgrade_to_head
    from goodstanding.notify.devmail import start_smtp_sink
    from goodstanding.tasks import load_all_tasks

    if directory.exists():
        shutil.rmtree(directory)
    directory.mkdir(parents=True)
    demo_env = {
        "GOODSTANDING_ENVIRONMENT": "demo",
        "GOODSTANDING_DATABASE_URL": f"sqlite:///{(directory / 'goodstanding.db').resolve()}",
        "GOODSTANDING_JOB_SQLITE_PATH": str((directory / "jobs.db").resolve()),
        "GOODSTANDING_DEMO_MAILBOX_DIR": str((directory / "mailbox").resolve()),
        "GOODSTANDING_SMS_SINK_PATH": str((directory / "sms.jsonl").resolve()),
        "GOODSTANDING_SMTP_HOST": "127.0.0.1",
        "GOODSTANDING_SMTP_PORT": os.environ.get("GOODSTANDING_SMTP_PORT", "8025"),
        "GOODSTANDING_BASE_URL": f"http://{host}:{port}",
    }
    os.environ.update(demo_env)
    settings = settings_or_exit()
    upgrade_to_head(settings.sqlalchemy_url)
    database = Database(settings.sqlalchemy_url)
    load_all_tasks()
    configure_jobs(settings, database)
    with database.transaction() as db:
        sign_ins = load_demo(db, seed=seed)
    database.dispose()
    sink = start_smtp_sink(
        Path(settings.demo_mailbox_dir), host="127.0.0.1", port=settings.smtp_port
    )
    typer.echo(f"goodstanding demo: open http://{host}:{port}/")
    typer.echo(f"demo mailbox (e-mails and texts): http://{host}:{port}/dev/mail")
    typer.echo("demo sign-ins (e-mail / password):")
    for line in sign_ins:
        typer.echo(f"  {line}")
    sys.stdout.flush()
    try:
        run_server(settings, host=host, port=port, workers=1, with_worker=True)
    finally:
        sink.stop()


def main() -> None:
    app()
