"""The run: read the inputs, index the mesh, run the rules (in processes when it pays), locate
and suppress findings. Sits above the rule API (:mod:`meshlint.engine`) and suppression."""
