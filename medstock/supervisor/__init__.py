"""The supervisor's mirror of Prefect runs in the app's own tables."""
