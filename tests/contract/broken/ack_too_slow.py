"""Broken on purpose: answers webhooks only after SoPost's 10 s delivery timeout.

Caught by verify's `ack-timeout`."""

from _naive import run

if __name__ == "__main__":
    run(ack_delay=10.5)
