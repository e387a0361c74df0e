"""The web shell around the deliberation core: create_app binds extensions, blueprints, errors, sockets."""
from __future__ import annotations

from pathlib import Path

from flask import Flask, send_from_directory
from werkzeug.middleware.proxy_fix import ProxyFix

from config import Config
from forum import inputs, ratelimit
from forum.extensions import csrf, db, login, migrate, socketio

ROOT = Path(__file__).resolve().parent.parent

# Browser libraries installed from the npm registry, served from node_modules by name.
VENDOR_FILES = {
    "socket.io.min.js": "socket.io-client/dist/socket.io.min.js",
    "axe.min.js": "axe-core/axe.min.js",
}


def create_app(config: Config | None = None) -> Flask:
    config = config or Config()
    app = Flask(__name__, template_folder=str(ROOT / "templates"), static_folder=str(ROOT / "static"),
                instance_path=str(ROOT / "instance"))
    app.config.from_mapping(config.as_mapping())
    if app.config["CONVENE_ENV"] == "production":
        from forum.readiness import secret_key
        check = secret_key(app.config.get("SECRET_KEY") or "")
        if not check.ok:
            raise RuntimeError(f"Refusing to start in production: {check.detail}")
    inputs.init_app(app)  # before any route is added: the id converter applies as rules compile
    if app.config["PROXY_HOPS"]:
        hops = app.config["PROXY_HOPS"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)  # type: ignore[method-assign]
    Path(app.instance_path).mkdir(exist_ok=True)

    from forum import models  # noqa: F401  (every table registered before migrations look)
    from forum import live  # noqa: F401  (handlers must be declared before socketio.init_app binds them)

    db.init_app(app)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"), render_as_batch=True)
    login.init_app(app)
    login.login_view = "auth.login"
    login.login_message = "Please log in to continue."
    csrf.init_app(app)
    ratelimit.init_app(app)
    socketio.init_app(app, message_queue=app.config["SOCKETIO_MESSAGE_QUEUE"],
                      async_mode=app.config["SOCKETIO_ASYNC_MODE"], manage_session=False,
                      cors_allowed_origins=app.config.get("SOCKETIO_CORS_ORIGINS", []) or None,
                      json=inputs.SocketJSON, max_http_buffer_size=4 * inputs.MAX_SOCKET_BYTES)

    @login.user_loader
    def load_user(user_id: str):
        from forum.models import User
        return db.session.get(User, int(user_id))

    @login.request_loader
    def load_user_from_token(request):
        # Only the API accepts tokens; pages always use the session.
        from forum.api import bearer_token
        from forum.services.accounts import user_by_token
        token = bearer_token() if request.path.startswith("/api/") else None
        return user_by_token(token) if token else None

    from forum import errors, filters
    from forum.api import bp as api_bp
    from forum.web import register as register_pages
    from forum.cli import register as register_cli

    errors.register(app)
    filters.register(app)
    register_pages(app)
    app.register_blueprint(api_bp)
    register_cli(app)

    @app.get("/vendor/<path:name>")
    def vendor(name: str):
        target = VENDOR_FILES.get(name)
        if target is None:
            return ("Not found", 404)
        path = Path(app.config["NODE_MODULES"]) / target
        return send_from_directory(path.parent, path.name, max_age=86400)

    @app.after_request
    def security_headers(response):
        response.headers.setdefault(
            "Content-Security-Policy",
            "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
            "connect-src 'self' ws: wss:; frame-ancestors 'none'; base-uri 'none'; object-src 'none'; form-action 'self'")
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        return response

    return app
