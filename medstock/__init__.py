"""MedStock: medical-supplies inventory agents on Prefect."""
