"""Engineering calculators: savings computed from what the consultant measures.

One module per physics topic, each a set of pure vectorised functions on floats in SI units
(m, Pa, K, kg/s, W, J/kg) that return arrays; :mod:`recp.calc` turns a scenario's
``calc: {method: ..., ...}`` into these arguments and their results into flow changes.

- :mod:`~recp.models.calculators.steam`: steam leaks and failed traps (Napier's equation),
  condensate return, blowdown heat recovery; water and steam properties from IAPWS-IF97
  (CoolProp's ``IF97`` backend);
- :mod:`~recp.models.calculators.compressed_air`: leaks through orifices (choked flow);
- :mod:`~recp.models.calculators.insulation`: bare and insulated pipes and surfaces;
- :mod:`~recp.models.calculators.flue_gas`: flue-gas loss (Siegert), boiler tuning,
  economisers;
- :mod:`~recp.models.calculators.motors`: motor upgrades, variable speed drives;
- :mod:`~recp.models.calculators.lighting`: lighting retrofits and controls.
"""
