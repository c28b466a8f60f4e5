"""What every engine process needs from the machine: atomic file writes (`atomic`), tunedeck's
own folders outside a run (`places`), how a process ends without the interpreter's teardown
(`leave`) and how hard it may use the machine (`priority`). The lowest layer: it imports
nothing of the engine."""
