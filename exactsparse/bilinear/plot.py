"""Pictures of the pitfall (matplotlib, the optional extra ``exactsparse[plot]``).

:func:`plot_cost_gap` draws the ratio trivial/planted cost of :func:`cost_gap_grid` as the
sparsity and the filter length vary; :func:`plot_trajectory` draws the objective of one
:func:`deconv_descent` run against the planted, trivial and global costs.
"""

from __future__ import annotations

from ..exceptions import ExactTypeError, MissingExtraError, show

__all__ = ["MissingExtraError", "plot_cost_gap", "plot_trajectory"]


def _pyplot():
    try:
        import matplotlib.pyplot as plt
    except ImportError:
        raise MissingExtraError("Plotting needs matplotlib: install the extra with "
                                "pip install 'exactsparse[plot]' (or pip install "
                                "matplotlib).") from None
    return plt


def plot_cost_gap(grid, ax=None):
    """Heat map of mean trivial / mean planted cost over (sparsity, filter length); a ratio
    below 1 means the trivial pair is cheaper.  Returns the axes."""
    from .numeric import CostGapGrid
    if not isinstance(grid, CostGapGrid):
        raise ExactTypeError(f"Argument 'grid' must be a CostGapGrid (from cost_gap_grid), "
                             f"not {show(grid)}.")
    plt = _pyplot()
    if ax is None:
        ax = plt.figure(figsize=(5, 4)).add_subplot()
    ratio = grid.trivial / grid.planted
    im = ax.imshow(ratio, origin="lower", cmap="viridis", vmin=0, vmax=1)
    ax.set_xticks(range(len(grid.filter_lengths)), [str(m) for m in grid.filter_lengths])
    ax.set_yticks(range(len(grid.sparsities)), [str(k) for k in grid.sparsities])
    ax.set_xlabel("filter length m")
    ax.set_ylabel("number of spikes k")
    ax.set_title(f"trivial / planted cost (ℓ1, ℓ2-normalised, n = {grid.length})")
    for i in range(ratio.shape[0]):
        for j in range(ratio.shape[1]):
            ax.text(j, i, f"{ratio[i, j]:.2f}", ha="center", va="center", color="w",
                    fontsize=8)
    ax.figure.colorbar(im, ax=ax)
    return ax


def plot_trajectory(traj, ax=None, label=None):
    """The objective of a :class:`DeconvTrajectory` per iteration, with the best planted-ray,
    trivial-ray and global costs as horizontal lines.  Returns the axes."""
    from .numeric import DeconvTrajectory
    if not isinstance(traj, DeconvTrajectory):
        raise ExactTypeError(f"Argument 'traj' must be a DeconvTrajectory (from "
                             f"deconv_descent), not {show(traj)}.")
    plt = _pyplot()
    if ax is None:
        ax = plt.figure(figsize=(6, 4)).add_subplot()
    ax.plot(traj.objective, label=label or "iterate")
    ax.axhline(traj.planted_cost, color="C1", ls="--", label="planted (best on its ray)")
    ax.axhline(traj.trivial_cost, color="C2", ls=":", label="trivial (best on its ray)")
    ax.set_xscale("symlog")
    ax.set_yscale("log")
    ax.set_xlabel("iteration")
    ax.set_ylabel("½‖y − x∗h‖² + λ‖x‖₁")
    ax.legend()
    return ax
