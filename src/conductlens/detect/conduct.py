"""The conduct model: the packaged sentence encoder with its top layer fine-tuned on the
police-register set, and a multi-label head over every category of the policy.

The lower layers are the pinned package's own (hash-checked against the manifest, shared with
the semantic stage); ``conduct.safetensors`` holds only the fine-tuned top layer and the head,
in float16, plus (in its header) the labels, the temperature that calibrates the scores and
each category's threshold, all chosen on the validation split. The file is hash-checked against
the manifest before it is read, so a tampered or unknown file is refused by name.

Every score above its threshold comes with the words that drove it, found by occlusion: each
word is taken out in turn and the message scored again; the words whose removal lowers the
score most are highlighted as spans, like lexicon matches.
"""

from __future__ import annotations

import copy
import json
from collections import OrderedDict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from conductlens.detect.base import Hit, PolicyError, Span
from conductlens.detect.classifier import MANIFEST, expected_hash, sha256_file
from conductlens.detect.occlusion import occlude
from conductlens.detect.semantic import MAX_TOKENS, _encoder, encoder_hash

F64 = npt.NDArray[np.float64]
FORMAT = "1"
BATCH = 64
CACHE_SIZE = 50_000  # rows of 21 scores: about 10 MB
ANY = "misconduct"  # auxiliary output: the message belongs to some category (not profanity)
AUX_OUTPUTS = (ANY, "hate", "offensive")


def _torch() -> Any:
    import torch

    return torch


def lower_layers(encoder: Any, texts: Sequence[str], frozen: int) -> tuple[Any, Any]:
    """Token states after the first ``frozen`` (pinned) layers, and the attention mask."""
    torch = _torch()
    module = encoder[0]
    batch = module.tokenizer(
        list(texts), padding=True, truncation=True, max_length=MAX_TOKENS, return_tensors="pt"
    )
    bert = module.auto_model
    with torch.inference_mode():
        hidden = bert.embeddings(input_ids=batch["input_ids"])
        mask = _mask4d(bert, batch["attention_mask"], hidden)
        for layer in bert.encoder.layer[:frozen]:
            hidden = _out(layer(hidden, attention_mask=mask))
    return hidden, batch["attention_mask"]


def _mask4d(bert: Any, mask: Any, hidden: Any) -> Any:
    # The public mask builder, not BertModel's private wrapper: that one changed its signature
    # between transformers 5.24 and 5.25; this function gives the same mask on both.
    from transformers.masking_utils import create_bidirectional_mask

    return create_bidirectional_mask(config=bert.config, inputs_embeds=hidden, attention_mask=mask)


def _out(result: Any) -> Any:
    return result[0] if isinstance(result, tuple) else result


class UpperNet:
    """The trainable part: copies of the top encoder layers, mean pooling and a linear head.

    Built as a plain ``torch.nn.Module`` at run time (torch is imported lazily so that the fast
    tier never pays for it)."""

    @staticmethod
    def build(encoder: Any, frozen: int, outputs: int) -> Any:
        """A fresh module: the encoder's layers from ``frozen`` up, and a zeroed head."""
        torch = _torch()
        bert = encoder[0].auto_model

        class Net(torch.nn.Module):  # type: ignore[misc,name-defined]
            def __init__(self) -> None:
                super().__init__()
                self.layers = torch.nn.ModuleList(
                    copy.deepcopy(layer) for layer in bert.encoder.layer[frozen:]
                )
                self.dropout = torch.nn.Dropout(0.1)  # active in training only
                self.head = torch.nn.Linear(bert.config.hidden_size, outputs)

            def forward(self, hidden: Any, mask2d: Any) -> Any:
                mask = _mask4d(bert, mask2d, hidden)
                for layer in self.layers:
                    hidden = _out(layer(hidden, attention_mask=mask))
                weights = mask2d.unsqueeze(-1).to(hidden.dtype)
                pooled = (hidden * weights).sum(1) / weights.sum(1).clamp(min=1.0)
                return self.head(self.dropout(pooled))

        return Net()


@dataclass(slots=True)
class ConductModel:
    """The fine-tuned conduct model; build with :meth:`load`."""

    id: str
    name: str
    labels: tuple[str, ...]
    thresholds: dict[str, float]
    temperature: float
    frozen: int
    encoder_sha256: str
    net: Any = field(repr=False)
    recent: OrderedDict[str, F64] = field(default_factory=OrderedDict, repr=False, compare=False)

    @classmethod
    def load(cls, path: Path, name: str | None = None) -> ConductModel:
        """Load ``path`` once its sha256 (and the encoder's) match the manifest beside it."""
        expected = expected_hash(path.parent / MANIFEST, path.stem)
        actual = sha256_file(path)
        if actual != expected:
            raise PolicyError(f"{path}: sha256 {actual} does not match the manifest ({expected})")
        from safetensors import safe_open

        try:
            with safe_open(str(path), framework="pt") as handle:
                meta = handle.metadata() or {}
                tensors = {key: handle.get_tensor(key).float() for key in handle.keys()}  # noqa: SIM118
            return cls.from_parts(name or path.stem, meta, tensors, encoder_hash(path.parent))
        except (KeyError, ValueError, RuntimeError) as exc:
            raise PolicyError(f"{path}: not a conduct model: {exc}") from exc

    @classmethod
    def from_parts(
        cls, name: str, meta: dict[str, str], tensors: dict[str, Any], encoder_sha256: str
    ) -> ConductModel:
        """A model from its header fields and tensors (as written by training)."""
        if meta.get("format") != FORMAT:
            raise ValueError(f"format {meta.get('format')!r}, expected {FORMAT}")
        labels = tuple(json.loads(meta["labels"]))
        frozen = int(meta["frozen_layers"])
        net = UpperNet.build(_encoder(encoder_sha256), frozen, len(labels))
        net.load_state_dict(tensors, strict=True)
        net.eval()
        return cls(
            id=f"model:{name}@{meta['version']}",
            name=name,
            labels=labels,
            thresholds={k: float(v) for k, v in json.loads(meta["thresholds"]).items()},
            temperature=float(meta["temperature"]),
            frozen=frozen,
            encoder_sha256=encoder_sha256,
            net=net,
        )

    def probabilities(self, texts: Sequence[str]) -> F64:
        """Calibrated probabilities, one row per text and one column per label.

        Each distinct text is read once, and recently read texts come from a small cache:
        shift groups repeat "ok", "on my way" and forwarded messages (a quarter of the demo
        group's messages are distinct), and the same message sits in two exhibits of a case."""
        distinct = list(dict.fromkeys(texts))
        self.recent.update(self._read([text for text in distinct if text not in self.recent]))
        for text in distinct:  # most recently used last, in the order given
            self.recent.move_to_end(text)
        out = np.zeros((len(texts), len(self.labels)), dtype=np.float64)
        for row, text in enumerate(texts):
            out[row] = self.recent[text]
        while len(self.recent) > CACHE_SIZE:  # after the rows are read: a batch may be larger
            self.recent.popitem(last=False)  # the oldest first
        return out

    def _read(self, texts: Sequence[str]) -> dict[str, F64]:
        # The encoder's lower layers, the fine-tuned top and the head, in batches of similar
        # length (less padding).
        torch = _torch()
        out: dict[str, F64] = {}
        order = sorted(texts, key=len)
        encoder = _encoder(self.encoder_sha256)
        for start in range(0, len(order), BATCH):
            batch = order[start : start + BATCH]
            hidden, mask = lower_layers(encoder, batch, self.frozen)
            with torch.inference_mode():
                logits = self.net(hidden, mask) / self.temperature
            out.update(zip(batch, torch.sigmoid(logits).double().numpy(), strict=True))
        return out

    def flagged(self, probabilities: F64) -> list[dict[int, float]]:
        """For each row, the category columns flagged and their scores.

        A category is flagged when its own score passes its threshold, or when the
        ``misconduct`` output (any category at all, learnt from every category's examples and
        so steadier on new wording) passes its threshold: then the likeliest category is
        flagged with that score."""
        limits = np.array([self.thresholds.get(label, 1.01) for label in self.labels])
        categories = [i for i, label in enumerate(self.labels) if label not in AUX_OUTPUTS]
        choosable = [i for i in categories if self.labels[i] != "profanity"]
        anything = self.labels.index(ANY) if ANY in self.labels else None
        out: list[dict[int, float]] = []
        for row in probabilities:
            flags = {i: float(row[i]) for i in categories if row[i] >= limits[i]}
            if anything is not None and row[anything] >= limits[anything]:
                best = max(choosable, key=lambda i: row[i])
                flags[best] = max(flags.get(best, 0.0), float(row[anything]))
            out.append(flags)
        return out

    def detect(self, batch: Sequence[str]) -> Iterator[Hit]:
        """Yield the model's hits for every message of ``batch`` (no gate)."""
        yield from self.hits(batch, range(len(batch)))

    def hits(self, texts: Sequence[str], indices: Sequence[int]) -> Iterator[Hit]:
        """Hits for the messages at ``indices`` of a batch ``texts``, with occlusion spans."""
        if not indices:
            return
        chosen = [texts[i] for i in indices]
        probs = self.probabilities(chosen)
        flagged = [(row, flags) for row, flags in enumerate(self.flagged(probs)) if flags]
        spans = self.explain([chosen[row] for row, _ in flagged], probs[[r for r, _ in flagged]])
        for (row, flags), words_of in zip(flagged, spans, strict=True):
            words = ", ".join(repr(chosen[row][a:b]) for a, b in words_of)
            for column in sorted(flags):
                label, score = self.labels[column], round(flags[column], 4)
                detail = f"the {self.name} model scored {score:.2f} for {label}, driven by {words}"
                label_key = f"model/{self.name}/{label}"
                yield Hit(indices[row], self.id, label_key, score, words_of, detail)

    def _signal(self, probs: F64) -> F64:
        # What a flag rests on: the highest category score, or "misconduct" where higher.
        columns = [i for i, label in enumerate(self.labels) if label not in AUX_OUTPUTS[1:]]
        return np.asarray(probs[:, columns].max(axis=1), dtype=np.float64)

    def explain(self, texts: Sequence[str], probs: F64) -> list[tuple[Span, ...]]:
        """For each text, the words whose removal lowers its flag's score most (at least one),
        by :func:`conductlens.detect.occlusion.occlude`: every variant in one batch."""
        base = self._signal(probs) if len(texts) else np.zeros(0)
        return occlude(texts, base, lambda variants: self._signal(self.probabilities(variants)),
                       margin=0.0, at_least_one=True)
