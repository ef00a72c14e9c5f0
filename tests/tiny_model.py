"""A tiny causal LM built on the spot, so tests exercise the real transformers path without downloads.

`build_tiny_model` trains a byte-level BPE tokenizer on a given corpus and saves a randomly initialised
Llama-shaped model next to it (`hf:DIR` loads it). `teach` then fine-tunes it on a few prompt→answer
pairs until greedy decoding reproduces each answer, which lets tests drive a task end to end with a
model whose answers are known.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from compilerlm.errors import CompilerLMError

BOS, EOS, PAD, UNK = "<s>", "</s>", "<pad>", "<unk>"


def _libs():
    try:
        import torch
        import transformers
    except ImportError as e:
        raise CompilerLMError(f"tiny models need torch and transformers ({e}): pip install 'compilerlm[hf]'") from e
    return torch, transformers


def build_tiny_model(
    out_dir: str | Path,
    corpus: Sequence[str],
    vocab_size: int = 512,
    hidden: int = 64,
    layers: int = 2,
    heads: int = 4,
    context: int = 4096,
    seed: int = 0,
) -> Path:
    """Train a tokenizer on `corpus`, build a random Llama-style model of the given size, save both to `out_dir`.

    The tokenizer is byte level (every input can be encoded), prepends BOS like Llama tokenizers do, and
    decodes without clean-up so code round-trips exactly. Same arguments → same weights."""
    torch, transformers = _libs()
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, processors, trainers

    if not corpus:
        raise CompilerLMError("build_tiny_model needs a non-empty corpus to train its tokenizer")
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)

    tok = Tokenizer(models.BPE())
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(
        vocab_size=vocab_size,
        special_tokens=[UNK, BOS, EOS, PAD],
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
        show_progress=False,
    )
    tok.train_from_iterator(list(corpus), trainer)
    tok.post_processor = processors.TemplateProcessing(
        single=f"{BOS} $A", pair=f"{BOS} $A $B", special_tokens=[(BOS, tok.token_to_id(BOS))]
    )
    fast = transformers.PreTrainedTokenizerFast(
        tokenizer_object=tok,
        bos_token=BOS,
        eos_token=EOS,
        pad_token=PAD,
        unk_token=UNK,
        model_max_length=context,
        clean_up_tokenization_spaces=False,
    )

    config = transformers.LlamaConfig(
        vocab_size=len(fast),
        hidden_size=hidden,
        intermediate_size=hidden * 2,
        num_hidden_layers=layers,
        num_attention_heads=heads,
        num_key_value_heads=heads,
        max_position_embeddings=context,
        bos_token_id=fast.bos_token_id,
        eos_token_id=fast.eos_token_id,
        pad_token_id=fast.pad_token_id,
        tie_word_embeddings=True,
    )
    torch.manual_seed(seed)
    model = transformers.LlamaForCausalLM(config)
    model.save_pretrained(out)
    fast.save_pretrained(out)
    return out


def teach(
    model_dir: str | Path,
    pairs: Sequence[tuple[str, str]],
    steps: int = 400,
    lr: float = 3e-3,
    seed: int = 0,
) -> float:
    """Fine-tune the model in `model_dir` in place so greedy decoding of each prompt yields its answer.

    Plain full-batch AdamW on prompt+answer+EOS with the loss on answer tokens only. Training stops early
    once every answer token (and the EOS) is the argmax with a margin (loss below 0.02), which is exactly
    what greedy decoding needs. Returns the final loss."""
    torch, transformers = _libs()
    if not pairs:
        raise CompilerLMError("teach needs at least one (prompt, answer) pair")
    path = Path(model_dir)
    if not path.is_dir():
        raise CompilerLMError(f"model directory {path} does not exist (build it first with build_tiny_model)")
    tokenizer = transformers.AutoTokenizer.from_pretrained(path)
    model = transformers.AutoModelForCausalLM.from_pretrained(path, dtype=torch.float32)
    eos = tokenizer.eos_token_id
    pad = tokenizer.pad_token_id if tokenizer.pad_token_id is not None else eos

    rows = []
    for prompt, answer in pairs:
        # Prompt and answer are encoded separately, exactly as generation sees them.
        p = tokenizer(prompt, add_special_tokens=True)["input_ids"]
        a = tokenizer(answer, add_special_tokens=False)["input_ids"] + [eos]
        rows.append((p + a, [-100] * len(p) + a))
    width = max(len(ids) for ids, _ in rows)
    input_ids = torch.tensor([ids + [pad] * (width - len(ids)) for ids, _ in rows])
    labels = torch.tensor([lab + [-100] * (width - len(lab)) for _, lab in rows])
    mask = torch.tensor([[1] * len(ids) + [0] * (width - len(ids)) for ids, _ in rows])

    torch.manual_seed(seed)
    model.train()
    opt = torch.optim.AdamW(model.parameters(), lr=lr, weight_decay=0.0)
    known = labels[:, 1:] != -100
    loss_value = float("inf")
    threads = torch.get_num_threads()
    torch.set_num_threads(1)  # a model this small only loses to thread overhead, badly so on a busy machine
    try:
        for _ in range(steps):
            out = model(input_ids=input_ids, attention_mask=mask, labels=labels)
            loss_value = out.loss.item()
            predicted = out.logits[:, :-1].argmax(-1)
            if loss_value < 0.02 and bool((predicted[known] == labels[:, 1:][known]).all()):
                break
            opt.zero_grad()
            out.loss.backward()
            opt.step()
    finally:
        torch.set_num_threads(threads)
    model.eval()
    model.save_pretrained(path)
    return loss_value
