"""Broken on purpose: adds a field Poplar's OrderRequest does not have.

Caught by verify's `poplar-valid`."""

from _naive import run

if __name__ == "__main__":
    run(extra_field=True)
