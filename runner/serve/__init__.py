"""``rewardbox serve``: the sandboxed graders behind HTTP (``app.py``), their admission and metrics (``service.py``), the config (``config.py``)."""
