"""The Flask web app: an application factory with one blueprint per audience."""
from __future__ import annotations

import os
from pathlib import Path

from flask import Flask

from grader.config import data_dir


def create_app(test_config: dict | None = None) -> Flask:
    """Build the app. Configuration: defaults, then ``GRADER_*`` environment variables, then ``test_config``."""
    app = Flask(__name__, instance_path=str(data_dir()), instance_relative_config=True)
    app.config.from_mapping(
        SECRET_KEY=os.environ.get("GRADER_SECRET_KEY", "dev-only-change-me"),
        DATA_DIR=Path(app.instance_path),
        MAX_CONTENT_LENGTH=int(os.environ.get("GRADER_MAX_UPLOAD_MB", "25")) * 1024 * 1024,
    )
    if test_config:
        app.config.update(test_config)
    Path(app.config["DATA_DIR"]).mkdir(parents=True, exist_ok=True)

    from grader.web import forms
    app.register_blueprint(forms.bp)
    return app
