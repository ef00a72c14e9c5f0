"""Train/validation/test by project: every module of a project lands on one side, so a test score never
measures memorised code of a project seen in training (shared code, such as gnulib, is deduplicated away
from later projects by `build`).

The rule: a project's hash `sha256(f"{seed}:{name}")`, read as a number in [0, 1), falls in the train,
validation or test band of the manifest's fractions. It depends only on the name and the seed, so adding a
project to the manifest never moves another one to a different side. A source's `split` overrides it.
"""

from __future__ import annotations

import hashlib

from compilerlm.corpus.manifest import SPLITS, Manifest


def project_split(name: str, seed: int, fractions: dict[str, float]) -> str:
    """ "train", "validation" or "test" for the project `name`."""
    point = int(hashlib.sha256(f"{seed}:{name}".encode()).hexdigest()[:15], 16) / 16**15
    edge = 0.0
    for split in SPLITS:
        edge += fractions[split]
        if point < edge:
            return split
    return SPLITS[-1]


def manifest_splits(manifest: Manifest) -> dict[str, str]:
    """Project name -> split, for every source of the manifest."""
    return {s.name: s.split or project_split(s.name, manifest.seed, manifest.fractions) for s in manifest.sources}
