"""Preparing the app database: schema and sample data."""

import logging

from medstock.catalogue import load_sample
from medstock.db import create_schema, get_engine, session_scope
from models import utcnow

logger = logging.getLogger(__name__)


def init_database(*, sample: bool) -> int:
    """Create the schema and, if asked, add the sample catalogue; return new count."""
    engine = get_engine()
    create_schema(engine)
    logger.info("schema ready at %s", engine.url.render_as_string(hide_password=True))
    if not sample:
        return 0
    with session_scope(writer=True) as session:
        return load_sample(session, now=utcnow())
