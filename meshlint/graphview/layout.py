"""A layered left-to-right layout, so the HTML page needs no layout library.

Columns by longest path to where traffic ends (cycles broken at back edges), so workloads
line up on the right; each dead end (a missing subset) moved next to what leads to it; rows
ordered by a few barycenter sweeps to reduce crossings.
"""

from __future__ import annotations

from dataclasses import dataclass

from meshlint.graphview.view import View

NODE_WIDTH, NODE_HEIGHT = 210, 44
GAP_X, GAP_Y, MARGIN = 110, 18, 24
SWEEPS = 6
LOOP_SPACE = 50


@dataclass(frozen=True, slots=True)
class Box:
    x: float
    y: float
    width: float = NODE_WIDTH
    height: float = NODE_HEIGHT

    @property
    def middle(self) -> float:
        return self.y + self.height / 2


@dataclass
class Layout:
    boxes: dict[str, Box]
    width: float
    height: float
    #: The band above and below the boxes where edges going back (right to left) loop.
    top: float = MARGIN
    bottom: float = MARGIN


def _adjacency(view: View) -> dict[str, list[str]]:
    succ: dict[str, list[str]] = {node_id: [] for node_id in view.nodes}
    for edge in view.edges:
        if edge.source != edge.target and edge.target not in succ[edge.source]:
            succ[edge.source].append(edge.target)
    return succ


def _back_edges(succ: dict[str, list[str]]) -> set[tuple[str, str]]:
    """Edges closing a cycle in a depth-first walk (iterative: meshes may be deep)."""
    back: set[tuple[str, str]] = set()
    state: dict[str, int] = {}
    for root in succ:
        if root in state:
            continue
        state[root] = 1
        stack = [(root, iter(succ[root]))]
        while stack:
            node, pending = stack[-1]
            for nxt in pending:
                if nxt not in state:
                    state[nxt] = 1
                    stack.append((nxt, iter(succ[nxt])))
                    break
                if state[nxt] == 1:
                    back.add((node, nxt))
            else:
                state[node] = 2
                stack.pop()
    return back


def columns(view: View) -> dict[str, int]:
    """The column of each node."""
    succ = _adjacency(view)
    back = _back_edges(succ)
    dag = {a: [b for b in bs if (a, b) not in back] for a, bs in succ.items()}
    pred: dict[str, list[str]] = {node_id: [] for node_id in succ}
    for a, bs in dag.items():
        for b in bs:
            pred[b].append(a)
    waiting = {node_id: len(ps) for node_id, ps in pred.items()}
    order = [node_id for node_id, n in waiting.items() if n == 0]
    for node_id in order:
        for nxt in dag[node_id]:
            waiting[nxt] -= 1
            if waiting[nxt] == 0:
                order.append(nxt)
    rest: dict[str, int] = {}
    for node_id in reversed(order):
        rest[node_id] = max((rest[s] + 1 for s in dag[node_id]), default=0)
    deepest = max(rest.values(), default=0)
    column = {node_id: deepest - n for node_id, n in rest.items()}
    for node_id in order:
        if pred[node_id] and not dag[node_id]:
            column[node_id] = max(column[p] for p in pred[node_id]) + 1
    lowest = min(column.values(), default=0)
    by_role: dict[str, int] = {}
    for node_id, col in column.items():
        if succ[node_id] or pred[node_id]:
            role = view.nodes[node_id].role
            by_role[role] = min(by_role.get(role, col), col)
    for node_id, node in view.nodes.items():
        if not succ[node_id] and not pred[node_id]:
            column[node_id] = by_role.get(node.role, lowest)
    return {node_id: col - lowest for node_id, col in column.items()}


def _order(view: View, column: dict[str, int]) -> list[list[str]]:
    """Rows of each column, sorted by the mean row of neighbours in a few sweeps."""
    width = max(column.values(), default=-1) + 1
    rows: list[list[str]] = [[] for _ in range(width)]
    for node_id in view.nodes:
        rows[column[node_id]].append(node_id)
    neighbours: dict[str, list[str]] = {node_id: [] for node_id in view.nodes}
    for edge in view.edges:
        neighbours[edge.source].append(edge.target)
        neighbours[edge.target].append(edge.source)

    def centred(col: list[str]) -> dict[str, float]:
        return {node_id: i - (len(col) - 1) / 2 for i, node_id in enumerate(col)}

    for sweep in range(SWEEPS):
        down = sweep % 2 == 0
        position: dict[str, float] = {}
        for col in rows:
            position.update(centred(col))
        for index in range(width) if down else reversed(range(width)):
            here = centred(rows[index])
            keys = {}
            for node_id in rows[index]:
                near = [
                    position[n]
                    for n in neighbours[node_id]
                    if (column[n] < index if down else column[n] > index)
                ]
                keys[node_id] = sum(near) / len(near) if near else here[node_id]
            rows[index].sort(key=keys.__getitem__)
            position.update(centred(rows[index]))
    return rows


def layout(view: View) -> Layout:
    """Positions of every node box, and the size of the drawing."""
    column = columns(view)
    rows = _order(view, column)
    tallest = max((len(col) for col in rows), default=0)
    pitch = NODE_HEIGHT + GAP_Y
    loops = any(column[e.target] <= column[e.source] for e in view.edges)
    band = MARGIN + (LOOP_SPACE if loops else 0)
    inner = max(tallest * pitch - GAP_Y, 0)
    boxes: dict[str, Box] = {}
    for index, col in enumerate(rows):
        top = band + (tallest - len(col)) * pitch / 2
        for row, node_id in enumerate(col):
            boxes[node_id] = Box(MARGIN + index * (NODE_WIDTH + GAP_X), top + row * pitch)
    width = 2 * MARGIN + max(len(rows) * (NODE_WIDTH + GAP_X) - GAP_X, 0)
    return Layout(boxes, width, 2 * band + inner, band, band + inner)
