"""What every engine process needs from the machine: atomic file writes (`atomic`), tunedeck's
own folders outside a run (`places`) and how a process ends without the interpreter's teardown
(`leave`). The lowest layer: it imports nothing of the engine."""
