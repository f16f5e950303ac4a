"""The models layer: pure, vectorised functions, one module per modelling topic.

Arrays (or scalars) in, arrays out, in canonical units given in brackets in each docstring;
no pint, no scenario objects, no factor look-ups. Each function names the equation it
implements and its source (IPCC volume, chapter, equation or table) under References.
:mod:`recp.engine` composes them; no domain formula lives anywhere else.
"""
