"""Where the nodes of a drawing go: seeded force-directed positions, computed once in Python.

The HTML views (:mod:`kgraph.explorer`) and the GEXF file draw the same picture:
:func:`layout` places the drawn nodes (ForceAtlas2 in LinLog mode, started from the
communities' places), :func:`spread_apart` pushes apart nodes that would overlap, and
:func:`place_near_neighbours` puts the nodes a view leaves out next to their drawn
neighbours (for the GEXF). The same graph and seed give the same positions.

Why not ``networkx.forceatlas2_layout`` (networkx >= 3.4): it holds dense n x n arrays
(distances, adjacency), so a step costs O(n^2) time and memory. In place of the loop here
(:func:`_forceatlas2`) it drew pictures as clear, but the three 2,000-node views of 2,592
abstracts took 37 s of CPU instead of 1 s, and a 20,000-node view would need about 10 GB
per step. Here repulsion above 500 nodes is computed on a grid by FFT.

Examples
--------
>>> import networkx as nx
>>> pos = layout(nx.path_graph(4), seed=1)
>>> sorted(pos)
[0, 1, 2, 3]
"""
from __future__ import annotations

import math
from typing import Any

import networkx as nx
import numpy as np
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

# Components up to this size are laid out together in one batch (repulsion only inside a
# component); larger ones one by one, with repulsion on a grid above _EXACT_LIMIT nodes.
_SMALL_COMPONENT = 60
_EXACT_LIMIT = 500


def layout(graph: nx.Graph, seed: int = 42, weight: str | None = "weight", scale: float = 45.0,
           community: dict | None = None) -> dict:
    """Seeded force-directed positions (ForceAtlas2 style) for every node of ``graph``.

    ForceAtlas2 in LinLog mode (degree-weighted repulsion, logarithmic attraction
    along edges, gravity, FA2's adaptive speed), vectorised with numpy. Above 500
    nodes the repulsion is computed on a grid of 64 x 64 to 256 x 256 cells (mass
    spread on the cells and convolved with the 1/distance force by FFT), plus the
    exact repulsion of each node's 16 nearest nodes closer than half a cell, so a
    step costs O(n): 20,000 nodes take 2-3 s. With ``community``, the communities
    are first laid out as single weighted nodes and each node starts at its
    community's place, so a few dozen steps settle the drawing and communities
    come out as separate regions. Each
    connected component is laid out on its own and the drawings are packed in rows,
    largest first; nodes without edges go in one grid at the end. The result is
    scaled so the drawing covers about ``scale * sqrt(n)`` units across.

    Parameters
    ----------
    graph : networkx.Graph
    seed : int
        Seed of the initial positions; the same graph and seed give the same layout.
    weight : str or None
        Edge attribute used as attraction weight (missing or non-positive -> 1).
    scale : float
        Spacing unit (about pixels at zoom 1).
    community : dict, optional
        node -> community id (negative: none).

    Returns
    -------
    dict
        node -> (x, y) floats.

    Examples
    --------
    >>> pos = layout(nx.path_graph(4), seed=1)
    >>> sorted(pos) == [0, 1, 2, 3]
    True
    """
    if scale <= 0:
        raise ValueError("scale must be positive")
    nodes = sorted(graph.nodes, key=str)
    index = {node: i for i, node in enumerate(nodes)}
    edges = [(index[u], index[v], _weight(d.get(weight, 1.0)) if weight else 1.0)
             for u, v, d in graph.edges(data=True)]
    src, dst, w = (np.array(c, dtype=t) for c, t in zip(zip(*edges), (np.int64, np.int64, np.float64))) \
        if edges else (np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0))
    group = None
    if community is not None:
        group = np.array([_group(community.get(v)) for v in nodes], dtype=np.int64)
    pos = layout_arrays(len(nodes), src, dst, w, group=group, seed=seed, scale=scale)
    return {node: (x, y) for node, (x, y) in zip(nodes, pos.tolist())}


def _group(value: Any) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):  # None, NaN, NA: no community
        return -1


def _weight(value: Any) -> float:
    try:
        x = float(value)
    except (TypeError, ValueError):
        return 1.0
    return x if math.isfinite(x) and x > 0 else 1.0


def layout_arrays(n: int, src: np.ndarray, dst: np.ndarray, w: np.ndarray, group: np.ndarray | None = None,
                  seed: int = 42, scale: float = 45.0) -> np.ndarray:
    """:func:`layout` on arrays, without a networkx graph (the explorer holds its views as arrays).

    Parameters
    ----------
    n : int
        Nodes ``0 .. n-1``.
    src, dst : array of int
        Edge ``k`` joins ``src[k]`` and ``dst[k]``.
    w : array of float
        Positive edge weights.
    group : array of int, optional
        Community of each node (negative: none).
    seed, scale
        As in :func:`layout`.

    Returns
    -------
    numpy.ndarray
        (n, 2) positions.

    Examples
    --------
    >>> layout_arrays(3, np.array([0, 1]), np.array([1, 2]), np.ones(2)).shape
    (3, 2)
    """
    if n == 0:
        return np.zeros((0, 2))
    loops = src != dst
    src, dst, w = np.asarray(src)[loops], np.asarray(dst)[loops], np.asarray(w, dtype=np.float64)[loops]
    if len(w):
        w = np.sqrt(w / np.median(w))  # tame heavy-tailed weights
    n_parts, labels = connected_components(coo_matrix((np.ones(len(src)), (src, dst)), shape=(n, n)),
                                           directed=False)
    size = np.bincount(labels, minlength=n_parts)
    first = np.full(n_parts, n)
    np.minimum.at(first, labels, np.arange(n))
    parts = sorted(range(n_parts), key=lambda c: (-size[c], first[c]))
    members = np.argsort(labels, kind="stable")  # nodes grouped by component, in index order
    starts = np.r_[0, np.cumsum(size)]
    edge_part = labels[src]
    edge_order = np.argsort(edge_part, kind="stable")
    edge_starts = np.r_[0, np.cumsum(np.bincount(edge_part, minlength=n_parts))]
    local = np.empty(n, dtype=np.int64)
    local[members] = np.arange(n) - np.repeat(starts[:-1], size)
    pieces = {}  # component -> its drawing, normalised to the spacing unit
    small = [c for c in parts if 1 < size[c] <= _SMALL_COMPONENT]
    for c in parts:
        if size[c] <= _SMALL_COMPONENT:
            continue
        idx = members[starts[c]:starts[c + 1]]
        ks = edge_order[edge_starts[c]:edge_starts[c + 1]]
        xy = _component_layout(local[src[ks]], local[dst[ks]], w[ks], len(idx),
                               None if group is None else group[idx], seed)
        pieces[c] = spread_apart(_normalise(xy, scale), scale * 0.5, rounds=10)
    # small components together, in batches: repulsion only inside a component
    batch: list[int] = []
    for c in small + [None]:
        if c is not None and sum(size[b] for b in batch) + size[c] <= 1500:
            batch.append(c)
            continue
        if batch:
            idx = np.concatenate([members[starts[b]:starts[b + 1]] for b in batch])
            ks = np.concatenate([edge_order[edge_starts[b]:edge_starts[b + 1]] for b in batch])
            where = np.empty(n, dtype=np.int64)
            where[idx] = np.arange(len(idx))
            xy = _small_layouts(where[src[ks]], where[dst[ks]], w[ks], labels[idx], seed)
            at = 0
            for b in batch:
                pieces[b] = _normalise(xy[at:at + size[b]], scale)
                at += size[b]
        batch = [c] if c is not None else []
    drawings = [(members[starts[c]:starts[c + 1]], pieces[c]) for c in parts if size[c] > 1]
    singles = np.sort(np.concatenate([members[starts[c]:starts[c + 1]] for c in parts if size[c] == 1] or
                                     [np.zeros(0, dtype=np.int64)]))
    if len(singles):  # nodes without links: one compact grid, after the linked drawings
        columns = math.ceil(math.sqrt(len(singles) * 1.25))
        i = np.arange(len(singles))
        drawings.append((singles, np.column_stack([i % columns, i // columns]) * scale * 1.2))
    pos = np.zeros((n, 2))
    for (idx, xy), offset in zip(drawings, _pack([xy for _, xy in drawings], gap=scale * 1.5)):
        pos[idx] = xy + offset
    pos -= (pos.min(axis=0) + pos.max(axis=0)) / 2
    return pos


def _normalise(xy: np.ndarray, scale: float) -> np.ndarray:
    """Centre a drawing and give it the same density as every other: RMS radius ~ scale * sqrt(nodes)."""
    xy = xy - xy.mean(axis=0)
    rms = float(np.sqrt((xy ** 2).sum(axis=1).mean())) or 1.0
    return xy * (scale * 0.8 * math.sqrt(len(xy)) / rms)


def _component_layout(src, dst, w, n, group, seed) -> np.ndarray:
    """ForceAtlas2 of one connected component, started from its communities' layout when there are some."""
    rng = np.random.default_rng(seed)
    mass = (np.bincount(np.concatenate([src, dst]), minlength=n) + 1.0)
    start = None
    if group is not None:
        _, gi = np.unique(group, return_inverse=True)
        alone = group < 0  # no community: a group of its own
        gi[alone] = gi.max(initial=-1) + 1 + np.arange(int(alone.sum()))
        n_groups = int(gi.max()) + 1
        if 1 < n_groups <= max(2, n // 4):
            start = _community_start(src, dst, w, mass, gi, n_groups, rng)
    if start is None:
        start = (rng.random((n, 2)) - 0.5) * math.sqrt(n) * 10.0
        steps = 300 if n <= 600 else 180 if n <= 2500 else 100
    else:
        steps = 40  # from the communities' places a few dozen steps settle it
    repulse = _exact_repulsion(n) if n <= _EXACT_LIMIT else _grid_repulsion(_grid_cells(n))
    return _forceatlas2(start, src, dst, w, mass, repulse, steps, kr=2.0 if n > 100 else 5.0)


def _community_start(src, dst, w, mass, gi, n_groups, rng) -> np.ndarray:
    """Initial positions: communities laid out as single nodes (mass and link weights summed),
    each node placed at random in its community's disc."""
    a, b = gi[src], gi[dst]
    across = a != b
    q = coo_matrix((w[across], (np.minimum(a, b)[across], np.maximum(a, b)[across])),
                   shape=(n_groups, n_groups)).tocsr().tocoo()  # sums duplicate pairs
    q_mass = np.bincount(gi, weights=mass, minlength=n_groups)
    count = np.bincount(gi, minlength=n_groups)
    start = (rng.random((n_groups, 2)) - 0.5) * math.sqrt(n_groups) * 10.0
    repulse = _exact_repulsion(n_groups) if n_groups <= _EXACT_LIMIT else _grid_repulsion(_grid_cells(n_groups))
    centre = _forceatlas2(start, q.row.astype(np.int64), q.col.astype(np.int64), np.sqrt(q.data), q_mass,
                          repulse, 100, kr=5.0)
    # disc radius: by the community's size, at most half the way to the nearest other community
    if n_groups > 1:
        from scipy.spatial import cKDTree

        gap = cKDTree(centre).query(centre, k=2)[0][:, 1]
    else:
        gap = np.ones(1)
    radius = np.sqrt(count / count.max()) * float(np.median(gap)) * 0.5
    radius = np.minimum(radius, gap * 0.5)
    angle = rng.random(len(gi)) * 2 * math.pi
    r = np.sqrt(rng.random(len(gi))) * radius[gi]
    return centre[gi] + np.column_stack([np.cos(angle), np.sin(angle)]) * r[:, None]


def _small_layouts(src, dst, w, component, seed) -> np.ndarray:
    """ForceAtlas2 of many small components at once: each node repels only the nodes of its own
    component, and gravity centres every component on the origin."""
    n = len(component)
    rng = np.random.default_rng(seed)
    mass = np.bincount(np.concatenate([src, dst]), minlength=n) + 1.0
    start = (rng.random((n, 2)) - 0.5) * 10.0 * np.sqrt(np.bincount(component)[component])[:, None]
    return _forceatlas2(start, src, dst, w, mass, _pair_repulsion(component), 150, kr=5.0)


def _pair_repulsion(component: np.ndarray):
    """:func:`_exact_repulsion` between the nodes of each component only, over the list of their
    pairs (small components: at most a few dozen pairs per node)."""
    order = np.argsort(component, kind="stable")
    sizes = np.unique(component, return_counts=True)[1]
    a, b, start = [], [], 0
    for size in sizes.tolist():
        if size > 1:
            i, j = np.triu_indices(size, 1)
            a.append(order[start + i])
            b.append(order[start + j])
        start += size
    a = np.concatenate(a) if a else np.zeros(0, dtype=np.int64)
    b = np.concatenate(b) if b else np.zeros(0, dtype=np.int64)
    n = len(component)

    def repulse(pos, mass):
        delta = pos[a] - pos[b]
        d2 = (delta * delta).sum(axis=1) + 0.01
        on_a = delta * (mass[b] / d2)[:, None]
        on_b = delta * (mass[a] / d2)[:, None]
        return np.column_stack([np.bincount(a, on_a[:, k], n) - np.bincount(b, on_b[:, k], n) for k in (0, 1)])
    return repulse


def _exact_repulsion(n: int):
    """Sum over j of m_j (x_i - x_j) / d_ij^2 for every node i."""
    block = max(16, min(n, 2 ** 18 // max(n, 1)))  # rows per block: ~1 MB of float32 stays in cache

    def repulse(pos, mass):
        force = np.empty_like(pos)
        x, y = pos[:, 0], pos[:, 1]
        m = mass.astype(np.float32)
        for start in range(0, n, block):
            stop = min(n, start + block)
            dx = x[start:stop, None] - x[None, :]
            dy = y[start:stop, None] - y[None, :]
            d2 = dx * dx
            d2 += dy * dy
            d2 += 0.01
            np.divide(m[None, :], d2, out=d2)
            force[start:stop, 0] = np.einsum("ij,ij->i", dx, d2)
            force[start:stop, 1] = np.einsum("ij,ij->i", dy, d2)
        return force
    return repulse


def _grid_cells(n: int) -> int:
    """Cells across the repulsion grid: about one per node along each axis (64 up to 4,096 nodes,
    then 128 and 256), so a cell holds a node or two wherever the drawing is even."""
    cells = 64
    while cells < 256 and cells * cells < n:
        cells *= 2
    return cells


def _grid_repulsion(cells: int, near: float = 0.5, neighbours: int = 16):
    """:func:`_exact_repulsion` approximated on a ``cells`` x ``cells`` grid over the drawing (a
    particle-mesh method): mass spread bilinearly on the grid, convolved with the force kernel
    u/|u|^2 by FFT (zero-padded, so no wrap-around), forces read back bilinearly. The grid blurs
    the forces between nodes in the same cell (a dense community can shrink into one and overlap
    its neighbours), so each node also feels the exact repulsion of its ``neighbours`` nearest
    nodes closer than ``near`` cells (found with a k-d tree, every fourth step), tapered to nothing
    at ``near`` cells. Nearest neighbours, not every close pair: in a dense community a node has
    hundreds of nodes within half a cell (1.3 million pairs for 7,800 nodes, 0.15 s a step), and
    the nearest few are the ones that keep it apart."""
    from scipy import fft
    from scipy.spatial import cKDTree

    size = 2 * cells
    offset = np.fft.fftfreq(size, 1.0 / size)
    dx, dy = np.meshgrid(offset, offset, indexing="ij")
    r2 = dx * dx + dy * dy
    r2[0, 0] = 1.0
    kernel_x, kernel_y = fft.rfft2(dx / r2), fft.rfft2(dy / r2)
    found: dict = {}

    def repulse(pos, mass):
        # the grid covers the bulk of the drawing (a few far-flung nodes would make every cell
        # coarse): nodes beyond it are counted, and feel the others, at its edge
        low, high = np.quantile(pos, [0.01, 0.99], axis=0)
        margin = 0.05 * float((high - low).max()) + 1e-9
        low, high = low - margin, high + margin
        h = float((high - low).max()) / (cells - 1) * 1.0001
        g = np.clip((pos - low) / h, 0.0, cells - 1.0)
        cell = np.minimum(g.astype(np.int64), cells - 2)
        f = g - cell
        fx, fy = f[:, 0], f[:, 1]
        corner = cell[:, 0] * size + cell[:, 1]
        shares = ((0, (1 - fx) * (1 - fy)), (size, fx * (1 - fy)), (1, (1 - fx) * fy), (size + 1, fx * fy))
        rho = np.zeros(size * size)
        for shift, share in shares:
            rho += np.bincount(corner + shift, weights=share * mass, minlength=size * size)
        spectrum = fft.rfft2(rho.reshape(size, size))
        force = np.zeros((len(pos), 2))
        for axis, kernel in enumerate((kernel_x, kernel_y)):
            field = fft.irfft2(spectrum * kernel, s=(size, size)).ravel()
            for shift, share in shares:
                force[:, axis] += field[corner + shift] * share
        force /= h
        # near neighbours: exact repulsion, tapered from full at distance 0 to none at ``near``
        # cells; the candidates (within a wider radius) are looked for every fourth step
        reach = near * h
        if reach <= 0:
            return force
        n = len(pos)
        found["calls"] = found.get("calls", -1) + 1
        if found["calls"] % 4 == 0 or reach > found["reach"]:  # a layout tolerates a few steps' delay
            k = min(neighbours + 1, n)
            dist, idx = cKDTree(pos).query(pos, k=k, distance_upper_bound=1.5 * reach)
            idx = idx.reshape(n, k)
            a = np.repeat(np.arange(n), k)
            b = idx.ravel()
            keep = (b < n) & (b != a)  # n: fewer than k within the radius
            found.update(reach=1.5 * reach, a=a[keep], b=b[keep])
        a, b = found["a"], found["b"]
        if len(a):
            delta = (pos[a] - pos[b]).astype(np.float64)
            d2 = (delta * delta).sum(axis=1)
            taper = np.maximum(1.0 - np.sqrt(d2) / reach, 0.0)
            d2 += 0.01
            on_a = delta * (taper * mass[b] / d2)[:, None]
            for axis in (0, 1):
                force[:, axis] += np.bincount(a, on_a[:, axis], n)
        return force
    return repulse


def _forceatlas2(pos, src, dst, w, mass, repulse, iterations, kr=2.0):
    """ForceAtlas2 (Jacomy et al. 2014, LinLog mode) from positions ``pos``; ``repulse(pos, mass)``
    gives sum_j m_j (x_i - x_j) / d_ij^2."""
    n = len(mass)
    if n == 1:
        return np.zeros((1, 2))
    pos = np.asarray(pos, dtype=np.float32).copy()
    mass = np.asarray(mass, dtype=np.float32)
    gravity = 1.0
    force_old = np.zeros_like(pos)
    speed, speed_efficiency = 1.0, 1.0
    jitter_tolerance = 1.0
    wf = np.asarray(w, dtype=np.float32)
    for _ in range(iterations):
        force = repulse(pos, mass).astype(np.float32)
        force *= (kr * mass)[:, None]
        # attraction along edges, logarithmic in distance (LinLog: clusters come apart clearly)
        delta = pos[src] - pos[dst]
        dist = np.hypot(delta[:, 0], delta[:, 1]) + 1e-9
        pull = delta * (wf * np.log1p(dist) / dist)[:, None]
        for axis in (0, 1):
            force[:, axis] -= np.bincount(src, weights=pull[:, axis], minlength=n)
            force[:, axis] += np.bincount(dst, weights=pull[:, axis], minlength=n)
        # gravity towards the centre, constant magnitude
        r = np.hypot(pos[:, 0], pos[:, 1]) + 1e-9
        force -= (gravity * mass / r)[:, None] * pos
        # adaptive speed (FA2 section "Adaptive speed")
        swinging = mass * np.hypot(*(force - force_old).T)
        traction = mass * np.hypot(*(force + force_old).T) / 2.0
        total_swing, total_traction = float(swinging.sum()), float(traction.sum())
        estimated_jitter = 0.05 * math.sqrt(n)
        jt = jitter_tolerance * max(math.sqrt(estimated_jitter), min(10.0, estimated_jitter * total_traction / n ** 2))
        if total_swing / max(total_traction, 1e-9) > 2.0:
            speed_efficiency = max(speed_efficiency * 0.5, 0.05)
            jt = max(jt, jitter_tolerance)
        target = jt * speed_efficiency * total_traction / max(total_swing, 1e-9)
        if total_swing > jt * total_traction:
            speed_efficiency = max(speed_efficiency * 0.7, 0.05)
        elif speed < 1000:
            speed_efficiency *= 1.3
        speed += min(target - speed, 0.5 * speed)
        factor = speed / (1.0 + np.sqrt(speed * swinging))
        step = force * factor[:, None]
        # never move a node further than a tenth of the drawing per step
        limit = 0.1 * (float(np.abs(pos).max()) + 1.0)
        length = np.hypot(step[:, 0], step[:, 1])
        too_far = length > limit
        step[too_far] *= (limit / length[too_far])[:, None]
        pos += step.astype(np.float32)
        force_old = force
    return pos.astype(np.float64)


def spread_apart(pos: np.ndarray, gap: float, radii: np.ndarray | None = None, rounds: int = 25) -> np.ndarray:
    """Push apart nodes closer than ``gap`` (plus their ``radii``), a few rounds:
    LinLog packs clusters tight and a reader must still tell the nodes apart."""
    from scipy.spatial import cKDTree

    pos = pos.copy()
    n = len(pos)
    radii = np.zeros(n) if radii is None else np.asarray(radii, dtype=float)
    reach = gap + 2.0 * float(radii.max(initial=0.0))
    margin = 0.25 * reach
    moved = math.inf  # how far any node moved since the candidate pairs were found
    for _ in range(rounds):
        if moved > margin / 2:  # a pair farther apart than reach + margin may have come close: look again
            pairs = cKDTree(pos).query_pairs(reach + margin, output_type="ndarray")
            if not len(pairs):
                break
            a_all, b_all = pairs[:, 0], pairs[:, 1]
            need_all = gap + radii[a_all] + radii[b_all]
            moved = 0.0
        delta = pos[a_all] - pos[b_all]
        dist = np.hypot(delta[:, 0], delta[:, 1])
        close = dist < need_all
        if not close.any():
            break
        a, b, delta, dist, need = a_all[close], b_all[close], delta[close], dist[close], need_all[close]
        same = dist < 1e-9  # identical positions: split along a fixed direction
        delta[same] = (1.0, 0.0)
        dist[same] = 1.0
        push = delta * (0.75 * (need - dist) / dist)[:, None]  # a little past half each: fewer rounds
        step = np.column_stack([np.bincount(a, push[:, axis], n) - np.bincount(b, push[:, axis], n)
                                for axis in (0, 1)])
        pos += step
        moved += float(np.hypot(step[:, 0], step[:, 1]).max())
    return pos


def _pack(parts: list[np.ndarray], gap: float) -> list[np.ndarray]:
    """Offsets that put the drawings ``parts`` (largest first) side by side in rows."""
    boxes = [(xy.min(axis=0), xy.max(axis=0) - xy.min(axis=0)) for xy in parts]
    area = sum((w + gap) * (h + gap) for _, (w, h) in boxes)
    row_width = max(max(w for _, (w, _h) in boxes), math.sqrt(area * 1.25))
    offsets, x, y, row_height = [], 0.0, 0.0, 0.0
    for low, (w, h) in boxes:
        if x > 0 and x + w > row_width:
            x, y, row_height = 0.0, y + row_height + gap, 0.0
        offsets.append(np.array([x, y]) - low)
        x += w + gap
        row_height = max(row_height, h)
    return offsets


def _grid_below(placed: np.ndarray, count: int, scale: float) -> np.ndarray:
    """Positions for ``count`` nodes in a grid under the already placed ones."""
    spacing = scale * 1.2
    if len(placed):
        left, right = float(placed[:, 0].min()), float(placed[:, 0].max())
        top = float(placed[:, 1].max()) + 2 * spacing
    else:
        left, right, top = 0.0, 0.0, 0.0
    columns = max(int(math.ceil(math.sqrt(count))), int((right - left) // spacing) + 1)
    columns = min(columns, count)
    i = np.arange(count)
    x = left + (i % columns) * spacing
    y = top + (i // columns) * spacing
    if not len(placed):
        x -= x.mean()
    return np.column_stack([x, y])


def place_near_neighbours(n: int, lo: np.ndarray, hi: np.ndarray, drawn: np.ndarray, xy: np.ndarray, seed: int,
                          scale: float = 45.0) -> np.ndarray:
    """Positions of all ``n`` nodes: the ``drawn`` ones keep ``xy``, the others go near the mean of
    their placed neighbours (rounds of sparse averaging), the unreachable ones in a grid below."""
    pos = np.zeros((n, 2))
    pos[drawn] = xy
    placed = np.zeros(n, dtype=bool)
    placed[drawn] = True
    if placed.all():
        return pos
    links = lo != hi
    adjacency = coo_matrix((np.ones(2 * int(links.sum())), (np.r_[lo[links], hi[links]], np.r_[hi[links], lo[links]])),
                           shape=(n, n)).tocsr()
    rng = np.random.default_rng(seed)
    for _ in range(20):
        counts = adjacency @ placed.astype(float)
        todo = (~placed) & (counts > 0)
        if not todo.any():
            break
        sums = adjacency @ (pos * placed[:, None])
        rows = np.flatnonzero(todo)
        pos[rows] = sums[rows] / counts[rows, None] + rng.normal(0.0, scale * 0.5, (len(rows), 2))
        placed[rows] = True
    rest = np.flatnonzero(~placed)
    if len(rest):
        pos[rest] = _grid_below(pos[placed], len(rest), scale)
    return pos
