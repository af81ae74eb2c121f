"""Broken on purpose: adds a field Poplar's OrderRequest does not have. That Poplar refuses
unknown fields is only assumed, so by default verify lists it as a warning; `--strict` fails it.

Caught by verify's `poplar-valid` with `--strict`."""

from _naive import run

if __name__ == "__main__":
    run(extra_field=True)
