"""Evaluating a boosted-tree ensemble stored as plain arrays (no ML library at run time).

At load time every tree becomes a complete binary tree of the ensemble's depth (a leaf above the last level
sends every row left, to a copy of itself), and the distinct (feature, threshold) tests of all trees are
collected once. Prediction then makes every test for every row in one numpy comparison and walks all trees
together, level by level, with 1-D gathers into that table: (tests + depth x trees) x sentences element
operations, a fraction of a millisecond for a news article.
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
    """Complete trees of ``depth`` levels in level order (the children of node p are 2p+1 and 2p+2).

    ``test[t, p]`` numbers the distinct test (``test_feature <= test_threshold``) at internal node p of
    tree t; ``leaf_value[t, k]`` is the value of tree t's k-th leaf, left to right.
    """

    test_feature: IntArray  # (tests,)
    test_threshold: FloatArray  # (tests,)
    test: IntArray  # (trees, 2**depth - 1)
    leaf_value: FloatArray  # (trees, 2**depth)
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
        features = np.stack([tree[0] for tree in trees])
        thresholds = np.stack([tree[1] for tree in trees])
        keys = np.stack([features.ravel().astype(np.float64), thresholds.ravel()], axis=1)
        distinct, inverse = np.unique(keys, axis=0, return_inverse=True)
        return cls(
            test_feature=distinct[:, 0].astype(np.int64),
            test_threshold=distinct[:, 1].copy(),
            test=inverse.reshape(features.shape).astype(np.int64),
            leaf_value=np.stack([tree[2] for tree in trees]),
            base=float(data["base"]),
            learning_rate=float(data["learning_rate"]),
            depth=depth,
        )

    def predict(self, features: FloatArray) -> FloatArray:
        """One prediction per row of ``features``."""
        rows = features.shape[0]
        trees, internal = self.test.shape
        if rows == 0:
            return np.zeros(0)
        # scikit-learn compares float32 features with float64 thresholds; do the same, or values that sit
        # on a threshold would take the other branch.
        values = features.astype(np.float32).astype(np.float64)
        # 1 where a row fails a test (goes right): (rows, tests), flattened for 1-D gathers.
        goes_right = (values[:, self.test_feature] > self.test_threshold).view(np.uint8).ravel()
        row_base = np.arange(rows, dtype=np.int64)[:, None] * len(self.test_feature)
        tests = self.test.ravel()
        tree_base = np.arange(trees, dtype=np.int64) * internal
        node = np.zeros((rows, trees), dtype=np.int64)
        for _ in range(self.depth):
            node = 2 * node + 1 + goes_right[row_base + tests[tree_base + node]]
        leaves = self.leaf_value.ravel()[np.arange(trees) * (internal + 1) + (node - internal)]
        total: FloatArray = leaves.sum(axis=1)
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
