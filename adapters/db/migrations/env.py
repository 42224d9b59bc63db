"""Alembic environment: run with the connection or URL that ``adapters.db.migrate`` hands over."""

from alembic import context

from adapters.db.schema import metadata

config = context.config


def run() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _migrate(connection)
        return
    from adapters.db.engine import make_engine
    url = config.get_main_option("sqlalchemy.url")
    if not url:
        raise RuntimeError("no database: alembic.ini names no sqlalchemy.url and no connection was handed in")
    engine = make_engine(url)
    with engine.connect() as conn:
        _migrate(conn)
    engine.dispose()


def _migrate(connection) -> None:  # noqa: ANN001
    context.configure(connection=connection, target_metadata=metadata, render_as_batch=True,
                      compare_type=True)
    with context.begin_transaction():
        context.run_migrations()


run()
