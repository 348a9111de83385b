"""Real ML workloads used to capture CUPTI traces and calibration data on the accelerator machine.
Copied from shared/lab/workloads.py; vit_b_16 and mobilenet_v3_large added for held-out measurements."""
import torch, torchvision

def resnet50():
    return torchvision.models.resnet50(weights=None)

def bert_base():
    from transformers import BertConfig, BertModel
    return BertModel(BertConfig())

def llama_small():
    from transformers import LlamaConfig, LlamaForCausalLM
    cfg = LlamaConfig(hidden_size=2048, intermediate_size=5632, num_hidden_layers=8,
                      num_attention_heads=16, num_key_value_heads=4, vocab_size=32000)
    return LlamaForCausalLM(cfg)

def make(name, batch, train=False):
    """Returns (step_fn) running one inference request or one training step."""
    dev = 'cuda'
    if name == 'resnet50':
        m = resnet50().to(dev)
        x = torch.randn(batch, 3, 224, 224, device=dev)
        if not train:
            m = m.half().eval(); x = x.half()
            def step():
                with torch.no_grad(): m(x)
            return step
        opt = torch.optim.SGD(m.parameters(), lr=0.01)
        y = torch.randint(0, 1000, (batch,), device=dev)
        lossf = torch.nn.CrossEntropyLoss()
        def step():
            opt.zero_grad(set_to_none=True)
            with torch.autocast('cuda', dtype=torch.bfloat16):
                loss = lossf(m(x), y)
            loss.backward(); opt.step()
        return step
    if name == 'bert':
        m = bert_base().to(dev)
        ids = torch.randint(0, 30000, (batch, 128), device=dev)
        if not train:
            m = m.half().eval()
            def step():
                with torch.no_grad(): m(input_ids=ids)
            return step
        opt = torch.optim.AdamW(m.parameters(), lr=1e-4)
        def step():
            opt.zero_grad(set_to_none=True)
            with torch.autocast('cuda', dtype=torch.bfloat16):
                out = m(input_ids=ids).last_hidden_state
                loss = out.float().pow(2).mean()
            loss.backward(); opt.step()
        return step
    if name == 'llama':
        m = llama_small().to(dev).half().eval()
        ids = torch.randint(0, 32000, (batch, 256), device=dev)
        def step():
            with torch.no_grad():
                out = m(input_ids=ids, use_cache=True)
                pkv = out.past_key_values
                nxt = out.logits[:, -1:].argmax(-1)
                for _ in range(8):
                    out = m(input_ids=nxt, past_key_values=pkv, use_cache=True)
                    pkv = out.past_key_values
                    nxt = out.logits[:, -1:].argmax(-1)
        return step
    if name in ('vit_b_16', 'mobilenet_v3_large', 'efficientnet_b0', 'convnext_tiny', 'swin_t', 'densenet121'):
        # Added for held-out measurements (tools/measure): vision models whose kernels the calibration never saw
        # (vit_b_16 and mobilenet_v3_large for sets 2 and 3; the other four for set 4).
        m = getattr(torchvision.models, name)(weights=None).to(dev).half().eval()
        x = torch.randn(batch, 3, 224, 224, device=dev).half()
        def step():
            with torch.no_grad(): m(x)
        return step
    raise ValueError(name)
