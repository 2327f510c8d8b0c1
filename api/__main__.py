"""`python -m api`: serve the API and dashboard, as `medstock api` does."""

import logging
import sys

from api.server import serve_api
from medstock.errors import MedStockError

if __name__ == "__main__":
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    try:
        serve_api()
    except MedStockError as exc:
        logging.getLogger("api").error("%s", exc)
        sys.exit(2)
