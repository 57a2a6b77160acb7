"""Planning over a half-year: scenarios (``matcher.scenario/1``), their week-by-week replay with a placement
policy (``matcher.simulation/1``), and the hindsight yardstick.

    from matcher.simulation import load_scenario, simulate, generate_scenario

    scenario = load_scenario(generate_scenario("u16-halfyear", seed=1))
    result = simulate(scenario, "weekly", trace_dir=Path("trace"))
    result.figures.persons_housed
"""

from matcher.simulation.generate import SCENARIO_PRESETS, generate_scenario
from matcher.simulation.policies import POLICY_NAMES
from matcher.simulation.replay import PolicyFailed, simulate
from matcher.simulation.result import Figures, SimulationResult, WeekOutcome, WeekRecord
from matcher.simulation.scenario import Scenario, load_scenario

__all__ = ["POLICY_NAMES", "SCENARIO_PRESETS", "Figures", "PolicyFailed", "Scenario", "SimulationResult",
           "WeekOutcome", "WeekRecord", "generate_scenario", "load_scenario", "simulate"]
