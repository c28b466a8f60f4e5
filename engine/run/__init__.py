"""The run contract: what a search writes and what everything else reads.

Events flow up (`events`, appended to the `journal`, replayed into `results`); requests flow
down (`rundir`'s control files, `commands`' engine command lines). Nothing here imports numpy,
a backend or the console.
"""
