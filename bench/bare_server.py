"""The bare stack for broadcast_bench.py: python-socketio alone, no Flask, no database.

`join` enters one room; `vote` broadcasts the payload it carries (the app's real tally_changed
payload) to that room with a fresh seq and acknowledges with the seq. Run as
`python bench/bare_server.py PORT MODE` (MODE: gevent or threading).
"""
import sys

port, mode = int(sys.argv[1]), sys.argv[2]
if mode == "gevent":
    from gevent import monkey

    monkey.patch_all()

import itertools  # noqa: E402

import socketio  # noqa: E402

sio = socketio.Server(async_mode=mode, cors_allowed_origins=None)
app = socketio.WSGIApp(sio)
counter = itertools.count(1)


@sio.on("join", namespace="/sessions")
def join(sid, data):
    sio.enter_room(sid, "room", namespace="/sessions")
    return {"ok": True}


@sio.on("vote", namespace="/sessions")
def vote(sid, data):
    seq = next(counter)
    sio.emit("tally_changed", {**data, "seq": seq}, to="room", namespace="/sessions")
    return {"ok": True, "seq": seq}


if __name__ == "__main__":
    if mode == "gevent":
        from gevent import pywsgi
        from geventwebsocket.handler import WebSocketHandler

        pywsgi.WSGIServer(("127.0.0.1", port), app, handler_class=WebSocketHandler, log=None).serve_forever()
    else:
        from werkzeug.serving import run_simple

        run_simple("127.0.0.1", port, app, threaded=True)
