"""The production entry point: `python wsgi.py` serves Convene with Socket.IO (bin/run does this);
`flask --app wsgi ...` loads `app` from here for the command-line tools.

Served this way the async mode is gevent (SOCKETIO_ASYNC_MODE, see BENCHMARKS.md for why): the
standard library is patched before anything else is imported, so the database driver, Redis and
the sockets all yield to each other.
"""
import os

if __name__ == "__main__" and os.environ.setdefault("SOCKETIO_ASYNC_MODE", "gevent") == "gevent":
    from gevent import monkey

    monkey.patch_all()

from forum import create_app  # noqa: E402
from forum.extensions import socketio  # noqa: E402

app = create_app()

if __name__ == "__main__":
    socketio.run(app, host=os.environ.get("HOST", "127.0.0.1"), port=int(os.environ.get("PORT", "5000")),
                 log_output=os.environ.get("CONVENE_ACCESS_LOG", "1") == "1",
                 allow_unsafe_werkzeug=True)  # only used when SOCKETIO_ASYNC_MODE=threading
