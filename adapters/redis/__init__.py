"""Redis adapters: the multi-process / multi-machine stores."""
