"""Evaluating a boosted-tree ensemble stored as plain arrays (no ML library at run time).

At load time every tree becomes a complete binary tree of the ensemble's depth (a leaf above the last level
sends every row left, to a copy of itself), and all trees' nodes go into one table. Prediction walks all
trees for all rows together, level by level, with 1-D gathers into that table: depth x trees x sentences
tests, a fraction of a millisecond for a news article.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]


@dataclass(frozen=True)
class TreeEnsemble:
    """Complete trees of ``depth`` levels, all nodes of all trees in one level-order table.

    Tree t's node p (the children of p are 2p+1 and 2p+2) sits at ``t * nodes_per_tree + p``. An internal
    node sends a row right when ``row[feature] > threshold``; ``left`` is the table index of its left child
    (the right child follows it); a leaf holds its ``value``.
    """

    feature: IntArray  # (trees * nodes_per_tree,), 0 at leaves
    threshold: FloatArray  # (trees * nodes_per_tree,), inf at leaves
    left: IntArray  # (trees * nodes_per_tree,)
    value: FloatArray  # (trees * nodes_per_tree,), 0 at internal nodes
    roots: IntArray  # (trees,)
    base: float
    learning_rate: float
    depth: int

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> TreeEnsemble:
        """From the exported arrays: trees padded to the same node count, a leaf has feature -1."""
        depth = int(data["depth"])
        trees = [
            _complete_tree(
                np.asarray(data["feature"][t], dtype=np.int64),
                np.asarray(data["threshold"][t], dtype=np.float64),
                np.asarray(data["left"][t], dtype=np.int64),
                np.asarray(data["right"][t], dtype=np.int64),
                np.asarray(data["value"][t], dtype=np.float64),
                depth,
            )
            for t in range(len(data["feature"]))
        ]
        internal, nodes = 2**depth - 1, 2 ** (depth + 1) - 1
        roots = np.arange(len(trees), dtype=np.int64) * nodes
        local_left = np.minimum(2 * np.arange(nodes, dtype=np.int64) + 1, nodes - 1)  # leaves: unused
        return cls(
            feature=np.concatenate([np.pad(tree[0], (0, nodes - internal)) for tree in trees]),
            threshold=np.concatenate(
                [np.pad(tree[1], (0, nodes - internal), constant_values=np.inf) for tree in trees]
            ),
            left=(roots[:, None] + local_left).ravel(),
            value=np.concatenate([np.concatenate((np.zeros(internal), tree[2])) for tree in trees]),
            roots=roots,
            base=float(data["base"]),
            learning_rate=float(data["learning_rate"]),
            depth=depth,
        )

    def predict(self, features: FloatArray) -> FloatArray:
        """One prediction per row of ``features``."""
        rows, columns = features.shape
        if rows == 0:
            return np.zeros(0)
        # scikit-learn compares float32 features with float64 thresholds; do the same, or values that sit
        # on a threshold would take the other branch.
        values = features.astype(np.float32).astype(np.float64).ravel()
        row_start = np.arange(0, rows * columns, columns, dtype=np.int64)[:, None]
        # All trees walk together, one level at a time: each step makes one test per (row, tree), so the
        # work is rows x trees x depth, whatever the number of distinct tests. Every row starts at the
        # roots, whose tests and children are known without gathering them per row. The gathers are
        # ``take`` calls: the same values as indexing with an array, several times faster.
        roots = self.roots
        goes_right = values.take(row_start + self.feature.take(roots)) > self.threshold.take(roots)
        node = self.left.take(roots) + goes_right
        for _ in range(self.depth - 1):
            goes_right = values.take(row_start + self.feature.take(node)) > self.threshold.take(node)
            node = self.left.take(node) + goes_right
        total: FloatArray = self.value.take(node).sum(axis=1)
        return self.base + self.learning_rate * total


def _complete_tree(
    feature: IntArray, threshold: FloatArray, left: IntArray, right: IntArray, value: FloatArray, depth: int
) -> tuple[IntArray, FloatArray, FloatArray]:
    """A tree as a complete one of ``depth`` levels: features and thresholds of its internal nodes, leaves."""
    internal = 2**depth - 1
    out_feature = np.zeros(internal, dtype=np.int64)
    out_threshold = np.full(internal, np.inf)  # x <= inf: a padded test always sends a row left
    out_value = np.zeros(internal + 1)
    stack = [(0, 0, 0)]  # (node of the stored tree, position in the complete tree, level)
    while stack:
        node, position, level = stack.pop()
        if level == depth:
            out_value[position - internal] = value[node]
            continue
        is_leaf = feature[node] < 0
        if not is_leaf:
            out_feature[position] = feature[node]
            out_threshold[position] = threshold[node]
        stack.append((node if is_leaf else int(left[node]), 2 * position + 1, level + 1))
        stack.append((node if is_leaf else int(right[node]), 2 * position + 2, level + 1))
    return out_feature, out_threshold, out_value
