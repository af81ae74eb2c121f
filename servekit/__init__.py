"""How every mockkit server is served: a Flask app behind granian's RSGI interface, each
request's body read (bounded in size and time) before a thread or the event loop runs the app.

The mocks, the harness and the flow view all use it, and the harness may import nothing of
the mocks, so it lives in a package of its own: ``settings`` (what every server shares),
``rsgi_bridge`` (standard library only), ``launch`` (granian run with those settings),
``json_provider`` (Flask's JSON answers written by orjson) and ``flask_app`` (the Flask app
the mocks and the harness serve, with that provider).
"""
