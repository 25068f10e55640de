"""The task: what a run is asked, below the pipeline that runs its scripts.

A task is a signature (typed inputs, one typed output: `signature.py`), the
inputs' values (`inputs.py`: read from flags, files or Python and bound to
their declared types) and what counts as its answer (`answers.py`: a
submitted value converted to the output type, and when two answers are the
same vote). The pipeline, the controller, `rlm exec`, the audit and the
batch runner all read these; none of them is owned by the controller.
"""
