"""The flow view: one row per order across SoPost, the harness and Poplar, updated live.

It reads the three services over HTTP only (their control APIs and the harness's ``/events``),
so no mock learns about another and it works against any running ``mockkit serve``.
"""
