"""MedStock's REST API and live dashboard, one FastAPI app."""
