"""The production entry point: `gunicorn` or `flask --app wsgi run` load `app` from here."""
from forum import create_app
from forum.extensions import socketio

app = create_app()

if __name__ == "__main__":
    socketio.run(app, host="127.0.0.1", port=5000)
